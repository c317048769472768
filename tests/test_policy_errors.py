"""Policy mistakes as the user sees them: what `flowlint policy check` prints.

Each `tests/policy_errors/*.toml` is one case. Its leading comment lines say what it shows and,
as `# error: <line>`, every line flowlint must print (after `flowlint: error: `), in order
(`{packs}` stands for the folder of the installed packs). `policy check` checks a file with the
policy `check` would load: without a configuration (`--isolated`), every shipped pack.
The folders `valid/`, `split/`, `merge/`, `conflict/` and `vocabulary/` hold multi-file cases
used below.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowlint.cli import main
from flowlint.policy.load import load_policy
from flowlint.policy.packs import pack_names, pack_path

CASES_DIR = Path(__file__).parent / "policy_errors"
CASES = sorted(CASES_DIR.glob("*.toml"))
ERROR_PREFIX = "# error: "


def run_policy(*args: str) -> subprocess.CompletedProcess[str]:
    """`flowlint policy ARGS...` from the cases folder, ignoring every configuration file."""
    command = [sys.executable, "-m", "flowlint", "policy", *args]
    return subprocess.run(command, cwd=CASES_DIR, capture_output=True, text=True, timeout=120)


def expected_errors(case: Path) -> list[str]:
    """The `# error:` lines of the case's leading comment block."""
    expected: list[str] = []
    for line in case.read_bytes().decode("utf-8", errors="replace").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(ERROR_PREFIX):
            expected.append(line[len(ERROR_PREFIX):].replace("{packs}", os.path.abspath(pack_path("core").parent)))
    return expected


def stderr_lines(messages: list[str]) -> str:
    return "".join(f"flowlint: error: {message}\n" for message in messages)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 16
    assert all(expected_errors(case) for case in CASES), "every case states its expected errors"


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_case(case: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """In-process (`flowlint.cli.main`): fast, and mutation testing sees the loader's messages."""
    monkeypatch.chdir(CASES_DIR)
    code = main(["policy", "check", "--isolated", case.name])
    out, err = capsys.readouterr()
    assert (code, out) == (2, ""), err
    assert err == stderr_lines(expected_errors(case))


def test_a_case_as_a_subprocess_prints_the_same() -> None:
    """The user's view: the installed command prints exactly the in-process messages."""
    case = CASES_DIR / "bad_source_conditions.toml"
    result = run_policy("check", "--isolated", case.name)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr == stderr_lines(expected_errors(case))


def ok_line(*files: str) -> str:
    """What `policy check --isolated FILES` prints: every shipped pack, then the files."""
    policy = load_policy([*pack_names(), *files], CASES_DIR)
    names = ", ".join(file.path for file in policy.files)
    return (f"ok: {names}: {len(policy.origins)} origins, {len(policy.sources)} sources, {len(policy.sinks)} sinks, "
            f"{len(policy.rules)} rules\n")


def test_valid_file_is_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES_DIR)
    result = run_policy("check", "--isolated", "valid/a_origins.toml")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == ok_line("valid/a_origins.toml")
    assert result.stdout.startswith("ok: <pack ") and ", valid/a_origins.toml: " in result.stdout


def test_folder_of_policies_is_loaded_in_name_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASES_DIR)
    result = run_policy("check", "--isolated", "valid")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == ok_line("valid/a_origins.toml", "valid/b_rules.toml")
    assert ", valid/a_origins.toml, valid/b_rules.toml: " in result.stdout


def test_rule_may_use_an_origin_of_another_file() -> None:
    result = run_policy("check", "--isolated", "valid/b_rules.toml", "valid/a_origins.toml")
    assert (result.returncode, result.stderr) == (0, "")
    assert ", valid/b_rules.toml, valid/a_origins.toml: " in result.stdout


def test_rule_without_the_file_defining_its_origin() -> None:
    result = run_policy("list", "--isolated", "valid/b_rules.toml")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == stderr_lines([
        "valid/b_rules.toml: [[rules]] #1 (line 16): when.origin[0]: unknown origin 'clearview'; "
        "no [[origins]] are loaded",
    ])


def test_duplicate_across_files_names_both_files() -> None:
    result = run_policy("check", "--isolated", "split")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == stderr_lines([
        "split/b.toml: [[origins]] #1 (line 5): id: duplicate origin id 'broker'; "
        "first defined at split/a.toml: [[origins]] #1 (line 4)",
    ])


def test_missing_file() -> None:
    result = run_policy("check", "--isolated", "no_such_policy.toml")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == stderr_lines(["no_such_policy.toml: no such file or folder"])


def test_errors_of_every_file_are_reported_together() -> None:
    result = run_policy("check", "--isolated", "no_such_policy.toml", "bad_rule_id.toml", "empty_calls.toml")
    assert result.returncode == 2
    expected = ["no_such_policy.toml: no such file or folder",
                *expected_errors(CASES_DIR / "bad_rule_id.toml"), *expected_errors(CASES_DIR / "empty_calls.toml")]
    assert result.stderr == stderr_lines(expected)


def test_folder_without_policies(tmp_path: Path) -> None:
    result = run_policy("check", "--isolated", str(tmp_path))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == stderr_lines([f"{tmp_path}: no policy files (*.toml) in this folder"])


def test_unknown_pack_name_suggests_the_closest() -> None:
    result = run_policy("check", "--isolated", "cor")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == stderr_lines(
        [f"unknown policy pack 'cor'; available: {', '.join(pack_names())}; did you mean 'core'?"])


def test_shipped_pack_by_name_is_ok() -> None:
    result = run_policy("check", "--isolated", "core")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("ok: ")


def test_one_rule_in_two_files_merges() -> None:
    result = run_policy("list", "--isolated", "merge")
    assert (result.returncode, result.stderr) == (0, "")
    assert "  ACME-901  scraped-stored  error  (defined in merge-a, merge-b)\n" in result.stdout


def test_conflicting_rule_in_two_files_names_both_places_and_the_key() -> None:
    result = run_policy("check", "--isolated", "conflict")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == stderr_lines([
        "conflict/b.toml: [[rules]] #1 (line 12): when.sink_kind: rule 'ACME-901' differs from its definition at "
        "conflict/a.toml: [[rules]] #1 (line 6); a rule defined in several files must have the same name, "
        "severity, message, when and unless",
    ])


# --- vocabulary: what one file declares, every file may use -------------------------------------------


def test_a_project_vocabulary_declares_values_for_every_loaded_file() -> None:
    alone = run_policy("check", "--isolated", "vocabulary/uses.toml")
    assert (alone.returncode, alone.stdout) == (2, "")
    for value in ("collection method 'referral'", "category 'user.health.vaccination'", "purpose 'clinical-care'",
                  "sink kind 'collection.crm'", "mark 'consent.parental'"):
        assert f"unknown {value}" in alone.stderr
    assert "(or declare it in [vocabulary] categories)" in alone.stderr
    for order in (("vocabulary/uses.toml", "vocabulary/declares.toml"), ("vocabulary/declares.toml", "vocabulary/uses.toml")):
        declared = run_policy("check", "--isolated", *order)
        assert (declared.returncode, declared.stderr) == (0, ""), order
        assert ", ".join(order) + ": " in declared.stdout


# --- `policy check` checks the policy `check` would load ----------------------------------------------


def _rule_header_line(path: Path, rule_id: str) -> int:
    """The line of the `[[rules]]` header of the rule `rule_id` in a policy file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index(f'id = "{rule_id}"')
    return max(number for number, line in enumerate(lines[:at], start=1) if line.strip() == "[[rules]]")


def test_policy_check_reports_a_conflict_with_a_configured_pack_by_its_real_path(tmp_path: Path) -> None:
    (tmp_path / "flowlint.toml").write_text('policies = ["core", "vendors.toml"]\n', encoding="utf-8")
    rule = (CASES_DIR / "pack_rule_conflict.toml").read_text(encoding="utf-8")
    (tmp_path / "vendors.toml").write_text(rule, encoding="utf-8")
    core = pack_path("core")
    expected = stderr_lines([
        f"vendors.toml: [[rules]] #1 (line 10): severity: rule 'FL101' differs from its definition at "
        f"{os.path.abspath(core)}: [[rules]] #1 (line {_rule_header_line(core, 'FL101')}); a rule defined in several "
        "files must have the same name, severity, message, when and unless; a rule of the project's own needs an id "
        "of its own, like 'ACME-101'"])
    for command in (["policy", "check", "vendors.toml"], ["policy", "check"], ["check"]):
        result = subprocess.run([sys.executable, "-m", "flowlint", *command], cwd=tmp_path, capture_output=True,
                                text=True, timeout=120)
        assert (result.returncode, result.stdout, result.stderr) == (2, "", expected), command
    start = _rule_header_line(core, "FL101")  # the same rule, copied from the pack, merges
    lines = core.read_text(encoding="utf-8").splitlines()[start - 1:]
    entry = lines[:next(i for i, line in enumerate(lines[1:], start=1) if line.startswith("[["))]
    (tmp_path / "vendors.toml").write_text('[policy]\nname = "vendors"\n' + "\n".join(entry) + "\n", encoding="utf-8")
    same = subprocess.run([sys.executable, "-m", "flowlint", "policy", "check", "vendors.toml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert (same.returncode, same.stderr) == (0, "")
    assert same.stdout.startswith("ok: <pack core>, vendors.toml: ")
