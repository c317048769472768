"""Strings the analysis knows: constant text carried on values, for URLs and paths.

A value whose text is (partly) known carries kinds `str:<pattern>`: the text, with `HOLE` where a
part is unknown (`f"https://api.example.com/users/{uid}"` is `https://api.example.com/users/` +
HOLE). Kinds travel wherever values do (variables, fields, globals, returns, and calling contexts
for URL-like text), so the endpoint models can match the URL of an HTTP call against a policy's
`urls` patterns. A value has at most `MAX_STRINGS` patterns: more generalise into one, their
common prefix and suffix around a hole. Text longer than `MAX_LENGTH` is not kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import product

PREFIX = "str:"
HOLE = "\x00"  # an unknown part: no URL or path contains a NUL
MAX_STRINGS = 4
MAX_LENGTH = 400
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
_BRACES = re.compile(r"\{\{|\}\}|\{[^{}]*\}")


def patterns(kinds_: frozenset[str]) -> tuple[str, ...]:
    """The known texts among a value's kinds (with holes), sorted; () when nothing is known."""
    return tuple(sorted(k[len(PREFIX):] for k in kinds_ if k.startswith(PREFIX)))


def text_of(kinds_: frozenset[str]) -> tuple[str, ...]:
    """The texts a part of a concatenation contributes: its patterns, or one hole."""
    return patterns(kinds_) or (HOLE,)


def kinds(texts: Iterable[str]) -> frozenset[str]:
    """The `str:` kinds for `texts`: a text another one covers is left out, too many generalise
    into one, too long ones are dropped, and a bare hole says nothing."""
    unique = {_squash(t) for t in texts if len(t) <= MAX_LENGTH}
    kept = sorted(t for t in unique if not any(o != t and covers(o, t) for o in unique))
    if len(kept) > MAX_STRINGS:
        kept = [generalise(kept)]
    return frozenset(PREFIX + t for t in kept if t != HOLE)


def without(kinds_: frozenset[str]) -> frozenset[str]:
    """`kinds_` less the string kinds."""
    return frozenset(k for k in kinds_ if not k.startswith(PREFIX))


def join_kinds(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    """The kinds of a join: a union, where the string kinds stay bounded so that a loop that
    grows a string (`path += "/x"`) reaches a fixpoint."""
    if b <= a:
        return a
    union = a | b
    if not any(k.startswith(PREFIX) for k in b - a):
        return union
    return without(union) | kinds(patterns(union))


def covers(general: str, specific: str) -> bool:
    """Whether every text `specific` may stand for is one `general` may stand for."""
    if HOLE not in general:
        return general == specific
    return _matcher(general).fullmatch(specific) is not None


@lru_cache(maxsize=4096)
def _matcher(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split(HOLE)), re.DOTALL)


def concat(parts: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """Every concatenation of one text of each part (bounded by `kinds`)."""
    count = 1
    for part in parts:
        count *= len(part)
    if count > MAX_STRINGS * MAX_STRINGS:
        return (generalise(["".join(p[0] for p in parts), "".join(p[-1] for p in parts)]),)
    return tuple("".join(choice) for choice in product(*parts))


def percent_format(template: str, args: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """`template % args`: each conversion takes the next argument's text (a hole when unknown)."""
    pieces: list[tuple[str, ...]] = []
    position = 0
    index = 0
    for match in _PERCENT.finditer(template):
        pieces.append((template[position:match.start()],))
        if match.group() == "%%":
            pieces.append(("%",))
        elif match.group().endswith("s") and "(" not in match.group() and index < len(args):
            pieces.append(args[index])
            index += 1
        else:
            pieces.append((HOLE,))
            index += 1
        position = match.end()
    pieces.append((template[position:],))
    return concat(pieces)


def brace_format(template: str, positional: Sequence[tuple[str, ...]],
                 keywords: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """`template.format(*positional, **keywords)`: simple fields take the argument's text."""
    pieces: list[tuple[str, ...]] = []
    position = 0
    automatic = 0
    for match in _BRACES.finditer(template):
        pieces.append((template[position:match.start()],))
        token = match.group()
        if token in ("{{", "}}"):
            pieces.append((token[0],))
        else:
            inner = token[1:-1]
            name = re.match(r"[^!:.\[]*", inner).group()  # type: ignore[union-attr]
            plain = name == inner  # no conversion, format spec, attribute or index
            if name == "":
                name = str(automatic)
                automatic += 1
            if plain and name.isdigit() and int(name) < len(positional):
                pieces.append(positional[int(name)])
            elif plain and name in keywords:
                pieces.append(keywords[name])
            else:
                pieces.append((HOLE,))
        position = match.end()
    pieces.append((template[position:],))
    return concat(pieces)


def text_method(method: str, text: str, *args: str) -> str:
    """`str.<method>(*args)` applied to the known parts of `text` (a hole is left as it is, so
    `rstrip` of a text ending in a hole strips nothing)."""
    parts = text.split(HOLE)
    if method in ("lower", "upper", "replace"):
        parts = [getattr(part, method)(*args) for part in parts]
    if method in ("strip", "lstrip"):
        parts[0] = parts[0].lstrip(*args)
    if method in ("strip", "rstrip"):
        parts[-1] = parts[-1].rstrip(*args)
    if method == "removeprefix":
        parts[0] = parts[0].removeprefix(*args)
    if method == "removesuffix":
        parts[-1] = parts[-1].removesuffix(*args)
    return HOLE.join(parts)


def generalise(texts: Sequence[str]) -> str:
    """One pattern covering every text: their common prefix and suffix around a hole."""
    if len(set(texts)) == 1:
        return texts[0]
    prefix = _common_prefix(texts)
    rest = [t[len(prefix):] for t in texts]
    suffix = _common_prefix([t[::-1] for t in rest])[::-1]
    return _squash(prefix + HOLE + suffix)


def is_url_like(text: str) -> bool:
    """Whether a pattern looks like (a part of) a URL: worth a calling context of its own."""
    return "://" in text or text.startswith(("/", "http", "www.")) or text.endswith("/")


def is_non_collecting_sql(texts: Sequence[str]) -> bool:
    """Whether every text is an SQL statement that stores no row: a query (`SELECT`, `SHOW`,
    `WITH`, ...), a schema change (`CREATE TABLE`, `ALTER TABLE ... ADD COLUMN`) or a `DELETE`, and not one
    that writes rows (`INSERT`, `UPDATE`, `SELECT ... INTO`, `CREATE TABLE ... AS SELECT`).
    False when no text is known."""
    return bool(texts) and all(_NON_COLLECTING_SQL.match(t) is not None and not _WRITING_SQL.search(t)
                               for t in texts)


_NON_COLLECTING_SQL = re.compile(r"\s*(?:SELECT|SHOW|DESCRIBE|DESC|EXPLAIN|PRAGMA|WITH|CREATE|ALTER|DROP|TRUNCATE"
                                 r"|DELETE|BEGIN|COMMIT|ROLLBACK|VACUUM)\b", re.IGNORECASE)
_WRITING_SQL = re.compile(r"\b(?:INTO|INSERT|UPDATE|MERGE|UPSERT|REPLACE|COPY|VALUES|AS\s+SELECT)\b",
                          re.IGNORECASE)


def _common_prefix(texts: Sequence[str]) -> str:
    first, last = min(texts), max(texts)
    size = next((i for i, (a, b) in enumerate(zip(first, last)) if a != b), min(len(first), len(last)))
    return first[:size]


def _squash(text: str) -> str:
    """Adjacent holes are one hole."""
    while HOLE + HOLE in text:
        text = text.replace(HOLE + HOLE, HOLE)
    return text
