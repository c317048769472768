"""The names the engine gives the calls and reads of one line, in every context it analyses them.

The program is analysed as `check` analyses it, with one difference: the line's module is a start
of the analysis, so its functions (and their callers in the modules importing it, for the calling
contexts they give them) are analysed even where relevance would skip them. The engine's
recorder of entry points, which sees every call (with its callees) and every read (with its
names) that the engine interprets, keeps those on the line. So the names are exactly the ones
policy patterns are matched against, never a second guess at them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flowlint import ir
from flowlint.analysis.calls import Target
from flowlint.analysis.engine import Engine
from flowlint.analysis.entries import Recorder
from flowlint.analysis.interpret import FunctionRun
from flowlint.analysis.models import Models
from flowlint.analysis.values import Value
from flowlint.limits import Limits
from flowlint.program import Program


@dataclass(frozen=True, order=True)
class Site:
    """A call, a read or a function's parameters on the line: its span (1-based) and kind."""

    span: ir.Span
    kind: str  # "call" | "read" | "store" | "params"


def names_on_line(program: Program, models: Models, module: str, line: int,
                  limits: Limits = Limits()) -> dict[Site, frozenset[str]]:
    """Every site of ``line`` in the project module ``module`` with the names it has (a call's
    callees: an API's names and a project function's qualified name; a read's names; the
    `qualname:param` of each parameter of a function defined on the line)."""
    engine = Engine(program, models, None, limits.file_time_limit)
    recorder = engine.recorder = _LineRecorder(engine.recorder, program.modules[module], line)
    engine.run()
    for function in program.modules[module].functions:
        if function.span[0] == line:
            recorder.add(Site(function.span, "params"), [f"{function.qualname}:{p.name}" for p in function.params])
    return {site: frozenset(names) for site, names in recorder.sites.items()}


class _LineRecorder(Recorder):
    """The engine's recorder of entry points, keeping the names of the sites of one line as well."""

    def __init__(self, inner: Recorder, module: ir.Module, line: int) -> None:
        super().__init__(inner.catalogue, inner.models)
        self.module, self.line = module, line
        self.sites: dict[Site, set[str]] = {}

    def add(self, site: Site, names: Sequence[str]) -> None:
        if names:
            self.sites.setdefault(site, set()).update(names)

    def calls(self, run: FunctionRun, targets: Sequence[Target], receiver: Value | None,
              arg_nodes: list[ir.Arg], args: list[Value], span: ir.Span) -> None:
        super().calls(run, targets, receiver, arg_nodes, args, span)
        if span[0] == self.line and run.path == self.module.path:
            # what policy entries are matched against: an API's names (with their class-based
            # spellings) and a project function's qualified name
            self.add(Site(span, "call"), [n for t in targets if t.kind in ("api", "fn") for n in (t.name, *t.extra_names)])

    def reads(self, run: FunctionRun, names: Iterable[str], span: ir.Span) -> None:
        names = list(names)
        super().reads(run, names, span)
        if span[0] == self.line and run.path == self.module.path:
            self.add(Site(span, "read"), names)

    def stores(self, run: FunctionRun, names: Sequence[str], span: ir.Span) -> None:
        if span[0] == self.line and run.path == self.module.path:
            self.add(Site(span, "store"), names)

    def modules(self, program: Program) -> set[str]:
        return super().modules(program) | {self.module.name}
