"""Plain text: `path:line:col: RULE message`, then the trace, one step a line (source first)."""

from __future__ import annotations

from collections.abc import Callable

from flowlint.pipeline import Analysis
from flowlint.results import Location
from flowlint.report.snippets import visible


def _shown(value: object) -> str:
    """Project text on one terminal line: no escape sequences, no line breaks (a file name
    with a newline must not forge a finding line)."""
    return visible(str(value)).replace("\n", "[U+000A]")


def render(analysis: Analysis, path: Callable[[str], str] = str) -> str:
    """The text report; ``path`` turns a project-relative path into the one to show."""

    def at(location: Location) -> str:
        return f"{path(location.path)}:{location.line}:{location.column}"

    lines: list[str] = []
    for finding in analysis.findings:
        lines.append(_shown(f"{at(finding.sink.location)}: {finding.rule_id} [{finding.severity}] {finding.message}"))
        for step in finding.trace:
            lines.append("  " + _shown(f"{at(step.location)}  {step.note}"))
        lines.append("")
    for diagnostic in analysis.diagnostics:
        lines.append(_shown(f"{path(diagnostic.path)}:{diagnostic.line}:{diagnostic.column}: {diagnostic.code} "
                            f"[{diagnostic.severity}] {diagnostic.message}"))
    counts: dict[str, int] = {}
    for finding in analysis.findings:
        counts[finding.severity] = counts.get(finding.severity, 0) + 1
    if analysis.findings:
        detail = ", ".join(f"{counts[s]} {s}" for s in ("error", "warning", "note") if s in counts)
        lines.append(f"Found {len(analysis.findings)} finding{'s' if len(analysis.findings) != 1 else ''} ({detail}) "
                     f"in {analysis.files} files.")
    else:
        lines.append(f"No findings in {analysis.files} files.")
    return "\n".join(lines) + "\n"
