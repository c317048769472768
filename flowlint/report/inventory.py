"""The inventory `flowlint sources` prints: the analysis' entry points, grouped and counted.

Entry points are grouped by kind and by what they reach: HTTP requests by host (a request
whose URL is not resolved, or whose host is not known, goes to the group `unresolved`),
library calls and reads by top-level module, framework parameters by origin. A group holds
either the entry points that no selected policy source declares or those that one does, so
the undeclared groups — what a user still has to look at — come first. Each entry point counts
the distinct sinks its data reaches in the analysis' flows (an undeclared one is not traced).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from flowlint.analysis import endpoints
from flowlint.analysis.entries import Declared, EntryKind, EntryPoint
from flowlint.pipeline import Analysis
from flowlint.policy.model import Origin, Policy

UNRESOLVED = "unresolved"
KIND_ORDER: dict[EntryKind, int] = {"http": 0, "scraping": 1, "sdk": 2}
KIND_TITLE: dict[EntryKind, str] = {"http": "HTTP", "scraping": "scraping", "sdk": "SDK"}


@dataclass(frozen=True)
class Located:
    """An entry point as a group shows it: the URLs that put it there, the sinks it reaches."""

    entry: EntryPoint
    urls: tuple[str, ...]  # as displayed (`{}` for unknown parts); () = not an HTTP request, or unresolved
    sinks: int


@dataclass(frozen=True)
class Group:
    kind: EntryKind
    name: str  # host, library or origin
    declared: bool
    origins: tuple[Origin, ...]  # declared: the selected policy's origins that declare its entry points
    sources: tuple[str, ...]  # declared: the source entries that do
    known: tuple[Declared, ...]  # undeclared: catalogue sources (shipped packs) that name its entry points
    entries: tuple[Located, ...]  # in file order
    sinks: int  # distinct sinks the group's data reaches


@dataclass(frozen=True)
class Inventory:
    groups: tuple[Group, ...]  # undeclared first, then by kind, size and name
    entry_points: int
    undeclared: int
    files: int  # files with an entry point

    @property
    def undeclared_groups(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if not g.declared)

    @property
    def declared_groups(self) -> tuple[Group, ...]:
        return tuple(g for g in self.groups if g.declared)


def build(analysis: Analysis, policy: Policy, wanted: Callable[[str], bool]) -> Inventory:
    """The inventory of the entry points in the files ``wanted`` selects."""
    sinks: dict[tuple[str, int, int], set] = defaultdict(set)
    for flow in analysis.flows:
        site = flow.label.site
        sinks[(site.path, site.line, site.column)].add(flow.sink.site)
    origins = {o.id: o for o in policy.origins}
    members: dict[tuple[EntryKind, str, bool], list[Located]] = defaultdict(list)
    entries = [e for e in analysis.entry_points if wanted(e.site.path)]
    for entry in entries:
        reached = sinks.get((entry.site.path, entry.site.line, entry.site.column), set())
        for name, urls in _groups_of(entry):
            members[(entry.kind, name, bool(entry.declared))].append(Located(entry, urls, len(reached)))
    groups = []
    for (kind, name, declared), located in members.items():
        reached = set().union(*(sinks.get((x.entry.site.path, x.entry.site.line, x.entry.site.column), set())
                                for x in located))
        ids = sorted({d.origin for x in located for d in x.entry.declared})
        groups.append(Group(kind, name, declared, tuple(origins[i] for i in ids if i in origins),
                            tuple(sorted({d.entry for x in located for d in x.entry.declared})),
                            tuple(sorted({d for x in located for d in x.entry.known})) if not declared else (),
                            tuple(sorted(located, key=lambda x: x.entry.site)), len(reached)))
    groups.sort(key=lambda g: (g.declared, KIND_ORDER[g.kind], -len(g.entries), g.name))
    return Inventory(tuple(groups), len(entries), sum(1 for e in entries if not e.declared),
                     len({e.site.path for e in entries}))


def _groups_of(entry: EntryPoint) -> list[tuple[str, tuple[str, ...]]]:
    """The groups an entry point belongs to, each with the URLs that put it there: an HTTP
    request to URLs on two hosts is in both hosts' groups."""
    if entry.kind != "http":
        return [(entry.library, ())]
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in entry.urls or ("",):
        by_host[endpoints.host(url) or UNRESOLVED].append(endpoints.display(url) if url else "")
    return [(host, tuple(u for u in urls if u)) for host, urls in sorted(by_host.items())]


def lawfulness(origin: Origin) -> str:
    """`lawful`, `unlawful` or `lawfulness unknown`, as the reports say it."""
    if origin.lawful is True:
        return "lawful"
    return "unlawful" if origin.lawful is False else "lawfulness unknown"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
