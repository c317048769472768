"""No silent green (issue 15, items 1, 4 and 7), through the real command line: a path that does
not exist is a usage error, an empty project says so and leaves no cache, `check FILES` reports
every finding whose trace touches the files and counts the others, `--jobs` rejects negative
values, and text paths are relative to the current directory inside the project."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_precommit_hook import EXPORT, SHAPE_LEAKS

GOLDEN = Path(__file__).resolve().parent / "golden"

HELPERS = SHAPE_LEAKS  # shared with the hook tests: a helper in the middle of a flow
STORE = EXPORT
AUDIT = '''\
"""Logs what the vendor returns."""

import logging

from app.vendor import lookup


def audit(name: str) -> None:
    logging.getLogger("audit").info("%s", lookup(name))
'''


def flowlint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """vendor (source) -> helpers.shape (middle) -> store (sink), plus a logging flow in audit."""
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    shutil.copy(GOLDEN / "project" / "app" / "vendor.py", root / "app" / "vendor.py")
    (root / "app" / "helpers.py").write_text(HELPERS, encoding="utf-8")
    (root / "app" / "store.py").write_text(STORE, encoding="utf-8")
    (root / "app" / "audit.py").write_text(AUDIT, encoding="utf-8")
    shutil.copy(GOLDEN / "policy.toml", root / "policy.toml")
    (root / "flowlint.toml").write_text('policies = ["./policy.toml"]\n', encoding="utf-8")
    return root


# --- item 1: paths that do not exist, empty projects, where the cache goes ------------------------------


@pytest.mark.parametrize("command", [("check",), ("report", "--output", "r.html"), ("baseline", "--output", "b.json")])
def test_a_path_that_does_not_exist_is_a_usage_error(project: Path, command: tuple[str, ...]) -> None:
    done = flowlint(project, *command, "--no-cache", "app/zzz.py")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "flowlint: error: app/zzz.py: no such file or directory\n"
    assert not (project / ".flowlint_cache").exists()


def test_a_mistyped_folder_gets_a_suggestion(project: Path) -> None:
    done = flowlint(project, "check", "--no-cache", "ap/store.py")
    assert done.returncode == 2
    assert done.stderr == "flowlint: error: ap/store.py: no such file or directory (did you mean app?)\n"


def test_a_mistyped_absolute_path_in_a_shared_folder_analyses_nothing(tmp_path: Path, project: Path) -> None:
    """The issue's case: from a shared folder full of other Python files, a wrong absolute path."""
    shared = tmp_path
    (shared / "someone_else.py").write_text("x = 1\n", encoding="utf-8")
    wrong = project / "app" / "stroe.py"
    done = flowlint(shared, "check", str(wrong))
    assert done.returncode == 2
    assert done.stderr == f"flowlint: error: {wrong}: no such file or directory (did you mean {project / 'app' / 'store.py'}?)\n"
    assert not (shared / ".flowlint_cache").exists() and not (project / ".flowlint_cache").exists()


def test_an_absolute_file_outside_the_current_folder_has_its_own_root(tmp_path: Path, project: Path) -> None:
    """No configuration, no repository, not below the current folder: the root is the file's
    folder, never the current folder or anything above the file."""
    (project / "flowlint.toml").unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "unrelated.py").write_text("x = 1\n", encoding="utf-8")
    done = flowlint(elsewhere, "check", "--policy", str(project / "policy.toml"), str(project / "app" / "store.py"))
    assert done.returncode == 1, done.stderr  # the flow is inside app/
    assert not (elsewhere / ".flowlint_cache").exists() and not (tmp_path / ".flowlint_cache").exists()
    assert (project / "app" / ".flowlint_cache").is_dir()


def test_the_nearest_repository_is_the_root_of_a_file_given_from_outside(tmp_path: Path, project: Path) -> None:
    (project / "flowlint.toml").unlink()
    (project / ".git").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    done = flowlint(outside, "check", "--format", "json", "--policy", str(project / "policy.toml"),
                    str(project / "app" / "helpers.py"))
    assert done.returncode == 1, done.stderr
    assert [f["sink"]["location"]["path"] for f in json.loads(done.stdout)["findings"]] == ["app/store.py"]
    assert (project / ".flowlint_cache").is_dir() and not (outside / ".flowlint_cache").exists()


def test_an_empty_folder_warns_and_leaves_no_cache(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "docs").mkdir(parents=True)
    (empty / "docs" / "notes.txt").write_text("not python\n", encoding="utf-8")
    done = flowlint(empty, "check", "--isolated")
    assert done.returncode == 0
    assert done.stderr == "flowlint: warning: nothing to analyse: no Python files under .\n"
    assert done.stdout == "No findings in 0 files.\n"
    assert sorted(p.name for p in empty.iterdir()) == ["docs"]  # no .flowlint_cache


def test_paths_without_python_files_warn(project: Path) -> None:
    done = flowlint(project, "check", "--no-cache", "policy.toml")
    assert done.returncode == 0
    assert done.stderr.splitlines()[0] == ("flowlint: warning: nothing to analyse: no Python files under policy.toml "
                                           "(the project has 5 Python files under .)")


def test_a_path_outside_the_configured_project_is_a_usage_error(tmp_path: Path, project: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.py").write_text("x = 1\n", encoding="utf-8")
    done = flowlint(project, "check", "--no-cache", "app", str(other / "x.py"))
    assert done.returncode == 2
    assert done.stderr == (f"flowlint: error: {other / 'x.py'}: outside the root set by flowlint.toml, . "
                           "(check each project on its own)\n")


# --- item 4: findings whose trace touches the files given ----------------------------------------------


def test_a_file_in_the_middle_of_a_flow_reports_it_and_counts_the_others(project: Path) -> None:
    done = flowlint(project, "check", "--no-cache", "app/helpers.py")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("app/store.py:11:5: FL101 [error]")
    assert "  app/helpers.py:5:5  returned from `shape`\n" in done.stdout
    assert "Found 1 finding (1 error)" in done.stdout
    assert done.stderr == ("flowlint: 1 other finding in files not given "
                           "(run `flowlint check` on the project to see it)\n")
    # the whole project: both findings, no such line
    whole = flowlint(project, "check", "--no-cache")
    assert whole.returncode == 1 and whole.stderr == ""
    assert "Found 2 findings (1 error, 1 warning)" in whole.stdout


def test_a_file_no_flow_touches_passes_and_says_what_it_left_out(project: Path) -> None:
    (project / "app" / "unrelated.py").write_text("def f() -> int:\n    return 1\n", encoding="utf-8")
    done = flowlint(project, "check", "--no-cache", "app/unrelated.py")
    assert done.returncode == 0
    assert done.stdout == "No findings in 6 files.\n"
    assert done.stderr == ("flowlint: 2 other findings in files not given "
                           "(run `flowlint check` on the project to see them)\n")


def test_the_baseline_message_says_what_it_holds_and_matched(project: Path) -> None:
    assert flowlint(project, "baseline", "--no-cache", "--output", "baseline.json").returncode == 0
    done = flowlint(project, "check", "--no-cache", "--baseline", "baseline.json", "app/helpers.py")
    assert done.returncode == 0
    # the finding outside the files given is baselined: not an "other finding" either
    assert done.stderr == ("flowlint: baseline baseline.json holds 2 findings; 2 matched and are not "
                           "reported, 1 in the files given\n")


# --- item 7: --jobs and text paths ----------------------------------------------------------------------


@pytest.mark.parametrize(("value", "message"), [
    ("-1", "argument --jobs/-j: must not be negative, got '-1' (0 means all cores)"),
    ("two", "argument --jobs/-j: expected a whole number, got 'two'"),
])
def test_jobs_must_be_a_whole_number_not_below_zero(project: Path, value: str, message: str) -> None:
    done = flowlint(project, "check", "--jobs", value)
    assert done.returncode == 2
    assert done.stderr == f"flowlint: error: {message}\n(see `flowlint check --help`)\n"


def test_jobs_zero_means_all_cores(project: Path) -> None:
    done = flowlint(project, "check", "--no-cache", "--jobs", "0")
    assert done.returncode == 1 and "Found 2 findings" in done.stdout


def test_text_paths_are_relative_to_the_current_folder_inside_the_project(project: Path) -> None:
    done = flowlint(project / "app", "check", "--no-cache", "helpers.py")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("store.py:11:5: FL101 [error]")
    assert "  helpers.py:5:5  returned from `shape`\n" in done.stdout
    (project / "tools").mkdir()
    below = flowlint(project / "tools", "check", "--no-cache")
    assert below.returncode == 1
    assert below.stdout.startswith("../app/audit.py:9:5: ACME-150 [warning]")
    # JSON keeps paths relative to the project root
    document = json.loads(flowlint(project / "app", "check", "--no-cache", "--format", "json").stdout)
    assert {f["sink"]["location"]["path"] for f in document["findings"]} == {"app/store.py", "app/audit.py"}


# --- item 9: the reviewer report ------------------------------------------------------------------------

TWICE = '''\
"""Two searches stored in one row; a scrubbed copy and a checked copy logged."""

import logging
import sqlite3

import peoplefinder

LOG = logging.getLogger("people")


def scrub(rows):  # flowlint: sanitizer clears=user.name
    return rows


def has_release(rows) -> bool:  # flowlint: guard when=true applies=branch marks=consent.written
    return bool(rows)


def save_both(a: str, b: str) -> None:
    client = peoplefinder.Client()
    first = client.search(a)
    second = client.search(b)
    sqlite3.connect("people.db").execute("INSERT INTO people VALUES (?, ?)", (first, second))
    LOG.info("%s", scrub(first))
    if has_release(second):
        LOG.info("%s", second)
'''


def test_the_reviewer_report_names_sources_sanitizers_and_guards(tmp_path: Path) -> None:
    root = tmp_path / "twice"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    (root / "app" / "twice.py").write_text(TWICE, encoding="utf-8")
    shutil.copy(GOLDEN / "policy.toml", root / "policy.toml")
    (root / "flowlint.toml").write_text('policies = ["./policy.toml"]\n', encoding="utf-8")
    done = flowlint(root, "report", "--no-cache", "--format", "markdown", "--output", "report.md")
    assert done.returncode == 0, done.stderr
    assert done.stderr == "flowlint: wrote report.md (4 findings)\n"
    text = (root / "report.md").read_text(encoding="utf-8")
    assert "*A flow is one path that personal data of one origin takes from a source call to a sink; a finding " in text
    # numbered in reading order; the two FL101 findings at one sink say which source each has
    headlines = [line for line in text.splitlines() if line.startswith("#### Finding")]
    assert headlines == [
        "#### Finding 1: FL101 (error) at `app/twice.py:23:5` from `peoplefinder.Client().search` at `app/twice.py:21:13`",
        "#### Finding 2: FL101 (error) at `app/twice.py:23:5` from `peoplefinder.Client().search` at `app/twice.py:22:14`",
        "#### Finding 3: ACME-150 (warning) at `app/twice.py:24:5`",
        "#### Finding 4: ACME-150 (warning) at `app/twice.py:26:9`"]
    # citations once per rule (FL101 has two, ACME-150 one), not once per finding
    assert text.count("Privacy Act (Canada), R.S.C. 1985, c. P-21, s. 4") == 1
    assert "- **Citations:**" not in text
    # the sanitized and the guarded flows, with the sanitizer and the guard named
    assert "(passed: sanitized by `app.twice.scrub()`)" in text
    assert "(passed: marked `consent.written` by guard `has_release()` (app/twice.py:15))" in text
    assert '{{"guarded: has_release()<br/>consent.written"}}' in text
    assert "sanitizer: app.twice.scrub()" in text
