"""The CI formats: golden files for every `check --format`, SARIF schema and GitHub rules,
escaping of hostile text, and the `--output`, `--fail-on`, `--exit-zero` options.

Golden files: `tests/golden/project/` (three findings in two files with a ten-step trace, and
one suppressed flow) is analysed with `tests/golden/policy.toml` by the real CLI in a
subprocess, from a copy in a temporary folder (with an empty `.git` so repository-relative
paths do not depend on where the copy lives), and compared with `tests/golden/expected.<fmt>`
after replacing what legitimately varies: the temporary folder's path and URI, JSON's
`stats.seconds` and JUnit's `time`.

To regenerate the golden files after a deliberate change (then review the diff; in that mode
a golden test fails where it rewrote a file and is skipped where nothing changed, so run the
tests again without the variable):

    FLOWLINT_UPDATE_GOLDEN=1 python -m pytest tests/test_formats.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from flowlint.pipeline import Analysis
from flowlint.policy.load import load_policy
from flowlint.report import github, gitlab, junit, sarif
from flowlint.report.paths import repository_prefix
from conftest import check_golden
from flowlint.results import Diagnostic, Endpoint, Finding, Location, OriginFacts, TraceStep

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "schemas" / "sarif-schema-2.1.0.json"
FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")


def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def golden_copy(tmp_path: Path) -> Path:
    """tests/golden/{project,policy.toml} copied into ``tmp_path``; the project is its own repository."""
    shutil.copytree(GOLDEN / "project", tmp_path / "project", ignore=shutil.ignore_patterns(".flowlint_cache", "__pycache__"))
    shutil.copy(GOLDEN / "policy.toml", tmp_path / "policy.toml")
    (tmp_path / "project" / ".git").mkdir()
    return tmp_path


def check(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("check", "--isolated", "--no-cache", "--policy", "policy.toml", "project", *extra, cwd=tmp_path)


def normalise(text: str, tmp_path: Path) -> str:
    text = text.replace(tmp_path.as_uri(), "file:///TMP").replace(str(tmp_path), "/TMP")
    text = re.sub(r'("seconds": )[0-9.]+', r"\g<1>0.0", text)
    return re.sub(r'(<testsuites [^>]*time=")[0-9.]+"', r'\g<1>0.000"', text)


def schema_missing() -> str | None:
    """Why the SARIF 2.1.0 schema (in the shared/ folder beside the repository) cannot be used,
    or None. CI (``CI`` set) always has that folder, so there a missing schema fails the test."""
    if SCHEMA.is_file():
        return None
    message = f"SARIF schema not found at {SCHEMA} (the shared/ folder beside the repository)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}: CI must validate SARIF against it")
    return message


def validate_sarif(document: dict) -> None:
    """Validate ``document`` against the SARIF schema. Without the schema (outside CI) only this
    check is left out, with a warning: the calling test's other assertions still run."""
    import jsonschema  # a test dependency (pyproject's `test` extra)

    missing = schema_missing()
    if missing:
        warnings.warn(f"{missing}: SARIF not validated against the schema", stacklevel=2)
        return
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))


# ------------------------------------------------------------------ golden files

@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str, tmp_path: Path) -> None:
    result = check(golden_copy(tmp_path), "--format", fmt)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    check_golden(GOLDEN / f"expected.{fmt}", normalise(result.stdout, tmp_path))


def test_update_mode_never_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FLOWLINT_UPDATE_GOLDEN=1 writes the golden file and fails (changed) or skips (unchanged)."""
    import conftest

    golden = tmp_path / "expected.text"
    with pytest.raises(AssertionError):  # control: out of update mode a missing file fails
        check_golden(golden, "new\n")
    monkeypatch.setattr(conftest, "UPDATE_GOLDEN", True)
    with pytest.raises(pytest.fail.Exception, match="created"):
        check_golden(golden, "new\n")
    assert golden.read_text(encoding="utf-8") == "new\n"
    with pytest.raises(pytest.skip.Exception, match="unchanged"):
        check_golden(golden, "new\n")
    with pytest.raises(pytest.fail.Exception, match="rewrote"):
        check_golden(golden, "newer\n")


def test_golden_project_has_the_cases_it_promises(tmp_path: Path) -> None:
    document = json.loads(check(golden_copy(tmp_path), "--format", "json").stdout)
    findings = document["findings"]
    assert sorted((f["rule_id"], f["severity"]) for f in findings) == [
        ("ACME-150", "warning"), ("ACME-190", "note"), ("FL101", "error")]
    assert {f["sink"]["location"]["path"] for f in findings} == {"app/records.py", "app/export.py"}
    assert max(len(f["trace"]) for f in findings) >= 5
    assert all(f["sink"]["location"]["line"] != 24 for f in findings)  # the suppressed flow in archive()


# ------------------------------------------------------------------ SARIF

def golden_sarif(tmp_path: Path) -> dict:
    return json.loads(check(golden_copy(tmp_path), "--format", "sarif").stdout)


def test_sarif_validates_against_the_schema(tmp_path: Path) -> None:
    import jsonschema

    missing = schema_missing()
    if missing:
        pytest.skip(missing)
    document = golden_sarif(tmp_path)
    validate_sarif(document)
    with pytest.raises(jsonschema.ValidationError):  # control: the schema does reject a bad document
        validate_sarif({**document, "runs": [{**document["runs"][0], "results": [{"level": "fatal"}]}]})


def test_sarif_meets_github_code_scanning_rules(tmp_path: Path) -> None:
    document = golden_sarif(tmp_path)
    assert document["$schema"] and document["version"] == "2.1.0"
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "flowlint" and driver["version"] and driver["informationUri"].startswith("https://")
    rules = {rule["id"]: rule for rule in driver["rules"]}
    assert {"FL101", "ACME-150", "ACME-190", "FL901", "FL902"} <= set(rules)
    fl101 = rules["FL101"]
    assert fl101["name"] == "unlawful-origin-stored"
    assert fl101["shortDescription"]["text"] and fl101["fullDescription"]["text"]
    assert "Privacy Act (Canada)" in fl101["help"]["text"] and "Privacy Act (Canada)" in fl101["help"]["markdown"]
    assert fl101["helpUri"].startswith("https://")
    assert fl101["properties"]["security-severity"] == "8.0" and "security" in fl101["properties"]["tags"]
    assert rules["ACME-150"]["properties"]["security-severity"] == "5.0"
    assert rules["ACME-190"]["properties"]["security-severity"] == "2.0"
    assert "security-severity" not in rules["FL901"]["properties"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "project").as_uri() + "/"
    assert len(run["results"]) == 3
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note") and result["message"]["text"]
        sink = result["locations"][0]["physicalLocation"]
        assert sink["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert sink["artifactLocation"]["uri"] in ("app/records.py", "app/export.py")
        assert sink["region"]["startLine"] >= 1 and sink["region"]["startColumn"] >= 1
        steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
        assert len(steps) >= 5
        assert steps[0]["location"]["message"]["text"].startswith("source:")
        assert steps[-1]["location"]["physicalLocation"]["region"]["startLine"] == sink["region"]["startLine"]
        assert all(step["location"]["message"]["text"] for step in steps)
        assert result["relatedLocations"][0]["physicalLocation"] == {
            **steps[0]["location"]["physicalLocation"],
            "region": result["relatedLocations"][0]["physicalLocation"]["region"]}
        assert set(result["partialFingerprints"]) == {"primaryLocationLineHash", "flowlint/v1"}
        assert re.fullmatch(r"[0-9a-f]+:[0-9]+", result["partialFingerprints"]["primaryLocationLineHash"])


def test_sarif_line_hash_is_githubs_for_the_sink_line(tmp_path: Path) -> None:
    document = golden_sarif(tmp_path)
    for result in document["runs"][0]["results"]:
        location = result["locations"][0]["physicalLocation"]
        text = (tmp_path / "project" / location["artifactLocation"]["uri"]).read_text(encoding="utf-8")
        expected = sarif.line_hashes(text)[location["region"]["startLine"] - 1]
        assert result["partialFingerprints"]["primaryLocationLineHash"] == expected


def test_sarif_for_the_shipped_example_validates() -> None:
    result = run_cli("check", "--no-cache", "--format", "sarif", REPO / "examples" / "rcmp-case", cwd=REPO)
    assert result.returncode == 1, result.stderr
    document = json.loads(result.stdout)
    validate_sarif(document)
    results = document["runs"][0]["results"]
    assert results and all(r["codeFlows"][0]["threadFlows"][0]["locations"] for r in results)
    # URIs are relative to the repository holding the example ("examples/rcmp-case/..." in a clone)
    prefix = repository_prefix(REPO / "examples" / "rcmp-case")
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(prefix + "agency/")
               for r in results)


# the vectors of github/codeql-action src/fingerprints.test.ts
HASH_VECTORS = [
    ("", ["c129715d7a2bc9a3:1"]),
    (" a\nb\n  \t\tc\n d", ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
    (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
     ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1",
      "b86d3392aea1be30:1", "e6ceba753e1a442:1"]),
    *[(text, ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
              "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"])
      for text in (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n",
                   " hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r",
                   " hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n",
                   " hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n")],
    ("Lorem ipsum dolor sit amet.\n" * 10,
     ["a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:2", "a7f2ff13bc495cf2:3", "a7f2ff13bc495cf2:4",
      "a7f2ff13bc495cf2:5", "a7f2ff13bc495cf2:6", "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1",
      "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"]),
    ("x = 2\nx = 1\nprint(x)\nx = 3\nprint(x)\nx = 4\nprint(x)\n",
     ["e54938cc54b302f1:1", "bb609acbe9138d60:1", "1131fd5871777f34:1", "5c482a0f8b35ea28:1",
      "54517377da7028d2:1", "2c644846cb18d53e:1", "f1b89f20de0d133:1", "c129715d7a2bc9a3:1"]),
]


@pytest.mark.parametrize(("text", "expected"), HASH_VECTORS)
def test_line_hashes_match_githubs_upload_action(text: str, expected: list[str]) -> None:
    assert sarif.line_hashes(text) == expected


def test_repository_relative_paths(tmp_path: Path) -> None:
    """A project in a sub-folder of a repository: CI formats use repository-relative paths."""
    golden_copy(tmp_path)
    shutil.move(tmp_path / "project" / ".git", tmp_path / ".git")
    document = json.loads(check(tmp_path, "--format", "sarif").stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris == {"project/app/records.py", "project/app/export.py"}
    assert document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    assert "file=project/app/records.py," in check(tmp_path, "--format", "github").stdout
    assert {i["location"]["path"] for i in json.loads(check(tmp_path, "--format", "gitlab").stdout)} == uris
    assert 'file="project/app/export.py"' in check(tmp_path, "--format", "junit").stdout
    # text and JSON keep the DESIGN.md contract: paths relative to the project root
    assert json.loads(check(tmp_path, "--format", "json").stdout)["findings"][0]["sink"]["location"]["path"].startswith("app/")


# ------------------------------------------------------------------ options

def test_output_writes_the_file_and_nothing_on_stdout(tmp_path: Path) -> None:
    result = check(golden_copy(tmp_path), "--format", "sarif", "--output", "reports/flowlint.sarif")
    assert result.returncode == 1 and result.stdout == ""
    assert json.loads((tmp_path / "reports" / "flowlint.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_exit_zero_and_fail_on(tmp_path: Path) -> None:
    golden_copy(tmp_path)
    assert check(tmp_path, "--exit-zero").returncode == 0
    assert check(tmp_path, "--fail-on", "never").returncode == 0
    # only the warning rule's flow
    (tmp_path / "project" / "app" / "records.py").write_text(
        "import logging\nfrom app.vendor import lookup\n\n\ndef audit(name):\n"
        "    logging.getLogger('x').info('%s', lookup(name))\n", encoding="utf-8")
    (tmp_path / "project" / "app" / "export.py").unlink()
    assert check(tmp_path).returncode == 0  # default: fail on error
    assert check(tmp_path, "--fail-on", "error").returncode == 0
    assert check(tmp_path, "--fail-on", "warning").returncode == 1
    assert check(tmp_path, "--fail-on", "note").returncode == 1
    assert check(tmp_path, "--fail-on", "warning", "--exit-zero").returncode == 0


def test_clean_project_in_every_format(tmp_path: Path) -> None:
    golden_copy(tmp_path)
    app = tmp_path / "project" / "app"
    for name in ("records.py", "export.py"):  # the same sinks and source, with no data between them
        code = (app / name).read_text(encoding="utf-8").replace("lookup(name)", "[name]")
        (app / name).write_text(re.sub(r"  # flowlint: ignore\[.*", "", code), encoding="utf-8")
    outputs = {fmt: check(tmp_path, "--format", fmt) for fmt in FORMATS}
    assert all(result.returncode == 0 for result in outputs.values()), {f: r.stderr for f, r in outputs.items()}
    assert outputs["github"].stdout == ""
    assert json.loads(outputs["gitlab"].stdout) == []
    document = json.loads(outputs["sarif"].stdout)
    validate_sarif(document)
    assert document["runs"][0]["results"] == []
    suites = ET.fromstring(outputs["junit"].stdout)
    cases = suites.findall(".//testcase")
    assert len(cases) == 1 and not list(cases[0]) and suites.get("failures") == "0"


# ------------------------------------------------------------------ hostile text

EVIL = "</script><img src=x onerror=alert(1)> %0A\nline two\r\n::error::injected, a:b <![CDATA[ x ]]> \x1b\x00"
EVIL_PATH = "evil dir/</script>%0A,a:b::x]]>.py"


def evil_analysis() -> Analysis:
    sink = Location(EVIL_PATH, 3, 5, 3, 20)
    source = Location("app/ok.py", 1, 1, 1, 10)
    finding = Finding(
        rule_id="FL101", rule_name="unlawful-origin-stored", severity="error", message=f"message {EVIL}",
        fingerprint="f" * 32, citations=(f"cite {EVIL}",),
        origin=OriginFacts("o", f"provider {EVIL}", False, "scraping"), categories=("user.name",), marks=(),
        source=Endpoint(f"symbol {EVIL}", source), sink=Endpoint(f"sink {EVIL}", sink, "collection.store"),
        trace=(TraceStep(source, "source", f"note {EVIL}"), TraceStep(sink, "sink", f"reaches {EVIL}")),
        sink_statement=(3, 3))
    diagnostic = Diagnostic(EVIL_PATH, 1, 1, "FL903", f"syntax error: {EVIL}")
    return Analysis(findings=(finding,), flows=(), diagnostics=(diagnostic,), files=2, functions=1, seconds=0.1)


def test_github_annotations_stay_one_command_a_line() -> None:
    output = github.render(evil_analysis())
    lines = output.splitlines()
    assert len(lines) == 2 and all(line.startswith(("::error ", "::warning ")) for line in lines)
    for line in lines:
        properties, _, message = line[2:].partition("::")
        name, _, properties = properties.partition(" ")
        assert "\n" not in message and "\r" not in message and "::" not in properties
        # every property is key=value with the value's `,` and `:` escaped
        pairs = dict(item.split("=", 1) for item in properties.split(","))
        assert set(pairs) <= {"file", "line", "endLine", "col", "endColumn", "title"}
        assert github_unescape(pairs["file"]) == EVIL_PATH
    assert "%250A" in output  # a literal %0A in the text is not turned into a newline
    assert github_unescape(lines[0].split("::", 2)[2]).startswith(f"message {EVIL}\n")


def github_unescape(value: str) -> str:
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, char)
    return value


def test_junit_is_well_formed_and_inert() -> None:
    output = junit.render(evil_analysis())
    root = ET.fromstring(output)  # raises on anything ill-formed
    assert not root.findall(".//script") and not root.findall(".//img")
    failure = root.find(".//failure")
    assert failure is not None
    assert failure.get("message", "").startswith("message </script><img src=x onerror=alert(1)> %0A\nline two")
    assert "<![CDATA[ x ]]>" in (failure.text or "")
    assert root.find(".//error") is not None
    assert "\x00" not in output and "\x1b" not in output


def test_sarif_and_gitlab_keep_hostile_text_as_data() -> None:
    policy = load_policy([str(GOLDEN / "policy.toml")], base_dir=REPO)
    document = json.loads(sarif.render(evil_analysis(), policy))
    validate_sarif(document)
    result = document["runs"][0]["results"][0]
    assert result["message"]["text"] == f"message {EVIL}"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "evil%20dir/%3C/script%3E%250A%2Ca%3Ab%3A%3Ax%5D%5D%3E.py")
    notes = [s["location"]["message"]["text"] for s in result["codeFlows"][0]["threadFlows"][0]["locations"]]
    assert notes == [f"note {EVIL}", f"reaches {EVIL}"]
    issues = json.loads(gitlab.render(evil_analysis()))
    assert issues[0]["location"]["path"] == EVIL_PATH and EVIL in issues[0]["description"]


def test_diagnostics_appear_in_every_ci_format() -> None:
    analysis = evil_analysis()
    document = json.loads(sarif.render(analysis))
    notification = document["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]
    assert notification["descriptor"]["id"] == "FL903" and notification["level"] == "warning"
    assert "title=FL903" in github.render(analysis)
    assert any(issue["check_name"] == "FL903" for issue in json.loads(gitlab.render(analysis)))
    assert ET.fromstring(junit.render(analysis)).find(".//error").get("type") == "FL903"  # type: ignore[union-attr]


def test_gitlab_fingerprints_are_unique_within_a_report() -> None:
    analysis = evil_analysis()
    twice = Analysis(findings=analysis.findings * 2, flows=(), diagnostics=(), files=1, functions=1, seconds=0.0)
    fingerprints = [issue["fingerprint"] for issue in json.loads(gitlab.render(twice))]
    assert len(set(fingerprints)) == 2 and fingerprints[0] == "f" * 32
