"""Same input, same output: across hash seeds (set/dict order) and --jobs values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(project: Path, fmt: str, seed: int, jobs: int, *extra: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run([sys.executable, "-m", "flowlint", "check", "--no-cache", "--exit-zero", "--jobs", str(jobs),
                           "--format", fmt, *extra, str(project)], capture_output=True, text=True, env=env, cwd=REPO)
    assert done.returncode == 0, done.stderr
    if fmt == "json":  # the one field that measures time
        document = json.loads(done.stdout)
        document["stats"].pop("seconds")
        return json.dumps(document)
    return done.stdout


def test_json_and_sarif_are_identical_across_seeds_and_jobs():
    project = REPO / "examples" / "clearview-pipeline"
    for fmt in ("json", "sarif"):
        outputs = {run(project, fmt, seed, jobs) for seed, jobs in ((1, 1), (2, 2), (3, 1))}
        assert len(outputs) == 1, fmt


def test_fixture_project_is_deterministic():
    project = REPO / "tests" / "fixtures" / "engine" / "classes"
    policy = ("--isolated", "--policy", str(REPO / "tests" / "fixtures" / "engine" / "policy.toml"))
    outputs = {run(project, "json", seed, 1, *policy) for seed in (1, 7, 42)}
    assert len(outputs) == 1
