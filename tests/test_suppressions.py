"""Inline suppressions (`# flowlint: ignore[FL101] reason: ...`) and the meta rules FL901
(suppression without a reason) and FL902 (suppression that suppresses nothing).

Projects are written into a temporary folder: the vendor module of tests/golden/project (one
source) and a `records.py` per case, analysed with tests/golden/policy.toml (FL101 error for
`sqlite3.connect().execute`, ACME-150 warning for `logging.getLogger().info`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from flowlint import suppressions
from flowlint.ir import Directive
from flowlint.pipeline import Analysis
from flowlint.report import github, gitlab, junit, sarif
from flowlint.report import text as text_report
from flowlint.results import Endpoint, Finding, Location, OriginFacts, digest
from test_formats import validate_sarif

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"

HEADER = """\
import logging
import sqlite3

from app.vendor import lookup

log = logging.getLogger("records")
"""


def project(tmp_path: Path, body: str, control: bool = False) -> Path:
    """A project whose `app/records.py` is HEADER (6 lines) + a blank line + ``body``.

    ``control``: also `app/control.py`, the same code without its `# flowlint:` comments, so
    the same flows on the same lines in another file: what a suppression hides in records.py
    must still be reported there (the positive control of a "nothing reported" assertion, and
    a suppression applies only in its own file)."""
    app = tmp_path / "project" / "app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("", encoding="utf-8")
    shutil.copy(GOLDEN / "project" / "app" / "vendor.py", app / "vendor.py")
    text = HEADER + "\n" + textwrap.dedent(body)
    (app / "records.py").write_text(text, encoding="utf-8")
    if control:
        (app / "control.py").write_text(re.sub(r"[ \t]*# flowlint:.*", "", text), encoding="utf-8")
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


def located(findings: list[dict]) -> list[tuple[str, str, int]]:
    return [(f["rule_id"], f["sink"]["location"]["path"], f["sink"]["location"]["line"]) for f in findings]


# ------------------------------------------------------------------ parsing

def parse(text: str) -> suppressions.Suppression | suppressions.Problem | None:
    return suppressions.parse("a.py", Directive(text, 3, 10))


def test_parse_a_suppression_with_a_reason() -> None:
    parsed = parse("ignore[FL101] reason: written release on file, ticket PRIV-12")
    assert isinstance(parsed, suppressions.Suppression)
    assert parsed.rules == ("FL101",) and parsed.reason == "written release on file, ticket PRIV-12"


@pytest.mark.parametrize(("text", "rules", "reason"), [
    ("ignore[FL101,ACME-150]", ("FL101", "ACME-150"), ""),
    ("ignore[ FL101 , ACME-150 ] reason: both", ("FL101", "ACME-150"), "both"),
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
                                  "ignore[fl101]", "ignore[FL101 ACME-150]", "ignore[FL1O1]", "ignored[FL101]",
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
        """, control=True)
    status, findings, _ = check(tmp_path)
    # the same flow on the same line of control.py is reported: the suppression is records.py's
    assert (status, located(findings)) == (1, [("FL101", "app/control.py", 10)])


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
        """, control=True)
    status, findings, _ = check(tmp_path)
    assert (status, located(findings)) == (1, [("FL101", "app/control.py", 10), ("FL101", "app/control.py", 18)])


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
            db.execute("INSERT INTO people VALUES (?)", (lookup(name),))  # flowlint: ignore[ACME-150] reason: wrong rule


        def audit(name):
            log.info("%s", lookup(name))  # flowlint: ignore[ACME-150, FL101, FL999] reason: logged on purpose
        """)
    status, findings, _ = check(tmp_path)
    assert status == 1
    assert summary(findings) == [("FL101", 10), ("FL902", 10), ("FL902", 14)]
    assert "no ACME-150 finding has its sink on this line" in findings[1]["message"]
    assert "for FL101, FL999" in findings[2]["message"] and "no rule FL999 is loaded" in findings[2]["message"]


def test_malformed_and_misspelt_directives(tmp_path: Path) -> None:
    project(tmp_path, """\
        def save(name):
            db = sqlite3.connect("people.db")
            db.execute("INSERT INTO people VALUES (?)", (lookup(name),))  # flowlint: ignore


        def audit(name):
            log.info("%s", lookup(name))  # flowlint: ignor[ACME-150] reason: typo
        """)
    status, findings, document = check(tmp_path)
    assert status == 1
    assert summary(findings) == [("FL101", 10), ("FL902", 10), ("ACME-150", 14)]
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
        """, control=True)
    result = subprocess.run([sys.executable, "-m", "flowlint", "baseline", "--isolated", "--no-cache", "--policy",
                             "policy.toml", "project", "--output", "baseline.json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    accepted = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))["findings"]
    assert [finding["path"] for finding in accepted] == ["app/control.py"]  # the unsuppressed copy only


# ------------------------------------------------------------------ meta findings in every format

def finding_at(path: str, line: int, rule: str = "FL101", end_line: int | None = None,
               statement: tuple[int, int] | None = None) -> Finding:
    """A finding whose sink spans ``line``..``end_line`` of ``path`` in the statement ``statement``
    (default: the sink's own lines)."""
    end = end_line or line
    return Finding(
        rule_id=rule, rule_name="r", severity="error", message="m", fingerprint=f"{path}:{line}:{rule}",
        citations=(), origin=OriginFacts("o", "p", False, "c"), categories=(), marks=(),
        source=Endpoint("s", Location(path, 1, 1)),
        sink=Endpoint("k", Location(path, line, 5, end, 20), "collection.store"),
        trace=(), sink_statement=statement or (line, end))


def suppress(findings: list[Finding], *directives: tuple[str, int]) -> tuple[list[str], list[str]]:
    """(kept, suppressed) as `path:line` after ``ignore[FL101] reason: r`` at each (path, line)."""
    outcome = suppressions.apply(findings, [(path, Directive("ignore[FL101] reason: r", line, 1))
                                            for path, line in directives], {"FL101", "ACME-150"})
    shown = lambda fs: [f"{f.sink.location.path}:{f.sink.location.line} {f.rule_id}" for f in fs]  # noqa: E731
    return shown(outcome.findings), shown(outcome.suppressed)


def test_a_suppression_applies_only_in_its_own_file() -> None:
    """`ignore[FL101]` on line 4 of a.py leaves FL101 on line 4 of b.py reported."""
    kept, suppressed = suppress([finding_at("a.py", 4), finding_at("b.py", 4)], ("a.py", 4))
    assert (kept, suppressed) == (["b.py:4 FL101"], ["a.py:4 FL101"])


def test_a_suppression_applies_only_to_its_rules() -> None:
    kept, suppressed = suppress([finding_at("a.py", 4), finding_at("a.py", 4, rule="ACME-150")], ("a.py", 4))
    assert (kept, suppressed) == (["a.py:4 ACME-150"], ["a.py:4 FL101"])


@pytest.mark.parametrize(("line", "covered"), [(2, False), (3, True), (4, True), (5, True), (8, True), (9, False)])
def test_a_suppression_covers_the_sink_statement_and_span(line: int, covered: bool) -> None:
    """The sink spans lines 5-6 of a statement on lines 3-8: a directive on any of them applies."""
    finding = finding_at("a.py", 5, end_line=6, statement=(3, 8))
    kept, suppressed = suppress([finding], ("a.py", line))
    if covered:
        assert (kept, suppressed) == ([], ["a.py:5 FL101"])
    else:  # the finding stays, and the directive suppresses nothing (FL902)
        assert (sorted(kept), suppressed) == (sorted(["a.py:5 FL101", f"a.py:{line} FL902"]), [])


@pytest.mark.parametrize(("line", "covered"), [(4, False), (5, True), (6, True), (7, False)])
def test_without_a_statement_the_sink_span_counts(line: int, covered: bool) -> None:
    """A finding whose statement is unknown (0, 0) is covered on the lines of its sink only."""
    kept, suppressed = suppress([finding_at("a.py", 5, end_line=6, statement=(0, 0))], ("a.py", line))
    assert suppressed == (["a.py:5 FL101"] if covered else [])


def test_a_statement_on_the_first_line_of_the_file() -> None:
    kept, suppressed = suppress([finding_at("a.py", 2, statement=(1, 2))], ("a.py", 1))
    assert (kept, suppressed) == ([], ["a.py:2 FL101"])


def unused(text: str, loaded: set[str] | None) -> Finding:
    """The one meta finding of the directive ``text`` at b.py:7 when there is no finding."""
    outcome = suppressions.apply([], [("b.py", Directive(text, 7, 12))], loaded)
    assert len(outcome.findings) == 1 and outcome.suppressed == ()
    return outcome.findings[0]


def test_an_unused_suppression_says_why_for_each_rule() -> None:
    meta = unused("ignore[FL101, FL901, FL999] reason: r", {"FL101", "ACME-150"})
    assert (meta.rule_id, meta.sink.location) == ("FL902", Location("b.py", 7, 12))
    assert meta.message == ("Suppression `ignore[FL101, FL901, FL999]` suppresses nothing for FL101, FL901, FL999: "
                            "no FL101 finding has its sink on this line or statement; FL901 cannot be suppressed "
                            "inline (baseline it instead); no rule FL999 is loaded.")
    # without the list of loaded rules, an unknown rule is just one without a finding there
    assert unused("ignore[FL999] reason: r", None).message == (
        "Suppression `ignore[FL999]` suppresses nothing for FL999: no FL999 finding has its sink on this line or "
        "statement.")


@pytest.mark.parametrize(("text", "message"), [
    ("ignore FL101", "Malformed suppression `ignore FL101`: list the rules it suppresses, as in "
                     "`ignore[FL101] reason: ...`; it suppresses nothing."),
    ("ignore[fl101, FL1O1]", "Malformed suppression `ignore[fl101, FL1O1]`: `fl101`, `FL1O1` is not a rule id "
                             "(rule ids look like FL101…); it suppresses nothing."),
    ("ignore[ , ] reason: r", "Malformed suppression `ignore[ , ] reason: r`: it lists no rule (as in "
                              "`ignore[FL101] reason: ...`); it suppresses nothing."),
])
def test_a_malformed_suppression_is_reported_where_it_is(text: str, message: str) -> None:
    """(`…`: the examples of rule ids may go on.)"""
    meta = unused(text, {"FL101"})
    assert (meta.rule_id, meta.sink.location) == ("FL902", Location("b.py", 7, 12))
    start, _, end = message.partition("…")
    assert meta.message.startswith(start) and meta.message.endswith(end), meta.message


def test_a_meta_finding_points_at_its_directive() -> None:
    directive = Directive("ignore[FL101]", 3, 10)
    meta = suppressions.meta_finding(suppressions.SUPPRESSION_WITHOUT_REASON, "a.py", directive, "m")
    at = Location("a.py", 3, 10)
    assert meta == Finding(
        rule_id="FL901", rule_name="suppression-without-reason", severity="warning", message="m",
        fingerprint=digest("FL901", "flowlint", "ignore[FL101]", "a.py"), citations=(),
        origin=suppressions.META_ORIGIN, categories=(), marks=(), source=Endpoint("# flowlint: ignore[FL101]", at),
        sink=Endpoint("# flowlint: ignore[FL101]", at, "flowlint.directive"), trace=())
    assert meta.sink_statement == (3, 3)


def meta_analysis() -> Analysis:
    directive = Directive("ignore[FL101]", 4, 30)
    finding = replace(finding_at("a.py", 4, end_line=4), fingerprint="0" * 32)
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
    validate_sarif(document)


def test_meta_fingerprints_ignore_line_numbers() -> None:
    first = suppressions.meta_finding(suppressions.UNUSED_SUPPRESSION, "a.py", Directive("ignore", 3, 1), "m")
    moved = suppressions.meta_finding(suppressions.UNUSED_SUPPRESSION, "a.py", Directive("ignore", 30, 5), "m")
    other = suppressions.meta_finding(suppressions.UNUSED_SUPPRESSION, "b.py", Directive("ignore", 3, 1), "m")
    assert first.fingerprint == moved.fingerprint != other.fingerprint
    # and they depend on the rule and on the directive's text (so a baseline keeps them apart)
    text = suppressions.meta_finding(suppressions.UNUSED_SUPPRESSION, "a.py", Directive("ignore[FL101]", 3, 1), "m")
    rule = suppressions.meta_finding(suppressions.SUPPRESSION_WITHOUT_REASON, "a.py", Directive("ignore", 3, 1), "m")
    assert len({first.fingerprint, text.fingerprint, rule.fingerprint}) == 3
