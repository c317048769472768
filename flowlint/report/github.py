"""GitHub Actions workflow commands: one annotation per finding and per diagnostic.

    ::error file=app/store.py,line=14,col=9,endLine=14,endColumn=64,title=FL101 unlawful-origin-stored::message

Columns are given only for one-line spans (GitHub ignores them otherwise).
``error``/``warning``/``notice`` follow the severity (error/warning/note; diagnostics are
warnings, or notes for a policy pattern that matches nothing). The message is the finding's message, then the trace (source first, one step a
line). Paths are repository-relative (`flowlint.report.paths`). Escaping follows
``@actions/core``: in the message ``%``, CR and LF become ``%25``, ``%0D``, ``%0A``; in
property values ``:`` and ``,`` also become ``%3A`` and ``%2C``. So nothing a finding carries
(a path, a symbol, a note) can end the command or start another one. No output when clean.
"""

from __future__ import annotations

from pathlib import Path

from flowlint.pipeline import Analysis
from flowlint.report.paths import repository_prefix
from flowlint.results import Finding

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **properties: object) -> str:
    shown = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items() if value is not None)
    return f"::{name} {shown}::{escape_data(message)}" if shown else f"::{name}::{escape_data(message)}"


def _message(finding: Finding, prefix: str) -> str:
    lines = [finding.message]
    for step in finding.trace:
        lines.append(f"  {prefix}{step.location}  {step.note}")
    return "\n".join(lines)


def render(analysis: Analysis, root: Path | None = None) -> str:
    prefix = repository_prefix(root)
    out: list[str] = []
    for finding in analysis.findings:
        sink = finding.sink.location
        one_line = sink.end_line in (None, sink.line)  # columns only on one-line annotations
        out.append(command(
            COMMANDS.get(finding.severity, "warning"), _message(finding, prefix),
            file=prefix + sink.path, line=sink.line, endLine=sink.end_line,
            col=sink.column if one_line else None, endColumn=sink.end_column if one_line else None,
            title=f"{finding.rule_id} {finding.rule_name}"))
    for diagnostic in analysis.diagnostics:
        out.append(command(COMMANDS[diagnostic.severity], diagnostic.message, file=prefix + diagnostic.path,
                           line=diagnostic.line, col=diagnostic.column, title=diagnostic.code))
    return "".join(f"{line}\n" for line in out)
