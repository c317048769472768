"""Malformed inline annotations are FL905 diagnostics that name the problem, and the closest
declared value (origin, sink kind, category, mark, purpose) when there is one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from engine_fixtures import ROOT, run_case

PROJECT = Path(__file__).parent / "own_rules_project"


def test_bad_annotations_are_diagnostics():
    result = run_case(ROOT / "annotations" / "bad_annotations.py")
    assert result.analysis is not None
    messages = [(d.line, d.code, d.message) for d in result.analysis.diagnostics if d.code == "FL905"]
    assert messages == [
        (6, "FL905", "invalid annotation: source: unknown origin 'nobody'"),
        (10, "FL905", "invalid annotation: sink: unknown sink kind 'collection.nowhere'; did you mean "
                      "'collection.store'? (or declare it in [vocabulary] sink_kinds)"),
        (14, "FL905", "invalid annotation: unknown annotation 'sanitise'; expected one of guard, sanitizer, "
                      "sink, source, transform or ignore[...]"),
    ]


def test_undeclared_values_in_annotations_suggest_the_declared_ones() -> None:
    """app/vault.py: every misspelt value is an FL905 with a did-you-mean; the well-formed
    annotations beside them (one using the project's own purpose) are none, and they work."""
    result = subprocess.run([sys.executable, "-m", "flowlint", "check", "--isolated", "--no-cache", "--format", "json",
                             "--policy", "policy.toml", "."], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert [(d["path"], d["line"], d["code"], d["message"]) for d in report["diagnostics"]] == [
        ("app/vault.py", 9, "FL905", "invalid annotation: source: unknown origin 'facevalt'; did you mean 'facevault'?"),
        ("app/vault.py", 13, "FL905", "invalid annotation: source: unknown category 'user.nmae'; did you mean "
                                      "'user.name'? (or declare it in [vocabulary] categories)"),
        ("app/vault.py", 21, "FL905", "invalid annotation: sink: unknown sink kind 'collection.stor'; did you mean "
                                      "'collection.store'? (or declare it in [vocabulary] sink_kinds)"),
        ("app/vault.py", 25, "FL905", "invalid annotation: sink: unknown purpose 'case-reveiw'; did you mean "
                                      "'case-review'? (or declare it in [vocabulary] purposes)"),
        ("app/vault.py", 29, "FL905", "invalid annotation: sanitizer: 'user.nmae*' matches no category; did you mean "
                                      "'user.name.*'?"),
        ("app/vault.py", 33, "FL905", "invalid annotation: guard: unknown mark 'consent.writen'; did you mean "
                                      "'consent.written'? (or declare it in [vocabulary] marks)"),
        ("app/vault.py", 37, "FL905", "invalid annotation: transform: unknown category 'user.biometric.face_templat'; "
                                      "did you mean 'user.biometric.face_template'? (or declare it in [vocabulary] "
                                      "categories)"),
    ]
    # the well-formed source and sink (purpose `case-review`, declared by the project) make a finding
    stored = [f for f in report["findings"] if f["rule_id"] == "ACME-001"]
    assert [(f["source"]["symbol"], f["sink"]["symbol"], f["sink"]["location"]["line"]) for f in stored] == [
        ("app.vault.search", "app.vault.store", 3)]
