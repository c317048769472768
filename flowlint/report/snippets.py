"""Code context for reviewer reports: a few lines of an analysed file around a trace step.

This module only reads text (it never parses or analyses it). Files are decoded the way Python
reads source (PEP 263 coding cookie, BOM, else UTF-8, undecodable bytes replaced) and split into
lines the way the frontend numbers them (``\\r\\n``, ``\\r`` and ``\\n`` only), so that line
numbers in traces point at the lines shown.

`visible` makes project text safe to *show*: control characters and bidirectional overrides
(the "Trojan Source" characters, which could make code read differently from how it runs) are
replaced with visible placeholders. Escaping for HTML or Markdown is the renderers' job.
"""

from __future__ import annotations

import io
import os
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 4 * 1024 * 1024  # larger files are not shown (the analyser skips them too)
MAX_LINE_CHARS = 240  # longer lines are cut in snippets

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# bidi embedding/override/isolate controls, marks, and the Arabic letter mark
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff" + _BIDI + "\ud800-\udfff]")


def _placeholder(match: re.Match[str]) -> str:
    char = match.group()
    if char == "\n":
        return " "
    if "\ud800" <= char <= "\udfff":
        return "\ufffd"
    return f"[U+{ord(char):04X}]"


def visible(text: str) -> str:
    """`text` with control, bidi-override and other invisible characters shown as `[U+XXXX]`
    (tabs and newlines are kept; lone surrogates become U+FFFD)."""
    return _INVISIBLE.sub(_placeholder, text)


@dataclass(frozen=True)
class Snippet:
    """Lines ``first .. first + len(lines) - 1`` of a file; ``marked`` are the step's lines."""

    path: str
    first: int
    lines: tuple[str, ...]
    marked: tuple[int, int]  # first and last highlighted line (inclusive)
    column: int | None = None  # 1-based column of the step on its first marked line

    def numbered(self) -> list[tuple[int, str, bool]]:
        """(line number, text, highlighted) for each line."""
        low, high = self.marked
        return [(self.first + i, text, low <= self.first + i <= high) for i, text in enumerate(self.lines)]


class SourceLines:
    """Reads project files (paths relative to `root`, with `/`) once each, on demand."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, tuple[str, ...] | None] = {}

    def lines(self, relpath: str) -> tuple[str, ...] | None:
        """The file's lines, or None when it cannot be read (gone, too large, outside the root)."""
        if relpath not in self._cache:
            self._cache[relpath] = self._read(relpath)
        return self._cache[relpath]

    def _read(self, relpath: str) -> tuple[str, ...] | None:
        parts = relpath.split("/")
        if not relpath or relpath.startswith("/") or ".." in parts or "\x00" in relpath:
            return None
        path = self.root.joinpath(*parts)
        try:
            if os.path.getsize(path) > MAX_FILE_BYTES:
                return None
            data = path.read_bytes()
        except (OSError, ValueError):
            return None
        return tuple(_LINE_BREAK.split(decode_source(data)))

    def snippet(self, relpath: str, line: int, column: int | None = None, end_line: int | None = None,
                context: int = 2, max_marked: int = 6) -> Snippet | None:
        """Lines ``line - context .. end_line + context`` (the marked span is cut to `max_marked`
        lines), or None when the file or the line is not there."""
        lines = self.lines(relpath)
        if lines is None or not 1 <= line <= len(lines):
            return None
        last_marked = max(line, min(end_line or line, len(lines), line + max_marked - 1))
        first = max(1, line - context)
        last = min(len(lines), last_marked + context)
        shown = tuple(_cut(lines[i - 1]) for i in range(first, last + 1))
        # a file that ends with a newline has an empty last "line": not worth showing
        while len(shown) > 1 and first + len(shown) - 1 > last_marked and not shown[-1].strip():
            shown = shown[:-1]
        return Snippet(relpath, first, shown, (line, last_marked), column)


def _cut(text: str) -> str:
    text = text.rstrip()
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 1] + "…"


def decode_source(data: bytes) -> str:
    """Decode Python source as the interpreter would, replacing what cannot be decoded."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except (SyntaxError, LookupError):
        encoding = "utf-8"
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text
