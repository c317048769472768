"""Baselines: accept today's findings, report only new ones.

``flowlint baseline --output FILE`` writes (UTF-8 JSON, sorted, deterministic)::

    {"version": 1,
     "tool": {"name": "flowlint", "version": "0.1.0"},
     "findings": [{"fingerprint": "…", "rule_id": "FL101", "path": "app/store.py", "message": "…"}]}

``path`` is the sink's file, relative to the project root. Only ``fingerprint`` is used for
matching (the other keys are for people reading the file and reviewing its diffs). The
fingerprint leaves out line numbers (`Finding.fingerprint`), so edits above a finding do not
make it new. Entries count with their multiplicity: two entries with the same fingerprint
absorb two findings with it, a third one is new. Entries that no current finding matches are
"gone" (fixed, or moved to another file).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from flowlint import __version__
from flowlint.errors import FlowlintError
from flowlint.results import Finding, to_json

VERSION = 1


@dataclass(frozen=True)
class Baseline:
    counts: Counter[str]  # fingerprint -> number of entries

    @property
    def entries(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class Filtered:
    """Findings split by a baseline, and how many of its entries matched nothing."""

    new: tuple[Finding, ...]
    baselined: tuple[Finding, ...]
    gone: int


def render(findings: Iterable[Finding]) -> str:
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.sink.location.path, "message": f.message}
         for f in findings),
        key=lambda e: (e["path"], e["rule_id"], e["fingerprint"], e["message"]))
    document = {"version": VERSION, "tool": {"name": "flowlint", "version": __version__}, "findings": entries}
    return to_json(document)


def display(path: Path) -> str:
    """``path`` relative to the current directory when below it, else as given."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def load(path: Path) -> Baseline:
    """Read a baseline; any problem is a one-line `FlowlintError` naming the file."""
    where = f"baseline {display(path)}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FlowlintError(f"{where}: no such file (write one with `flowlint baseline --output {display(path)}`)") from None
    except IsADirectoryError:
        raise FlowlintError(f"{where}: is a directory, not a baseline file") from None
    except UnicodeDecodeError:
        raise FlowlintError(f"{where}: not UTF-8 text") from None
    except OSError as err:
        raise FlowlintError(f"{where}: cannot read: {err.strerror or err}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise FlowlintError(f"{where}: not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})") from None
    return Baseline(Counter(_fingerprints(document, where)))


def _fingerprints(document: object, where: str) -> list[str]:
    if not isinstance(document, dict):
        raise FlowlintError(f"{where}: expected a JSON object with \"version\" and \"findings\"")
    version = document.get("version")
    if version != VERSION:
        raise FlowlintError(f"{where}: unsupported \"version\": {json.dumps(version)} (expected {VERSION})")
    entries = document.get("findings")
    if not isinstance(entries, list):
        raise FlowlintError(f"{where}: \"findings\": expected an array")
    out = []
    for number, entry in enumerate(entries, start=1):
        fingerprint = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fingerprint, str) or not fingerprint:
            raise FlowlintError(f"{where}: \"findings\" #{number}: expected an object with a \"fingerprint\" string")
        out.append(fingerprint)
    return out


def apply(findings: Iterable[Finding], baseline: Baseline) -> Filtered:
    """Split ``findings`` (in their order; the first ones with a fingerprint are the baselined
    ones) into new and baselined, counting the entries left over."""
    remaining = Counter(baseline.counts)
    new: list[Finding] = []
    baselined: list[Finding] = []
    for finding in findings:
        if remaining[finding.fingerprint] > 0:
            remaining[finding.fingerprint] -= 1
            baselined.append(finding)
        else:
            new.append(finding)
    return Filtered(tuple(new), tuple(baselined), sum(remaining.values()))
