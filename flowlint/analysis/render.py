"""Short source-like text for IR expressions, used in trace notes."""

from __future__ import annotations

from flowlint import ir


def expr_text(e: ir.Expr | ir.Target, limit: int = 40) -> str:
    text = _text(e)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(e: object) -> str:
    if isinstance(e, ir.Name):
        return e.id
    if isinstance(e, ir.Attr):
        return f"{_text(e.value)}.{e.attr}"
    if isinstance(e, ir.Subscript):
        return f"{_text(e.value)}[{e.key!r}]" if e.known else f"{_text(e.value)}[…]"
    if isinstance(e, ir.Call):
        return f"{_text(e.func)}(…)" if e.args else f"{_text(e.func)}()"
    if isinstance(e, ir.Const):
        return repr(e.value)
    if isinstance(e, ir.Unpack):
        return ", ".join(_text(x) for x in e.elts)
    if isinstance(e, ir.Starred):
        return f"*{_text(e.value)}"
    return "…"
