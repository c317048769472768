"""Policy mistakes as the user sees them: `flowlint policy check` run as a subprocess.

Each `tests/policy_errors/*.toml` is one case. Its leading comment lines say what it shows and,
as `# error: <line>`, every line flowlint must print (after `flowlint: error: `), in order.
The folders `valid/` and `split/` hold multi-file cases used below.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flowlint.policy.packs import pack_names

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
            expected.append(line[len(ERROR_PREFIX):])
    return expected


def stderr_lines(messages: list[str]) -> str:
    return "".join(f"flowlint: error: {message}\n" for message in messages)


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 16
    assert all(expected_errors(case) for case in CASES), "every case states its expected errors"


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_case(case: Path) -> None:
    result = run_policy("check", "--isolated", case.name)
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr == stderr_lines(expected_errors(case))


def test_valid_file_is_ok() -> None:
    result = run_policy("check", "--isolated", "valid/a_origins.toml")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "ok: valid/a_origins.toml: 1 origins, 1 sources, 0 sinks, 0 rules\n"


def test_folder_of_policies_is_loaded_in_name_order() -> None:
    result = run_policy("check", "--isolated", "valid")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == "ok: valid/a_origins.toml, valid/b_rules.toml: 1 origins, 1 sources, 1 sinks, 1 rules\n"


def test_rule_may_use_an_origin_of_another_file() -> None:
    result = run_policy("check", "--isolated", "valid/b_rules.toml", "valid/a_origins.toml")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("ok: valid/b_rules.toml, valid/a_origins.toml: ")


def test_rule_without_the_file_defining_its_origin() -> None:
    result = run_policy("check", "--isolated", "valid/b_rules.toml")
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
    assert "  FL901  scraped-stored  error  (defined in merge-a, merge-b)\n" in result.stdout


def test_conflicting_rule_in_two_files_names_both_places_and_the_key() -> None:
    result = run_policy("check", "--isolated", "conflict")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == stderr_lines([
        "conflict/b.toml: [[rules]] #1 (line 12): when.sink_kind: rule 'FL901' differs from its definition at "
        "conflict/a.toml: [[rules]] #1 (line 6); a rule defined in several files must have the same name, "
        "severity, message, when and unless",
    ])
