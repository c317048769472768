"""The analysis pipeline: files -> IR -> program -> summaries and flows -> rules -> findings."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from flowlint import ir
from flowlint.annotations import apply_annotations
from flowlint.analysis.engine import Engine
from flowlint.analysis.models import Models
from flowlint.analysis.summary import Flow
from flowlint.cache import IRCache
from flowlint.discover import SourceFile
from flowlint.parsing import parse_files
from flowlint.policy.model import Policy
from flowlint.progress import Progress
from flowlint.program import Program
from flowlint.results import Diagnostic, Finding
from flowlint.rules import evaluate


INCOMPLETE = "FL906"


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


def analyse(files: Sequence[SourceFile], policy: Policy, jobs: int = 0, cache: IRCache | None = None,
            progress: Progress | None = None) -> Analysis:
    started = time.perf_counter()
    parsed = parse_files(files, jobs, cache, progress)
    modules, diagnostics = parsed.modules, parsed.diagnostics
    policy, annotation_diagnostics = apply_annotations(modules, policy)
    diagnostics += annotation_diagnostics
    program = Program.build(modules)
    engine = Engine(program, Models(policy), progress)
    flows = engine.run()
    if engine.incomplete:
        diagnostics.append(Diagnostic(".", 1, 1, INCOMPLETE, f"analysis incomplete: the step budget ({engine.budget} "
                                      "statements) ran out; some flows may be missing (the program's call graph "
                                      "did not reach a fixpoint in time)"))
    findings = evaluate(flows, policy)
    directives = tuple((m.path, d) for m in sorted(modules, key=lambda m: m.path) for d in m.directives)
    return Analysis(tuple(findings), tuple(flows), tuple(sorted(diagnostics)), len(files),
                    len(program.functions), time.perf_counter() - started, parsed.cache_hits, directives)
