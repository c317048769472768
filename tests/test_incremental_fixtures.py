"""Incremental analysis equals analysis from scratch, on edit scenarios (tests/fixtures/incremental).

Each case folder holds a small project in `before/` and the files an edit changes in `after/`
(and optionally a second edit in `after2/`, applied on top of `after/`). A file in a stage folder
replaces or adds that file; an empty `<name>.py.deleted` deletes `<name>.py`. `README` says what
the edit exercises; a `NO_CHANGE` file marks an edit that must not change the result at all.

Per case, through the real CLI: analyse `before/` (this warms `.flowlint_cache/`), apply the edit,
analyse again reusing the cache, and compare the whole JSON document with a `--no-cache` run on a
separate copy of the same edited project. Without `--timings` the run's measurements are 0, so
nothing is dropped from the comparison. Also checked: the edit matters (the findings before and
after differ, unless `NO_CHANGE`, where the whole document must be the same), the case is not empty
(some stage has a finding), and an `after2/` that restores `before/` gives the first result again.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
POLICY = REPO / "tests" / "fixtures" / "engine" / "policy.toml"
CASES_DIR = REPO / "tests" / "fixtures" / "incremental"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "before").is_dir())
STAGES = ("after", "after2")
DELETED = ".deleted"
WORKERS = min(4, max(2, os.cpu_count() or 2))  # cases in flight at once


# --------------------------------------------------------------------------- project files


def apply_stage(stage: Path, project: Path) -> None:
    """Copy a stage folder over the project: replace/add its files, delete the `.deleted` ones.

    Files are written (not copied with their metadata), so an edited file gets a fresh mtime the
    way an editor's save does."""
    for source in sorted(stage.rglob("*")):
        if source.is_dir() or "__pycache__" in source.parts:
            continue
        relative = source.relative_to(stage)
        if source.name.endswith(DELETED):
            target = project / relative.parent / source.name[: -len(DELETED)]
            assert target.is_file(), f"{stage}: {relative} deletes a file that does not exist"
            target.unlink()
        else:
            target = project / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())


def snapshot(project: Path) -> dict[str, bytes]:
    """The project's analysed files, without the cache."""
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in sorted(project.rglob("*"))
            if p.is_file() and ".flowlint_cache" not in p.parts}


# --------------------------------------------------------------------------- running the CLI


def start(project: Path, *extra: str) -> subprocess.Popen:
    args = [sys.executable, "-m", "flowlint", "check", "--isolated", "--format", "json", "--exit-zero",
            "--policy", str(POLICY), *extra, str(project)]
    return subprocess.Popen(args, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen, label: str) -> dict:
    try:
        stdout, stderr = process.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"{label}: flowlint did not finish in 180 s")
    assert process.returncode == 0 and "Traceback" not in stderr, \
        f"{label}: flowlint exited {process.returncode}\n{stderr}"
    try:
        return json.loads(stdout)
    except json.JSONDecodeError as error:
        pytest.fail(f"{label}: output is not JSON ({error})\n{stdout[:2000]}\n{stderr}")


# --------------------------------------------------------------------------- comparing results


def found(document: dict) -> list[tuple]:
    """The findings in short: rule, sink path:line, source path:line."""
    return [(f["rule_id"], f"{f['sink']['location']['path']}:{f['sink']['location']['line']}",
             f"{f['source']['location']['path']}:{f['source']['location']['line']}")
            for f in document["findings"]]


def diagnosed(document: dict) -> list[tuple]:
    return [(d.get("code"), f"{d.get('path')}:{d.get('line')}") for d in document.get("diagnostics", [])]


def lines(items: list[tuple]) -> str:
    return "\n".join(f"    {' '.join(map(str, item))}" for item in items) or "    (none)"


def document_diff(expected: dict, actual: dict, expected_name: str, actual_name: str, limit: int = 150) -> str:
    diff = list(difflib.unified_diff(json.dumps(expected, indent=1, sort_keys=True).splitlines(),
                                     json.dumps(actual, indent=1, sort_keys=True).splitlines(),
                                     expected_name, actual_name, n=4, lineterm=""))
    if len(diff) > limit:
        diff = diff[:limit] + [f"... ({len(diff) - limit} more diff lines)"]
    return "\n".join(diff)


def assert_same(scratch: dict, incremental: dict, what: str) -> None:
    """The incremental run's document must be the scratch run's, field for field."""
    assert found(incremental) == found(scratch), (
        f"{what}: the incremental run's findings differ from a run from scratch\n"
        f"  from scratch (--no-cache):\n{lines(found(scratch))}\n"
        f"  incremental (cache reused):\n{lines(found(incremental))}")
    assert diagnosed(incremental) == diagnosed(scratch), (
        f"{what}: the incremental run's diagnostics differ from a run from scratch\n"
        f"  from scratch (--no-cache):\n{lines(diagnosed(scratch))}\n"
        f"  incremental (cache reused):\n{lines(diagnosed(incremental))}")
    assert incremental == scratch, (
        f"{what}: the incremental run's JSON document differs from a run from scratch "
        f"(same findings in short; the difference is in their details)\n"
        + document_diff(scratch, incremental, "scratch (--no-cache)", "incremental"))


# --------------------------------------------------------------------------- the cases


@dataclass
class Stage:
    name: str
    incremental: dict  # the cache reused after applying the stage
    scratch: dict  # a separate copy of the same project, --no-cache
    restores_before: bool  # the project's files are before/'s again


@dataclass
class CaseRuns:
    before: dict
    stages: list[Stage]


def run_case(case: str, root: Path) -> CaseRuns:
    """All the CLI runs of a case: before/ (warming the cache), then per stage the incremental run
    and a run from scratch. The scratch copies do not depend on the warm-up run, so they are
    analysed alongside it."""
    folder = CASES_DIR / case
    stages = [stage for stage in STAGES if (folder / stage).is_dir()]

    project = root / "project"
    apply_stage(folder / "before", project)
    original = snapshot(project)

    scratch_runs = {}
    for index, stage in enumerate(stages):
        copy = root / f"scratch-{stage}" / "project"  # the same folder name, in case the root's name shows
        apply_stage(folder / "before", copy)
        for earlier in stages[: index + 1]:
            apply_stage(folder / earlier, copy)
        scratch_runs[stage] = start(copy, "--no-cache")
    warm = start(project)

    before = finish(warm, f"{case}: before/ (warming the cache)")
    assert (project / ".flowlint_cache").is_dir(), f"{case}: the first run wrote no cache"
    scratch = {stage: finish(process, f"{case}: {stage}/ from scratch") for stage, process in scratch_runs.items()}

    results = []
    for stage in stages:
        apply_stage(folder / stage, project)
        incremental = finish(start(project), f"{case}: {stage}/ incremental")
        results.append(Stage(stage, incremental, scratch[stage], snapshot(project) == original))
    return CaseRuns(before, results)


def test_every_case_is_well_formed() -> None:
    assert len(CASES) >= 30
    for case in CASES:
        folder = CASES_DIR / case
        assert (folder / "README").is_file(), f"{case}: no README saying what the edit exercises"
        assert (folder / "after").is_dir(), f"{case}: no after/"
        assert not (folder / "after2").exists() or (folder / "after2").is_dir()
        assert {p.name for p in folder.iterdir()} <= {"README", "NO_CHANGE", "before", "after", "after2"}, \
            f"{case}: unexpected entries {sorted(p.name for p in folder.iterdir())}"


@pytest.fixture(scope="module")
def case_runs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The selected cases' runs, started together on a few threads (each run is a subprocess, so
    the threads overlap them); each test waits for its own case. The runs are the same as one case
    at a time would make, only overlapped."""
    selected = [item.callspec.params["case"] for item in request.session.items
                if getattr(item, "obj", None) is test_incremental_run_equals_run_from_scratch
                and hasattr(item, "callspec")]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {case: pool.submit(run_case, case, tmp_path_factory.mktemp(case)) for case in selected}
        yield futures
        for future in futures.values():
            future.cancel()


@pytest.mark.parametrize("case", CASES)
def test_incremental_run_equals_run_from_scratch(case: str, case_runs: dict[str, Future],
                                                 tmp_path: Path) -> None:
    future = case_runs.get(case)
    runs = future.result() if future is not None else run_case(case, tmp_path)
    no_change = (CASES_DIR / case / "NO_CHANGE").exists()

    previous, previous_name = runs.before, "before/"
    for stage in runs.stages:
        assert_same(stage.scratch, stage.incremental, f"{case}: after applying {stage.name}/")
        if no_change:
            assert stage.incremental == previous, (
                f"{case} is marked NO_CHANGE, but {stage.name}/ changed the result\n"
                + document_diff(previous, stage.incremental, previous_name, stage.name + "/"))
        else:
            assert stage.incremental["findings"] != previous["findings"], (
                f"{case}: {stage.name}/ does not change the findings of {previous_name}, so the case "
                f"tests nothing (mark it NO_CHANGE if that is the point)\n{lines(found(previous))}")
        if stage.restores_before:
            assert stage.incremental == runs.before, (
                f"{case}: {stage.name}/ restores before/, but not its result\n"
                + document_diff(runs.before, stage.incremental, "before/", stage.name + "/"))
        previous, previous_name = stage.incremental, stage.name + "/"

    assert found(runs.before) or any(found(stage.scratch) for stage in runs.stages), \
        f"{case}: no stage has any finding, so the case tests nothing"
