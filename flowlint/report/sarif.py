"""SARIF 2.1.0, shaped for GitHub code scanning (and any other SARIF viewer).

One run. ``tool.driver.rules`` lists every loaded rule (plus the suppression meta rules FL901
and FL902), with the policy's name, rationale and citations as help text and a
``security-severity`` for GitHub (error 8.0, warning 5.0, note 2.0; the meta rules are not
security rules and have none). Each result's first location is the sink; its related location
(id 1) is the source; its code flow has one thread-flow location per trace step, source first,
each with the step's note. Findings without a trace (FL901/FL902) have no code flow and no
related location.

Paths are relative to the repository that holds the project (`flowlint.report.paths`), as
percent-encoded URI references with ``uriBaseId: "%SRCROOT%"``; ``originalUriBaseIds`` maps
``%SRCROOT%`` to that directory's absolute ``file:`` URI. Lines and columns are 1-based, columns
count Unicode code points (``columnKind: "unicodeCodePoints"``) and ``endColumn`` is exclusive,
exactly as flowlint's own locations.

Files that could not be analysed (FL903/FL904 diagnostics) become tool execution notifications
of the invocation, not results.

``partialFingerprints`` holds ``flowlint/v1`` (flowlint's line-independent fingerprint, the one
baselines use) and ``primaryLocationLineHash`` computed exactly as GitHub's upload action does
(``github/codeql-action``, ``src/fingerprints.ts``), so that uploading through any action
gives the same alert identity. That hash covers the text from the start of the sink line on, so
this is the one place where a reporter reads an analysed file; it never re-analyses anything,
and a file that can no longer be read simply gets no line hash.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flowlint import __version__
from flowlint.pipeline import Analysis
from flowlint.policy.model import Policy, Rule
from flowlint.report import markdown_text as md
from flowlint.report.paths import repository_prefix, repository_root
from flowlint.results import Diagnostic, Finding, Location, TraceStep, to_json
from flowlint.suppressions import META_RULES

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# the project's home page; README's pre-commit example uses the same placeholder address
INFORMATION_URI = "https://example.invalid/flowlint"
SRCROOT = "%SRCROOT%"
LEVELS = {"error": "error", "warning": "warning", "note": "note"}
SECURITY_SEVERITY = {"error": "8.0", "warning": "5.0", "note": "2.0"}
FLOWLINT_FINGERPRINT = "flowlint/v1"
LINE_HASH = "primaryLocationLineHash"
_STEP_KINDS = {"source": ["taint", "source"], "sink": ["taint", "sink"], "call": ["call"],
               "return": ["return"], "step": ["taint"]}


# ---------------------------------------------------------------- GitHub's primaryLocationLineHash

_BLOCK_SIZE = 100
_MOD = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_MOD, _BLOCK_SIZE, 1 << 64)
_EOF = 65535
_TAB, _SPACE, _LF, _CR = 9, 32, 10, 13


def _utf16_units(text: str) -> Iterator[int]:
    """The UTF-16 code units of ``text`` (JavaScript's ``charCodeAt``)."""
    for char in text:
        code = ord(char)
        if code > 0xFFFF:
            code -= 0x10000
            yield 0xD800 + (code >> 10)
            yield 0xDC00 + (code & 0x3FF)
        else:
            yield code


def line_hashes(text: str) -> list[str]:
    """GitHub's ``primaryLocationLineHash`` of every line of ``text`` (index 0 is line 1).

    A port of ``hash()`` in github/codeql-action ``src/fingerprints.ts``: a rolling hash
    (base 37, 64-bit wrap-around) over the next 100 characters from the start of each line,
    spaces and tabs skipped, CR, LF and CRLF all counted as one LF, the end of the file marked
    by 65535 and padded with zeros; ``:N`` counts earlier lines of the file with the same hash.
    """
    window = [0] * _BLOCK_SIZE
    line_numbers = [-1] * _BLOCK_SIZE
    hashes: dict[int, str] = {}
    counts: dict[str, int] = {}
    state = {"hash": 0, "index": 0, "line": 0, "line_start": True, "prev_cr": False}

    def output() -> None:
        value = format(state["hash"], "x")
        counts[value] = counts.get(value, 0) + 1
        hashes[line_numbers[state["index"]]] = f"{value}:{counts[value]}"
        line_numbers[state["index"]] = -1

    def update(current: int) -> None:
        index = state["index"]
        begin = window[index]
        window[index] = current
        state["hash"] = (_MOD * state["hash"] + current - _FIRST_MOD * begin) & _MASK
        state["index"] = (index + 1) % _BLOCK_SIZE

    def process(current: int) -> None:
        if current in (_SPACE, _TAB) or (state["prev_cr"] and current == _LF):
            state["prev_cr"] = False
            return
        state["prev_cr"] = current == _CR
        if current == _CR:
            current = _LF
        if line_numbers[state["index"]] != -1:
            output()
        if state["line_start"]:
            state["line_start"] = False
            state["line"] += 1
            line_numbers[state["index"]] = state["line"]
        if current == _LF:
            state["line_start"] = True
        update(current)

    for unit in _utf16_units(text):
        process(unit)
    process(_EOF)
    for _ in range(_BLOCK_SIZE):
        if line_numbers[state["index"]] != -1:
            output()
        update(0)
    return [hashes[number] for number in sorted(hashes)]


class _LineHasher:
    """Line hashes of project files, each file read (once) only when a result needs it."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.files: dict[str, list[str] | None] = {}

    def __call__(self, path: str, line: int) -> str | None:
        if self.root is None:
            return None
        if path not in self.files:
            try:
                text = (self.root / path).read_bytes().decode("utf-8", errors="replace")
            except OSError:
                self.files[path] = None
            else:
                self.files[path] = line_hashes(text)
        hashes = self.files[path]
        return hashes[line - 1] if hashes is not None and 0 < line <= len(hashes) else None


# ---------------------------------------------------------------- rules

def _paragraphs(text: str) -> list[str]:
    return [" ".join(block.split()) for block in text.strip().split("\n\n") if block.strip()]


def _title(name: str) -> str:
    words = name.replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else name


def rule_descriptor(rule: Rule, meta: bool = False) -> dict[str, Any]:
    """A ``reportingDescriptor`` for one rule: what GitHub shows in the alert's help panel."""
    paragraphs = _paragraphs(rule.rationale)
    full = " ".join(paragraphs) or _title(rule.name)
    explain = f"Run `flowlint explain {rule.id}` for a flagged and a clean example."
    text_parts = [f"{rule.id} {rule.name} ({rule.severity})", *paragraphs]
    markdown_parts = [f"**{md.text(rule.id)} {md.text(rule.name)}** ({rule.severity})", *map(md.note, paragraphs)]
    if rule.cite:
        text_parts.append("Citations:\n" + "\n".join(f"- {cite}" for cite in rule.cite))
        markdown_parts.append("**Citations**\n\n" + "\n".join(f"- {md.note(cite)}" for cite in rule.cite))
    text_parts.append(explain)
    markdown_parts.append(f"Run {md.code(f'flowlint explain {rule.id}')} for a flagged and a clean example.")
    properties: dict[str, Any] = {
        "tags": ["maintainability", "flowlint"] if meta else ["security", "privacy", "flowlint"],
        "precision": "high" if meta else "medium",
        "problem.severity": rule.severity,
    }
    if not meta:
        properties["security-severity"] = SECURITY_SEVERITY[rule.severity]
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": _title(rule.name)},
        "fullDescription": {"text": full},
        "help": {"text": "\n\n".join(text_parts), "markdown": "\n\n".join(markdown_parts)},
        "helpUri": f"{INFORMATION_URI}#{rule.id.lower()}",
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


def _rules(policy: Policy | None, findings: Iterable[Finding]) -> list[tuple[Rule, bool]]:
    """Every loaded rule and meta rule, sorted by id; a finding of an unknown rule gets one
    made from the finding itself."""
    rules: dict[str, tuple[Rule, bool]] = {rule.id: (rule, True) for rule in META_RULES}
    for rule in policy.rules if policy is not None else ():
        rules.setdefault(rule.id, (rule, False))
    for finding in findings:
        if finding.rule_id not in rules:
            made = Rule(id=finding.rule_id, name=finding.rule_name, severity=finding.severity,  # type: ignore[arg-type]
                        message=finding.message, cite=finding.citations)
            rules[finding.rule_id] = (made, False)
    return [rules[key] for key in sorted(rules)]


# ---------------------------------------------------------------- results

def _physical(location: Location, prefix: str) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(1, location.line), "startColumn": max(1, location.column)}
    if location.end_line is not None and location.end_column is not None:
        region["endLine"] = max(region["startLine"], location.end_line)
        region["endColumn"] = max(1, location.end_column)
    return {"artifactLocation": {"uri": quote(prefix + location.path), "uriBaseId": SRCROOT}, "region": region}


def _flow_location(step: TraceStep, prefix: str) -> dict[str, Any]:
    return {
        "location": {"physicalLocation": _physical(step.location, prefix), "message": {"text": step.note or step.kind}},
        "kinds": _STEP_KINDS.get(step.kind, []),
    }


def _result(finding: Finding, index: int, prefix: str, hasher: _LineHasher) -> dict[str, Any]:
    fingerprints = {FLOWLINT_FINGERPRINT: finding.fingerprint}
    line_hash = hasher(finding.sink.location.path, finding.sink.location.line)
    if line_hash is not None:
        fingerprints[LINE_HASH] = line_hash
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "locations": [{"physicalLocation": _physical(finding.sink.location, prefix)}],
    }
    if finding.trace:
        result["relatedLocations"] = [{
            "id": 1,
            "physicalLocation": _physical(finding.source.location, prefix),
            "message": {"text": f"source: {finding.source.symbol}"},
        }]
        result["codeFlows"] = [{
            "message": {"text": f"{finding.source.symbol} reaches {finding.sink.symbol}"},
            "threadFlows": [{"locations": [_flow_location(step, prefix) for step in finding.trace]}],
        }]
    result["partialFingerprints"] = fingerprints
    result["properties"] = {
        "origin": finding.origin.id, "provider": finding.origin.provider,
        "categories": list(finding.categories), "marks": list(finding.marks),
        "source": finding.source.symbol, "sink": finding.sink.symbol, "sinkKind": finding.sink.kind,
        "citations": list(finding.citations),
    }
    return result


def _notification(diagnostic: Diagnostic, prefix: str) -> dict[str, Any]:
    return {
        "descriptor": {"id": diagnostic.code},
        "level": diagnostic.severity,
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": _physical(
            Location(diagnostic.path, diagnostic.line, diagnostic.column), prefix)}],
    }


def render(analysis: Analysis, policy: Policy | None = None, root: Path | None = None) -> str:
    """The SARIF log of a run. ``root`` is the project root (for repository-relative URIs and
    the line hashes); without it, paths stay project-relative and there are no line hashes."""
    rules = _rules(policy, analysis.findings)
    index = {rule.id: number for number, (rule, _) in enumerate(rules)}
    prefix = repository_prefix(root)
    hasher = _LineHasher(root)
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "flowlint",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [rule_descriptor(rule, meta) for rule, meta in rules],
        }},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [_notification(d, prefix) for d in analysis.diagnostics],
        }],
        "results": [_result(f, index[f.rule_id], prefix, hasher) for f in analysis.findings],
        "columnKind": "unicodeCodePoints",
    }
    if root is not None:
        base = repository_root(root) if prefix else root
        run["originalUriBaseIds"] = {SRCROOT: {"uri": (base or root).as_uri().rstrip("/") + "/"}}
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return to_json(document)
