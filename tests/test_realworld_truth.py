"""The real-world benchmark's project files (benchmarks/realworld/projects/*.toml) follow the format.

Runs the scorer's own validation (no checkouts, no network) on every project file, and checks
that the validation rejects the mistakes it is meant to catch.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCORE = Path(__file__).resolve().parent.parent / "benchmarks" / "realworld" / "score.py"


def _load_score():
    spec = importlib.util.spec_from_file_location("realworld_score", SCORE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module by name
    spec.loader.exec_module(module)
    return module


score = _load_score()
PROJECT_FILES = sorted(score.PROJECTS.glob("*.toml"))

VALID = '''
[project]
repo = "owner/name"
commit = "0123456789abcdef0123456789abcdef01234567"
kind = "vk-scraper"
summary = "s"

[[flows]]
id = "users-to-db"
sources = ["app/api.py:41"]
sink = "app/db.py:88"
sink_kind = "collection.store"
in_process = true
why = "w"
provider = "VK"
entry = "http-api"

[[traps]]
sink = "app/db.py:120"
why = "w"
'''


def test_there_are_project_files():
    assert PROJECT_FILES


@pytest.mark.parametrize("path", PROJECT_FILES, ids=lambda path: path.stem)
def test_project_file_is_valid(path: Path):
    project = score.load_project(path)
    assert project.id == path.stem


def test_a_valid_file_loads(tmp_path: Path):
    path = tmp_path / "sample.toml"
    path.write_text(VALID)
    project = score.load_project(path)
    assert project.flows[0].sink == score.Location("app/db.py", 88)
    assert project.traps[0].sink == score.Location("app/db.py", 120)
    assert project.root == ""


@pytest.mark.parametrize(("change", "message"), [
    (('sink_kind = "collection.store"', 'sink_knd = "collection.store"'), "sink_knd: unknown key; did you mean 'sink_kind'?"),
    (('why = "w"\nprovider', 'provider'), "why: missing"),
    (('sink = "app/db.py:88"', 'sink = "app/db.py"'), "not a file:line"),
    (('sink = "app/db.py:88"', 'sink = "app/db.py:0"'), "not a file:line"),
    (('"0123456789abcdef0123456789abcdef01234567"', '"abc123"'), "is not 40 lower-case hex digits"),
    (('kind = "vk-scraper"', 'kind = "crawler"'), "kind: 'crawler': not one of"),
    (('in_process = true', 'in_process = "yes"'), "in_process: must be a bool"),
    (('sink = "app/db.py:120"', 'sink = "app/db.py:88"'), "is also a flow's sink"),
])
def test_mistakes_are_reported(tmp_path: Path, change: tuple[str, str], message: str):
    path = tmp_path / "sample.toml"
    path.write_text(VALID.replace(*change))
    with pytest.raises(score.TruthError) as error:
        score.load_project(path)
    assert message in str(error.value)
    assert str(error.value).startswith("sample.toml: ")
