"""The shipped pre-commit hook manifest is valid for pre-commit and says what the docs say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def test_manifest_validates() -> None:
    result = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_declares_the_flowlint_hook() -> None:
    yaml = pytest.importorskip("yaml")  # a dependency of pre-commit
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["flowlint"]
    hook = hooks[0]
    assert {key: hook[key] for key in ("name", "entry", "language", "types_or", "require_serial",
                                        "minimum_pre_commit_version")} == {
        "name": "flowlint", "entry": "flowlint check", "language": "python", "types_or": ["python", "pyi"],
        "require_serial": True, "minimum_pre_commit_version": "3.2.0"}
    assert hook["description"]
