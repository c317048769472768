"""Every name pattern of a policy, with the entry that holds it and where that entry is defined.

The patterns a project wrote itself (in its own policy files, not in a shipped pack and not in an
inline annotation) are the ones whose mistakes flowlint reports (flowlint.analysis.pattern_use);
`flowlint names` shows every entry a name matches.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from flowlint.policy.model import EntryRef, Policy
from flowlint.policy.packs import pack_names, pack_path

# the keys of each table that hold name patterns, in the order `flowlint names` shows them
PATTERN_KEYS: tuple[tuple[str, str], ...] = (
    ("sources", "calls"), ("sources", "reads"), ("sources", "params"), ("sinks", "calls"), ("sinks", "stores"),
    ("propagators", "calls"), ("transforms", "calls"), ("sanitizers", "calls"), ("guards", "calls"),
)
INLINE = "<inline>"  # the file of an entry an annotation in the code declares


@dataclass(frozen=True)
class PolicyPattern:
    pattern: str
    table: str  # "sources", "sinks", ...
    key: str  # "calls", "reads", "params", "stores"
    ref: EntryRef | None  # where the entry holding it is defined

    @property
    def own(self) -> bool:
        """Written in one of the project's own policy files (not a shipped pack, not inline)."""
        return self.ref is not None and self.ref.file != INLINE and not is_shipped(self.ref.file)


def policy_patterns(policy: Policy) -> list[PolicyPattern]:
    """Every name pattern of ``policy``, table by table in `PATTERN_KEYS` order, entries in policy order."""
    found = []
    for table, key in PATTERN_KEYS:
        for entry in getattr(policy, table):
            found += [PolicyPattern(pattern, table, key, entry.ref) for pattern in getattr(entry, key)]
    return found


def is_shipped(display: str) -> bool:
    """Whether a policy file, as the loader shows it (`<pack core>`, or its path), is a shipped pack."""
    return display.startswith("<pack ") or os.path.abspath(display) in _shipped_files()


@lru_cache(maxsize=1)
def _shipped_files() -> frozenset[str]:
    return frozenset(os.path.abspath(pack_path(name)) for name in pack_names())
