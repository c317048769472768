"""GitLab Code Quality report (the JSON array GitLab reads from ``artifacts:reports:codequality``).

Each finding is one issue: ``description`` (the message), ``check_name`` (rule id),
``fingerprint``, ``severity`` (error → critical, warning → major, note → minor; diagnostics
about unreadable files → minor), ``location.path`` (repository-relative, see
`flowlint.report.paths`) and ``location.lines.begin`` (the sink line), plus ``type``,
``categories`` (Security; Style for the suppression meta rules), ``engine_name`` and a Markdown ``content.body`` with the trace and citations.

GitLab identifies issues by ``fingerprint`` and needs it unique within a report. flowlint's
fingerprint leaves out line numbers, so two findings can share one; the second and later ones
get ``sha256(fingerprint:N)[:32]`` with N their occurrence, which stays stable as long as
their order does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flowlint.pipeline import Analysis
from flowlint.report import markdown_text as md
from flowlint.report.paths import repository_prefix
from flowlint.results import Diagnostic, Finding, digest, to_json
from flowlint.suppressions import META_RULE_IDS

SEVERITIES = {"error": "critical", "warning": "major", "note": "minor"}
DIAGNOSTIC_SEVERITY = "minor"


def _body(finding: Finding, prefix: str) -> str:
    lines = [f"**{md.text(finding.rule_id)} {md.text(finding.rule_name)}** ({md.text(finding.severity)})", "",
             md.text(finding.message)]
    if finding.trace:
        lines += ["", "Trace (source first):", ""]
        lines += [f"1. {md.code(f'{prefix}{step.location}')} {md.note(step.note)}" for step in finding.trace]
    if finding.citations:
        lines += ["", "Citations:", ""] + [f"- {md.note(cite)}" for cite in finding.citations]
    return "\n".join(lines)


def _issue(finding: Finding, fingerprint: str, prefix: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "engine_name": "flowlint",
        "check_name": finding.rule_id,
        "description": f"{finding.rule_id}: {finding.message}",
        "content": {"body": _body(finding, prefix)},
        "categories": ["Style"] if finding.rule_id in META_RULE_IDS else ["Security"],
        "severity": SEVERITIES.get(finding.severity, "major"),
        "fingerprint": fingerprint,
        "location": {"path": prefix + finding.sink.location.path, "lines": {"begin": finding.sink.location.line}},
    }


def _diagnostic(diagnostic: Diagnostic, prefix: str) -> dict[str, Any]:
    return {
        "type": "issue",
        "engine_name": "flowlint",
        "check_name": diagnostic.code,
        "description": f"{diagnostic.code}: {diagnostic.message}",
        "categories": ["Bug Risk"],
        "severity": DIAGNOSTIC_SEVERITY,
        "fingerprint": digest(diagnostic.code, diagnostic.path, diagnostic.message),
        "location": {"path": prefix + diagnostic.path, "lines": {"begin": max(1, diagnostic.line)}},
    }


def render(analysis: Analysis, root: Path | None = None) -> str:
    prefix = repository_prefix(root)
    seen: dict[str, int] = {}
    issues = []
    for finding in analysis.findings:
        seen[finding.fingerprint] = seen.get(finding.fingerprint, 0) + 1
        count = seen[finding.fingerprint]
        fingerprint = finding.fingerprint if count == 1 else digest(f"{finding.fingerprint}:{count}")
        issues.append(_issue(finding, fingerprint, prefix))
    issues += [_diagnostic(d, prefix) for d in analysis.diagnostics]
    return to_json(issues)
