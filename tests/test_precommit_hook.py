"""flowlint as a real pre-commit hook: a temporary git repository with a `repo: local` hook
that runs this checkout's flowlint (`<python> -m flowlint check`, `language: system`, so
pre-commit builds no environment and needs no network); a clean commit passes, a commit that
introduces a flow is rejected and prints the finding.

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


def test_clean_commit_passes_and_a_new_flow_is_rejected(repository: tuple[Path, dict[str, str]]) -> None:
    work, _ = repository
    (work / "app" / "count.py").write_text(CLEAN, encoding="utf-8")
    assert git(repository, "add", ".").returncode == 0
    clean = git(repository, "commit", "-m", "clean")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "flowlint" in clean.stdout + clean.stderr and "Passed" in clean.stdout + clean.stderr

    (work / "app" / "store.py").write_text(LEAK, encoding="utf-8")
    assert git(repository, "add", "app/store.py").returncode == 0
    leak = git(repository, "commit", "-m", "store the vendor's data")
    output = leak.stdout + leak.stderr
    assert leak.returncode != 0, output
    assert "Failed" in output
    assert "app/store.py:10:5: FL101" in output
    assert git(repository, "log", "--format=%s").stdout.split() == ["clean"]


def test_unrelated_commit_passes_while_old_flows_stay_outside_its_files(repository: tuple[Path, dict[str, str]]) -> None:
    """Only findings whose source or sink is in the committed files count."""
    work, _ = repository
    (work / "app" / "store.py").write_text(LEAK, encoding="utf-8")
    assert git(repository, "add", ".").returncode == 0
    assert git(repository, "commit", "--no-verify", "-m", "an old flow").returncode == 0
    (work / "app" / "count.py").write_text(CLEAN, encoding="utf-8")
    assert git(repository, "add", "app/count.py").returncode == 0
    unrelated = git(repository, "commit", "-m", "unrelated")
    assert unrelated.returncode == 0, unrelated.stdout + unrelated.stderr


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
