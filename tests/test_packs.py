"""The shipped policy packs: they validate, their rules' examples behave, and their models
(sinks, sources, propagators, transforms) find the flows in `tests/packs/*.py`.

A case in `tests/packs/` is a one-module project analysed with every shipped pack, in the
convention of the engine fixtures (tests/engine_fixtures.py): `# expect: FL101` on a sink line
(a finding of that rule must have its sink there), `# xfail: FL101` for a known gap of the engine
(counted, not failed; it fails once it passes, so it is turned into an `expect`); a line may
have both (`# expect: FL102  # xfail: FL201`). Every other line must have no finding.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    import tomli as tomllib  # type: ignore[no-redef]

from engine_fixtures import CaseResult, _comments, _EXPECT
from flowlint.discover import SourceFile
from flowlint.pipeline import analyse
from flowlint.policy.load import load_policy
from flowlint.policy.model import Policy, Rule
from flowlint.policy.packs import pack_names, pack_path

REPO = Path(__file__).parent.parent
CASES_DIR = Path(__file__).parent / "packs"
CASES = sorted(CASES_DIR.glob("*.py"))
PACKS = pack_names()
JURISDICTIONS = ("ca-privacy", "eu-gdpr", "eu-ai-act", "us-il-bipa", "us-ca-ccpa")
CATALOGUE = ("FL101", "FL102", "FL103", "FL104", "FL201", "FL202", "FL203", "FL301")


@cache
def every_pack() -> Policy:
    return load_policy(PACKS, REPO)


@cache
def pack(name: str) -> Policy:
    return load_policy([name], REPO)


def pack_data(name: str) -> dict:
    return tomllib.loads(pack_path(name).read_text(encoding="utf-8"))


# --- the packs validate -----------------------------------------------------------------------------


def test_the_issue_s_packs_are_shipped() -> None:
    assert {"core", "scrapers", *JURISDICTIONS} <= set(PACKS)


@pytest.mark.parametrize("name", PACKS)
def test_each_pack_validates_alone(name: str) -> None:
    policy = pack(name)
    assert [file.name for file in policy.files] == [name]


def test_all_packs_validate_together_and_are_listed(tmp_path: Path) -> None:
    policy = every_pack()
    assert sorted(file.name for file in policy.files) == sorted(PACKS)
    assert {rule.id for rule in policy.rules} == set(CATALOGUE)
    result = subprocess.run([sys.executable, "-m", "flowlint", "policy", "list", "--isolated"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (0, "")
    for name in PACKS:
        assert f"  {name}  <pack {name}>  sha256:" in result.stdout
    assert "  FL202  scraped-faces-into-recognition-database  error  (defined in " in result.stdout


def test_core_alone_has_the_lawfulness_rules() -> None:
    assert [rule.id for rule in pack("core").rules] == ["FL101", "FL102", "FL103", "FL104"]


def test_catalogue_placement() -> None:
    """Which pack defines which rule (ids are a contract; the placement follows the law)."""
    defined = {name: [rule.id for rule in pack(name).rules] for name in PACKS}
    assert defined["ca-privacy"] == ["FL101", "FL102", "FL103", "FL104", "FL201", "FL202", "FL203", "FL301"]
    assert defined["eu-gdpr"] == ["FL101", "FL102", "FL103", "FL104", "FL201", "FL202", "FL203", "FL301"]
    assert defined["eu-ai-act"] == ["FL202"]
    assert defined["us-il-bipa"] == ["FL201", "FL202", "FL203"]
    assert defined["us-ca-ccpa"] == ["FL201", "FL301"]
    assert defined["scrapers"] == []


@pytest.mark.parametrize("name", [name for name in PACKS if pack_data(name).get("rules")])
def test_every_rule_definition_is_cited_explained_and_exemplified(name: str) -> None:
    for rule in pack(name).rules:
        assert rule.cite, f"{name} {rule.id}: no citations"
        assert all(re.search(r"\d", cite) for cite in rule.cite), f"{name} {rule.id}: a citation without an article, section or date"
        assert len(rule.rationale.split()) >= 30, f"{name} {rule.id}: the rationale is not a paragraph"
        assert rule.flagged_example.strip() and rule.clean_example.strip(), f"{name} {rule.id}: examples missing"


def test_every_copy_of_a_rule_has_the_same_examples() -> None:
    """Each pack carries the rule's examples (so `explain` has them whatever the selection);
    the copies are identical, so the merged rule shows the same ones."""
    for rule in every_pack().rules:
        for name in PACKS:
            for copy in pack(name).rules:
                if copy.id == rule.id:
                    assert (copy.flagged_example, copy.clean_example) == (rule.flagged_example, rule.clean_example), \
                        f"{name} {rule.id}"


def test_merged_rules_keep_every_pack_s_citations() -> None:
    merged = {rule.id: rule for rule in every_pack().rules}
    for name in PACKS:
        for rule in pack(name).rules:
            assert set(rule.cite) <= set(merged[rule.id].cite)
            assert rule.rationale.strip() in merged[rule.id].rationale


# --- origins ------------------------------------------------------------------------------------------


def test_every_origin_states_its_evidence() -> None:
    for origin in every_pack().origins:
        assert origin.evidence, origin.id
        assert origin.collection in ("scraping", "untargeted-scraping", "platform-api", "data-broker"), origin.id
        if origin.lawful == "unknown":
            assert any("unknown" in text for text in origin.evidence), f"{origin.id}: say why lawfulness is unknown"
        else:
            assert any(re.search(r"\d{4}-\d{2}-\d{2}", text) for text in origin.evidence), f"{origin.id}: a dated decision"


def test_every_origin_has_a_source() -> None:
    policy = every_pack()
    assert {source.origin for source in policy.sources} == {origin.id for origin in policy.origins}


def test_disclosure_rules_mirror_each_other() -> None:
    """FL104 is FL103 for origins of unknown lawfulness: every pack that defines one defines both,
    with the same sink kinds, each with its own citations."""
    for name in PACKS:
        rules = {rule.id: rule for rule in pack(name).rules}
        assert ("FL103" in rules) == ("FL104" in rules), name
        if "FL103" in rules:
            unlawful, unverified = rules["FL103"], rules["FL104"]
            assert (unlawful.when.lawful, unverified.when.lawful) == ((False,), ("unknown",))
            assert unlawful.when.sink_kind == unverified.when.sink_kind == ("disclosure.*",)
            assert unverified.severity == "warning" and unverified.cite


def test_social_network_pages_fetched_by_url_are_unlawful_but_their_official_apis_are_not() -> None:
    policy = every_pack()
    pages = {"linkedin_web": "www.linkedin.com", "facebook_web": "www.facebook.com", "instagram_web": "www.instagram.com",
             "x_web": "x.com", "vk_web": "vk.com", "tiktok_web": "www.tiktok.com"}
    for origin_id, host in pages.items():
        origin = policy.origin(origin_id)
        assert (origin.lawful, origin.collection) == (False, "scraping"), origin_id
        assert any("terms" in text.lower() or "agreement" in text.lower() for text in origin.evidence), origin_id
        urls = [url for source in policy.sources if source.origin == origin_id for url in source.urls]
        assert f"https://{host}/*" in urls, origin_id
    official = ("api.linkedin.com", "graph.facebook.com", "graph.instagram.com", "api.x.com", "api.twitter.com", "api.vk.com")
    for source in policy.sources:
        if source.origin in pages:
            assert not any(host in url for url in source.urls for host in official), source.origin


def test_people_data_labs_is_an_unverified_broker() -> None:
    origin = every_pack().origin("peopledatalabs")
    assert (origin.lawful, origin.collection) == ("unknown", "data-broker")


def test_the_face_search_vendor_template_validates_when_uncommented(tmp_path: Path) -> None:
    text = pack_path("scrapers").read_text(encoding="utf-8")
    template = text[text.index("# [[origins]]"):]
    lines = [line[2:] if line.startswith("# ") else "" for line in template.splitlines()]
    (tmp_path / "vendor.toml").write_text('[policy]\nname = "vendor"\n' + "\n".join(lines), encoding="utf-8")
    policy = load_policy(["vendor.toml"], tmp_path)
    assert [(origin.id, origin.lawful, origin.collection) for origin in policy.origins] == [
        ("clearview", False, "untargeted-scraping")]
    assert policy.sources[0].calls


# --- the rules' examples, through the real command line -----------------------------------------------


def run_check(tmp_path: Path, code: str) -> list[dict]:
    project = tmp_path / "project"
    project.mkdir()
    (project / "example.py").write_text(code, encoding="utf-8")
    command = [sys.executable, "-m", "flowlint", "check", "--isolated", "--format", "json",
               *(arg for name in PACKS for arg in ("--policy", name)), str(project)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), result.stderr
    report = json.loads(result.stdout)
    assert report["diagnostics"] == []
    return report["findings"]


def example_rules() -> list[Rule]:
    return [rule for rule in every_pack().rules if rule.flagged_example or rule.clean_example]


@pytest.mark.parametrize("rule", example_rules(), ids=lambda rule: rule.id)
def test_flagged_example_is_flagged(rule: Rule, tmp_path: Path) -> None:
    findings = run_check(tmp_path, rule.flagged_example)
    fired = [finding for finding in findings if finding["rule_id"] == rule.id]
    assert fired, f"{rule.id} did not fire on its flagged example; findings: {findings}"
    assert all(finding["citations"] == list(rule.cite) for finding in fired)


@pytest.mark.parametrize("rule", example_rules(), ids=lambda rule: rule.id)
def test_clean_example_is_not_flagged(rule: Rule, tmp_path: Path) -> None:
    findings = run_check(tmp_path, rule.clean_example)
    assert [finding for finding in findings if finding["rule_id"] == rule.id] == []


def test_every_catalogue_rule_has_examples() -> None:
    assert {rule.id for rule in example_rules()} == set(CATALOGUE)


# --- the models: tests/packs/*.py -------------------------------------------------------------------


def run_case(case: Path) -> CaseResult:
    result = CaseResult(case.stem, "packs")
    file = SourceFile(case, case.name, case.stem, False)
    for line, comment in _comments(case.read_text(encoding="utf-8")):
        for match in _EXPECT.finditer(comment):  # a line may have both `expect:` and `xfail:`
            rules = {rule.strip() for rule in match.group(2).split(",") if rule.strip()}
            table = result.expected if match.group(1) == "expect" else result.xfail
            table.setdefault((file.relpath, line), set()).update(rules)
    result.analysis = analyse([file], every_pack())
    for finding in result.analysis.findings:
        result.found.setdefault((finding.sink.location.path, finding.sink.location.line), set()).add(finding.rule_id)
    assert not result.analysis.diagnostics, result.analysis.diagnostics
    return result


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_pack_case(case: Path) -> None:
    result = run_case(case)
    problems = []
    if result.missing():
        problems.append("missed: " + "; ".join(result.missing()))
    if result.unexpected():
        problems.append("false alarms: " + "; ".join(result.unexpected()))
    if result.xpassed():
        problems.append("xfail now found (turn it into expect): " + "; ".join(result.xpassed()))
    assert not problems, "\n".join(problems)


def test_every_origin_and_every_sink_kind_is_exercised_by_a_case() -> None:
    origins, kinds = set(), set()
    for case in CASES:
        for finding in run_case(case).analysis.findings:
            origins.add(finding.origin.id)
            kinds.add(finding.sink.kind)
    policy = every_pack()
    assert origins == {origin.id for origin in policy.origins}
    assert kinds == {sink.kind for sink in policy.sinks}


def test_every_case_expects_findings() -> None:
    assert len(CASES) >= 10
    for case in CASES:
        assert "# expect:" in case.read_text(encoding="utf-8"), case.name


# --- docs ---------------------------------------------------------------------------------------------


def test_the_rule_catalogue_is_generated_from_the_packs(monkeypatch: pytest.MonkeyPatch) -> None:
    from flowlint.docs import rules_markdown

    monkeypatch.chdir(REPO)
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(), "docs/rules.md is out of date: run `python -m flowlint.docs`"


def test_the_policy_guide_s_examples_validate(tmp_path: Path) -> None:
    """docs/policies.md builds one vendor policy step by step (and shows an endpoint origin);
    together its snippets are valid."""
    guide = (REPO / "docs" / "policies.md").read_text(encoding="utf-8")
    snippets = [block for block in re.findall(r"```toml\n(.*?)```", guide, re.S) if "[tool.flowlint]" not in block]
    (tmp_path / "vendors.toml").write_text("\n".join(snippets), encoding="utf-8")
    policy = load_policy(["vendors.toml"], tmp_path)
    assert [origin.id for origin in policy.origins] == ["facefinder", "vk"]
    assert [rule.id for rule in policy.rules] == ["ACME-501"]
