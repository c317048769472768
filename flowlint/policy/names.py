"""Validation of the name patterns written in policy files.

Every validator is a pure function that returns a short description of the first problem it
finds, or `None` when the pattern is valid. The loader puts the description into its error
message (`calls[2]: invalid name 'a..b': empty segment (double dot)`).

Grammar:

- call pattern (`calls`, `reads`): dot-separated segments; a segment is a Python identifier in
  which fnmatch glob tokens (`*`, `?`, `[abc]`, `[!abc]`, `[a-z]`) may stand for characters,
  optionally followed by `()` ("whatever this call returns", e.g.
  `sqlite3.connect().cursor().execute`). A lone `*` is valid (it just matches everything).
- parameter pattern (`params`): `dotted.function:param`, the function part a call pattern
  without `()`, the parameter one segment.
- category pattern (`categories`, `adds`, `clears`, `marks`): dot-separated lowercase keys made
  of `a-z`, `0-9` and `_`, with the same glob tokens (`user.biometric*`); a plain category is
  the same without glob tokens.
- term (`collection`, `purposes`): lowercase letters and digits in words joined by `-`, `_` or
  `.` (`untargeted-scraping`), no globs.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_GLOB_CHARS = frozenset("*?[")
_CATEGORY_CHARS = re.compile(r"[a-z0-9_]*")
_TERM = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")


def validate_call_pattern(pattern: str) -> str | None:
    """Problem with a `calls`/`reads` pattern such as `sqlite3.connect().execute`, or None."""
    return _dotted_problem(pattern, _call_segment_problem)


def validate_param_pattern(pattern: str) -> str | None:
    """Problem with a `params` pattern such as `myapp.api.ingest:payload`, or None."""
    problem = _text_problem(pattern)
    if problem:
        return problem
    if pattern.count(":") != 1:
        return "expected 'module.function:parameter' (exactly one ':')"
    function, param = pattern.split(":")
    if not function:
        return "missing function before ':'"
    if not param:
        return "missing parameter after ':'"
    if "(" in function or ")" in function:
        return "the function part may not go through calls '()'"
    return _dotted_problem(function, _identifier_segment_problem) or _identifier_segment_problem(param)


def validate_category_pattern(pattern: str) -> str | None:
    """Problem with a category/mark pattern such as `user.biometric*`, or None."""
    return _dotted_problem(pattern, _category_segment_problem)


def validate_category(name: str) -> str | None:
    """Problem with a plain category or mark such as `user.biometric.face` (no globs), or None."""
    if has_glob(name):
        return "glob characters are not allowed here"
    return validate_category_pattern(name)


def validate_term(term: str) -> str | None:
    """Problem with a collection method or purpose such as `untargeted-scraping`, or None."""
    problem = _text_problem(term)
    if problem:
        return problem
    if has_glob(term):
        return "glob characters are not allowed here"
    if not _TERM.fullmatch(term):
        return "expected lowercase letters and digits, in words joined by '-', '_' or '.'"
    return None


def has_glob(pattern: str) -> bool:
    """True when the pattern contains an fnmatch glob token."""
    return any(char in _GLOB_CHARS for char in pattern)


def _text_problem(pattern: str) -> str | None:
    if not pattern:
        return "empty name"
    if any(char.isspace() for char in pattern):
        return "contains whitespace"
    return None


def _dotted_problem(pattern: str, segment_problem: Callable[[str], str | None]) -> str | None:
    problem = _text_problem(pattern)
    if problem:
        return problem
    if pattern.startswith("."):
        return "leading dot"
    if pattern.endswith("."):
        return "trailing dot"
    if ".." in pattern:
        return "empty segment (double dot)"
    for segment in pattern.split("."):
        problem = segment_problem(segment)
        if problem:
            return problem
    return None


def _call_segment_problem(segment: str) -> str | None:
    core = segment
    while core.endswith(("()", "[]")):  # `sessionmaker()()`: calling what a call returned; `[]`: an item
        core = core[:-2]
    if not core:
        return f"segment {segment!r} has no name before '()' or '[]'"
    if "(" in core or ")" in core:
        return _paren_problem(segment)
    return _identifier_segment_problem(core)


def _paren_problem(segment: str) -> str:
    if segment.count("(") != segment.count(")"):
        return f"unbalanced parenthesis in segment {segment!r}"
    if "()" not in segment:
        return f"calls are written '()' without arguments, in segment {segment!r}"
    return f"'()' may only end a segment, in segment {segment!r}"


def _identifier_segment_problem(segment: str) -> str | None:
    skeleton, problem = _glob_skeleton(segment, str.isalnum)
    if problem:
        return problem
    if not skeleton.isidentifier():
        return f"segment {segment!r} is not a Python identifier"
    return None


def _category_segment_problem(segment: str) -> str | None:
    skeleton, problem = _glob_skeleton(segment, lambda char: char.isascii() and char.isalnum())
    if problem:
        return problem
    if not _CATEGORY_CHARS.fullmatch(skeleton):
        return f"segment {segment!r} must be lowercase letters, digits and '_'"
    return None


def _glob_skeleton(segment: str, word_char: Callable[[str], bool]) -> tuple[str, str | None]:
    """The segment with every glob token replaced by `_`, or the problem that prevents it."""
    skeleton: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "[":
            end, problem = _bracket_end(segment, index, word_char)
            if problem:
                return "", problem
            skeleton.append("_")
            index = end + 1
            continue
        if char == "]":
            return "", f"unbalanced ']' in segment {segment!r}"
        if char in "*?":
            skeleton.append("_")
        elif char == "_" or word_char(char):
            skeleton.append(char)
        else:
            return "", f"unexpected character {char!r} in segment {segment!r}"
        index += 1
    return "".join(skeleton), None


def _bracket_end(segment: str, start: int, word_char: Callable[[str], bool]) -> tuple[int, str | None]:
    """Index of the `]` closing the character class opened at `start`, or the problem."""
    end = segment.find("]", start + 1)
    if end < 0:
        return start, f"unbalanced '[' in segment {segment!r}"
    body = segment[start + 1:end]
    if body.startswith("!"):
        body = body[1:]
    if not body:
        return start, f"empty character class in segment {segment!r}"
    for char in body:
        if char not in "_-" and not word_char(char):
            return start, f"unexpected character {char!r} in character class of segment {segment!r}"
    return end, None
