"""Baselines: `flowlint baseline` writes today's findings; `check --baseline` (or the config's
`baseline`) reports only new ones, counting duplicates, and says how many entries are gone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from flowlint import baseline
from flowlint.errors import FlowlintError
from flowlint.results import Endpoint, Finding, Location, OriginFacts

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"

RECORDS = '''\
"""Stores what the vendor returns."""

import sqlite3

from app.vendor import lookup


def save(name: str) -> None:
    db = sqlite3.connect("people.db")
    db.execute("INSERT INTO people VALUES (?)", (lookup(name),))
'''
NEW_FLOW = '''

def save_twice(name: str) -> None:
    db = sqlite3.connect("people.db")
    db.execute("INSERT INTO people VALUES (?)", (lookup(name),))
'''
LOGGING = '''

def audit(name: str) -> None:
    import logging
    logging.getLogger("x").info("%s", lookup(name))
'''


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint", *args], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def make_project(tmp_path: Path, records: str = RECORDS) -> Path:
    app = tmp_path / "project" / "app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("", encoding="utf-8")
    shutil.copy(GOLDEN / "project" / "app" / "vendor.py", app / "vendor.py")
    (app / "records.py").write_text(records, encoding="utf-8")
    shutil.copy(GOLDEN / "policy.toml", tmp_path / "policy.toml")
    return app / "records.py"


COMMON = ("--isolated", "--no-cache", "--policy", "policy.toml")


def write_baseline(tmp_path: Path, name: str = "baseline.json") -> subprocess.CompletedProcess[str]:
    return run(tmp_path, "baseline", *COMMON, "project", "--output", name)


def check(tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], list[dict]]:
    result = run(tmp_path, "check", *COMMON, "project", "--format", "json", *extra)
    findings = json.loads(result.stdout)["findings"] if result.stdout else []
    return result, findings


# ------------------------------------------------------------------ end to end

def test_round_trip(tmp_path: Path) -> None:
    records = make_project(tmp_path)
    written = write_baseline(tmp_path)
    assert written.returncode == 0, written.stderr
    assert "wrote 1 finding to baseline.json" in written.stderr
    entries = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))["findings"]
    assert [(e["rule_id"], e["path"]) for e in entries] == [("FL101", "app/records.py")]

    # edit above the finding: it moves down, its fingerprint does not change
    records.write_text(RECORDS.replace('import sqlite3\n', 'import sqlite3\nimport os\n\nTABLE = "people"\n\n'),
                       encoding="utf-8")
    result, findings = check(tmp_path, "--baseline", "baseline.json")
    assert (result.returncode, findings) == (0, []), result.stderr
    assert "baseline baseline.json holds 1 finding; 1 matched and is not reported\n" in result.stderr
    assert "no longer found" not in result.stderr

    # a new flow (same rule, same symbols, same file: same fingerprint; the baseline has one)
    records.write_text(records.read_text(encoding="utf-8") + NEW_FLOW, encoding="utf-8")
    result, findings = check(tmp_path, "--baseline", "baseline.json")
    assert result.returncode == 1
    assert [(f["rule_id"], f["sink"]["location"]["line"]) for f in findings] == [("FL101", 19)]
    assert "holds 1 finding; 1 matched and is not reported" in result.stderr

    # in the text format too, only the new one is shown
    text = run(tmp_path, "check", *COMMON, "project", "--baseline", "baseline.json")
    assert text.returncode == 1 and "app/records.py:19:5: FL101" in text.stdout and ":14:5:" not in text.stdout


def test_gone_entries_are_counted(tmp_path: Path) -> None:
    records = make_project(tmp_path, RECORDS + NEW_FLOW + LOGGING)
    assert write_baseline(tmp_path).returncode == 0
    assert len(json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))["findings"]) == 3
    records.write_text(RECORDS, encoding="utf-8")  # two flows fixed
    result, findings = check(tmp_path, "--baseline", "baseline.json")
    assert (result.returncode, findings) == (0, [])
    assert "holds 3 findings; 1 matched and is not reported; 2 no longer found (fixed?" in result.stderr
    assert "flowlint baseline --output baseline.json" in result.stderr


def test_config_baseline_and_the_option_overriding_it(tmp_path: Path) -> None:
    make_project(tmp_path, RECORDS + LOGGING)
    project = tmp_path / "project"
    shutil.move(tmp_path / "policy.toml", project / "policy.toml")
    (project / "flowlint.toml").write_text('policies = ["./policy.toml"]\nbaseline = "accepted.json"\n'
                                           'fail-on = "warning"\n', encoding="utf-8")
    # `baseline` writes every finding, whatever baseline the configuration names
    assert run(tmp_path, "baseline", "--no-cache", "project", "--output", "project/accepted.json").returncode == 0
    result = run(tmp_path, "check", "--no-cache", "project")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "holds 2 findings; 2 matched and are not reported" in result.stderr
    (tmp_path / "empty.json").write_text('{"version": 1, "findings": []}', encoding="utf-8")
    assert run(tmp_path, "check", "--no-cache", "project", "--baseline", "empty.json").returncode == 1


def test_baseline_command_is_deterministic(tmp_path: Path) -> None:
    make_project(tmp_path, RECORDS + NEW_FLOW + LOGGING)
    assert write_baseline(tmp_path, "a.json").returncode == 0
    assert write_baseline(tmp_path, "b.json").returncode == 0
    first = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert first == (tmp_path / "b.json").read_text(encoding="utf-8")
    document = json.loads(first)
    assert document["version"] == 1 and document["tool"]["name"] == "flowlint" and document["tool"]["version"]
    assert all(set(e) == {"fingerprint", "rule_id", "path", "message"} for e in document["findings"])
    keys = [(e["path"], e["rule_id"], e["fingerprint"], e["message"]) for e in document["findings"]]
    assert keys == sorted(keys)


@pytest.mark.parametrize(("content", "problem"), [
    (None, "no such file"),
    ("{not json", "not valid JSON"),
    ('{"version": 2, "findings": []}', 'unsupported "version": 2'),
    ('{"version": 1, "findings": {}}', '"findings": expected an array'),
    ('{"version": 1, "findings": [{"rule_id": "FL101"}]}', '"findings" #1: expected an object with a "fingerprint"'),
    ("[]", "expected a JSON object"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_broken_baseline_is_a_one_line_error(tmp_path: Path, content: str | bytes | None, problem: str) -> None:
    make_project(tmp_path)
    if isinstance(content, bytes):
        (tmp_path / "b.json").write_bytes(content)
    elif content is not None:
        (tmp_path / "b.json").write_text(content, encoding="utf-8")
    result = run(tmp_path, "check", *COMMON, "project", "--baseline", "b.json")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("flowlint: error: baseline b.json: ") and problem in lines[0]


# ------------------------------------------------------------------ the module

def finding(fingerprint: str, line: int = 1, path: str = "a.py", rule: str = "FL101") -> Finding:
    location = Location(path, line, 1)
    return Finding(rule_id=rule, rule_name="r", severity="error", message=f"m{line}", fingerprint=fingerprint,
                   citations=(), origin=OriginFacts("o", "p", False, "c"), categories=(), marks=(),
                   source=Endpoint("s", location), sink=Endpoint("k", location, "collection.store"), trace=())


def test_apply_counts_multiplicity() -> None:
    accepted = baseline.Baseline(Counter({"x": 2, "y": 1, "z": 1}))
    current = [finding("x", 1), finding("x", 2), finding("x", 3), finding("y", 4), finding("w", 5)]
    filtered = baseline.apply(current, accepted)
    assert [f.sink.location.line for f in filtered.new] == [3, 5]
    assert [f.sink.location.line for f in filtered.baselined] == [1, 2, 4]
    assert filtered.gone == 1  # z


def test_render_then_load(tmp_path: Path) -> None:
    findings = [finding("b", 2, "z.py"), finding("a", 1, "a.py", "ACME-150"), finding("a", 3, "a.py", "ACME-150")]
    text = baseline.render(findings)
    assert text == baseline.render(reversed(findings))
    path = tmp_path / "b.json"
    path.write_text(text, encoding="utf-8")
    loaded = baseline.load(path)
    assert loaded.counts == Counter({"a": 2, "b": 1}) and loaded.entries == 3
    assert [e["path"] for e in json.loads(text)["findings"]] == ["a.py", "a.py", "z.py"]


def test_load_a_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FlowlintError, match="is a directory"):
        baseline.load(tmp_path)
