"""Every example project under examples/ is checked by the real CLI and its findings must match.

An example is a folder of `examples/` with a `flowlint.toml` (which selects the packs and the
example's own policy files). Its expected findings are `# expect: FLxxx[, FLyyy]` comments on the
sink lines, the convention of the engine fixtures (tests/engine_fixtures.py): every listed rule
must be reported with its sink on that line, and no other (rule, file, line) may be reported.
`examples/rcmp-case` predates the convention and carries no comments; its two findings are
stated in `STATED` below. Expectations are the union of both, so annotating rcmp-case later
changes nothing.

For every example: the exact set of (rule, sink path, sink line) from `--format json`; the exit
status (1 when an error-severity finding is reported, 0 for warnings only: the default
`--fail-on error`); a trace from a `source` step to a `sink` step on every finding; `--format
sarif` valid against the SARIF 2.1.0 schema with a code flow on every result; and, where the
example has a README, its findings table listing exactly the expected findings.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from test_formats import validate_sarif

REPO = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = REPO / "examples"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.iterdir() if (p / "flowlint.toml").is_file())
IDS = [p.name for p in EXAMPLES]

Finding = tuple[str, str, int]  # (rule_id, sink path relative to the example, sink line)

# Examples whose expectations are not (only) written as `# expect:` comments in their code.
STATED: dict[str, set[Finding]] = {
    "rcmp-case": {
        ("FL101", "agency/cases.py", 15),  # the vendor's matches filed into the case database
        ("FL101", "agency/cases.py", 19),  # ... and written to the audit log
    },
}

_EXPECT = re.compile(r"#\s*expect:\s*([A-Z0-9, ]+)")
_README_ROW = re.compile(r"^\|\s*`?(FL\d{3})`?\s*\|\s*`?([\w./-]+\.py):(\d+)`?\s*\|", re.MULTILINE)


def python_files(example: Path) -> list[Path]:
    return sorted(p for p in example.rglob("*.py")
                  if not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(example).parts))


def expect_comments(example: Path) -> set[Finding]:
    """(rule, path, line) for every `# expect:` comment, read from comment tokens."""
    out: set[Finding] = set()
    for path in python_files(example):
        relpath = path.relative_to(example).as_posix()
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        for token in tokens:
            match = _EXPECT.search(token.string) if token.type == tokenize.COMMENT else None
            if match:
                out |= {(rule.strip(), relpath, token.start[0]) for rule in match.group(1).split(",") if rule.strip()}
    return out


def expected(example: Path) -> set[Finding]:
    return expect_comments(example) | STATED.get(example.name, set())


@functools.cache
def run_check(example: Path, fmt: str) -> subprocess.CompletedProcess[str]:
    """The real CLI on the example, from the repository root; the example's own config applies."""
    return subprocess.run([sys.executable, "-m", "flowlint", "check", "--no-cache", "--format", fmt, str(example)],
                          cwd=REPO, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def json_report(example: Path) -> dict:
    result = run_check(example, "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def found(document: dict) -> set[Finding]:
    return {(f["rule_id"], f["sink"]["location"]["path"], f["sink"]["location"]["line"]) for f in document["findings"]}


def describe(findings: set[Finding]) -> str:
    return "\n".join(f"  {rule} {path}:{line}" for rule, path, line in sorted(findings, key=lambda f: (f[1], f[2], f[0])))


def test_there_are_examples() -> None:
    assert {"rcmp-case", "clearview-pipeline", "consented-enrolment", "broker-enrichment"} <= set(IDS)


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_example_has_expectations(example: Path) -> None:
    assert expected(example), f"{example.name}: no `# expect:` comments and no stated findings"


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_example_findings_are_exactly_the_expected_ones(example: Path) -> None:
    document = json_report(example)
    assert document["diagnostics"] == [], document["diagnostics"]
    actual, wanted = found(document), expected(example)
    assert actual == wanted, (f"{example.name}:\nmissing:\n{describe(wanted - actual) or '  -'}\n"
                              f"unexpected:\n{describe(actual - wanted) or '  -'}")


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_exit_status_follows_the_severities(example: Path) -> None:
    result = run_check(example, "json")
    severities = {f["severity"] for f in json.loads(result.stdout)["findings"]}
    assert result.returncode == (1 if "error" in severities else 0), (severities, result.stderr)
    assert result.stderr == ""


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_every_finding_is_traced_from_source_to_sink(example: Path) -> None:
    for finding in json_report(example)["findings"]:
        trace = finding["trace"]
        where = f"{finding['rule_id']} at {finding['sink']['location']['path']}:{finding['sink']['location']['line']}"
        assert trace, f"{where}: empty trace"
        assert trace[0]["kind"] == "source", where
        assert trace[-1]["kind"] == "sink", where
        first, last = trace[0]["location"], trace[-1]["location"]
        source, sink = finding["source"]["location"], finding["sink"]["location"]
        assert (first["path"], first["line"]) == (source["path"], source["line"]), where
        assert (last["path"], last["line"]) == (sink["path"], sink["line"]), where


@pytest.mark.parametrize("example", EXAMPLES, ids=IDS)
def test_sarif_is_valid_and_every_result_has_a_code_flow(example: Path) -> None:
    result = run_check(example, "sarif")
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(result.stdout)
    validate_sarif(document)
    results = document["runs"][0]["results"]
    assert len(results) == len(json_report(example)["findings"])
    sarif_found = set()
    for item in results:
        assert item.get("codeFlows"), f"{item['ruleId']}: no codeFlows"
        for flow in item["codeFlows"]:
            assert flow["threadFlows"] and all(thread["locations"] for thread in flow["threadFlows"]), item["ruleId"]
        physical = item["locations"][0]["physicalLocation"]
        sarif_found.add((item["ruleId"], physical["artifactLocation"]["uri"], physical["region"]["startLine"]))
    # the same findings as the JSON report (SARIF URIs may carry the example's path in the repository)
    for rule, path, line in expected(example):
        assert any(r == rule and n == line and (uri == path or uri.endswith("/" + path)) for r, uri, n in sarif_found), \
            f"SARIF has no {rule} at {path}:{line}"
    assert len(sarif_found) == len(expected(example))


@pytest.mark.parametrize("example", [e for e in EXAMPLES if (e / "README.md").is_file()],
                         ids=[e.name for e in EXAMPLES if (e / "README.md").is_file()])
def test_readme_table_lists_the_expected_findings(example: Path) -> None:
    """The README's findings table (`| FL202 | harvester/index.py:26 | ... |`) is the expectation, too."""
    rows = {(rule, path, int(line)) for rule, path, line in _README_ROW.findall((example / "README.md").read_text("utf-8"))}
    wanted = expected(example)
    assert rows == wanted, (f"{example.name}/README.md:\nnot in the table:\n{describe(wanted - rows) or '  -'}\n"
                            f"in the table, not expected:\n{describe(rows - wanted) or '  -'}")


def test_examples_index_names_every_example() -> None:
    index = (EXAMPLES_DIR / "README.md").read_text(encoding="utf-8")
    for example in EXAMPLES:
        assert f"]({example.name}/)" in index, f"examples/README.md does not link {example.name}/"


def test_the_written_release_guard_is_what_keeps_the_enrolment_path_clean(tmp_path: Path) -> None:
    """consented-enrolment is clean on the guarded path because of the guard: without its
    annotation, the same storage code is flagged where the form handler's selfie is indexed."""
    copy = tmp_path / "consented-enrolment"
    shutil.copytree(EXAMPLES_DIR / "consented-enrolment", copy, ignore=shutil.ignore_patterns(".*", "__pycache__"))
    consent = copy / "enrolment" / "consent.py"
    text = consent.read_text(encoding="utf-8")
    assert "# flowlint: guard when=true applies=branch marks=consent.written" in text
    consent.write_text(re.sub(r"  # flowlint: guard [^\n]*", "", text), encoding="utf-8")
    result = run_check(copy, "json")
    unguarded = found(json.loads(result.stdout))
    guarded = expected(EXAMPLES_DIR / "consented-enrolment")
    extra = unguarded - guarded
    assert guarded < unguarded, describe(unguarded)
    assert {(rule, path) for rule, path, _ in extra} == {("FL201", "enrolment/store.py")}, describe(extra)
    store = (copy / "enrolment" / "store.py").read_text(encoding="utf-8").splitlines()
    assert all("self.vectors.add(" in store[line - 1] for _, _, line in extra), describe(extra)
