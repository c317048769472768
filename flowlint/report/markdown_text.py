"""Project and policy text inside Markdown: inert text, code spans, trace notes.

Markdown renders raw HTML, links and emphasis; anything flowlint did not write itself (paths,
messages, notes, citations) goes through these so it is shown, never interpreted.
"""

from __future__ import annotations

import re

from flowlint.report.snippets import visible

_PUNCTUATION = re.compile(r"([\\`*_\[\]#|~])")
# what would open a block at the start of a line: a list item, a thematic break
_LEADING = re.compile(r"^([-+](?=[\s-]|$)|\d{1,9}(?=[.)](?:\s|$)))")


def text(value: object) -> str:
    """Project text as inert Markdown text (one line; `|` is escaped, so it is safe in tables)."""
    text = re.sub(r"\s+", " ", visible(str(value)))
    text = _PUNCTUATION.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    match = _LEADING.match(text)  # would start a list, a heading underline or a quote
    if match:
        end = match.end()
        text = text[:end] + "\\" + text[end:] if match.group().isdigit() else "\\" + text
    return text


def code(value: object, table: bool = False) -> str:
    """Project text as an inline code span (inert: code spans show their content literally)."""
    text = " ".join(visible(str(value)).split("\n")).replace("\r", " ")
    if not text:
        return "` `"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")):
        text = f" {text} "
    if table:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def note(value: str, table: bool = False) -> str:
    """A trace note: its `quoted` parts as code, the rest as text."""
    parts = value.split("`")
    if len(parts) % 2 == 0:
        return text(value)
    return "".join(code(part, table) if i % 2 else text(part) for i, part in enumerate(parts) if part)
