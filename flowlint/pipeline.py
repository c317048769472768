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
from flowlint.discover import SourceFile
from flowlint.frontend import NOT_ANALYSED, parse_source
from flowlint.policy.model import Policy
from flowlint.program import Program
from flowlint.results import Diagnostic, Finding
from flowlint.rules import evaluate


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


def parse_files(files: Sequence[SourceFile]) -> tuple[list[ir.Module], list[Diagnostic]]:
    modules: list[ir.Module] = []
    diagnostics: list[Diagnostic] = []
    seen: set[str] = set()
    for file in sorted(files, key=lambda f: (f.relpath.endswith(".pyi"), f.relpath)):
        if file.module in seen:  # a stub beside its module: the module wins
            continue
        try:
            source = file.path.read_bytes()
        except OSError as err:
            diagnostics.append(Diagnostic(file.relpath, 1, 1, NOT_ANALYSED, f"file not analysed: cannot read: {err.strerror or err}"))
            continue
        result = parse_source(source, file.module, file.relpath, file.is_package)
        if isinstance(result, Diagnostic):
            diagnostics.append(result)
        else:
            seen.add(file.module)
            modules.append(result)
    return modules, diagnostics


def analyse(files: Sequence[SourceFile], policy: Policy) -> Analysis:
    started = time.perf_counter()
    modules, diagnostics = parse_files(files)
    policy, annotation_diagnostics = apply_annotations(modules, policy)
    diagnostics += annotation_diagnostics
    program = Program.build(modules)
    engine = Engine(program, Models(policy))
    flows = engine.run()
    findings = evaluate(flows, policy)
    directives = tuple((m.path, d) for m in sorted(modules, key=lambda m: m.path) for d in m.directives)
    return Analysis(tuple(findings), tuple(flows), tuple(sorted(diagnostics)), len(files),
                    len(program.functions), time.perf_counter() - started, directives=directives)
