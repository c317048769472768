"""flowlint as a real pre-commit hook: a temporary git repository with a `repo: local` hook
that runs this checkout's flowlint (`<python> -m flowlint check`, `language: system`, so
pre-commit builds no environment and needs no network); a clean commit passes — with proof that
the hook ran (`verbose: true` shows flowlint's own summary), since a skipped or uninstalled hook
passes too — and a commit that introduces a flow is rejected and prints the finding.

(`pre-commit try-repo <this checkout>` would test the shipped `.pre-commit-hooks.yaml` too, but
it installs flowlint into a fresh virtualenv with pip, which needs the package index; the
manifest itself is checked by tests/test_precommit_manifest.py.)
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"

CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: flowlint
        name: flowlint
        entry: {entry}
        language: system
        types_or: [python, pyi]
        require_serial: true
        verbose: true
"""
CLEAN = '''\
"""Counts lookups without keeping what they return."""

from app.vendor import lookup


def count(name: str) -> int:
    return len(lookup(name))
'''
LEAK = '''\
"""Stores what the vendor returns."""

import sqlite3

from app.vendor import lookup


def save(name: str) -> None:
    db = sqlite3.connect("people.db")
    db.execute("INSERT INTO people VALUES (?)", (lookup(name),))
'''


@pytest.fixture
def repository(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pytest.importorskip("pre_commit")
    work = tmp_path / "repo"
    (work / "app").mkdir(parents=True)
    (work / "app" / "__init__.py").write_text("", encoding="utf-8")
    shutil.copy(GOLDEN / "project" / "app" / "vendor.py", work / "app" / "vendor.py")
    shutil.copy(GOLDEN / "policy.toml", work / "policy.toml")
    (work / "flowlint.toml").write_text('policies = ["./policy.toml"]\n', encoding="utf-8")
    entry = f"{shlex.quote(sys.executable)} -m flowlint check"
    (work / ".pre-commit-config.yaml").write_text(CONFIG.format(entry=entry), encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "PYTHONIOENCODING": "utf-8",
           "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.invalid"}
    env.pop("PRE_COMMIT", None)
    env.pop("SKIP", None)
    for command in (["git", "init", "--quiet", "--initial-branch=main"], ["git", "config", "user.name", "Test"],
                    ["git", "config", "user.email", "test@example.invalid"], ["git", "config", "commit.gpgsign", "false"],
                    [sys.executable, "-m", "pre_commit", "install"]):
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
    return work, env


def git(repository: tuple[Path, dict[str, str]], *args: str) -> subprocess.CompletedProcess[str]:
    work, env = repository
    return subprocess.run(["git", *args], cwd=work, env=env, capture_output=True, text=True, timeout=120)


def assert_hook_ran_and_passed(commit: subprocess.CompletedProcess[str]) -> None:
    """pre-commit ran the flowlint hook on the commit's files and it passed. pre-commit prints
    `flowlint....Passed` for a hook that ran, `flowlint....(no files to check)Skipped` for one it
    did not run, and nothing at all when the hook was not installed or `--no-verify` was given;
    `verbose: true` (CONFIG) shows the hook's own output: flowlint's summary line."""
    output = commit.stdout + commit.stderr
    status = [line for line in output.splitlines() if line.startswith("flowlint.")]
    assert len(status) == 1 and status[0].endswith("Passed"), output
    assert "- hook id: flowlint" in output and "No findings in " in output, output


def test_clean_commit_passes_and_a_new_flow_is_rejected(repository: tuple[Path, dict[str, str]]) -> None:
    work, _ = repository
    (work / "app" / "count.py").write_text(CLEAN, encoding="utf-8")
    assert git(repository, "add", ".").returncode == 0
    clean = git(repository, "commit", "-m", "clean")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert_hook_ran_and_passed(clean)

    (work / "app" / "store.py").write_text(LEAK, encoding="utf-8")
    assert git(repository, "add", "app/store.py").returncode == 0
    leak = git(repository, "commit", "-m", "store the vendor's data")
    output = leak.stdout + leak.stderr
    assert leak.returncode != 0, output
    assert "Failed" in output
    assert "app/store.py:10:5: FL101" in output
    assert git(repository, "log", "--format=%s").stdout.split() == ["clean"]


def test_unrelated_commit_passes_while_old_flows_stay_outside_its_files(repository: tuple[Path, dict[str, str]]) -> None:
    """Only findings whose trace touches the committed files count."""
    work, _ = repository
    (work / "app" / "store.py").write_text(LEAK, encoding="utf-8")
    assert git(repository, "add", ".").returncode == 0
    assert git(repository, "commit", "--no-verify", "-m", "an old flow").returncode == 0
    (work / "app" / "count.py").write_text(CLEAN, encoding="utf-8")
    assert git(repository, "add", "app/count.py").returncode == 0
    unrelated = git(repository, "commit", "-m", "unrelated")
    assert unrelated.returncode == 0, unrelated.stdout + unrelated.stderr
    assert_hook_ran_and_passed(unrelated)


def _yaml_blocks() -> list[str]:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    return [block.split("\n", 1)[1] for block in text.split("```")[1::2] if block.startswith("yaml\n")]


def test_documented_configurations_are_valid(tmp_path: Path) -> None:
    """docs/ci.md's YAML is copy-paste ready: it parses, and its pre-commit configs validate."""
    yaml = pytest.importorskip("yaml")
    blocks = _yaml_blocks()
    documents = [yaml.safe_load(block) for block in blocks]
    workflow = next(d for d in documents if isinstance(d, dict) and "jobs" in d)
    steps = workflow["jobs"]["flowlint"]["steps"]
    assert workflow["jobs"]["flowlint"]["permissions"]["security-events"] == "write"
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps)
    assert any("--format sarif" in s.get("run", "") for s in steps)
    gitlab = next(d for d in documents if isinstance(d, dict) and "flowlint" in d and "script" in d["flowlint"])
    assert gitlab["flowlint"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"
    configs = [block for block, d in zip(blocks, documents) if isinstance(d, dict) and "repos" in d]
    assert len(configs) == 2
    for number, block in enumerate(configs):
        path = tmp_path / f"config-{number}.yaml"
        path.write_text(block, encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(path)],
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr


SHAPE_CLEAN = '''\
"""Shapes rows: keeps only how many there are."""


def shape(people: list) -> tuple:
    return (len(people),)
'''
SHAPE_LEAKS = '''\
"""Shapes rows."""


def shape(people: list) -> tuple:
    return (people,)
'''
EXPORT = '''\
"""Stores a shaped row of what the vendor returns."""

import sqlite3

from app.helpers import shape
from app.vendor import lookup


def save(name: str) -> None:
    db = sqlite3.connect("people.db")
    db.execute("INSERT INTO people VALUES (?)", shape(lookup(name)))
'''


def test_a_commit_editing_only_a_helper_in_the_middle_of_a_flow_is_rejected(
        repository: tuple[Path, dict[str, str]]) -> None:
    work, _ = repository
    (work / "app" / "helpers.py").write_text(SHAPE_CLEAN, encoding="utf-8")
    (work / "app" / "export.py").write_text(EXPORT, encoding="utf-8")
    assert git(repository, "add", ".").returncode == 0
    assert git(repository, "commit", "--no-verify", "-m", "export").returncode == 0
    # positive control: the hook runs on a clean edit of the same file, and passes
    (work / "app" / "helpers.py").write_text(SHAPE_CLEAN.replace("how many", "the number"), encoding="utf-8")
    assert git(repository, "add", "app/helpers.py").returncode == 0
    clean = git(repository, "commit", "-m", "reword")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert_hook_ran_and_passed(clean)
    # the helper now passes the vendor's data on: neither source nor sink is in the commit
    (work / "app" / "helpers.py").write_text(SHAPE_LEAKS, encoding="utf-8")
    assert git(repository, "add", "app/helpers.py").returncode == 0
    leak = git(repository, "commit", "-m", "keep the rows")
    output = leak.stdout + leak.stderr
    assert leak.returncode != 0, output
    assert "Failed" in output
    assert "app/export.py:11:5: FL101" in output
    assert "  app/helpers.py:5:5  returned from `shape`" in output
    assert git(repository, "log", "--format=%s").stdout.split() == ["reword", "export"]


def test_the_hook_with_a_baseline_reports_only_new_findings(repository: tuple[Path, dict[str, str]]) -> None:
    work, env = repository
    (work / "app" / "helpers.py").write_text(SHAPE_LEAKS, encoding="utf-8")
    (work / "app" / "export.py").write_text(EXPORT, encoding="utf-8")
    baseline = subprocess.run([sys.executable, "-m", "flowlint", "baseline", "--output", "baseline.json"], cwd=work,
                              env=env, capture_output=True, text=True, timeout=120)
    assert baseline.returncode == 0 and "wrote 1 finding to baseline.json" in baseline.stderr, baseline.stderr
    config = (work / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    # verbose (CONFIG): pre-commit shows a passing hook's output, here the baseline line
    (work / ".pre-commit-config.yaml").write_text(config + "        args: [--baseline, baseline.json]\n",
                                                  encoding="utf-8")
    assert git(repository, "add", ".").returncode == 0
    accepted = git(repository, "commit", "-m", "accept today's flow")
    output = accepted.stdout + accepted.stderr
    assert accepted.returncode == 0, output
    assert "Passed" in output
    assert "baseline baseline.json holds 1 finding; 1 matched and is not reported" in output
    # a second, new flow through the same helper is reported, the baselined one is not
    (work / "app" / "again.py").write_text(EXPORT.replace("def save", "def save_again"), encoding="utf-8")
    assert git(repository, "add", "app/again.py").returncode == 0
    new = git(repository, "commit", "-m", "a new flow")
    output = new.stdout + new.stderr
    assert new.returncode != 0, output
    assert "app/again.py:11:5: FL101" in output and "app/export.py:11:5" not in output
