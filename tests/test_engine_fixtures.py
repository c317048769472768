"""Every engine fixture: expected findings found, nothing else flagged, xfails still failing, and
no diagnostic (a fixture is a clean project: a syntax error or an unreadable file would drop its
expectations and its findings together, and the case would pass on nothing). Then the rules
themselves (`flowlint.rules`) on one small project: each condition key, `unless`, the message."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from engine_fixtures import ROOT, SHARED_POLICY, cases, diagnostics, run_case
from flowlint.discover import SourceFile
from flowlint.pipeline import analyse
from flowlint.policy.load import load_policy
from flowlint.policy.model import Condition, Rule, Sink
from flowlint.results import Endpoint, Finding, Location, OriginFacts, digest

CASES = cases()
# Cases that are about diagnostics: the exact `path:line: code` each must report (the messages
# are checked by tests/test_annotations.py). Every other case must report none.
DIAGNOSTICS = {
    "annotations/bad_annotations.py": ["bad_annotations.py:6: FL905", "bad_annotations.py:10: FL905",
                                       "bad_annotations.py:14: FL905"],
}


def problems_of(case: Path) -> list[str]:
    """What is wrong with a case's run: missed and unexpected findings, xfails now found, and
    diagnostics other than those `DIAGNOSTICS` declares for it."""
    result = run_case(case)
    problems = []
    if result.missing():
        problems.append("missed: " + "; ".join(result.missing()))
    if result.unexpected():
        problems.append("false alarms: " + "; ".join(result.unexpected()))
    if result.xpassed():
        problems.append("xfail now found (turn it into expect): " + "; ".join(result.xpassed()))
    declared = DIAGNOSTICS.get(f"{case.parent.name}/{case.name}", [])
    reported = result.diagnostics()
    if [d.split(" ", 2)[:2] for d in reported] != [d.split(" ") for d in declared]:
        problems.append("diagnostics (a fixture must be a clean file): " + "; ".join(reported)
                        + (f" (declared: {'; '.join(declared)})" if declared else ""))
    return problems


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(ROOT)) for c in CASES])
def test_fixture(case: Path) -> None:
    problems = problems_of(case)
    assert not problems, "\n".join(problems)


def test_fixture_suite_size() -> None:
    assert len(CASES) >= 40
    assert set(DIAGNOSTICS) <= {c.relative_to(ROOT).as_posix() for c in CASES}


BROKEN = ROOT / "basics" / "direct.py"


def test_a_fixture_that_stops_tokenizing_fails(tmp_path: Path) -> None:
    """The issue's case: `x = (` appended to a fixture hid its expectations (the file became an
    FL903 and the case passed on nothing)."""
    case = tmp_path / "basics" / "direct.py"
    case.parent.mkdir()
    text = BROKEN.read_text(encoding="utf-8")
    assert "# expect:" in text
    case.write_text(text, encoding="utf-8")
    assert problems_of(case) == []  # control: the copy passes as the fixture does
    case.write_text(text + "x = (\n", encoding="utf-8")
    with pytest.raises(ValueError, match="does not tokenize"):
        problems_of(case)


def test_a_fixture_with_a_syntax_error_fails(tmp_path: Path) -> None:
    """A file that tokenizes but does not parse keeps its comments, loses its findings, and is
    reported as FL903: both show."""
    case = tmp_path / "basics" / "direct.py"
    case.parent.mkdir()
    case.write_text(BROKEN.read_text(encoding="utf-8") + "x = = 1\n", encoding="utf-8")
    problems = problems_of(case)
    assert any(p.startswith("missed: ") for p in problems), problems
    assert any(p.startswith("diagnostics ") and "FL903" in p for p in problems), problems


# --- the rules themselves (flowlint/rules.py): each condition key, `unless`, the message ---------

RULES_PROJECT = '''\
import taintlib


def scraped():
    taintlib.sink(taintlib.source())


def brokered():
    taintlib.store_for(taintlib.unknown_source())


def scraped_for_analytics():
    taintlib.store_for(taintlib.source())


def disclosed():
    taintlib.send(taintlib.source())


def consented(person):
    if taintlib.has_consent(person):
        taintlib.sink(taintlib.face_source())


def merged(flag):
    row = taintlib.source()
    if flag:
        row = taintlib.face_encode(row)
    taintlib.sink(row)
'''
SCRAPED, BROKERED, PURPOSED, DISCLOSED, CONSENTED, MERGED = 5, 9, 13, 17, 22, 29
ALL_SINKS = {SCRAPED, BROKERED, PURPOSED, DISCLOSED, CONSENTED, MERGED}
# every placeholder a rule's message may use, and one it may not (kept as written)
MESSAGE = "{provider}|{collection}|{origin}|{lawful}|{sink_kind}|{categories}|{source}|{sink}|{marks}|{purpose}|{nope}"


def rules_findings(tmp_path: Path, rules: dict[str, tuple[Condition, Condition | None]],
                   prefix: str = "") -> list[Finding]:
    """The findings of ``prefix`` + RULES_PROJECT under the engine fixtures' policy, with a sink
    `taintlib.store_for` for the purpose "analytics", broker data obtained for that purpose, and
    ``rules`` (id -> when, unless) instead of the policy's own."""
    base = load_policy([SHARED_POLICY], base_dir=ROOT)
    policy = replace(
        base,
        origins=tuple(replace(o, purposes=("analytics",)) if o.id == "broker" else o for o in base.origins),
        sinks=base.sinks + (Sink(kind="collection.store", calls=("taintlib.store_for",), purpose="analytics"),),
        rules=tuple(Rule(id=rule_id, name=rule_id.lower(), severity="warning", message=MESSAGE,
                         cite=(f"{rule_id} cite",), when=when, unless=unless)
                    for rule_id, (when, unless) in rules.items()))
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "project.py"
    path.write_text(prefix + RULES_PROJECT, encoding="utf-8")
    analysis = analyse([SourceFile(path, path.name, path.stem, False)], policy)
    assert diagnostics(analysis) == []
    return list(analysis.findings)


def fired(findings: list[Finding]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for finding in findings:
        out.setdefault(finding.rule_id, set()).add(finding.sink.location.line)
    return out


def test_each_condition_key_selects_its_flows(tmp_path: Path) -> None:
    rules = {
        "ANY": (Condition(), None),  # the control: every flow is a finding
        "LAWFUL": (Condition(lawful=(False,)), None),
        "UNVERIFIED": (Condition(lawful=("unknown",)), None),
        "NEVER": (Condition(lawful=()), None),  # an empty list matches nothing
        "KIND": (Condition(sink_kind=("disclosure.*",)), None),
        "CATEGORY": (Condition(categories=("user.contact.*",)), None),
        "COLLECTION": (Condition(collection=("purch*",)), None),
        "ORIGIN": (Condition(origin=("scr*",)), None),
        "MARKS": (Condition(marks=("consent.*",)), None),
        "PURPOSE": (Condition(purpose_incompatible=(True,)), None),
        "NO-PURPOSE-CLASH": (Condition(purpose_incompatible=(False,)), None),
        "TWO-KEYS": (Condition(lawful=(False,), sink_kind=("collection.*",)), None),
        "UNLESS-COLLECTION": (Condition(sink_kind=("collection.*",)), Condition(collection=("untargeted-*",))),
        "UNLESS-LAWFUL": (Condition(), Condition(lawful=(False, True))),
    }
    assert fired(rules_findings(tmp_path, rules)) == {
        "ANY": ALL_SINKS,
        "LAWFUL": {SCRAPED, PURPOSED, DISCLOSED, MERGED},
        "UNVERIFIED": {BROKERED},
        "KIND": {DISCLOSED},
        "CATEGORY": {BROKERED},
        "COLLECTION": {BROKERED},
        "ORIGIN": {SCRAPED, PURPOSED, DISCLOSED, MERGED},
        "MARKS": {CONSENTED},
        "PURPOSE": {PURPOSED},  # analytics, but the scraper's data was obtained for no purpose
        "NO-PURPOSE-CLASH": ALL_SINKS - {PURPOSED},  # no purpose at the sink, or the origin's own
        "TWO-KEYS": {SCRAPED, PURPOSED, MERGED},
        "UNLESS-COLLECTION": {BROKERED, CONSENTED},
        "UNLESS-LAWFUL": {BROKERED},
    }


def test_the_message_fills_in_the_flow_s_facts(tmp_path: Path) -> None:
    findings = {f.sink.location.line: f for f in rules_findings(tmp_path, {"ANY": (Condition(), None)})}
    assert findings[PURPOSED].message == (
        "ScrapeCo|untargeted-scraping|scraped|false|collection.store|user.name, user.social_profile|taintlib.source|"
        "taintlib.store_for|none|analytics|{nope}")
    assert findings[BROKERED].message.split("|")[:4] == ["BrokerCo", "purchased", "broker", "unknown"]
    consented = findings[CONSENTED]
    assert consented.message.split("|")[3:] == ["true", "collection.store", "user.biometric.face",
                                                "taintlib.face_source", "taintlib.sink", "consent.written",
                                                "unspecified", "{nope}"]
    assert consented.marks == ("consent.written",) and consented.origin.id == "faces"


def test_a_finding_carries_the_flow_s_facts(tmp_path: Path) -> None:
    findings = rules_findings(tmp_path, {"ANY": (Condition(), None), "LAWFUL": (Condition(lawful=(False,)), None)})
    purposed = next(f for f in findings if f.rule_id == "ANY" and f.sink.location.line == PURPOSED)
    assert (purposed.rule_name, purposed.severity, purposed.citations) == ("any", "warning", ("ANY cite",))
    assert purposed.origin == OriginFacts("scraped", "ScrapeCo", False, "untargeted-scraping")
    assert (purposed.categories, purposed.marks) == (("user.name", "user.social_profile"), ())
    assert purposed.source == Endpoint("taintlib.source", Location("project.py", PURPOSED, 24, PURPOSED, 41))
    assert purposed.sink == Endpoint("taintlib.store_for", Location("project.py", PURPOSED, 5, PURPOSED, 42),
                                     "collection.store")
    assert (purposed.sink_purpose, purposed.sink_statement) == ("analytics", (PURPOSED, PURPOSED))
    assert [(s.location, s.kind) for s in purposed.trace] == [
        (Location("project.py", PURPOSED, 24), "source"), (Location("project.py", PURPOSED, 5), "sink")]
    assert all(step.note for step in purposed.trace)
    # two flows from one source site to one sink (one through a transform): one finding, with the
    # categories of both and the shorter trace
    merged = next(f for f in findings if f.rule_id == "ANY" and f.sink.location.line == MERGED)
    assert merged.categories == ("user.biometric.face_template", "user.name", "user.social_profile")
    assert [(s.location.line, s.kind) for s in merged.trace] == [(26, "source"), (26, "step"), (MERGED, "sink")]
    assert len([f for f in findings if f.sink.location.line == MERGED]) == 2  # one per rule
    # the fingerprint is (rule, origin, source symbol, sink symbol, path), as DESIGN.md says: no line
    # numbers, so baselines survive edits above a finding, and the same from one version to the next
    assert purposed.fingerprint == digest("ANY", "scraped", "taintlib.source", "taintlib.store_for", "project.py")
    moved = rules_findings(tmp_path / "moved", {"ANY": (Condition(), None)}, prefix="\n\n")
    assert sorted(f.fingerprint for f in findings if f.rule_id == "ANY") == sorted(f.fingerprint for f in moved)
