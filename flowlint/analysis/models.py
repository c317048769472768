"""Policy entries indexed by the names they match (fnmatch globs, `*` crosses dots).

The analysis asks "what is `sqlite3.connect().cursor().execute`?" many times; each distinct
name is matched once against the patterns that could match it and the answer cached. Every name
asked also goes into the set `Models.asking` names (the engine gives each analysis its own), so
that a run can tell which patterns matched nothing (flowlint.analysis.pattern_use) and
`flowlint names` what a line's names are.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from typing import Generic, TypeVar

from flowlint.analysis import endpoints
from flowlint.analysis.policy_patterns import PATTERN_KEYS, policy_patterns
from flowlint.policy.model import Guard, Policy, Propagator, Sanitizer, Sink, Source, Transform

T = TypeVar("T")


class _Index(Generic[T]):
    def __init__(self, entries: Sequence[tuple[str, T]]) -> None:
        # patterns by their first segment, when it is literal: a name is matched only against
        # the patterns of its own first segment and those that start with a wildcard, and a
        # pattern is compiled the first time a name could match it (thousands of patterns
        # compiled up front cost a second a run)
        self._by_root: dict[str, list[tuple[str, T]]] = {}
        self._anywhere: list[tuple[str, T]] = []
        for pattern, entry in entries:
            root = pattern_root(pattern)
            (self._anywhere if root is None else self._by_root.setdefault(root, [])).append((pattern, entry))
        self._regexes: dict[str, re.Pattern[str]] = {}
        self._cache: dict[str, tuple[T, ...]] = {}
        self.asked: set[str] = set()  # shared by every index of a `Models` (see `Models.asking`)

    def __call__(self, name: str) -> tuple[T, ...]:
        self.asked.add(name)
        found = self._cache.get(name)
        if found is None:
            found = tuple(dict.fromkeys(entry for _, entry in self.patterns(name)))
            self._cache[name] = found
        return found

    def _regex(self, pattern: str) -> re.Pattern[str]:
        regex = self._regexes.get(pattern)
        if regex is None:
            regex = self._regexes[pattern] = compile_pattern(pattern)
        return regex

    def patterns(self, name: str) -> list[tuple[str, T]]:
        """The (pattern, entry) pairs that match ``name``, in policy order."""
        candidates = self._by_root.get(name_root(name), []) + self._anywhere
        return [(pattern, entry) for pattern, entry in candidates if self._regex(pattern).match(name)]

    def __bool__(self) -> bool:
        return bool(self._by_root or self._anywhere)


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """A name glob as a regex; `[]` is the item path segment (`client[]`), not a character class."""
    return re.compile(fnmatch.translate(pattern.replace("[]", "\x00")).replace("\x00", r"\[\]"))


_ROOT_END = re.compile(r"[.(:]")
_NAME_ROOT_END = re.compile(r"[.(:\[]")


def name_root(name: str) -> str:
    """The first segment of a name (`sqlite3` of `sqlite3.connect().execute`, `h5py` of `h5py[]`)."""
    return _NAME_ROOT_END.split(name, 1)[0]


def pattern_root(pattern: str) -> str | None:
    """The first segment of a pattern (`sqlite3` of `sqlite3.connect().execute`), or None when
    it holds a wildcard."""
    root = _ROOT_END.split(pattern, 1)[0]
    return None if any(c in root for c in "*?[") else root


class Models:
    """Which policy entries apply to a called name, a read name or a project parameter."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.call_sources: _Index[Source] = _Index([(p, s) for s in policy.sources for p in s.calls])
        self.read_sources: _Index[Source] = _Index([(p, s) for s in policy.sources for p in s.reads])
        self.param_sources: _Index[Source] = _Index([(p, s) for s in policy.sources for p in s.params])
        self.sinks: _Index[Sink] = _Index([(p, s) for s in policy.sinks for p in s.calls])
        self.store_sinks: _Index[Sink] = _Index([(p, s) for s in policy.sinks for p in s.stores])
        self.propagators: _Index[Propagator] = _Index([(p, s) for s in policy.propagators for p in s.calls])
        self.transforms: _Index[Transform] = _Index([(p, s) for s in policy.transforms for p in s.calls])
        self.sanitizers: _Index[Sanitizer] = _Index([(p, s) for s in policy.sanitizers for p in s.calls])
        self.guards: _Index[Guard] = _Index([(p, s) for s in policy.guards for p in s.calls])
        self.indexes: dict[tuple[str, str], _Index] = dict(zip(PATTERN_KEYS, (
            self.call_sources, self.read_sources, self.param_sources, self.sinks, self.store_sinks,
            self.propagators, self.transforms, self.sanitizers, self.guards)))
        self.asking(set())
        # the first segments of the project's own call and read patterns (None: one is a wildcard)
        roots = {pattern_root(p.pattern) for p in policy_patterns(policy) if p.own and p.key in ("calls", "reads")}
        self._own_roots = None if None in roots else frozenset(r for r in roots if r is not None)
        self.origins = {o.id: o for o in policy.origins}
        # `urls` entries, as (glob, entry) pairs: few, matched against each distinct URL once
        self.url_sources: tuple[tuple[str, Source], ...] = tuple((p, s) for s in policy.sources for p in s.urls)
        self.url_sinks: tuple[tuple[str, Sink], ...] = tuple((p, s) for s in policy.sinks for p in s.urls)
        self.has_urls = bool(self.url_sources or self.url_sinks)
        self._url_cache: dict[tuple[str, ...], tuple[tuple[Source, ...], tuple[Sink, ...]]] = {}

    def asking(self, names: set[str]) -> set[str]:
        """From now on every name asked of any index goes into ``names``; the set used until now."""
        previous = self.call_sources.asked
        for index in self.indexes.values():
            index.asked = names
        return previous

    def kept(self, asked: set[str]) -> frozenset[str]:
        """What of the names ``asked`` could match one of the project's own call or read patterns
        or be suggested for one: those with the same first segment."""
        if self._own_roots is None:
            return frozenset(asked)
        return frozenset(n for n in asked if name_root(n) in self._own_roots)

    def entries(self, name: str) -> list[tuple[str, str, str, object]]:
        """Every (table, key, pattern, entry) of the policy that matches ``name``."""
        return [(table, key, pattern, entry) for (table, key), index in self.indexes.items()
                for pattern, entry in index.patterns(name)]

    def matches_any(self, name: str) -> bool:
        """Whether any call-level entry (source, sink, propagator, transform, sanitizer, guard)
        names `name`, or `urls` entries make it an endpoint call (see `endpoints`)."""
        return any(index(name) for index in (self.call_sources, self.sinks, self.propagators, self.transforms,
                                             self.sanitizers, self.guards)) \
            or (self.has_urls and endpoints.modelled(name))

    def url_entries(self, urls: tuple[str, ...]) -> tuple[tuple[Source, ...], tuple[Sink, ...]]:
        """The sources and sinks whose `urls` match a request to `urls` (URL patterns with
        holes; () = unresolved)."""
        found = self._url_cache.get(urls)
        if found is None:
            found = self._url_cache[urls] = (endpoints.matching(self.url_sources, urls),
                                             endpoints.matching(self.url_sinks, urls))
        return found

    def source_categories(self, source: Source) -> frozenset[str]:
        if source.categories is not None:
            return frozenset(source.categories)
        origin = self.origins.get(source.origin)
        return frozenset(origin.categories) if origin else frozenset()
