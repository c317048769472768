"""The inventory as plain text: the undeclared groups first, a few locations per group."""

from __future__ import annotations

from collections.abc import Callable

from flowlint.report.inventory import KIND_TITLE, Group, Inventory, Located, lawfulness, plural
from flowlint.report.text import _shown
from flowlint.results import Diagnostic

SHOWN = 3  # locations listed per group; the rest are counted


def render(inventory: Inventory, diagnostics: tuple[Diagnostic, ...], path: Callable[[str], str] = str) -> str:
    """``path`` turns a project-relative path into the one to show. Diagnostics come last: a
    file that was not (fully) analysed may hold entry points that are not listed."""
    lines = [summary(inventory)]
    for title, groups in (("Not declared by any selected policy source (their data is not traced)",
                           inventory.undeclared_groups), ("Declared", inventory.declared_groups)):
        if groups:
            lines += ["", f"{title}:"]
            for group in groups:
                lines += _group(group, path)
    if diagnostics:
        lines.append("")
    lines += [f"{path(d.path)}:{d.line}:{d.column}: {d.code} {d.message}" for d in diagnostics]
    return "\n".join(_shown(line) for line in lines) + "\n"


def summary(inventory: Inventory) -> str:
    if not inventory.entry_points:
        return "No entry points: no HTTP request, scraping library or known data SDK is used."
    return (f"{plural(inventory.entry_points, 'entry point')} in {plural(inventory.files, 'file')}, "
            f"{inventory.undeclared} not declared.")


def _group(group: Group, path: Callable[[str], str]) -> list[str]:
    head = f"  {KIND_TITLE[group.kind]} {group.name} ({plural(len(group.entries), 'entry point')})"
    if group.declared:
        origins = ", ".join(f"{o.id} ({o.provider}; {lawfulness(o)})" for o in group.origins)
        head += f": {origins}; reaches {plural(group.sinks, 'sink')}"
    elif group.known:
        head += ": known to " + ", ".join(sorted({f"{k.policy} as {k.origin}" for k in group.known}))
    lines = [head]
    for located in group.entries[:SHOWN]:
        lines.append(f"    {_location(located, path)}  {_what(located, group.declared)}")
    if len(group.entries) > SHOWN:
        lines.append(f"    ... and {len(group.entries) - SHOWN} more")
    return lines


def _location(located: Located, path: Callable[[str], str]) -> str:
    site = located.entry.site
    return f"{path(site.path)}:{site.line}:{site.column}"


def _what(located: Located, declared: bool) -> str:
    entry = located.entry
    text = entry.site.symbol
    if entry.kind == "http":
        text += " " + (" | ".join(located.urls) if located.urls else "(unresolved URL)")
    if declared:
        text += f"  -> {plural(located.sinks, 'sink')}"
    return text
