"""Patterns of the project's own policy files that match nothing in the project (FL907).

A source pattern `facevault.Client.search_face` where the code calls
`facevault.Client().search_face(...)` silently drops every flow from that call. So a call or read
pattern of one of the project's own policy files (shipped packs are written for every project,
and inline annotations name the function they sit on) that no name the engine looked up matches,
nor any function or module global the project defines, is reported as a note at the pattern,
with the closest name flowlint did build. A `params` pattern is checked against every parameter
of every project function. (`stores` patterns are looked up only where personal data is stored,
and `urls` patterns only for requests: neither can be told apart from code that carries no data
yet, so neither is checked.)

The engine does not analyse every function (flowlint.analysis.relevance), so "no name matched"
counts only where every function that could build a matching name was analysed. A name built
from an API whose first segment is `facevault` starts in a module that imports from `facevault`,
and reaches other modules as what their functions return (their importers, transitively) or
pass on as arguments (analysed in the calling context). So a pattern is reported when no module
imports or is under its first segment (nothing can match it), or when the run is complete and
every function of those modules and their importers was analysed. A pattern whose first segment
is a wildcard or a builtin name could match in any module: it is reported only when every
function of the project was analysed.
"""

from __future__ import annotations

import builtins
import difflib
import os
from collections.abc import Iterable, Set
from pathlib import Path

from flowlint.analysis.models import compile_pattern, name_root, pattern_root
from flowlint.analysis.policy_patterns import PolicyPattern, policy_patterns
from flowlint.analysis.module_graph import import_graph, importers
from flowlint.discover import SourceFile
from flowlint.policy.model import EntryRef, Policy
from flowlint.program import Program
from flowlint.results import Diagnostic

UNMATCHED = "FL907"
CHECKED_KEYS = ("calls", "reads", "params")
_WHAT = {"calls": "no call in the project", "reads": "no read in the project", "params": "no parameter of a project function"}
_BUILTIN_NAMES = frozenset(dir(builtins))


def unmatched_patterns(policy: Policy, program: Program, looked_up: Iterable[frozenset[str]], analysed: Set[str],
                       complete: bool, root: Path) -> list[Diagnostic]:
    """FL907 notes for the project's own patterns that match nothing. ``looked_up``: the names
    each analysis looked up (`Engine.names`); ``analysed``: the functions analysed in some
    context; ``complete``: the run reached its fixpoint; ``root``: the project root."""
    own = [p for p in policy_patterns(policy) if p.own and p.key in CHECKED_KEYS]
    if not own:
        return []
    parameters = _by_root(f"{f.qualname}:{p.name}" for f in program.functions.values() for p in f.params)
    # what a call or read pattern may name: the names the engine built, and what the project
    # defines (a project function or global that nothing calls or reads yet is still there)
    modules = program.modules.values()
    names = _by_root(set().union(*looked_up, program.functions, *(program.imported_names(m) for m in modules),
                                 (f"{m.name}.{g}" for m in modules for g in program.functions[m.body].locals)))
    scopes = _Scopes(program, analysed, complete)
    found = []
    for pattern in own:
        candidates = parameters if pattern.key == "params" else names
        regex = compile_pattern(pattern.pattern)
        first = pattern_root(pattern.pattern)
        if any(regex.match(name) for group in ([candidates.get(first, [])] if first else candidates.values())
               for name in group):
            continue
        if pattern.key != "params" and not scopes.all_analysed(first):
            continue
        found.append(_note(pattern, candidates, root))
    return found


class _Scopes:
    """Whether every function that could build a name under a first segment was analysed."""

    def __init__(self, program: Program, analysed: Set[str], complete: bool) -> None:
        self.program = program
        self.analysed = analysed
        self.complete = complete
        self._graph: dict[str, set[str]] | None = None

    def all_analysed(self, root: str | None) -> bool:
        modules = self.program.modules
        if root is None or root in _BUILTIN_NAMES:
            scope = set(modules)
        else:
            naming = {m.name for m in modules.values() if m.name.split(".", 1)[0] == root
                      or any(n.split(".", 1)[0] == root for n in self.program.imported_names(m))}
            if not naming:
                return True  # nothing in the project names it: no analysis could build such a name
            if self._graph is None:
                self._graph = import_graph(self.program)
            scope = importers(self._graph, naming)
        return self.complete and all(f.qualname in self.analysed for m in scope for f in modules[m].functions)


def _by_root(names: Iterable[str]) -> dict[str, list[str]]:
    """Names by their first segment, each group sorted."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name_root(name), []).append(name)
    return {root: sorted(set(group)) for root, group in groups.items()}


def _note(pattern: PolicyPattern, candidates: dict[str, list[str]], root: Path) -> Diagnostic:
    assert pattern.ref is not None  # own patterns have one
    ref = pattern.ref
    close = _closest(pattern.pattern, candidates)
    hint = f"; did you mean '{close}'?" if close else ""
    return Diagnostic(_project_path(ref.file, root), pattern_line(pattern.pattern, ref) or 1, 1, UNMATCHED,
                      f"[[{ref.table}]] #{ref.index}: {pattern.key} pattern '{pattern.pattern}' matches "
                      f"{_WHAT[pattern.key]}{hint} (`flowlint names FILE:LINE` shows the names "
                      "flowlint gives a line's calls and reads)")


def _closest(pattern: str, candidates: dict[str, list[str]]) -> str | None:
    """The candidate most like ``pattern``, from those with its first segment when there are any."""
    near = candidates.get(name_root(pattern)) or sorted(n for group in candidates.values() for n in group)
    close = difflib.get_close_matches(pattern, near, n=1, cutoff=0.6)
    return close[0] if close else None


def pattern_line(pattern: str, ref: EntryRef | None) -> int | None:
    """The line of a pattern's string in the policy file of its entry ``ref`` (the entry's own
    line when it is not found there)."""
    if ref is None:
        return None
    start = ref.line or 1
    try:
        lines = Path(ref.file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ref.line
    quoted = (f'"{pattern}"', f"'{pattern}'")
    return next((n for n in range(start, len(lines) + 1) if any(q in lines[n - 1] for q in quoted)), ref.line)


def _project_path(file: str, root: Path) -> str:
    """A policy file's path relative to the project root with `/`, or absolute when outside it."""
    absolute = Path(os.path.abspath(file))
    try:
        return absolute.relative_to(root).as_posix()
    except ValueError:
        return absolute.as_posix()


def project_root(file: SourceFile) -> Path:
    """The project root, from any of its files."""
    return file.path.parents[file.relpath.count("/")]
