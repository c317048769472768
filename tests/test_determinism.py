"""Same input, same output, byte for byte: `flowlint check --format json|sarif`.

The outputs are compared as raw bytes, nothing popped or normalised: across repeated runs, hash
seeds (set and dict order), `--jobs 1/2/4` (worker processes parse when there is enough source),
the order in which the project's files were written to disk, the order of the paths given on the
command line, and cold and warm cache runs. What measures the run rather than the code (JSON's
`stats.seconds` and `stats.cache_hits`) is 0 unless `--timings` asks for it; one test checks that
`--timings` fills them in.

Projects: the four shipped examples (their own configuration and the shipped packs), and the engine
fixtures as one project ("the corpus": 90-odd files, hundreds of findings, diagnostics, the shared
fixture policy and the project-policy cases' policies) padded with comment-only modules so that
its source is large enough for `--jobs N` to really start worker processes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote

import pytest

from flowlint import parsing

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if (p / "flowlint.toml").is_file())
ENGINE = REPO / "tests" / "fixtures" / "engine"
# the corpus's policies, relative to its root
CORPUS_POLICIES = ("policy.toml", "project_policy/policy_overrides.toml", "project_policy/benchmark/policy.toml")
FORMATS = ("json", "sarif")
IGNORE = shutil.ignore_patterns(".flowlint_cache", "__pycache__")
WORKERS = 2  # subprocesses at a time


def flowlint(cwd: Path, *args: str | Path, seed: int | str = 0, timings: bool = False) -> bytes:
    """`flowlint check ...` run in ``cwd`` under PYTHONHASHSEED=``seed``; its stdout, as bytes."""
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONIOENCODING": "utf-8"}
    command = [sys.executable, "-m", "flowlint", "check", "--exit-zero", *(["--timings"] if timings else []),
               *map(str, args)]
    done = subprocess.run(command, cwd=cwd, capture_output=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    assert done.stdout, "no output"
    return done.stdout


def in_parallel(calls: Sequence[Callable[[], bytes]]) -> list[bytes]:
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(lambda call: call(), calls))


def corpus_args(*extra: str) -> tuple[str, ...]:
    return ("--isolated", *(arg for policy in CORPUS_POLICIES for arg in ("--policy", policy)), *extra)


def corpus_files() -> dict[str, bytes]:
    """The corpus as relative path -> bytes: the engine fixtures (with their policies), plus
    comment-only modules that take it past the size at which parsing uses worker processes."""
    files = {p.relative_to(ENGINE).as_posix(): p.read_bytes() for p in sorted(ENGINE.rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts and ".flowlint_cache" not in p.parts}
    size = sum(len(data) for name, data in files.items() if name.endswith(".py"))
    line = b"# padding, so that parsing this project is worth worker processes ..........................\n"
    for n in range(4):
        lines = max(0, parsing.PARALLEL_MIN_BYTES - size) // (4 * len(line)) + 100
        files[f"padding/pad_{n}.py"] = b'"""Padding."""\n' + line * lines + b"VALUE = %d\n" % n
    assert sum(len(data) for name, data in files.items() if name.endswith(".py")) >= parsing.PARALLEL_MIN_BYTES
    return files


def write_files(root: Path, files: dict[str, bytes], order: Sequence[str]) -> None:
    for name in order:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])


def assert_identical(outputs: Sequence[bytes], what: str) -> None:
    first = outputs[0]
    for i, output in enumerate(outputs[1:], 1):
        if output != first:
            a, b = first.decode("utf-8", "replace").splitlines(), output.decode("utf-8", "replace").splitlines()
            line = next((n for n, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            pytest.fail(f"{what}: output {i} differs from output 0 at line {line + 1}:\n"
                        f"  0: {a[line] if line < len(a) else '<end>'}\n  {i}: {b[line] if line < len(b) else '<end>'}")


def assert_canonical(json_output: bytes, sarif_output: bytes) -> None:
    """Findings sorted by sink location (then rule and source), diagnostics sorted; SARIF results
    in the same order as the JSON findings."""
    document = json.loads(json_output)
    findings = document["findings"]
    assert findings, "the project has findings"
    sinks = [(f["sink"]["location"]["path"], f["sink"]["location"]["line"], f["sink"]["location"]["column"])
             for f in findings]
    assert sinks == sorted(sinks)
    diagnostics = [(d["path"], d["line"], d["column"], d["code"], d["message"]) for d in document["diagnostics"]]
    assert diagnostics == sorted(diagnostics)
    results = json.loads(sarif_output)["runs"][0]["results"]
    located = [(unquote(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]),
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["locations"][0]["physicalLocation"]["region"].get("startColumn")) for r in results]
    assert [(r["ruleId"], *where) for r, where in zip(results, located)] == [
        (f["rule_id"], *where) for f, where in zip(findings, sinks)]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus") / "proj"
    files = corpus_files()
    write_files(root, files, sorted(files))
    return root


# --- repeated runs, hash seeds, --jobs --------------------------------------------------------------

# (PYTHONHASHSEED, --jobs); "random" gives the run a seed of its own
RUNS = ((0, 1), (1, 2), ("random", 4))


def test_corpus_is_identical_across_runs_seeds_and_jobs(corpus: Path) -> None:
    first = {}
    for fmt in FORMATS:
        outputs = in_parallel([lambda seed=seed, jobs=jobs: flowlint(
            corpus, *corpus_args("--no-cache", "--jobs", str(jobs), "--format", fmt), seed=seed)
            for seed, jobs in RUNS])
        assert_identical(outputs, f"{fmt} with (PYTHONHASHSEED, --jobs) = {RUNS}")
        first[fmt] = outputs[0]
    document = json.loads(first["json"])
    assert len(document["findings"]) > 100 and document["diagnostics"]  # the corpus is what we think
    assert_canonical(first["json"], first["sarif"])


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_is_identical_across_runs_seeds_and_jobs(example: Path) -> None:
    """(The examples are too small for worker processes: --jobs changes nothing there but is passed.)"""
    runs = ((0, 1), ("random", 4))
    for fmt in FORMATS:
        outputs = in_parallel([lambda seed=seed, jobs=jobs: flowlint(
            example, "--no-cache", "--jobs", str(jobs), "--format", fmt, seed=seed) for seed, jobs in runs])
        assert_identical(outputs, f"{example.name} {fmt} with (PYTHONHASHSEED, --jobs) = {runs}")


# --- file order -------------------------------------------------------------------------------------


def test_identical_whatever_order_the_files_were_written(tmp_path: Path) -> None:
    """The same project written file by file in two orders (so directory listings may come back
    in different orders), at the same path: the same bytes, in canonical order."""
    files = corpus_files()
    shuffled = sorted(files)
    random.Random(20240501).shuffle(shuffled)
    root = tmp_path / "proj"
    outputs: dict[str, list[bytes]] = {fmt: [] for fmt in FORMATS}
    for order in (sorted(files, reverse=True), shuffled):
        if root.exists():
            shutil.rmtree(root)
        write_files(root, files, order)
        json_output, sarif_output = in_parallel([lambda fmt=fmt: flowlint(root, *corpus_args("--no-cache", "--format", fmt))
                                                 for fmt in FORMATS])
        outputs["json"].append(json_output)
        outputs["sarif"].append(sarif_output)
    for fmt in FORMATS:
        assert_identical(outputs[fmt], f"{fmt} of the project written in reversed and shuffled order")
    assert_canonical(outputs["json"][0], outputs["sarif"][0])


def test_identical_whatever_order_the_paths_are_given(corpus: Path) -> None:
    """Paths on the command line (pre-commit passes changed files) in any order: the same bytes.
    All top-level entries, in reverse order, report what the whole project reports."""
    entries = sorted(p.name for p in corpus.iterdir() if not p.name.startswith("."))
    some_files = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*.py"))[::3]
    shuffled = list(some_files)
    random.Random(7).shuffle(shuffled)
    runs = [("json", ()), ("json", entries[::-1]), ("json", some_files), ("json", shuffled),
            ("sarif", some_files[::-1]), ("sarif", shuffled)]
    whole, entries_reversed, files_json, shuffled_json, files_sarif, shuffled_sarif = in_parallel(
        [lambda fmt=fmt, paths=paths: flowlint(corpus, *corpus_args("--no-cache", "--format", fmt), *paths)
         for fmt, paths in runs])
    assert_identical([whole, entries_reversed], "json of the whole project and of its entries in reverse order")
    assert_identical([files_json, shuffled_json], "json of some files, sorted and shuffled")
    assert_identical([files_sarif, shuffled_sarif], "sarif of some files, reversed and shuffled")
    assert files_json != whole  # the files narrow the report
    assert_canonical(files_json, files_sarif)


# --- cache --------------------------------------------------------------------------------------------


def cache_entries(root: Path) -> dict[str, int]:
    """The cache's entries (relative path -> modification time in ns)."""
    cache = root / ".flowlint_cache"
    return {p.relative_to(cache).as_posix(): p.stat().st_mtime_ns for p in cache.rglob("*")
            if p.is_file() and p.name not in ("CACHEDIR.TAG", ".gitignore")}


def test_cold_and_warm_cache_runs_are_identical(corpus: Path, tmp_path: Path) -> None:
    """Without --no-cache: the first run fills the cache, the second is served from it; both
    give the bytes of a --no-cache run."""
    root = tmp_path / "proj"
    shutil.copytree(corpus, root, ignore=IGNORE)
    cold = flowlint(root, *corpus_args("--format", "json"))
    written = cache_entries(root)
    assert written, "the cold run filled the cache"
    warm, warm_sarif = in_parallel([lambda fmt=fmt: flowlint(root, *corpus_args("--format", fmt)) for fmt in FORMATS])
    assert cache_entries(root) == written, "the warm runs were served from the cache (nothing rewritten)"
    uncached, uncached_sarif = in_parallel([lambda fmt=fmt: flowlint(root, *corpus_args("--no-cache", "--format", fmt))
                                            for fmt in FORMATS])
    assert_identical([cold, warm, uncached], "json: cold cache, warm cache, --no-cache")
    assert_identical([warm_sarif, uncached_sarif], "sarif: warm cache, --no-cache")


def test_timings_fill_in_the_run_measurements(tmp_path: Path) -> None:
    root = tmp_path / "clearview-pipeline"
    shutil.copytree(REPO / "examples" / "clearview-pipeline", root, ignore=IGNORE)
    cold = json.loads(flowlint(root, "--format", "json", timings=True))["stats"]
    assert cold["seconds"] > 0 and cold["cache_hits"] == 0, cold
    warm = json.loads(flowlint(root, "--format", "json", timings=True))["stats"]
    assert warm["seconds"] > 0 and warm["cache_hits"] == warm["files"] == cold["files"] > 0, warm
    quiet = json.loads(flowlint(root, "--format", "json"))["stats"]  # warm too, without --timings
    assert (quiet["seconds"], quiet["cache_hits"]) == (0.0, 0) and isinstance(quiet["seconds"], float), quiet
