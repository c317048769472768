"""Analysed code and paths never inject markup into any output.

One hostile project (built in a temporary folder) is analysed by the real CLI, once per format:
`check --format text|json|sarif|github|gitlab|junit` and `report --format html|markdown`. Its
folder and file names, dict keys (shown in trace notes), comments and string literals (shown in
the reports' code snippets), identifiers, suppression reasons and its policy's strings (the
provider shows in every message, the citation in every finding) carry payloads for each kind of
output: HTML/XML breakers, Markdown links, raw HTML blocks, code-span and table breakers, GitHub
workflow commands (`%0A::error::`, a literal newline followed by `::set-output`, `::add-mask::`),
ANSI escapes, and a file name with a newline and `%`. The fixture first checks that the flows
really pass through those names, then each test checks one output:

* JSON, SARIF, GitLab: parse, and every hostile string comes back as the same data;
* JUnit: parses with ElementTree, holds only JUnit elements, messages come back as data;
* HTML: no element or attribute from the payloads (the page's only script and style are its own);
* Markdown (the report, GitLab's `content.body`, SARIF's `help.markdown`): outside code spans
  and fences no raw HTML but ours, no link but our `#anchors`, tables keep their columns, no
  heading started by a newline in a message;
* GitHub: one line per annotation starting with `::`, properties and data escaped exactly as
  `@actions/core` does (`%`, CR, LF in data; also `:` and `,` in properties), round-tripping;
* text: no terminal control character reaches the terminal, a newline never starts a line.

`tests/test_formats.py` and `tests/test_report.py` test the renderers in-process (on synthetic
findings, and the reports on one payload); this module is the end-to-end complement through the
CLI, with the payloads above in every place a project can put text.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from test_formats import validate_sarif

from flowlint.report import html as html_report
from flowlint.report.junit import clean as xml_clean

REPO = Path(__file__).resolve().parents[1]

# --- the payloads ------------------------------------------------------------------------------

SCRIPT = "</script><img src=x onerror=alert(1)>"
CDATA = "]]></failure><x>"
ATTR = '"><svg onload=alert(1)>'
MD = "[x](javascript:alert(1)) <details> `tick` | a | b |"
WORKFLOW = "%0A::error::pwned"
NEWLINES = "\n# pwned heading\n::set-output name=x::y\n::add-mask::s"
ESC = "\x1b[31m"

# dict keys: each shows in a trace note as `stored in `r['<key>']`` (notes cut expressions at 40
# characters, so each key carries one payload)
KEYS = ("<img src=x onerror=alert(1)>", "</script><script>alert(1)//", CDATA, ATTR, "[x](javascript:alert(1))",
        "<details>`tick`|a|b|", WORKFLOW, "\n::set-output name=x::y", ESC + "red")
# the hostile module: folders `d"><svg ...>`, `w%0A::error::pwned,a:b <ESC>e`, `m[x](javascript:...)...`
# and `<` (the `/` of `</script>` is a separator), file `script><img src=x onerror=alert(1)>.py`
HOSTILE_FILE = f"d{ATTR}/w{WORKFLOW},a:b {ESC}e/m{MD}{CDATA}/{SCRIPT}.py"
NEWLINE_FILE = "nl\nname%.py"  # a newline and a `%` in a file name (Linux allows both)
COMMENT = f"{SCRIPT} {CDATA} {ATTR} {MD} {WORKFLOW} ::add-mask::secret {ESC}red"
LITERAL = f"hi {SCRIPT}{MD}"
REASON = f"{SCRIPT} {CDATA} {ATTR} {MD} {WORKFLOW} {ESC}"
PROVIDER = f"ScrapeCo {SCRIPT}{CDATA}{ATTR}{MD}{WORKFLOW}{NEWLINES}{ESC}"
CITATION = f"cite {SCRIPT}{MD}{NEWLINES}{ESC}"
BAD_ORIGIN = "]]></failure><x><img/src=x/onerror=alert(1)>"  # an unknown origin: an FL905 diagnostic echoes it

POLICY = f"""\
[policy]
name = {json.dumps("hostile " + SCRIPT)}

[[origins]]
id = "scraped"
provider = {json.dumps(PROVIDER)}
collection = "untargeted-scraping"
lawful = false
categories = ["user.name"]
evidence = [{json.dumps(SCRIPT + MD)}]

[[sources]]
origin = "scraped"
calls = ["taintlib.source"]

[[sinks]]
kind = "collection.store"
calls = ["taintlib.sink"]

[[rules]]
id = "FL101"
name = "unlawful-origin-collected"
severity = "error"
message = "Personal data from {{provider}} reaches {{sink_kind}}."
cite = [{json.dumps(CITATION)}]
[rules.when]
lawful = [false]
sink_kind = ["collection.*"]
"""


def hostile_module() -> str:
    lines = [
        "import taintlib",
        "",
        "",
        "def __strong__(_em_):  # identifiers that are Markdown emphasis",
        f"    taintlib.sink(_em_, {LITERAL!r})  # {COMMENT}",
        "",
        "",
        "def leak():",
        f"    # {COMMENT}",
        "    data = taintlib.source()",
        "    r = {}",
        f"    r[{KEYS[0]!r}] = data",
        *(f"    r[{key!r}] = r[{previous!r}]  # {COMMENT}" for previous, key in zip(KEYS, KEYS[1:])),
        f"    __strong__(r[{KEYS[-1]!r}])",
        "",
        "",
        "def kept():",
        "    value = taintlib.source()",
        f"    taintlib.sink(value)  # flowlint: ignore[FL101] reason: {REASON}",
        "",
        "",
        "def unused():",
        f"    return 1  # flowlint: ignore[FL101] reason: {REASON}",
        "",
        "",
        f"def annotated():  # flowlint: source={BAD_ORIGIN}",
        "    return 1",
        "",
    ]
    return "\n".join(lines)


# --- running the CLI -----------------------------------------------------------------------------

CHECK_FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")
REPORT_FORMATS = ("html", "markdown")


@dataclass(frozen=True)
class Outputs:
    root: Path  # the project
    text: dict[str, str]  # format -> output
    document: dict  # the JSON output, parsed


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def _run_format(base: Path, fmt: str) -> str:
    common = ("--isolated", "--no-cache", "--policy", "policy.toml", "proj")
    if fmt in REPORT_FORMATS:
        out = base / f"report.{fmt}"
        done = run_cli("report", "--format", fmt, "--output", str(out), *common, cwd=base)
        assert done.returncode == 0, done.stderr
        return out.read_text(encoding="utf-8")
    done = run_cli("check", "--format", fmt, *common, cwd=base)
    assert done.returncode == 1, done.stderr  # findings
    return done.stdout


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    base = tmp_path_factory.mktemp("escaping")
    root = base / "proj"
    (root / ".git").mkdir(parents=True)  # its own repository: CI paths equal project paths
    path = root / HOSTILE_FILE
    path.parent.mkdir(parents=True)
    path.write_text(hostile_module(), encoding="utf-8")
    try:
        (root / NEWLINE_FILE).write_text("import taintlib\ntaintlib.sink(taintlib.source())\n", encoding="utf-8")
    except OSError:  # pragma: no cover - a file system without newlines in names
        pytest.skip("the file system does not allow a newline in a file name")
    (base / "policy.toml").write_text(POLICY, encoding="utf-8")
    formats = CHECK_FORMATS + REPORT_FORMATS
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 1))) as pool:
        texts = dict(zip(formats, pool.map(lambda fmt: _run_format(base, fmt), formats)))
    document = json.loads(texts["json"])

    # the payloads really went through the analysis
    findings = document["findings"]
    assert {(f["rule_id"], f["sink"]["location"]["path"]) for f in findings} == {
        ("FL101", HOSTILE_FILE), ("FL101", NEWLINE_FILE), ("FL902", HOSTILE_FILE)}
    notes = [step["note"] for f in findings for step in f["trace"]]
    for key in KEYS:
        assert f"stored in `r[{key!r}]`" in notes, key
    assert "passed to `__strong__()` as `_em_`" in notes
    assert all(f["origin"]["provider"] == PROVIDER for f in findings if f["rule_id"] == "FL101")
    assert all(f["citations"] == [CITATION] for f in findings if f["rule_id"] == "FL101")
    (unused,) = (f for f in findings if f["rule_id"] == "FL902")
    assert unused["sink"]["symbol"] == f"# flowlint: ignore[FL101] reason: {REASON}"
    (annotation,) = document["diagnostics"]
    assert annotation["code"] == "FL905" and BAD_ORIGIN in annotation["message"]
    return Outputs(root, texts, document)


def shown(text: str) -> str:
    """How the reports show project text: ESC (any control but tab and newline) as a placeholder."""
    return text.replace("\x1b", "[U+001B]")


def expected_findings(outputs: Outputs) -> list[dict]:
    return outputs.document["findings"]


# --- JSON-based formats --------------------------------------------------------------------------

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 (but tab and newline) and C1 controls


def test_json_keeps_every_payload_as_data(outputs: Outputs) -> None:
    raw = outputs.text["json"]
    assert not CONTROL.search(raw)  # escaped as \uXXXX by the encoder
    document = outputs.document
    for finding in document["findings"]:
        for location in [finding["source"]["location"], finding["sink"]["location"],
                         *(step["location"] for step in finding["trace"])]:
            assert (outputs.root / location["path"]).is_file(), location["path"]  # paths round-trip exactly
    fl101 = [f for f in document["findings"] if f["rule_id"] == "FL101"]
    assert all(f["message"] == f"Personal data from {PROVIDER} reaches collection.store." for f in fl101)
    assert all(f["trace"][0]["note"] == f"source: `taintlib.source()` (scraped: {PROVIDER})" for f in fl101)


def test_sarif_keeps_every_payload_as_data(outputs: Outputs) -> None:
    raw = outputs.text["sarif"]
    assert not CONTROL.search(raw)
    document = json.loads(raw)
    validate_sarif(document)
    run = document["runs"][0]
    results = run["results"]
    findings = expected_findings(outputs)
    assert len(results) == len(findings)
    for result, finding in zip(results, findings):
        assert result["ruleId"] == finding["rule_id"]
        assert result["message"]["text"] == finding["message"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        # a URI reference: only unreserved, reserved and percent-encoded characters
        assert re.fullmatch(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})+", uri), uri
        assert unquote(uri) == finding["sink"]["location"]["path"]
        steps = result.get("codeFlows", [{"threadFlows": [{"locations": []}]}])[0]["threadFlows"][0]["locations"]
        assert [s["location"]["message"]["text"] for s in steps] == [step["note"] for step in finding["trace"]]
        assert [unquote(s["location"]["physicalLocation"]["artifactLocation"]["uri"]) for s in steps] == [
            step["location"]["path"] for step in finding["trace"]]
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["message"]["text"] == outputs.document["diagnostics"][0]["message"]
    (cited,) = (rule for rule in run["tool"]["driver"]["rules"] if rule["id"] == "FL101")
    assert CITATION in cited["help"]["text"]  # plain text keeps it as it is


def test_gitlab_keeps_every_payload_as_data(outputs: Outputs) -> None:
    raw = outputs.text["gitlab"]
    assert not CONTROL.search(raw)
    issues = json.loads(raw)
    findings = expected_findings(outputs)
    assert len(issues) == len(findings) + len(outputs.document["diagnostics"])
    for issue, finding in zip(issues, findings):
        assert issue["location"]["path"] == finding["sink"]["location"]["path"]
        assert issue["description"] == f"{finding['rule_id']}: {finding['message']}"
    assert issues[-1]["location"]["path"] == HOSTILE_FILE and BAD_ORIGIN in issues[-1]["description"]


# --- Markdown ----------------------------------------------------------------------------------------


def markdown_prose(text: str) -> str:
    """``text`` without its fenced code blocks and inline code spans (CommonMark's matching: a
    span closes at the next backtick run of the same length; a backslash-escaped backtick opens
    nothing), each span replaced by a space. An unclosed fence fails the test: it would swallow
    the rest of the document."""
    lines, fence = [], None
    for line in text.split("\n"):
        stripped = line.lstrip()
        if fence is None:
            match = re.match(r"(`{3,}|~{3,})", stripped)
            if match:
                fence = match.group(1)
                continue
            lines.append(line)
        elif re.fullmatch(re.escape(fence[0]) + "{%d,}[ \t]*" % len(fence), stripped):
            fence = None
    assert fence is None, "a code fence is never closed"
    prose, out, i = "\n".join(lines), [], 0
    while i < len(prose):
        char = prose[i]
        if char == "\\":
            out.append(prose[i:i + 2])
            i += 2
            continue
        if char != "`":
            out.append(char)
            i += 1
            continue
        end = i
        while end < len(prose) and prose[end] == "`":
            end += 1
        closing = re.compile(r"(?<!`)" + "`" * (end - i) + r"(?!`)").search(prose, end)
        if closing is None:  # a literal backtick run
            out.append(prose[i:end])
            i = end
        else:
            out.append(" ")
            i = closing.end()
    return "".join(out)


def _unescaped(text: str, char: str) -> list[int]:
    """Positions of ``char`` not escaped by a backslash."""
    return [m.start() for m in re.finditer(re.escape(char), text)
            if (m.start() - len(text[:m.start()].rstrip("\\"))) % 2 == 0]


def markdown_injections(text: str, allowed_tags: str = r"(?!)") -> list[str]:
    """What in Markdown ``text`` would render as markup that project text could have made: raw
    HTML (but tags matching ``allowed_tags``), links or link definitions to anything but
    ``#anchors``, emphasis from the hostile identifiers, headings from a newline in a message,
    and table rows whose cell count differs from their header's (GFM splits cells on every
    unescaped `|`, in code spans too)."""
    problems = []
    prose = markdown_prose(text)
    for position in _unescaped(prose, "<"):
        tag = re.compile(r"<[A-Za-z/!?][^>\n]*>?").match(prose, position)
        if tag and not re.fullmatch(allowed_tags, tag.group()):
            problems.append(f"raw HTML {tag.group()!r}")
    for position in _unescaped(prose, "]("):
        target = prose[position + 2:].split(")", 1)[0]
        if not target.startswith("#"):
            problems.append(f"link to {target!r}")
    problems += [f"link definition {line!r}" for line in prose.split("\n") if re.match(r" {0,3}\[[^\]\\]*\]:", line)]
    problems += [f"emphasis {m!r}" for m in re.findall(r"__strong__|(?<!\w)_em_(?!\w)", prose)]
    problems += [f"heading {line!r}" for line in prose.split("\n") if re.match(r" {0,3}#+ pwned", line)]
    table: list[int] = []
    for line in text.split("\n") + [""]:
        if line.startswith("|"):
            table.append(len(_unescaped(line, "|")))
        elif table:
            if set(table) != {table[0]}:
                problems.append(f"table with rows of {table} cell separators")
            table = []
    return problems


def test_markdown_helpers_see_injections() -> None:
    """The checker itself: it finds what it is meant to find, and passes inert text."""
    assert markdown_injections("a `<img src=x>` b \\<c> &lt;d&gt; [x](#anchor)") == []
    assert markdown_injections("```python\n<img src=x> [x](javascript:y)\n```\n``a ` <b> ``") == []
    assert markdown_injections("a `b` <img src=x> `c") == ["raw HTML '<img src=x>'"]
    assert markdown_injections("``a`<b>``") == []  # one code span: a run closes only the same length
    assert markdown_injections("`a` <b> ``c`") == ["raw HTML '<b>'"]
    assert markdown_injections("[x](javascript:alert(1))") == ["link to 'javascript:alert(1'"]
    assert markdown_injections("\\[x\\](javascript:alert(1))") == []
    assert markdown_injections("| a | b |\n| --- | --- |\n| `x|y` | z |") == ["table with rows of [3, 3, 4] cell separators"]
    assert markdown_injections("| a | b |\n| --- | --- |\n| `x\\|y` | z |") == []
    assert markdown_injections("x\n# pwned heading") == ["heading '# pwned heading'"]
    assert markdown_injections("__strong__ \\_\\_strong\\_\\_ `__strong__`") == ["emphasis '__strong__'"]
    with pytest.raises(AssertionError):
        markdown_prose("```\nnever closed")


def test_markdown_report_is_inert(outputs: Outputs) -> None:
    text = outputs.text["markdown"]
    assert not CONTROL.search(text)  # ESC shown as [U+001B]
    # the only HTML outside code is the report's own: anchors and line breaks in table cells
    assert markdown_injections(text, allowed_tags=r'<br>|</a>|<a id="(?:rule-fl\d{3}|finding-\d+)">') == []
    prose = markdown_prose(text)
    # the payloads are there, as escaped text ...
    assert "ScrapeCo &lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;\\]\\]&gt;&lt;/failure&gt;&lt;x&gt;" in prose
    assert "\\[x\\](javascript:alert(1))" in prose
    # ... or as code: the file name in a code span, the comment and the string literal in code blocks
    assert f"``{shown(HOSTILE_FILE)}:5:5``" in text
    assert f"# {shown(COMMENT)}" in text and repr(LITERAL) in text
    assert f"reason: {shown(REASON)}" in text  # the suppression reasons, in code
    # the Mermaid graph: quoted labels without quotes or tags inside
    (graph,) = re.findall(r"^```mermaid\n(.*?)\n```$", text, re.S | re.M)
    labels = re.findall(r'"(.*?)"[\])]', graph)
    assert labels and all("<" not in label.replace("<br/>", "") and ">" not in label.replace("<br/>", "")
                          for label in labels)
    assert not re.search(r"^\s*click\b", graph, re.M)


def test_gitlab_markdown_body_is_inert(outputs: Outputs) -> None:
    for issue in json.loads(outputs.text["gitlab"]):
        body = issue.get("content", {}).get("body", "")
        assert markdown_injections(body) == [], issue["check_name"]


def test_sarif_help_markdown_is_inert(outputs: Outputs) -> None:
    for rule in json.loads(outputs.text["sarif"])["runs"][0]["tool"]["driver"]["rules"]:
        assert markdown_injections(rule["help"]["markdown"]) == [], rule["id"]


# --- JUnit ---------------------------------------------------------------------------------------


def test_junit_is_well_formed_and_keeps_payloads_as_data(outputs: Outputs) -> None:
    root = ET.fromstring(outputs.text["junit"])  # raises on anything ill-formed
    assert {element.tag for element in root.iter()} == {"testsuites", "testsuite", "testcase", "failure", "error"}
    findings = expected_findings(outputs)
    failures = root.findall(".//failure")
    assert len(failures) == len(findings)
    assert sorted(f.get("message") for f in failures) == sorted(xml_clean(f["message"]) for f in findings)
    assert {s.get("name") for s in root.findall("testsuite")} == {HOSTILE_FILE.replace("\x1b", "\ufffd"),
                                                                   NEWLINE_FILE}
    for failure in failures:
        assert CITATION.replace("\x1b", "\ufffd") in (failure.text or "") or failure.get("type") == "FL902"
    (error,) = root.findall(".//error")
    assert error.get("message") == outputs.document["diagnostics"][0]["message"]


# --- HTML ----------------------------------------------------------------------------------------


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self.text: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._open = tag if tag in self.raw else None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        (self.raw[self._open] if self._open else self.text).append(data)


def test_html_report_is_inert(outputs: Outputs) -> None:
    text = outputs.text["html"]
    assert not CONTROL.search(text)
    page = Page()
    page.feed(text)
    page.close()
    tags = [tag for tag, _ in page.elements]
    for tag in ("img", "x", "failure", "iframe", "object", "embed", "base", "link", "form"):
        assert tag not in tags, tag
    # the only script and style are the report's own
    assert [attrs for tag, attrs in page.elements if tag == "script"] == [{"id": "flowlint-report-script"}]
    assert "".join(page.raw["script"]) == html_report.SCRIPT and "".join(page.raw["style"]) == html_report.CSS
    (csp,) = [attrs["content"] for tag, attrs in page.elements if attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp == html_report.CSP
    # the flow graph is the only svg, the rationales the only <details>
    assert all("flow-graph" in (attrs.get("class") or "").split() for tag, attrs in page.elements if tag == "svg")
    assert all((attrs.get("class") or "") == "why" for tag, attrs in page.elements if tag == "details")
    handlers = [(tag, name) for tag, attrs in page.elements for name in attrs if name.lower().startswith("on")]
    assert handlers == []
    links = [value for _, attrs in page.elements for name, value in attrs.items()
             if name in ("href", "src", "xlink:href", "action", "formaction")]
    assert all(value and value.startswith("#") for value in links), links
    # the payloads are shown, as text
    visible_text = "".join(page.text)
    for payload in (SCRIPT, ATTR, CDATA, MD, KEYS[0], shown(HOSTILE_FILE),
                    f"reason: {shown(REASON)}", LITERAL, "nl\nname%.py:2:1"):
        assert payload in visible_text, payload
    assert SCRIPT not in text and ATTR not in text  # never raw in the markup


# --- GitHub workflow commands ----------------------------------------------------------------------

COMMAND = re.compile(r"::(?P<name>error|warning|notice)(?: (?P<properties>[^:]*))?::(?P<data>.*)")


def github_unescape(value: str) -> str:
    return re.sub("%(25|0D|0A|3A|2C)", lambda m: {"25": "%", "0D": "\r", "0A": "\n", "3A": ":", "2C": ","}[m.group(1)],
                  value)


def test_github_annotations_are_one_line_each_and_escaped(outputs: Outputs) -> None:
    output = outputs.text["github"]
    assert output.endswith("\n") and "\r" not in output
    lines = output[:-1].split("\n")
    findings, diagnostics = expected_findings(outputs), outputs.document["diagnostics"]
    assert len(lines) == len(findings) + len(diagnostics)
    parsed = []
    for line in lines:
        match = COMMAND.fullmatch(line)
        assert match, line
        properties = dict(item.split("=", 1) for item in match["properties"].split(","))
        for value in properties.values():
            # escaped per @actions/core: `%`, CR, LF in all values; `:` and `,` in properties
            assert not re.search(r"[\r\n:,]|%(?!25|0D|0A|3A|2C)", value), value
        assert not re.search(r"[\r\n]|%(?!25|0D|0A)", match["data"])
        parsed.append((match["name"], {k: github_unescape(v) for k, v in properties.items()},
                       github_unescape(match["data"])))
    for (name, properties, data), finding in zip(parsed, findings):
        assert name == {"error": "error", "warning": "warning", "note": "notice"}[finding["severity"]]
        assert properties["file"] == finding["sink"]["location"]["path"]
        assert properties["line"] == str(finding["sink"]["location"]["line"])
        assert properties["title"] == f"{finding['rule_id']} {finding['rule_name']}"
        trace = [f"  {s['location']['path']}:{s['location']['line']}:{s['location']['column']}  {s['note']}"
                 for s in finding["trace"]]
        assert data == "\n".join([finding["message"], *trace])
    (name, properties, data), diagnostic = parsed[-1], diagnostics[0]
    assert (name, properties["file"], properties["title"], data) == (
        "warning", diagnostic["path"], diagnostic["code"], diagnostic["message"])
    assert "%250A::error::pwned" in output  # a literal %0A stays text


# --- text ----------------------------------------------------------------------------------------


def test_text_output_has_no_terminal_control_characters(outputs: Outputs) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in CONTROL.findall(outputs.text["text"])})
    assert found == []


def test_text_output_keeps_one_line_per_header_and_step(outputs: Outputs) -> None:
    findings, diagnostics = expected_findings(outputs), outputs.document["diagnostics"]
    lines = re.split(r"\r\n|\r|\n", outputs.text["text"].removesuffix("\n"))
    # per finding: its header, its trace steps and a blank line; a line per diagnostic; the summary
    assert len(lines) == sum(len(f["trace"]) + 2 for f in findings) + len(diagnostics) + 1
    assert lines[-1].startswith("Found 3 findings")
