"""The inventory as JSON (stable keys, documented in docs/sources.md): every entry point, in groups."""

from __future__ import annotations

from typing import Any

from flowlint import __version__
from flowlint.analysis.entries import Declared
from flowlint.report.inventory import Group, Inventory, Located
from flowlint.report.json_report import location_dict
from flowlint.results import Diagnostic, Location, to_json


def render(inventory: Inventory, diagnostics: tuple[Diagnostic, ...]) -> str:
    document = {
        "tool": {"name": "flowlint", "version": __version__},
        "summary": {"entry_points": inventory.entry_points, "undeclared": inventory.undeclared,
                    "groups": len(inventory.groups), "files": inventory.files},
        "groups": [_group(g) for g in inventory.groups],
        "diagnostics": [{"path": d.path, "line": d.line, "column": d.column, "code": d.code, "message": d.message}
                        for d in diagnostics],
    }
    return to_json(document)


def _group(group: Group) -> dict[str, Any]:
    return {
        "kind": group.kind,
        "name": group.name,
        "declared": group.declared,
        "origins": [{"id": o.id, "provider": o.provider, "lawful": o.lawful, "collection": o.collection}
                    for o in group.origins],
        "sources": list(group.sources),
        "known": [{"policy": policy, "origin": origin} for policy, origin in _known(group.known)],
        "count": len(group.entries),
        "sinks": group.sinks,
        "entry_points": [_entry(x) for x in group.entries],
    }


def _known(known: tuple[Declared, ...]) -> list[tuple[str, str]]:
    # each policy and origin once, not the entries: a pack's entries and their line numbers
    # change from release to release
    return sorted({(k.policy, k.origin) for k in known})


def _entry(located: Located) -> dict[str, Any]:
    site = located.entry.site
    return {
        "symbol": site.symbol,
        "location": location_dict(Location(site.path, site.line, site.column, site.end_line, site.end_column)),
        "urls": list(located.urls),
        "origins": sorted({d.origin for d in located.entry.declared}),
        "sinks": located.sinks,
    }
