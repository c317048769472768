"""Inline suppressions (`# flowlint: ignore[FL101] reason: ...`) and the meta rules FL901
(suppression without a reason) and FL902 (suppression that suppresses nothing).

Projects are written into a temporary folder: the vendor module of tests/golden/project (one
source) and a `records.py` per case, analysed with tests/golden/policy.toml (FL101 error for
`sqlite3.connect().execute`, FL150 warning for `logging.getLogger().info`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flowlint import suppressions
from flowlint.ir import Directive
from flowlint.pipeline import Analysis
from flowlint.report import github, gitlab, junit, sarif
from flowlint.report import text as text_report
from flowlint.results import Endpoint, Finding, Location, OriginFacts

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"

HEADER = """\
import logging
import sqlite3

from app.vendor import lookup

log = logging.getLogger("records")
"""


def project(tmp_path: Path, body: str) -> Path:
    """A project whose `app/records.py` is HEADER (6 lines) + a blank line + ``body``."""
    app = tmp_path / "project" / "app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("", encoding="utf-8")
    shutil.copy(GOLDEN / "project" / "app" / "vendor.py", app / "vendor.py")
    (app / "records.py").write_text(HEADER + "\n" + textwrap.dedent(body), encoding="utf-8")
    shutil.copy(GOLDEN / "policy.toml", tmp_path / "policy.toml")
    return tmp_path


def check(tmp_path: Path, *extra: str) -> tuple[int, list[dict], dict]:
    """Exit status, findings and the whole document of `check --format json`."""
    result = subprocess.run(
        [sys.executable, "-m", "flowlint", "check", "--isolated", "--no-cache", "--policy", "policy.toml",
         "--format", "json", *extra, *([] if any(e.startswith("project") for e in extra) else ["project"])],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(result.stdout)
    return result.returncode, document["findings"], document


def summary(findings: list[dict]) -> list[tuple[str, int]]:
    return [(f["rule_id"], f["sink"]["location"]["line"]) for f in findings]


# ------------------------------------------------------------------ parsing

def parse(text: str) -> suppressions.Suppression | suppressions.Problem | None:
    return suppressions.parse("a.py", Directive(text, 3, 10))


def test_parse_a_suppression_with_a_reason() -> None:
    parsed = parse("ignore[FL101] reason: written release on file, ticket PRIV-12")
    assert isinstance(parsed, suppressions.Suppression)
    assert parsed.rules == ("FL101",) and parsed.reason == "written release on file, ticket PRIV-12"


@pytest.mark.parametrize(("text", "rules", "reason"), [
    ("ignore[FL101,FL150]", ("FL101", "FL150"), ""),
    ("ignore[ FL101 , FL150 ] reason: both", ("FL101", "FL150"), "both"),
    ("ignore[FL101]reason:tight", ("FL101",), "tight"),
    ("ignore[FL101] REASON = upper", ("FL101",), "upper"),
    ("ignore[FL101] reason:", ("FL101",), ""),
    ("ignore[FL101] no keyword", ("FL101",), ""),
    ("ignore[FL101, FL101] reason: twice", ("FL101",), "twice"),
])
def test_parse_variants(text: str, rules: tuple[str, ...], reason: str) -> None:
    parsed = parse(text)
    assert isinstance(parsed, suppressions.Suppression)
    assert (parsed.rules, parsed.reason) == (rules, reason)


@pytest.mark.parametrize("text", ["ignore", "ignore reason: all of them", "ignore FL101", "ignore[]",
                                  "ignore[fl101]", "ignore[FL101 FL150]", "ignore[FL1O1]", "ignored[FL101]",
                                  "ignore-all"])
def test_malformed_suppressions_are_problems(text: str) -> None:
    assert isinstance(parse(text), suppressions.Problem)


@pytest.mark.parametrize("text", ["source=peoplefinder", "sink=collection.store", "sanitizer clears=all",
                                  "ignor[FL101]"])
def test_other_directives_are_left_to_the_annotations(text: str) -> None:
    assert parse(text) is None


# ------------------------------------------------------------------ through the CLI

def test_suppression_on_the_sink_line(tmp_path: Path) -> None:
    project(tmp_path, """\
        def save(name):
            db = sqlite3.connect("people.db")
            db.execute("INSERT INTO people VALUES (?)", (lookup(name),))  # flowlint: ignore[FL101] reason: release PRIV-12
        """)
    status, findings, _ = check(tmp_path)
    assert (status, findings) == (0, [])


def test_suppression_on_another_line_of_the_sink_statement(tmp_path: Path) -> None:
    project(tmp_path, """\
        def save(name):
            db = sqlite3.connect("people.db")
            db.execute(
                "INSERT INTO people VALUES (?)",
                (lookup(name),),
            )  # flowlint: ignore[FL101] reason: release PRIV-12


        def save_again(name):
            db = sqlite3.connect("people.db")
            db.execute(  # flowlint: ignore[FL101] reason: release PRIV-13
                "INSERT INTO people VALUES (?)",
                (lookup(name),),
            )
        """)
    status, findings, _ = check(tmp_path)
    assert (status, findings) == (0, [])


def test_suppression_elsewhere_does_not_apply(tmp_path: Path) -> None:
    project(tmp_path, """\
        def save(name):
            # flowlint: ignore[FL101] reason: the line above does not count
            db = sqlite3.connect("people.db")
            db.execute("INSERT INTO people VALUES (?)", (lookup(name),))
        """)
    status, findings, _ = check(tmp_path)
    assert status == 1
    assert summary(findings) == [("FL902", 9), ("FL101", 11)]
    assert "suppresses nothing for FL101" in findings[0]["message"]


def test_suppression_without_reason_still_suppresses_and_is_reported(tmp_path: Path) -> None:
    project(tmp_path, """\
        def save(name):
            db = sqlite3.connect("people.db")
            db.execute("INSERT INTO people VALUES (?)", (lookup(name),))  # flowlint: ignore[FL101]
        """)
    status, findings, _ = check(tmp_path)
    assert status == 0  # FL901 is a warning: the default --fail-on error passes
    assert summary(findings) == [("FL901", 10)]
    meta = findings[0]
    assert meta["rule_name"] == "suppression-without-reason" and meta["severity"] == "warning"
    assert meta["sink"]["location"]["column"] == 67 and "reason:" in meta["message"]
    assert meta["trace"] == [] and meta["citations"] == [] and meta["origin"]["id"] == "flowlint"
    assert check(tmp_path, "--fail-on", "warning")[0] == 1


def test_unused_suppression(tmp_path: Path) -> None:
    project(tmp_path, """\
        def save(name):
            db = sqlite3.connect("people.db")
            db.execute("INSERT INTO people VALUES (?)", ("constant",))  # flowlint: ignore[FL101] reason: old
        """)
    status, findings, _ = check(tmp_path)
    assert status == 0
    assert summary(findings) == [("FL902", 10)]
    assert findings[0]["rule_name"] == "unused-suppression"


def test_wrong_rule_and_partly_used_suppressions(tmp_path: Path) -> None:
    project(tmp_path, """\
        def save(name):
            db = sqlite3.connect("people.db")
            db.execute("INSERT INTO people VALUES (?)", (lookup(name),))  # flowlint: ignore[FL150] reason: wrong rule


        def audit(name):
            log.info("%s", lookup(name))  # flowlint: ignore[FL150, FL101, FL999] reason: logged on purpose
        """)
    status, findings, _ = check(tmp_path)
    assert status == 1
    assert summary(findings) == [("FL101", 10), ("FL902", 10), ("FL902", 14)]
    assert "no FL150 finding has its sink on this line" in findings[1]["message"]
    assert "for FL101, FL999" in findings[2]["message"] and "no rule FL999 is loaded" in findings[2]["message"]


def test_malformed_and_misspelt_directives(tmp_path: Path) -> None:
    project(tmp_path, """\
        def save(name):
            db = sqlite3.connect("people.db")
            db.execute("INSERT INTO people VALUES (?)", (lookup(name),))  # flowlint: ignore


        def audit(name):
            log.info("%s", lookup(name))  # flowlint: ignor[FL150] reason: typo
        """)
    status, findings, document = check(tmp_path)
    assert status == 1
    assert summary(findings) == [("FL101", 10), ("FL902", 10), ("FL150", 14)]
    assert "list the rules it suppresses" in findings[1]["message"]
    # the misspelt directive is the annotations' business: one FL905 diagnostic, no FL902
    assert [d["code"] for d in document["diagnostics"]] == ["FL905"]


def test_meta_rules_cannot_be_suppressed_inline(tmp_path: Path) -> None:
    project(tmp_path, """\
        def save(name):
            db = sqlite3.connect("people.db")
            db.execute("INSERT INTO people VALUES (?)", (lookup(name),))  # flowlint: ignore[FL101, FL901]
        """)
    _, findings, _ = check(tmp_path)
    assert summary(findings) == [("FL901", 10), ("FL902", 10)]
    assert "FL901 cannot be suppressed inline" in findings[1]["message"]


def test_scope_with_files_given(tmp_path: Path) -> None:
    """pre-commit passes changed files: directives elsewhere are not reported."""
    project(tmp_path, """\
        def save(name):
            db = sqlite3.connect("people.db")
            db.execute("INSERT INTO people VALUES (?)", ("constant",))  # flowlint: ignore[FL101] reason: old
        """)
    assert summary(check(tmp_path, "project/app/records.py")[1]) == [("FL902", 10)]
    assert check(tmp_path, "project/app/vendor.py")[1] == []


def test_suppressed_findings_do_not_reach_a_baseline(tmp_path: Path) -> None:
    project(tmp_path, """\
        def save(name):
            db = sqlite3.connect("people.db")
            db.execute("INSERT INTO people VALUES (?)", (lookup(name),))  # flowlint: ignore[FL101] reason: ok
        """)
    result = subprocess.run([sys.executable, "-m", "flowlint", "baseline", "--isolated", "--no-cache", "--policy",
                             "policy.toml", "project", "--output", "baseline.json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))["findings"] == []


# ------------------------------------------------------------------ meta findings in every format

def meta_analysis() -> Analysis:
    directive = Directive("ignore[FL101]", 4, 30)
    finding = Finding(
        rule_id="FL101", rule_name="r", severity="error", message="m", fingerprint="0" * 32, citations=(),
        origin=OriginFacts("o", "p", False, "c"), categories=(), marks=(),
        source=Endpoint("s", Location("a.py", 1, 1)), sink=Endpoint("k", Location("a.py", 4, 5, 4, 20), "collection.store"),
        trace=(), sink_statement=(4, 4))
    outcome = suppressions.apply([finding], [("a.py", directive), ("a.py", Directive("ignore", 9, 1))], {"FL101"})
    assert [f.rule_id for f in outcome.findings] == ["FL901", "FL902"] and outcome.suppressed == (finding,)
    return Analysis(findings=outcome.findings, flows=(), diagnostics=(), files=1, functions=1, seconds=0.0)


def test_meta_findings_render_in_every_format() -> None:
    analysis = meta_analysis()
    assert "a.py:4:30: FL901 [warning]" in text_report.render(analysis)
    assert github.render(analysis).count("::warning ") == 2
    assert [i["categories"] for i in json.loads(gitlab.render(analysis))] == [["Style"], ["Style"]]
    assert "FL902" in junit.render(analysis)
    document = json.loads(sarif.render(analysis))
    assert all("codeFlows" not in r and "relatedLocations" not in r for r in document["runs"][0]["results"])
    if SCHEMA.is_file():
        jsonschema = pytest.importorskip("jsonschema")
        jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_meta_fingerprints_ignore_line_numbers() -> None:
    first = suppressions.meta_finding(suppressions.UNUSED_SUPPRESSION, "a.py", Directive("ignore", 3, 1), "m")
    moved = suppressions.meta_finding(suppressions.UNUSED_SUPPRESSION, "a.py", Directive("ignore", 30, 5), "m")
    other = suppressions.meta_finding(suppressions.UNUSED_SUPPRESSION, "b.py", Directive("ignore", 3, 1), "m")
    assert first.fingerprint == moved.fingerprint != other.fingerprint
