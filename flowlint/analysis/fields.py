"""Field-level categories: which fields of what a source yields carry which personal data.

A source's `[sources.fields]` (DESIGN.md) becomes a `Fields` tree that rides on the source's
`Taint`. Reading a field (`match.name`, `row["score"]`, `resp.json()["photo"]["url"]`) moves
the label down the tree: the field's categories replace the whole value's, and a field with no
categories (`score = []`) is not personal data, so the label is dropped. List elements,
iteration and method calls keep the position (an element of a list of matches is a match), and
what is not read field by field (the whole object reaching a sink, `str(match)`) carries the
union of every field's categories.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Union

Categories = frozenset[str]
REST = "*"


@dataclass(frozen=True)
class Fields:
    """The categories of the fields of a value: `named` fields (a nested `Fields` or their
    categories) and `rest`, the categories of any other field. `categories` is what the value
    as a whole carries: the union over every field."""

    named: tuple[tuple[str, Union[Fields, Categories]], ...]
    rest: Categories
    categories: Categories

    def field(self, name: str) -> Fields | Categories:
        for field_name, found in self.named:
            if field_name == name:
                return found
        return self.rest


def build(entries: tuple[tuple[str, tuple[str, ...]], ...], default: Categories) -> Fields | None:
    """The tree of a source's `[sources.fields]` entries (dotted path, categories); a missing
    `*` at a level means the level above's rest, and `default` (the source's categories) at the top."""
    return _build(entries, default) if entries else None


@cache
def _build(entries: tuple[tuple[str, tuple[str, ...]], ...], default: Categories) -> Fields:
    tree: dict = {}
    for dotted, categories in entries:
        node = tree
        *parents, last = dotted.split(".")
        for name in parents:
            child = node.setdefault(name, {})
            if not isinstance(child, dict):  # `photo = [...]` and `photo.url = [...]`: photo's rest
                child = node[name] = {REST: child}
            node = child
        if isinstance(node.get(last), dict):
            node[last].setdefault(REST, frozenset(categories))
        else:
            node[last] = frozenset(categories)
    return _freeze(tree, default)


def _freeze(tree: dict, inherited: Categories) -> Fields:
    rest = tree.get(REST, inherited)
    named = tuple((name, _freeze(child, rest) if isinstance(child, dict) else child)
                  for name, child in sorted(tree.items()) if name != REST)
    categories = frozenset(rest).union(*(c.categories if isinstance(c, Fields) else c for _, c in named))
    return Fields(named, frozenset(rest), categories)
