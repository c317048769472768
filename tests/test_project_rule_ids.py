"""A project's own rule ids (`ACME-001`) through every output: text, JSON, SARIF, a baseline,
an inline suppression, and `flowlint explain` (tests/own_rules_project, run as a subprocess)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).parent / "own_rules_project"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("own") / "project"
    shutil.copytree(PROJECT, copy)
    return copy


def flowlint(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint", *args], cwd=project, capture_output=True, text=True,
                          timeout=120)


def check(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return flowlint(project, "check", "--isolated", "--policy", "policy.toml", *args, ".")


def test_text_json_and_sarif_carry_the_project_rule_id(project: Path) -> None:
    text = check(project)
    assert text.returncode == 1, text.stderr
    assert "app/main.py:3:1: ACME-001 [error] Data from FaceVault (user.biometric.face) reaches collection.store.\n" \
        in text.stdout
    report = json.loads(check(project, "--format", "json").stdout)
    # line 3 is reported; line 4 carries `ignore[ACME-001]` with a reason, so it is not
    assert [(f["rule_id"], f["sink"]["location"]["line"]) for f in report["findings"]] == [("ACME-001", 3), ("FL902", 6)]
    assert "no rule ACME-002 is loaded" in report["findings"][1]["message"]
    sarif = json.loads(check(project, "--format", "sarif").stdout)
    run = sarif["runs"][0]
    assert "ACME-001" in [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert [result["ruleId"] for result in run["results"]] == ["ACME-001", "FL902"]


def test_a_baseline_holds_and_matches_the_project_rule_id(project: Path) -> None:
    written = flowlint(project, "baseline", "--isolated", "--policy", "policy.toml", "--output", "baseline.json", ".")
    assert written.returncode == 0, written.stderr
    assert "ACME-001" in (project / "baseline.json").read_text(encoding="utf-8")
    again = check(project, "--baseline", "baseline.json", "--format", "json")
    assert (again.returncode, json.loads(again.stdout)["findings"]) == (0, [])
    assert "holds 2 findings; 2 matched" in again.stderr


@pytest.mark.parametrize("name", ["ACME-001", "acme-001"])
def test_explain_a_project_rule(project: Path, name: str) -> None:
    result = flowlint(project, "explain", "--isolated", "--policy", "policy.toml", name)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("ACME-001  vault-data-stored  (error)\n")
    assert "ACME data-handling standard DH-4" in result.stdout
    assert "Flagged example (reported by ACME-001)" in result.stdout


def test_explain_suggests_a_close_project_rule(project: Path) -> None:
    result = flowlint(project, "explain", "--isolated", "--policy", "policy.toml", "ACME-01")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "flowlint: error: unknown rule 'ACME-01'; did you mean 'ACME-001'?\n"
