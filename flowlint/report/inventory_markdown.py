"""The inventory as Markdown (for a pull request or a review): one table per section."""

from __future__ import annotations

from flowlint.report import markdown_text as md
from flowlint.report.inventory import KIND_TITLE, Group, Inventory, Located, lawfulness
from flowlint.report.inventory_text import SHOWN, summary
from flowlint.results import Diagnostic


def render(inventory: Inventory, diagnostics: tuple[Diagnostic, ...]) -> str:
    lines = ["# Where data enters the project", "", md.text(summary(inventory))]
    if inventory.undeclared_groups:
        lines += ["", "## Not declared", "",
                  "No selected policy source declares these entry points: their data is not traced.", "",
                  "| Kind | Group | Entry points | Known to | Where |", "|---|---|---|---|---|"]
        lines += [_row(g, [", ".join(sorted({f"{md.code(k.policy, True)} as {md.code(k.origin, True)}"
                                              for k in g.known}))]) for g in inventory.undeclared_groups]
    if inventory.declared_groups:
        lines += ["", "## Declared", "",
                  "| Kind | Group | Entry points | Origin | Sinks reached | Where |", "|---|---|---|---|---|---|"]
        lines += [_row(g, ["<br>".join(f"{md.code(o.id, True)} ({md.text(o.provider)}; {lawfulness(o)})"
                                       for o in g.origins), str(g.sinks)]) for g in inventory.declared_groups]
    if diagnostics:  # a file not (fully) analysed may hold entry points that are not listed
        lines += ["", "## Diagnostics", ""]
        lines += [f"- {md.code(f'{d.path}:{d.line}:{d.column}')} {d.code} {md.text(d.message)}" for d in diagnostics]
    return "\n".join(lines) + "\n"


def _row(group: Group, middle: list[str]) -> str:
    where = [_where(x) for x in group.entries[:SHOWN]]
    if len(group.entries) > SHOWN:
        where.append(f"… and {len(group.entries) - SHOWN} more")
    cells = [KIND_TITLE[group.kind], md.code(group.name, True), str(len(group.entries)), *middle, "<br>".join(where)]
    return "| " + " | ".join(cells) + " |"


def _where(located: Located) -> str:
    site = located.entry.site
    text = f"{md.code(f'{site.path}:{site.line}', True)} {md.code(site.symbol, True)}"
    if located.entry.kind == "http":
        text += " " + (" ".join(md.code(url, True) for url in located.urls) if located.urls else "(unresolved URL)")
    return text
