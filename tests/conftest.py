"""Test helpers shared by the suite: the tests folder is importable (fixture runner), and golden
files are compared (or regenerated) by `check_golden`."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

UPDATE_GOLDEN = os.environ.get("FLOWLINT_UPDATE_GOLDEN") == "1"


def check_golden(golden: Path, actual: str) -> None:
    """Assert that ``actual`` equals the golden file.

    With ``FLOWLINT_UPDATE_GOLDEN=1`` the file is written instead and the test never passes: it
    fails when the file changed (review the diff, then run again without the variable) and is
    skipped when it did not, so a run in update mode cannot be mistaken for a passing run."""
    if UPDATE_GOLDEN:
        before = golden.read_text(encoding="utf-8") if golden.is_file() else None
        if before == actual:
            pytest.skip(f"FLOWLINT_UPDATE_GOLDEN=1: {golden.name} unchanged (update mode compares nothing)")
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
        pytest.fail(f"FLOWLINT_UPDATE_GOLDEN=1: {'rewrote' if before is not None else 'created'} {golden}; "
                    "review the diff, then run the tests again without FLOWLINT_UPDATE_GOLDEN")
    assert golden.is_file(), f"missing {golden}: run with FLOWLINT_UPDATE_GOLDEN=1"
    assert actual == golden.read_text(encoding="utf-8"), (
        f"the output differs from {golden}; if the change is deliberate, regenerate it with "
        "FLOWLINT_UPDATE_GOLDEN=1 and review the diff")
