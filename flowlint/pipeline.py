"""The analysis pipeline: files -> IR -> program -> summaries and flows -> rules -> findings."""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from flowlint import ir
from flowlint.annotations import apply_annotations
from flowlint.analysis.entries import EntryPoint, shipped_digest
from flowlint.analysis.models import Models
from flowlint.analysis.summary import Flow
from flowlint.cache import IRCache, run_key
from flowlint.discover import SourceFile
from flowlint.imports import UnresolvedImport
from flowlint.limits import Limits
from flowlint.parsing import Input, collector_paused, parse_files, read_inputs
from flowlint.policy.model import Policy
from flowlint.progress import Progress
from flowlint.program import Program
from flowlint.results import Diagnostic, Finding
from flowlint.rules import evaluate


INCOMPLETE = "FL906"
ENGINE_STATE = "engine-state-6"  # bump when EngineState changes: a state is only read by its own kind


@dataclass(frozen=True)
class Analysis:
    findings: tuple[Finding, ...]
    flows: tuple[Flow, ...]  # every traced flow, flagged by a rule or not (the data inventory)
    diagnostics: tuple[Diagnostic, ...]
    files: int
    functions: int
    seconds: float
    cache_hits: int = 0
    # every `# flowlint:` comment of the project, as (path, directive), in file order
    directives: tuple[tuple[str, ir.Directive], ...] = ()
    analysed: int = 0  # function analyses run (one function in one calling context, each time)
    reused: int = 0  # summaries kept from the previous run (incremental analysis)
    # imports that look like the project's but denote no project module (flowlint.imports)
    unresolved_imports: tuple[UnresolvedImport, ...] = ()
    # where data enters the project from outside, declared or not (`flowlint sources`)
    entry_points: tuple[EntryPoint, ...] = ()


def analyse(files: Sequence[SourceFile], policy: Policy, jobs: int = 0, cache: IRCache | None = None,
            progress: Progress | None = None, limits: Limits = Limits(),
            import_roots: Sequence[str] = ()) -> Analysis:
    """The whole analysis; served from the cache when no file, policy, limit or import root
    changed. ``import_roots``: the configured folders on sys.path (`Config.import_roots`)."""
    started = time.perf_counter()
    inputs = read_inputs(files, limits.max_file_size)
    import_roots = tuple(import_roots)
    # the shipped packs make the catalogue of entry points, selected or not
    key = run_key([item.key or repr(item.problem) for item in inputs], policy, limits, import_roots, shipped_digest())
    cached = cache.get_run(key) if cache is not None else None
    if isinstance(cached, Analysis):
        return replace(cached, seconds=time.perf_counter() - started,
                       cache_hits=sum(1 for item in inputs if item.problem is None))
    analysis = _analyse(inputs, policy, jobs, cache, progress, limits, import_roots)
    if cache is not None and not any(d.code == INCOMPLETE for d in analysis.diagnostics):  # a cut-short run is not reused
        cache.put_run(key, replace(analysis, seconds=0.0, cache_hits=0, analysed=0, reused=0))
    return replace(analysis, seconds=time.perf_counter() - started)


def _analyse(inputs: Sequence[Input], policy: Policy, jobs: int, cache: IRCache | None,
             progress: Progress | None, limits: Limits, import_roots: tuple[str, ...]) -> Analysis:
    # the engine (and networkx) are loaded only for runs that analyse: not for those served whole
    from flowlint.analysis.engine import Engine
    from flowlint.analysis.incremental import resume
    from flowlint.analysis.pattern_use import project_root, unmatched_patterns

    with collector_paused():
        parsed = parse_files(inputs, jobs, cache, progress)
        modules, diagnostics = parsed.modules, parsed.diagnostics
        policy, annotation_diagnostics = apply_annotations(modules, policy)
        diagnostics += annotation_diagnostics
        program = Program.build(modules, import_roots)
        engine = Engine(program, Models(policy), progress, limits.file_time_limit)
        keys = {item.file.relpath: item.key for item in inputs}
        module_keys = {m.name: keys[m.path] for m in modules}
        state_key = run_key([ENGINE_STATE], policy, limits, shipped_digest())
        imported = {m.name: program.imported_names(m) for m in modules}
        if cache is not None:
            resume(engine, cache.get_state(state_key), module_keys, imported, cache.get)
        gc.freeze()  # the IR lives to the end of the run: the collector need not scan it, ever
    try:
        flows = engine.run()
    finally:
        gc.unfreeze()
    complete = not engine.incomplete and not engine.timed_out
    if cache is not None and complete:
        cache.put_state(state_key, (module_keys, imported, engine.state()))
    if engine.incomplete:
        diagnostics.append(Diagnostic(".", 1, 1, INCOMPLETE, f"analysis incomplete: the step budget ({engine.budget} "
                                      "statements) ran out; some flows may be missing (the program's call graph "
                                      "did not reach a fixpoint in time)"))
    diagnostics += [Diagnostic(path, 1, 1, INCOMPLETE, f"analysis incomplete: this file's functions took longer "
                               f"than file-time-limit ({limits.file_time_limit:g} s); flows through them may be missing")
                    for path in sorted(engine.timed_out)]
    if inputs:
        analysed = {qualname for qualname, contexts in engine.contexts.items() if contexts}
        diagnostics += unmatched_patterns(policy, program, engine.names.values(), analysed, complete,
                                          project_root(inputs[0].file))
    findings = evaluate(flows, policy)
    directives = tuple((m.path, d) for m in sorted(modules, key=lambda m: m.path) for d in m.directives)
    return Analysis(tuple(findings), tuple(flows), tuple(sorted(diagnostics)), len(inputs),
                    len(program.functions), 0.0, parsed.cache_hits, directives,
                    engine.performed, engine.reused, program.resolver.unresolved(),
                    engine.recorder.entry_points(program))
