"""The reviewer report (`flowlint.report.reviewer.render_report`, HTML and Markdown).

A small project (`write_project`: three origins — unlawful, unverified, lawful — three findings
in two files, one flow through a transform, one flow no rule flags, one file with a syntax
error) is analysed in-process and rendered; the tests check the golden files, that the numbers
equal those of `flowlint check --format json` run on the same project, that hostile text from
the project is inert in both formats, that the HTML loads nothing from anywhere, the data
inventory, the flow graph's layout and Mermaid text, code snippets and `report_meta`.

To regenerate the golden files after a deliberate change (then review the diff; in that mode
a golden test fails where it rewrote a file and is skipped where nothing changed, so run the
tests again without the variable):

    FLOWLINT_UPDATE_GOLDEN=1 python -m pytest tests/test_report.py
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

from conftest import check_golden
from flowlint import ir
from flowlint.config import load_config
from flowlint.discover import discover
from flowlint.pipeline import Analysis, analyse
from flowlint.policy.load import load_policy
from flowlint.policy.model import Policy
from flowlint.report import graph as flow_graph
from flowlint.report.reviewer import ReportMeta, build_report_data, git_commit, render_report, report_meta
from flowlint.report.snippets import SourceLines, visible
from flowlint.results import Endpoint, Finding, Location, OriginFacts

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "report"
PAYLOAD = "</script><img src=x onerror=alert(1)>"

POLICY = '''\
[policy]
name = "report-test"

[[origins]]
id = "scraper"
provider = "ScrapeCo"
collection = "untargeted-scraping"
lawful = false
categories = ["user.name", "user.biometric.face"]
evidence = ["Regulator decision 2021-001: ScrapeCo collected profiles without consent"]

[[origins]]
id = "broker"
provider = "BrokerCo"
collection = "purchased"
lawful = "unknown"
categories = ["user.contact.email"]

[[origins]]
id = "partner"
provider = "Partner Ltd"
collection = "consented-upload"
lawful = true
categories = ["user.name"]

[[sources]]
origin = "scraper"
calls = ["scrapelib.fetch"]

[[sources]]
origin = "broker"
calls = ["brokerlib.lookup"]

[[sources]]
origin = "partner"
calls = ["partnerlib.get"]

[[transforms]]
calls = ["facelib.encode"]
adds = ["user.biometric.face_template"]

[[sinks]]
kind = "collection.store"
calls = ["sqlite3.connect().execute"]
args = [0, 1]

[[sinks]]
kind = "collection.log"
calls = ["logging.getLogger().info"]

[[sinks]]
kind = "collection.file"
calls = ["open().write"]
args = [0]

[[rules]]
id = "FL101"
name = "unlawful-origin-collected"
severity = "error"
message = "Personal data from {provider} (obtained by {collection}, not lawfully) is collected into {sink_kind} by {sink}."
cite = ["Privacy Act (Canada), R.S.C. 1985, c. P-21, s. 4", "GDPR Art. 5(1)(a) and Art. 6(1)"]
rationale = """
Collecting personal data that its provider obtained unlawfully is itself an unlawful collection.

The collecting organisation answers for it.
"""
[rules.when]
lawful = [false]
sink_kind = ["collection.*"]

[[rules]]
id = "FL102"
name = "unverified-origin-collected"
severity = "warning"
message = "Personal data from {provider}, whose lawfulness has not been verified, is collected into {sink_kind}."
cite = ["GDPR Art. 5(2) (accountability)"]
rationale = "Verify how the provider obtained the data before collecting it."
[rules.when]
lawful = ["unknown"]
sink_kind = ["collection.*"]
'''

PROJECT = {
    "flowlint.toml": 'policies = ["./policy.toml"]\n',
    "policy.toml": POLICY,
    "app/__init__.py": "",
    "app/store.py": '''\
"""Persistence helpers."""

import logging
import sqlite3

log = logging.getLogger("app")


def save_person(name, face):
    db = sqlite3.connect("people.db")
    db.execute("INSERT INTO people VALUES (?, ?)", (name, face))
    log.info("saved %s", name)
''',
    "app/ingest.py": '''\
"""Pulls profiles from the scraper and stores them."""

import facelib
import scrapelib

from app.store import save_person


def ingest(url):
    profile = scrapelib.fetch(url)
    template = facelib.encode(profile.photo)
    save_person(profile.name, template)
''',
    "app/enrich.py": '''\
"""Enriches contacts with a data broker's e-mail addresses."""

import brokerlib


def enrich(person):
    email = brokerlib.lookup(person)
    with open("contacts.txt", "a") as out:
        out.write(email)
''',
    "app/partner.py": '''\
"""Partner data, obtained lawfully: traced, but no rule flags it."""

import sqlite3

import partnerlib


def import_partner():
    record = partnerlib.get()
    db = sqlite3.connect("partner.db")
    db.execute("INSERT INTO partner VALUES (?)", (record,))
''',
    "app/broken.py": "def broken(:\n    pass\n",
}

# hostile text in a file name, a comment, a string literal that flows (and a dict key that shows
# in a trace note), and in policy strings (policy name, provider, citation, evidence)
HOSTILE_POLICY = POLICY.replace('name = "report-test"', f'name = "report-test {PAYLOAD}"') \
    .replace('provider = "ScrapeCo"', f'provider = "ScrapeCo {PAYLOAD}"') \
    .replace('"GDPR Art. 5(2) (accountability)"', f'"GDPR Art. 5(2) {PAYLOAD}"') \
    .replace('evidence = ["Regulator', f'evidence = ["{PAYLOAD} Regulator')
HOSTILE_FILE = f"pkg{PAYLOAD}.py"  # a folder `pkg<` holding `script><img src=x onerror=alert(1)>.py`
HOSTILE = {
    "flowlint.toml": 'policies = ["./policy.toml"]\n',
    "policy.toml": HOSTILE_POLICY,
    HOSTILE_FILE: f'''\
import sqlite3

import brokerlib
import scrapelib


def run():
    # {PAYLOAD}
    data = scrapelib.fetch()
    row = {{}}
    row["{PAYLOAD}"] = data
    db = sqlite3.connect("x.db")
    db.execute("INSERT {PAYLOAD}", (row["{PAYLOAD}"],))  # {PAYLOAD}
    with open("{PAYLOAD}", "w") as out:
        out.write(brokerlib.lookup())
''',
}

FIXED_META = dict(generated_at=datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc),
                  git_commit="0123456789abcdef0123456789abcdef01234567", version="0.1.0",
                  command_line="flowlint report proj --format html --output report.html")


def write_project(root: Path, files: dict[str, str] | None = None) -> Path:
    for relpath, text in (files or PROJECT).items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def analyse_project(root: Path) -> tuple[Analysis, Policy]:
    """What `flowlint check` analyses: the configured policy, the whole project, discovery problems."""
    config = load_config([root])
    policy = load_policy(config.policies, base_dir=config.root)
    files, discovered = discover(config)
    analysis = analyse(files, policy)
    return replace(analysis, diagnostics=tuple(sorted(analysis.diagnostics + tuple(discovered)))), policy


def fixed_meta(root: Path) -> ReportMeta:
    return ReportMeta(project_root=root, **FIXED_META)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Analysis, Policy, ReportMeta]:
    """The small project in `tmp_path/proj`, analysed with the current directory at `tmp_path`
    (so that policy paths and the project root are shown as `proj/...`)."""
    write_project(tmp_path / "proj")
    monkeypatch.chdir(tmp_path)
    analysis, policy = analyse_project(Path("proj"))
    return analysis, policy, fixed_meta(Path("proj"))


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)

    def having(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        out = []
        for name, values in self.elements:
            if name != tag:
                continue
            if all((values.get("class") or "").split().__contains__(v) if k == "class_" else values.get(k) == v
                   for k, v in attrs.items()):
                out.append(values)
        return out


def parse_html(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    parser.close()
    return parser


def strip_markdown_code(text: str) -> str:
    """The Markdown without its fenced blocks (any indentation) and inline code spans."""
    out, fence = [], None
    for line in text.split("\n"):
        stripped = line.lstrip()
        if fence is None:
            match = re.match(r"(`{3,}|~{3,})", stripped)
            if match:
                fence = match.group(1)
                continue
            out.append(line)
        elif stripped.startswith(fence) and not stripped[len(fence):].strip():
            fence = None
    prose = "\n".join(out)
    return re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", prose)


def mermaid_blocks(text: str) -> list[str]:
    return re.findall(r"^```mermaid\n(.*?)\n```$", text, re.S | re.M)


# --- golden files --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, suffix", [("html", "html"), ("markdown", "md")])
def test_golden(project, fmt: str, suffix: str) -> None:
    analysis, policy, meta = project
    check_golden(GOLDEN / f"expected.{suffix}", render_report(analysis, policy, fmt, meta))


# --- the numbers are those of `check --format json` -----------------------------------------------


def test_numbers_equal_check_json(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj")
    done = subprocess.run([sys.executable, "-m", "flowlint", "check", "--no-cache", "--format", "json", str(root)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    expected_rules = Counter(f["rule_id"] for f in document["findings"])
    expected_severities = Counter(f["severity"] for f in document["findings"])
    assert len(document["findings"]) == 3 and len(document["diagnostics"]) == 1  # the project is what we think

    analysis, policy = analyse_project(root)
    meta = fixed_meta(root)
    page = parse_html(render_report(analysis, policy, "html", meta))
    summary = page.having("section", id="summary")[0]
    assert int(summary["data-findings"]) == len(document["findings"])
    assert int(summary["data-diagnostics"]) == len(document["diagnostics"])
    assert int(summary["data-files"]) == document["stats"]["files"]
    articles = page.having("article", class_="finding")
    assert len(articles) == len(document["findings"])
    assert Counter(a["data-rule"] for a in articles) == expected_rules
    assert Counter(a["data-severity"] for a in articles) == expected_severities
    assert sorted(a["data-fingerprint"] for a in articles) == sorted(f["fingerprint"] for f in document["findings"])
    counted = {r["data-rule"]: int(r["data-count"]) for r in page.having("tr", class_="rule-count")}
    assert {k: v for k, v in counted.items() if v} == dict(expected_rules)
    by_severity = {r["data-severity"]: int(r["data-count"]) for r in page.having("tr", class_="severity-count")}
    assert {k: v for k, v in by_severity.items() if v} == dict(expected_severities)
    assert int(page.having("tr", class_="total-count")[0]["data-count"]) == len(document["findings"])
    assert len(page.having("tr", class_="diagnostic")) == len(document["diagnostics"])

    markdown = render_report(analysis, policy, "markdown", meta)
    table = markdown.split("### Findings by rule and severity", 1)[1].split("###", 1)[0]
    rows = dict(re.findall(r"^\| (?:\[)?(FL\d{3})(?:\]\([^)]*\))? \|[^|]*\|[^|]*\| (\d+) \|$", table, re.M))
    assert {k: int(v) for k, v in rows.items() if int(v)} == dict(expected_rules)
    severities = dict(re.findall(r"^\| \*(error|warning|note)\* \|  \|  \| \*(\d+)\* \|$", table, re.M))
    assert {k: int(v) for k, v in severities.items() if int(v)} == dict(expected_severities)
    assert re.search(rf"^\| \*\*total\*\* \|  \|  \| \*\*{len(document['findings'])}\*\* \|$", table, re.M)
    assert len(re.findall(r"^#### Finding \d+: ", markdown, re.M)) == len(document["findings"])
    diagnostics = markdown.split("## Diagnostics", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"^\| `[^`]+:\d+:\d+` \| FL9\d\d \|", diagnostics, re.M)) == len(document["diagnostics"])
    assert f"**{len(document['findings'])} findings** (2 error, 1 warning)" in markdown


# --- hostile project text is inert ------------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Analysis, Policy, ReportMeta]:
    write_project(tmp_path / "proj", HOSTILE)
    monkeypatch.chdir(tmp_path)
    analysis, policy = analyse_project(Path("proj"))
    paths = {f.sink.location.path for f in analysis.findings}
    assert paths == {HOSTILE_FILE}, "the hostile file name must be analysed and flagged"
    assert {f.rule_id for f in analysis.findings} == {"FL101", "FL102"}
    assert any(PAYLOAD in step.note for f in analysis.findings for step in f.trace)
    return analysis, policy, fixed_meta(Path("proj"))


def test_hostile_text_is_inert_in_html(hostile) -> None:
    analysis, policy, meta = hostile
    text = render_report(analysis, policy, "html", meta)
    page = parse_html(text)
    tags = [tag for tag, _ in page.elements]
    assert "img" not in tags
    scripts = page.having("script")
    assert len(scripts) == 1 and scripts[0].get("id") == "flowlint-report-script"
    handlers = [(tag, name) for tag, attrs in page.elements for name in attrs if name.lower().startswith("on")]
    assert handlers == []
    shown = "".join(page.text)
    # shown as text: in the file name, the comment, the string literal, the trace note, the policy strings
    assert shown.count(PAYLOAD) >= 8
    for where in (f"ScrapeCo {PAYLOAD}", f"# {PAYLOAD}", f'"INSERT {PAYLOAD}"', f"report-test {PAYLOAD}",
                  f"GDPR Art. 5(2) {PAYLOAD}", f"{HOSTILE_FILE}:13:5"):
        assert where in shown, where
    assert PAYLOAD not in text  # never raw in the markup
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in text


def test_hostile_text_is_inert_in_markdown(hostile) -> None:
    analysis, policy, meta = hostile
    text = render_report(analysis, policy, "markdown", meta)
    prose = strip_markdown_code(text)
    for raw in ("<img", "<script", "</script", "onerror=alert(1)>"):
        assert raw not in prose, raw
    # the only HTML outside code is ours
    tags = set(re.findall(r"<[^>]*>", prose))
    assert tags and all(re.fullmatch(r'<br>|</a>|<a id="(rule-fl\d{3}|finding-\d+)">', tag) for tag in tags), tags
    assert "ScrapeCo &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in prose  # escaped text
    assert f"`{HOSTILE_FILE}:13:5`" in text  # and in code
    assert f"# {PAYLOAD}" in text.split("```python", 1)[1]  # the comment, in a code block
    (graph,) = mermaid_blocks(text)
    assert "<img" not in graph and "script>" not in graph and '"' not in re.sub(r'\["|"\]|\(\["|"\]\)|\[\("|"\)\]', "", graph)
    assert "ScrapeCo #60;/script#62;#60;img src=x" in graph and "#60;img src=x onerror=alert(1)#62;.py" in graph


def test_markdown_text_escaping() -> None:
    from flowlint.report.markdown import _c, _t

    assert _t("a *b* _c_ [d](e) <f> & |g| `h` #i ~j~") == \
        r"a \*b\* \_c\_ \[d\](e) &lt;f&gt; &amp; \|g\| \`h\` \#i \~j\~"
    assert _t("- not a list") == r"\- not a list"
    assert _t("1. not a list") == r"1\. not a list"
    assert _t("0.1.0") == "0.1.0"
    assert _c("a`b") == "``a`b``"
    assert _c("`x`") == "`` `x` ``"
    assert _c("a|b", table=True) == r"`a\|b`"
    assert _c("line\nbreak") == "`line break`"


# --- self-contained HTML ----------------------------------------------------------------------------


def test_html_loads_nothing_and_allows_only_its_own_script(project) -> None:
    analysis, policy, meta = project
    text = render_report(analysis, policy, "html", meta)
    page = parse_html(text)
    for tag, attrs in page.elements:
        assert tag not in ("link", "iframe", "object", "embed", "img", "base", "frame", "audio", "video", "source")
        assert "src" not in attrs and "srcset" not in attrs, tag
        assert not (attrs.get("href") or "#").strip() or (attrs.get("href") or "#").startswith("#"), attrs
        for name, value in attrs.items():
            assert "http:" not in (value or "") and "https:" not in (value or ""), (tag, name)
    assert re.findall(r"url\(([^)]*)\)", text) and all(u.startswith("#") for u in re.findall(r"url\(([^)]*)\)", text))
    assert "@import" not in text and "@font-face" not in text
    (csp,) = [a["content"] for a in page.having("meta") if (a.get("http-equiv") or "").lower() == "content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    (script,) = page.scripts
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp  # the page's one script is exactly the allowed one
    assert "@media print" in text
    assert text.startswith("<!DOCTYPE html>") and text.count("<html") == 1


def test_html_sections_and_content(project) -> None:
    analysis, policy, meta = project
    page = parse_html(render_report(analysis, policy, "html", meta))
    ids = {attrs.get("id") for _, attrs in page.elements}
    assert {"summary", "findings", "by-origin", "inventory", "graph", "diagnostics", "directives", "policy"} <= ids
    shown = "".join(page.text)
    for fact in ("flowlint 0.1.0", "2024-05-01T12:00:00+00:00", "0123456789abcdef0123456789abcdef01234567",
                 "flowlint report proj --format html --output report.html", "report-test", "proj/policy.toml",
                 "Regulator decision 2021-001", "Privacy Act (Canada), R.S.C. 1985, c. P-21, s. 4",
                 "The collecting organisation answers for it.", "app/broken.py:1:12", "FL903"):
        assert fact in shown, fact
    # findings grouped by rule, each with its trace as numbered steps with highlighted code
    groups = page.having("section", class_="rule-group")
    assert [g["data-rule"] for g in groups] == ["FL101", "FL102"]
    finding = page.having("article", id="finding-2")[0]
    assert finding["data-origin"] == "scraper" and finding["data-rule"] == "FL101"
    assert len(page.having("li", class_="step")) == sum(len(f.trace) for f in analysis.findings)
    repeated = "".join(page.text).count("(same line as step ")  # a step on the previous step's line shows no code again
    assert repeated and len(page.having("span", class_="hl")) + repeated >= sum(len(f.trace) for f in analysis.findings)
    assert 'db.execute("INSERT INTO people VALUES (?, ?)", (name, face))' in shown
    # the origin filter: one option per origin with findings
    options = [o["value"] for o in page.having("option")]
    assert options == ["", "broker", "scraper"]


def test_trace_steps_show_code_with_the_step_line_marked(project) -> None:
    analysis, policy, meta = project
    data = build_report_data(analysis, policy, meta)
    view = next(v for v in data.findings if v.finding.sink.location.path == "app/store.py"
                and v.finding.sink.location.line == 11)
    assert [s.number for s in view.steps] == list(range(1, len(view.finding.trace) + 1))
    source, sink = view.steps[0], view.steps[-1]
    assert source.snippet.path == "app/ingest.py"
    marked = [(n, text) for n, text, hl in source.snippet.numbered() if hl]
    assert marked == [(10, "    profile = scrapelib.fetch(url)")]
    assert [n for n, _, _ in source.snippet.numbered()] == [8, 9, 10, 11, 12]
    assert [n for n, _, hl in sink.snippet.numbered() if hl] == [11]
    markdown = render_report(analysis, policy, "markdown", meta)
    assert "   > 10 |     profile = scrapelib.fetch(url)" in markdown


# --- the data inventory -----------------------------------------------------------------------------


def test_inventory_lists_every_flow_including_unflagged(project) -> None:
    analysis, policy, meta = project
    data = build_report_data(analysis, policy, meta)
    rows = {(r.origin, r.category, r.sink_kind): r for r in data.inventory}
    # one row per origin x category x sink kind of the traced flows
    expected = {(f.label.origin, c, f.sink.kind) for f in analysis.flows for c in f.label.categories}
    assert set(rows) == expected
    partner = rows[("partner", "user.name", "collection.store")]
    assert partner.rules == () and partner.sinks[0].location.path == "app/partner.py"
    assert rows[("broker", "user.contact.email", "collection.file")].rules == ("FL102",)
    template = rows[("scraper", "user.biometric.face_template", "collection.store")]
    assert template.rules == ("FL101",) and template.sinks[0].anchors
    page = parse_html(render_report(analysis, policy, "html", meta))
    unflagged = page.having("tr", class_="unflagged")
    assert [(r["data-origin"], r["data-category"], r["data-kind"]) for r in unflagged] == \
        [("partner", "user.name", "collection.store")]
    assert len(page.having("tr", class_="flagged")) == len(rows) - 1
    markdown = render_report(analysis, policy, "markdown", meta)
    inventory = markdown.split("## Data inventory", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"^\| [^-]", inventory, re.M)) - 1 == len(rows)  # minus the header
    assert "| Partner Ltd (`partner`) | true | `user.name` | collection.store |" in inventory
    assert inventory.count("no rule fires") == 2


def test_inventory_says_when_a_firing_rule_was_not_reported(project) -> None:
    analysis, policy, meta = project
    store = next(f for f in analysis.findings if f.sink.symbol == "sqlite3.connect().execute")
    log = next(f for f in analysis.findings if f.sink.symbol == "logging.getLogger().info")
    directive = ir.Directive("ignore[FL101] reason: anonymised upstream", log.sink.location.line, 22)
    narrowed = replace(analysis, findings=tuple(f for f in analysis.findings if f not in (store, log)),
                       directives=((log.sink.location.path, directive),))
    data = build_report_data(narrowed, policy, meta)
    notes = {s.symbol: s.unreported for r in data.inventory if r.origin == "scraper" for s in r.sinks}
    assert notes["sqlite3.connect().execute"] == ("FL101 not reported (baseline or scope)",)
    assert notes["logging.getLogger().info"] == (f"FL101 suppressed (line {log.sink.location.line})",)
    assert all(not r.rules for r in data.inventory if r.origin == "scraper")
    text = render_report(narrowed, policy, "html", meta)
    assert "FL101 suppressed (line 12)" in text and "suppression" in text


def test_findings_without_a_trace_render(project) -> None:
    """Findings about `# flowlint:` comments (FL901/FL902) have no trace and no data origin."""
    analysis, policy, meta = project
    where = Location("app/store.py", 12, 5)
    meta_finding = Finding(
        rule_id="FL902", rule_name="unused-suppression", severity="warning", message="Suppression suppresses nothing.",
        fingerprint="f" * 32, citations=(), origin=OriginFacts("flowlint", "flowlint", True, "none"),
        categories=(), marks=(), source=Endpoint("# flowlint: ignore[FL103]", where),
        sink=Endpoint("# flowlint: ignore[FL103]", where, "flowlint.directive"), trace=())
    extended = replace(analysis, findings=analysis.findings + (meta_finding,))
    data = build_report_data(extended, policy, meta)
    assert [o.id for o in data.origins] == ["broker", "partner", "scraper"]  # "flowlint" is no data origin
    assert [v.finding.rule_id for v in data.other_findings] == ["FL902"]
    assert ("FL902", "unused-suppression", "warning", 1) in data.rule_counts
    page = parse_html(render_report(extended, policy, "html", meta))
    (article,) = [a for a in page.having("article", class_="finding") if a["data-rule"] == "FL902"]
    assert article["data-origin"] == "-"
    assert 'log.info("saved %s", name)' in "".join(page.text)
    markdown = render_report(extended, policy, "markdown", meta)
    assert "- **Comment:** `# flowlint: ignore[FL103]` at `app/store.py:12:5`" in markdown
    assert "| *warning* |  |  | *2* |" in markdown


def test_report_of_a_project_without_flows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_project(tmp_path / "proj", {"flowlint.toml": PROJECT["flowlint.toml"], "policy.toml": POLICY,
                                      "main.py": "print('hello')\n"})
    monkeypatch.chdir(tmp_path)
    analysis, policy = analyse_project(Path("proj"))
    meta = replace(fixed_meta(Path("proj")), git_commit=None)
    text = render_report(analysis, policy, "html", meta)
    assert "No findings" in text and "nothing to draw" in text and "not a git repository" in text
    page = parse_html(text)
    assert page.having("section", id="summary")[0]["data-findings"] == "0"
    markdown = render_report(analysis, policy, "markdown", meta)
    assert "No findings" in markdown and "```mermaid" not in markdown and "**0 findings**" in markdown


def test_unknown_format_is_an_error(project) -> None:
    analysis, policy, meta = project
    with pytest.raises(ValueError, match="unknown report format"):
        render_report(analysis, policy, "pdf", meta)  # type: ignore[arg-type]


# --- the flow graph -------------------------------------------------------------------------------


def test_flow_graph_of_the_project(project) -> None:
    analysis, policy, meta = project
    data = build_report_data(analysis, policy, meta)
    graph = data.graph
    kinds = Counter(graph.nodes[n]["kind"] for n in graph)
    assert kinds == {"origin": 3, "source": 3, "transform": 1, "sink": 4}
    transform = next(n for n in graph if graph.nodes[n]["kind"] == "transform")
    assert graph.nodes[transform]["title"] == "transform: facelib.encode()"
    partner_sink = next(n for n in graph if graph.nodes[n]["kind"] == "sink" and "partner.py" in n)
    (edge,) = graph.in_edges(partner_sink)
    assert graph.edges[edge]["severity"] is None  # no rule fires: drawn dashed and grey
    flagged = [e for e in graph.edges if graph.edges[e]["severity"] == "error"]
    assert flagged and all(graph.edges[e]["rules"] == {"FL101"} for e in flagged)
    svg = flow_graph.svg(graph, data.layout)
    assert svg.count('<g class="node ') == graph.number_of_nodes()
    assert svg.count("<path class=\"edge\"") == graph.number_of_edges()
    assert 'stroke-dasharray="5 4"' in svg


def _synthetic_graph(origins: int, sources: int, transforms: int, sinks: int, edges: int, seed: int = 7) -> nx.DiGraph:
    import random

    rng = random.Random(seed)
    graph = nx.DiGraph()

    def node(name: str, kind: str) -> None:
        graph.add_node(name, kind=kind, title=f"{kind} {name}", detail=f"app/{name}.py:1", tooltip=name, sort=(0, name))

    for i in range(origins):
        node(f"o{i}", "origin")
    for i in range(sources):
        node(f"s{i}", "source")
        graph.add_edge(f"o{i % origins}", f"s{i}", flows=1, severity="error", rules=frozenset({"FL101"}))
    for i in range(transforms):
        node(f"t{i}", "transform")
    for i in range(sinks):
        node(f"k{i}", "sink")
    for _ in range(edges):
        source, sink = f"s{rng.randrange(sources)}", f"k{rng.randrange(sinks)}"
        if transforms and rng.random() < 0.3:
            middle = f"t{rng.randrange(transforms)}"
            graph.add_edge(source, middle, flows=1, severity=None, rules=frozenset())
            graph.add_edge(middle, sink, flows=1, severity=None, rules=frozenset())
        else:
            graph.add_edge(source, sink, flows=1, severity=None, rules=frozenset())
    return graph


def _overlaps(a, b) -> bool:
    return abs(a.y - b.y) < (a.height + b.height) / 2 - 0.01 and a.x < b.x + b.width and b.x < a.x + a.width


def test_layout_of_dozens_of_nodes_is_layered_and_does_not_overlap() -> None:
    graph = _synthetic_graph(origins=4, sources=20, transforms=8, sinks=30, edges=70)
    placed = flow_graph.layout(graph)
    boxes = placed.boxes
    assert set(placed.nodes_in_order()) == set(graph.nodes)
    last = len(placed.layers) - 1
    for node in graph:
        kind = graph.nodes[node]["kind"]
        if kind == "origin":
            assert boxes[node].layer == 0
        if kind == "sink":
            assert boxes[node].layer == last
    for u, v in graph.edges:  # edges go left to right
        assert boxes[u].layer < boxes[v].layer
        route = placed.routes[(u, v)]
        assert route[0] == (boxes[u].x + boxes[u].width, boxes[u].y) and route[-1] == (boxes[v].x, boxes[v].y)
        assert all(a[0] <= b[0] for a, b in zip(route, route[1:]))
    real = [boxes[n] for n in graph]
    for i, a in enumerate(real):
        assert a.x >= 0 and a.y - a.height / 2 >= 0
        assert a.x + a.width <= placed.width and a.y + a.height / 2 <= placed.height
        for b in real[i + 1:]:
            assert not _overlaps(a, b), (a.node, b.node)
    for column in placed.layers:  # order within a column is top to bottom, dummies included
        ys = [boxes[n].y for n in column]
        assert ys == sorted(ys)


def test_layout_reduces_crossings() -> None:
    """Two origins whose sources are listed crosswise: the barycentre sweeps uncross them."""
    graph = nx.DiGraph()
    for name, kind, sort in [("oA", "origin", (0, "a")), ("oB", "origin", (0, "b")), ("sA", "source", (1, "z")),
                             ("sB", "source", (1, "a")), ("kA", "sink", (4, "z")), ("kB", "sink", (4, "a"))]:
        graph.add_node(name, kind=kind, title=name, detail=name, tooltip=name, sort=sort)
    for u, v in [("oA", "sA"), ("oB", "sB"), ("sA", "kA"), ("sB", "kB")]:
        graph.add_edge(u, v, flows=1, severity=None, rules=frozenset())
    placed = flow_graph.layout(graph)
    down = {u: [v for v in graph.successors(u)] for u in graph}
    assert sum(flow_graph._crossings(placed.layers[i], placed.layers[i + 1], down)
               for i in range(len(placed.layers) - 1)) == 0


def test_crossing_count() -> None:
    down = {"a": ["y"], "b": ["x"], "c": ["x", "y"]}
    assert flow_graph._crossings(["a", "b"], ["x", "y"], down) == 1
    assert flow_graph._crossings(["a", "b", "c"], ["x", "y"], down) == 2
    assert flow_graph._crossings(["b", "a"], ["x", "y"], down) == 0


def test_layout_handles_cycles_and_long_edges() -> None:
    graph = nx.DiGraph()
    for name, kind in [("o", "origin"), ("s", "source"), ("t1", "transform"), ("t2", "transform"), ("k", "sink")]:
        graph.add_node(name, kind=kind, title=name, detail=name, tooltip=name, sort=(0, name))
    for u, v in [("o", "s"), ("s", "t1"), ("t1", "t2"), ("t2", "t1"), ("t2", "k"), ("s", "k")]:
        graph.add_edge(u, v, flows=1, severity=None, rules=frozenset())
    placed = flow_graph.layout(graph)
    assert set(placed.routes) == set(graph.edges)
    assert placed.boxes["k"].layer == max(b.layer for b in placed.boxes.values())
    assert any(b.dummy for b in placed.boxes.values())  # s -> k spans the transforms' columns
    assert len(placed.routes[("s", "k")]) > 2
    svg = flow_graph.svg(graph, placed)
    assert svg.count("<path class=\"edge\"") == graph.number_of_edges()


def test_isotonic_placement_keeps_order_and_gaps() -> None:
    assert flow_graph._isotonic([0.0, 0.0, 0.0], [10.0, 10.0]) == [-10.0, 0.0, 10.0]
    assert flow_graph._isotonic([0.0, 50.0], [10.0]) == [0.0, 50.0]
    assert flow_graph._isotonic([5.0, 0.0], [4.0]) == [0.5, 4.5]


def test_empty_graph() -> None:
    placed = flow_graph.layout(nx.DiGraph())
    assert placed.boxes == {} and placed.width == 0


MERMAID_NODE = re.compile(r'^  n\d+(\(\["|\["|\{\{"|\[\(")[^"\n]*("\]\)|"\]|"\}\}|"\)\])$')
MERMAID_EDGE = re.compile(r"^  n\d+ (==>|-\.->) n\d+$")
MERMAID_STYLE = re.compile(r"^  (classDef \w+ [-\w:#,.]+|class [n\d,]+ \w+|linkStyle [\d,]+ stroke:#[0-9a-f]{6})$")


def test_mermaid_text_is_well_formed_and_labels_are_entity_coded(project) -> None:
    analysis, policy, meta = project
    data = build_report_data(analysis, policy, meta)
    text = flow_graph.mermaid(data.graph, data.layout)
    lines = text.split("\n")
    assert lines[0] == "flowchart LR"
    nodes = [line for line in lines if MERMAID_NODE.match(line)]
    edges = [line for line in lines if MERMAID_EDGE.match(line)]
    styles = [line for line in lines if MERMAID_STYLE.match(line)]
    assert len(nodes) == data.graph.number_of_nodes() and len(edges) == data.graph.number_of_edges()
    assert len(nodes) + len(edges) + len(styles) == len(lines) - 1
    assert flow_graph.mermaid_text('a"b<c>#d`e;f[g]{h}|i') == "a#34;b#60;c#62;#35;d#96;e#59;f#91;g#93;#123;h#125;#124;i"
    markdown = render_report(analysis, policy, "markdown", meta)
    assert mermaid_blocks(markdown) == [text]


# --- snippets ------------------------------------------------------------------------------------------


def test_snippets_number_lines_as_python_does(tmp_path: Path) -> None:
    (tmp_path / "crlf.py").write_bytes(b"a = 1\r\nb = 2\rc = 3\nd = '\x0c'\ne = 5\n")
    (tmp_path / "latin.py").write_bytes("# -*- coding: latin-1 -*-\nname = 'Zo\xeb'\n".encode("latin-1"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.py").write_text("x = 1\n", encoding="utf-8")
    lines = SourceLines(tmp_path)
    snippet = lines.snippet("crlf.py", 3, context=1)
    assert snippet.numbered() == [(2, "b = 2", False), (3, "c = 3", True), (4, "d = '\x0c'", False)]
    assert lines.snippet("latin.py", 2).lines[-1] == "name = 'Zoë'"
    assert lines.snippet("sub/m.py", 1).lines == ("x = 1",)
    assert lines.snippet("missing.py", 1) is None
    assert lines.snippet("crlf.py", 99) is None
    assert lines.snippet("../outside.py", 1) is None and lines.snippet("/etc/passwd", 1) is None
    long = lines.snippet("crlf.py", 1, end_line=5, max_marked=2)
    assert long.marked == (1, 2)


def test_visible_shows_invisible_and_bidi_characters() -> None:
    assert visible("a\u202eb\x1b[0m\tc") == "a[U+202E]b[U+001B][0m\tc"
    assert visible("ok\n") == "ok\n"
    assert visible("\ud800") == "\ufffd"


# --- report_meta ----------------------------------------------------------------------------------------


def test_report_meta_outside_a_repository(tmp_path: Path) -> None:
    meta = report_meta(tmp_path, ["flowlint", "report", "my project", "--format", "html"],
                       now=datetime(2024, 1, 2, 3, 4, 5, 678, tzinfo=timezone.utc))
    assert meta.git_commit is None
    assert meta.command_line == "flowlint report 'my project' --format html"
    assert meta.generated_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert meta.project_root == tmp_path
    from flowlint import __version__

    assert meta.version == __version__


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_report_meta_in_a_repository(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, env=env)
    assert git_commit(tmp_path) is None  # no commit yet
    subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                    "commit", "-q", "--allow-empty", "-m", "x"], check=True, env=env)
    head = subprocess.run(["git", "-C", str(tmp_path), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True, env=env).stdout.strip()
    (tmp_path / "sub").mkdir()
    assert report_meta(tmp_path / "sub").git_commit == head


def test_report_meta_without_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert report_meta(tmp_path).git_commit is None
    assert report_meta(tmp_path / "does-not-exist").git_commit is None
