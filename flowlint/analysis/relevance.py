"""Which modules the analysis starts from: those that can name a source, and their importers.

Every flow begins where a policy source is called, read or received as a parameter. A call or
read can only name `taintlib.Client().search` in a module that imports something under
`taintlib.Client` (or is itself such a module), and the data it returns reaches other modules
through functions they import. So the entry points of the analysis are the functions of the
modules that can name a source, of every module importing one of them (transitively), and of
every module those import (transitively: their functions set up the instance fields and
registries the data passes through). Modules outside that part of the import graph are still
analysed where an entry point calls them, and module and class bodies are always analysed. Data
that a module stores in a global reaches the readers of that global: the engine widens the entry
points around any module whose globals became tainted. On a project that never names a source
nothing is analysed at all.

A pattern whose first segment is a wildcard could name anything: then every module is an entry.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Iterable

from flowlint.analysis import endpoints
from flowlint.analysis.models import Models
from flowlint.program import Program

_WILDCARD = re.compile(r"[*?\[]")
_SEGMENT_END = re.compile(r"[(:\[]")
_BUILTIN_NAMES = frozenset(dir(builtins))


def _literal_prefix(pattern: str) -> str | None:
    """The whole dotted segments a pattern starts with (`taintlib.Client` for
    `taintlib.Client().search`, `facebook_scraper` for `facebook_scraper.get_*`), or None when
    that is nothing or a builtin name (the pattern could name anything)."""
    wildcard = _WILDCARD.search(pattern)
    literal = pattern[:wildcard.start()] if wildcard else pattern
    if wildcard and not literal.endswith("."):
        literal = literal.rpartition(".")[0]  # the segment the wildcard is in is not literal
    literal = _SEGMENT_END.split(literal, 1)[0].rstrip(".")
    if "." not in pattern or not literal or literal.split(".", 1)[0] in _BUILTIN_NAMES:
        return None
    return literal


def relation(prefixes: Iterable[str]) -> Callable[[str], bool]:
    """Whether a dotted name lies within one of ``prefixes`` or one of them within it
    (`taintlib` and `taintlib.Client`, either way round), in time of the name's depth."""
    exact = set(prefixes)
    within = {prefix.rsplit(".", depth)[0] for prefix in exact for depth in range(prefix.count(".") + 1)}

    def related(name: str) -> bool:
        if name in within:
            return True
        while "." in name:
            name = name.rpartition(".")[0]
            if name in exact:
                return True
        return False

    return related


def source_modules(program: Program, models: Models) -> set[str] | None:
    """Modules that can name a source, or None when any module could."""
    prefixes: list[str] = []
    for source in models.policy.sources:
        for pattern in (*source.calls, *source.reads):
            prefix = _literal_prefix(pattern)
            if prefix is None:
                return None
            prefixes.append(prefix)
        if source.urls:  # an endpoint source is named by an HTTP client's call
            prefixes.extend(endpoints.OWNERS)
    found: set[str] = set()
    related = relation(prefixes)
    for module in program.modules.values():
        names = program.imported_names(module) | {module.name}
        if any(map(related, names)):
            found.add(module.name)
        elif models.param_sources and any(models.param_sources(f"{f.qualname}:{p.name}")
                                          for f in module.functions for p in f.params):
            found.add(module.name)
    return found


def import_graph(program: Program) -> dict[str, set[str]]:
    """Project module -> the project modules it imports (at any depth of its code)."""
    graph: dict[str, set[str]] = {name: set() for name in program.modules}
    for module in program.modules.values():
        for name in program.imported_names(module):
            target = program.project_module_of(name)
            if target is not None and target != module.name:
                graph[module.name].add(target)
    return graph


def entry_modules(graph: dict[str, set[str]], starts: Iterable[str]) -> set[str]:
    """`starts`, every module importing one of them (directly or through others) — where the
    data goes — and every module those import, transitively — whose functions set up the
    objects (instance fields, registries) that the data passes through."""
    return _closure(importers(graph, starts), graph)


def importers(graph: dict[str, set[str]], starts: Iterable[str]) -> set[str]:
    """`starts` and every module importing one of them, directly or through others."""
    imported_by: dict[str, set[str]] = {}
    for importer, targets in graph.items():
        for target in targets:
            imported_by.setdefault(target, set()).add(importer)
    return _closure(set(starts), imported_by)


def _closure(found: set[str], edges: dict[str, set[str]]) -> set[str]:
    stack = list(found)
    while stack:
        for neighbour in edges.get(stack.pop(), ()):
            if neighbour not in found:
                found.add(neighbour)
                stack.append(neighbour)
    return found
