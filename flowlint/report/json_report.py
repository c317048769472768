"""The stable JSON format of DESIGN.md ("JSON output"): other tools and the tests parse it."""

from __future__ import annotations

from typing import Any

from flowlint import __version__
from flowlint.pipeline import Analysis
from flowlint.results import Finding, Location, to_json


def location_dict(location: Location, span: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {"path": location.path, "line": location.line, "column": location.column}
    if span and location.end_line is not None:
        out["end_line"] = location.end_line
        out["end_column"] = location.end_column
    return out


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name,
        "severity": finding.severity,
        "message": finding.message,
        "fingerprint": finding.fingerprint,
        "citations": list(finding.citations),
        "origin": {"id": finding.origin.id, "provider": finding.origin.provider,
                   "lawful": finding.origin.lawful, "collection": finding.origin.collection},
        "categories": list(finding.categories),
        "marks": list(finding.marks),
        "source": {"symbol": finding.source.symbol, "location": location_dict(finding.source.location)},
        "sink": {"symbol": finding.sink.symbol, "kind": finding.sink.kind,
                 "location": location_dict(finding.sink.location)},
        "trace": [{"location": location_dict(step.location, span=False), "kind": step.kind, "note": step.note}
                  for step in finding.trace],
    }


def render(analysis: Analysis) -> str:
    document = {
        "tool": {"name": "flowlint", "version": __version__},
        "findings": [finding_dict(f) for f in analysis.findings],
        "diagnostics": [{"path": d.path, "line": d.line, "column": d.column, "code": d.code, "severity": d.severity, "message": d.message}
                        for d in analysis.diagnostics],
        "stats": {"files": analysis.files, "functions": analysis.functions,
                  "seconds": round(analysis.seconds, 3), "cache_hits": analysis.cache_hits},
    }
    return to_json(document)
