"""Closed vocabularies: the sink kinds, collection methods, data categories, marks and purposes a
policy may use, and the check of a value (or a glob) against them, with a did-you-mean.

The shipped base vocabulary (`policies/vocabulary.toml`) is loaded with every selection of
policies; any policy file extends it with a `[vocabulary]` table of the same keys (`KEYS`).
Categories are fideslang-style dotted keys: a declared category declares its parents
(`user.biometric.face` declares `user.biometric` and `user`). A plain value must be declared; a
glob (`user.biometric*`, `collection.*`) must match at least one declared value.

The policy loader and the inline annotations (`flowlint.annotations`) share these checks, so a
typo reads the same wherever it is written.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from fnmatch import fnmatchcase

from flowlint.policy.model import Vocabulary

# `[vocabulary]` key -> what one of its values is called in messages
KEYS: dict[str, str] = {
    "sink_kinds": "sink kind",
    "collection": "collection method",
    "categories": "category",
    "marks": "mark",
    "purposes": "purpose",
}
LISTED = 12  # choices this few are listed in full in a message when none is close
# how alike a declared value must be to be suggested (difflib's ratio): typos score above 0.85,
# while a new value that merely shares a prefix (`user.health.x`, `user.authorization`) does not
_CLOSE = 0.75


def build(declared: Mapping[str, Iterable[str]]) -> Vocabulary:
    """The vocabulary of the values declared under each key, in the order first declared, each
    category preceded by its parents."""
    values = {key: tuple(dict.fromkeys(declared.get(key, ()))) for key in KEYS}
    values["categories"] = tuple(dict.fromkeys(
        name for category in values["categories"] for name in (*_parents(category), category)))
    return Vocabulary(**values)


def value_problem(vocabulary: Vocabulary, key: str, value: str) -> str | None:
    """Why `value` is not a declared `key` value (`unknown category 'user.nmae'; did you mean
    'user.name'?`), or None."""
    declared: tuple[str, ...] = getattr(vocabulary, key)
    if value in declared:
        return None
    return _unknown(f"unknown {KEYS[key]} {value!r}", value, declared, f"or declare it in [vocabulary] {key}",
                    also_when_close=True)


def pattern_problem(vocabulary: Vocabulary, key: str, pattern: str) -> str | None:
    """Why the glob `pattern` matches no declared `key` value, or None."""
    declared: tuple[str, ...] = getattr(vocabulary, key)
    if any(fnmatchcase(value, pattern) for value in declared):
        return None
    families = sorted({f"{parent}.*" for value in declared for parent in _parents(value)})
    return _unknown(f"{pattern!r} matches no {KEYS[key]}", pattern, [*declared, *families],
                    f"a glob must match a declared {KEYS[key]}")


def matching(vocabulary: Vocabulary, key: str, pattern: str) -> list[str]:
    """The declared `key` values the glob `pattern` matches."""
    return [value for value in getattr(vocabulary, key) if fnmatchcase(value, pattern)]


def _parents(value: str) -> list[str]:
    parts = value.split(".")
    return [".".join(parts[:end]) for end in range(1, len(parts))]


def _unknown(what: str, got: str, choices: Sequence[str], hint: str, also_when_close: bool = False) -> str:
    """`{what}; did you mean 'x'?` when a choice is close, else the choices (or that none is close),
    followed by `({hint})`; after a suggestion too when `also_when_close`."""
    close = difflib.get_close_matches(got, choices, n=1, cutoff=_CLOSE)
    if close:
        return f"{what}; did you mean {close[0]!r}?" + (f" ({hint})" if also_when_close else "")
    if choices and len(choices) <= LISTED:
        return f"{what}; expected one of {', '.join(repr(choice) for choice in choices)} ({hint})"
    return f"{what}; nothing declared is close ({hint})"
