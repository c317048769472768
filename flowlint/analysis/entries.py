"""Where data enters the project from outside: the entry points `flowlint sources` lists.

While it interprets the project, the engine shows the `Recorder` every call of an external API
and every read of an external attribute, with what it knows of them (API names, argument text).
The recorder keeps the entry points among them:

- HTTP requests: the clients `endpoints` models, with the URL patterns each call resolves to
  (none: unresolved);
- calls and reads that a source of the *catalogue* names: every source of every shipped pack,
  selected or not, and of the selected policy. A source whose origin's `collection` is
  "scraping" makes a scraping or browser library; any other, a data SDK;

and, from the program alone, the project parameters a catalogue source names (the `response`
of a Scrapy callback). Each entry point says which sources of the *selected* policy declare it:
an entry point none declares is data the analysis does not follow.

The recorder keeps what each calling context saw, like the engine's flows, so an incremental
run forgets it with the context; `entry_points` joins them per site (a helper called with two
URLs has both).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from flowlint import ir
from flowlint.analysis import endpoints
from flowlint.analysis.models import Models
from flowlint.analysis.relevance import source_modules
from flowlint.analysis.summary import Context
from flowlint.analysis.values import Site, Value
from flowlint.policy.load import load_policy
from flowlint.policy.model import Policy, Source
from flowlint.policy.packs import pack_names, pack_path
from flowlint.program import Program

if TYPE_CHECKING:
    from flowlint.analysis.calls import Target
    from flowlint.analysis.interpret import FunctionRun

EntryKind = Literal["http", "scraping", "sdk"]


@dataclass(frozen=True, order=True)
class Declared:
    """A policy source that names an entry point."""

    origin: str
    policy: str  # the file that defines it (`vendor.toml`, `<pack scrapers>`)
    entry: str  # the source entry: `vendor.toml: [[sources]] #2 (line 24)`


@dataclass(frozen=True, order=True)
class EntryPoint:
    """One place where data enters: an HTTP request, a library call or read, a parameter."""

    site: Site  # its symbol is the API name (a parameter: `qualname:param`)
    kind: EntryKind
    library: str  # the module it belongs to (`requests`, `bs4`, `selenium`), or its origin for a parameter
    urls: tuple[str, ...] = ()  # HTTP: URL patterns, `strings.HOLE` where unknown; () = unresolved
    declared: tuple[Declared, ...] = ()  # the selected policy's sources that name it; () = undeclared
    known: tuple[Declared, ...] = ()  # the catalogue's (shipped packs included)


@lru_cache(maxsize=1)
def _shipped() -> Policy:
    return load_policy(pack_names(), base_dir=Path.cwd())


def catalogue(policy: Policy) -> Models:
    """The sources that make a call, read or parameter an entry point: every shipped pack's and
    the selected policy's."""
    shipped = _shipped()
    return Models(replace(shipped, origins=shipped.origins + policy.origins, sources=shipped.sources + policy.sources))


def shipped_digest() -> str:
    """A digest of the shipped packs' files: what the catalogue (and a cached inventory) depends
    on besides the selected policy."""
    digest = hashlib.sha256()
    for name in pack_names():
        digest.update(name.encode() + b"\0" + pack_path(name).read_bytes())
    return digest.hexdigest()


class Recorder:
    """The entry points seen by the engine, per calling context (see the module docstring)."""

    def __init__(self, catalogue_models: Models, models: Models) -> None:
        self.catalogue = catalogue_models
        self.models = models
        self.found: dict[Context, dict[tuple[Site, str], EntryPoint]] = {}

    def calls(self, run: FunctionRun, targets: Sequence[Target], receiver: Value | None,
              arg_nodes: list[ir.Arg], args: list[Value], span: ir.Span) -> None:
        """The external API targets of one call (project functions are not entry points)."""
        for target in targets:
            if target.kind == "api":
                self._call(run, (target.name, *target.extra_names), receiver, arg_nodes, args, span)

    def _call(self, run: FunctionRun, names: tuple[str, ...], receiver: Value | None,
              arg_nodes: list[ir.Arg], args: list[Value], span: ir.Span) -> None:
        request = endpoints.http_call(names, receiver, arg_nodes, args)
        named = tuple(s for n in names for s in self.models.call_sources(n))
        if request is not None:
            declared = (*endpoints.requested_by(self.models.url_entries(request.urls)[0], request), *named)
            known = (*endpoints.requested_by(self.catalogue.url_entries(request.urls)[0], request),
                     *(s for n in names for s in self.catalogue.call_sources(n)))
            self._add(run, EntryPoint(run._site(span, request.name), "http", _root(request.name), request.urls,
                                      _declared(declared), _declared(known)))
            return
        for name in names:
            found = self.catalogue.call_sources(name)
            if found:
                self._add(run, EntryPoint(run._site(span, name), self._kind(found), _root(name),
                                          declared=_declared(named), known=_declared(found)))
                return

    def reads(self, run: FunctionRun, names: Iterable[str], span: ir.Span) -> None:
        """A read of external attributes or module globals, by the names it may have."""
        for name in names:
            found = self.catalogue.read_sources(name)
            if found:
                self._add(run, EntryPoint(run._site(span, name), self._kind(found), _root(name),
                                          declared=_declared(self.models.read_sources(name)), known=_declared(found)))

    def stores(self, run: FunctionRun, names: Sequence[str], span: ir.Span) -> None:
        """An assignment into an external object, by the names of what it stores into: no entry
        point (data leaves there), but `flowlint names` shows them (`stores` patterns)."""

    def _add(self, run: FunctionRun, entry: EntryPoint) -> None:
        seen = self.found.setdefault(run.context, {})
        key = (entry.site, entry.kind)
        old = seen.get(key)
        seen[key] = entry if old is None else _joined(old, entry)

    def _kind(self, sources: Sequence[Source]) -> EntryKind:
        origins = self.catalogue.origins
        scraping = any(s.origin in origins and origins[s.origin].collection == "scraping" for s in sources)
        return "scraping" if scraping else "sdk"

    def modules(self, program: Program) -> set[str]:
        """The modules that can name an entry point: the engine starts from them too, so that
        an entry point no selected source declares is still seen (none when a catalogue
        pattern could name anything: that is never a reason to analyse everything)."""
        return source_modules(program, self.catalogue) or set()

    def parameters(self, program: Program) -> list[EntryPoint]:
        """Project parameters a catalogue source names (they receive data from a framework)."""
        found = []
        for function in program.functions.values():
            for param in function.params:
                name = f"{function.qualname}:{param.name}"
                sources = self.catalogue.param_sources(name)
                if sources:
                    path = program.modules[program.function_module[function.qualname]].path
                    found.append(EntryPoint(Site(path, *param.span, name), self._kind(sources), sources[0].origin,
                                            declared=_declared(self.models.param_sources(name)),
                                            known=_declared(sources)))
        return found

    def entry_points(self, program: Program) -> tuple[EntryPoint, ...]:
        """Every entry point seen, one per site and kind, in file order."""
        merged: dict[tuple[Site, str], EntryPoint] = {}
        for seen in self.found.values():
            for key, entry in seen.items():
                old = merged.get(key)
                merged[key] = entry if old is None else _joined(old, entry)
        return tuple(sorted([*merged.values(), *self.parameters(program)]))


def _joined(a: EntryPoint, b: EntryPoint) -> EntryPoint:
    return replace(a, urls=tuple(sorted(set(a.urls) | set(b.urls))),
                   declared=tuple(sorted(set(a.declared) | set(b.declared))),
                   known=tuple(sorted(set(a.known) | set(b.known))))


def _declared(sources: Iterable[Source]) -> tuple[Declared, ...]:
    return tuple(sorted({Declared(s.origin, s.ref.file if s.ref else "", str(s.ref or "")) for s in sources}))


def _root(name: str) -> str:
    """The top-level module of an API name (`selenium` of `selenium.webdriver.Chrome().find_element`)."""
    return name.split(".", 1)[0].split("(", 1)[0]
