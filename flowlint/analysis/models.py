"""Policy entries indexed by the names they match (fnmatch globs, `*` crosses dots).

The analysis asks "what is `sqlite3.connect().cursor().execute`?" many times; each distinct
name is matched against every pattern once and the answer cached.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from typing import Generic, TypeVar

from flowlint.policy.model import Guard, Policy, Propagator, Sanitizer, Sink, Source, Transform

T = TypeVar("T")


class _Index(Generic[T]):
    def __init__(self, entries: Sequence[tuple[str, T]]) -> None:
        self._patterns = [(re.compile(fnmatch.translate(pattern)), entry) for pattern, entry in entries]
        # one alternation answers "does anything match?" for the many names nothing matches
        self._any = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p, _ in entries)) if entries else None
        self._cache: dict[str, tuple[T, ...]] = {}

    def __call__(self, name: str) -> tuple[T, ...]:
        found = self._cache.get(name)
        if found is None:
            if self._any is None or not self._any.match(name):
                found = ()
            else:
                found = tuple(dict.fromkeys(entry for regex, entry in self._patterns if regex.match(name)))
            self._cache[name] = found
        return found

    def __bool__(self) -> bool:
        return bool(self._patterns)


class Models:
    """Which policy entries apply to a called name, a read name or a project parameter."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.call_sources: _Index[Source] = _Index([(p, s) for s in policy.sources for p in s.calls])
        self.read_sources: _Index[Source] = _Index([(p, s) for s in policy.sources for p in s.reads])
        self.param_sources: _Index[Source] = _Index([(p, s) for s in policy.sources for p in s.params])
        self.sinks: _Index[Sink] = _Index([(p, s) for s in policy.sinks for p in s.calls])
        self.propagators: _Index[Propagator] = _Index([(p, s) for s in policy.propagators for p in s.calls])
        self.transforms: _Index[Transform] = _Index([(p, s) for s in policy.transforms for p in s.calls])
        self.sanitizers: _Index[Sanitizer] = _Index([(p, s) for s in policy.sanitizers for p in s.calls])
        self.guards: _Index[Guard] = _Index([(p, s) for s in policy.guards for p in s.calls])
        self.origins = {o.id: o for o in policy.origins}

    def matches_any(self, name: str) -> bool:
        """Whether any call-level entry (source, sink, propagator, transform, sanitizer, guard)
        names `name`."""
        return any(index(name) for index in (self.call_sources, self.sinks, self.propagators, self.transforms,
                                             self.sanitizers, self.guards))

    def source_categories(self, source: Source) -> frozenset[str]:
        if source.categories is not None:
            return frozenset(source.categories)
        origin = self.origins.get(source.origin)
        return frozenset(origin.categories) if origin else frozenset()
