"""JUnit XML, for CI systems that show test reports (GitLab ``artifacts:reports:junit``,
Jenkins, Azure DevOps, ...).

One ``<testsuite>`` per file (the sink's file, repository-relative; see
`flowlint.report.paths`), one failing ``<testcase>`` per finding in it (classname
``flowlint.<rule id>``, name ``<rule id> <path>:<line>:<col>``) whose ``<failure>`` carries the
message as its ``message`` and the trace and citations as its text. Files that could not be
analysed are ``<error>`` test cases. A clean run is one passing test case, so that "0 tests" is
never mistaken for "nothing ran". ``time`` on ``<testsuites>`` is the analysis time.

Everything is escaped by ElementTree; characters that XML 1.0 cannot carry at all (most C0
controls, lone surrogates) are replaced by U+FFFD first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path

from flowlint.pipeline import Analysis
from flowlint.report.paths import repository_prefix
from flowlint.results import Diagnostic, Finding

_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _element(parent: ET.Element, tag: str, text: str | None = None, **attributes: object) -> ET.Element:
    element = ET.SubElement(parent, tag, {key: clean(str(value)) for key, value in attributes.items()})
    if text is not None:
        element.text = clean(text)
    return element


def _details(finding: Finding, prefix: str) -> str:
    lines = [f"{prefix}{finding.sink.location}: {finding.rule_id} [{finding.severity}] {finding.message}"]
    lines += [f"  {prefix}{step.location}  {step.note}" for step in finding.trace]
    if finding.citations:
        lines += ["Citations:"] + [f"  - {cite}" for cite in finding.citations]
    return "\n".join(lines) + "\n"


def _by_file(findings: Iterable[Finding], diagnostics: Iterable[Diagnostic]) -> dict[str, list[Finding | Diagnostic]]:
    files: dict[str, list[Finding | Diagnostic]] = {}
    for item in (*findings, *diagnostics):
        path = item.sink.location.path if isinstance(item, Finding) else item.path
        files.setdefault(path, []).append(item)
    return {path: files[path] for path in sorted(files)}


def render(analysis: Analysis, root: Path | None = None) -> str:
    prefix = repository_prefix(root)
    failures, errors = len(analysis.findings), len(analysis.diagnostics)
    suites = ET.Element("testsuites", {"name": "flowlint", "tests": str(max(1, failures + errors)),
                                       "failures": str(failures), "errors": str(errors),
                                       "time": f"{analysis.seconds:.3f}"})
    for path, items in _by_file(analysis.findings, analysis.diagnostics).items():
        suite = _element(suites, "testsuite", name=prefix + path, tests=len(items),
                         failures=sum(isinstance(i, Finding) for i in items),
                         errors=sum(isinstance(i, Diagnostic) for i in items))
        for item in items:
            if isinstance(item, Finding):
                sink = item.sink.location
                case = _element(suite, "testcase", classname=f"flowlint.{item.rule_id}",
                                name=f"{item.rule_id} {prefix}{sink}", file=prefix + sink.path, line=sink.line)
                _element(case, "failure", _details(item, prefix), message=item.message, type=item.rule_id)
            else:
                case = _element(suite, "testcase", classname=f"flowlint.{item.code}",
                                name=f"{item.code} {prefix}{item.path}:{item.line}:{item.column}",
                                file=prefix + item.path, line=item.line)
                _element(case, "error", item.message, message=item.message, type=item.code)
    if not analysis.findings and not analysis.diagnostics:
        suite = _element(suites, "testsuite", name="flowlint", tests=1, failures=0, errors=0)
        _element(suite, "testcase", classname="flowlint", name=f"no findings in {analysis.files} files")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
