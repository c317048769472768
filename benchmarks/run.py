"""Benchmark flowlint against the libcst parse floor on real packages (not a test).

    python benchmarks/run.py [--packages django sqlalchemy] [--keep DIR] [--policy FILE|PACK ...]

Downloads the packages' wheels from PyPI into a temporary folder (nothing is committed), then
measures, per package: a bare `libcst.parse_module` of every file in one process (the floor),
flowlint cold (`--no-cache`) with `--jobs 1` and with all cores, warm (cache, no change), and
warm after a one-line edit in one file. Each run is a separate process; wall time, CPU time
(user + system) and peak RSS come from `os.wait4`. Prints a Markdown table with ratios to the floor.

By default flowlint runs with every shipped pack, whose sources (scraping SDKs, data brokers) a
framework's own code never names, so beyond parsing it has nothing to analyse. `--policy` runs it
with other policies instead, e.g. `--policy core --policy benchmarks/request-sources.toml`, which
makes every `request` parameter a source: the analysis then runs over most of the code.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

FLOOR = """
import sys, pathlib, libcst
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.py")):
    try:
        libcst.parse_module(path.read_bytes())
    except Exception:
        pass
"""


def download(package: str, folder: Path) -> Path:
    wheels = folder / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                    "--dest", str(wheels), package], check=True)
    wheel = next(p for p in sorted(wheels.glob("*.whl")) if p.name.lower().startswith(package.lower().replace("-", "_")))
    target = folder / package
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def measure(command: list[str], cwd: Path) -> tuple[float, float, float, int]:
    """(wall seconds, cpu seconds, peak RSS MiB, exit status) of one process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def lines_of(root: Path) -> tuple[int, int]:
    files = list(root.rglob("*.py"))
    return len(files), sum(p.read_bytes().count(b"\n") for p in files)


def bench(root: Path, policies: list[str]) -> list[tuple[str, tuple[float, float, float, int]]]:
    flowlint = [sys.executable, "-m", "flowlint", "check", "--isolated", "--format", "json", "--output", os.devnull,
                "--exit-zero", *(f"--policy={p}" for p in policies), str(root)]
    # a cache left by an earlier benchmark of a kept folder may hold this very edit's run
    shutil.rmtree(root / ".flowlint_cache", ignore_errors=True)
    rows = [("bare libcst parse, 1 process (floor)", measure([sys.executable, "-c", FLOOR, str(root)], root))]
    rows.append(("flowlint cold --no-cache --jobs 1", measure(flowlint + ["--no-cache", "--jobs", "1"], root)))
    rows.append((f"flowlint cold --no-cache --jobs {os.cpu_count()}", measure(flowlint + ["--no-cache"], root)))
    measure(flowlint, root)  # fill the cache
    rows.append(("flowlint warm (no change)", measure(flowlint, root)))
    victim = max(root.rglob("*.py"), key=lambda p: p.stat().st_size)
    victim.write_text(edit_one_line(victim.read_text(encoding="utf-8")), encoding="utf-8")
    rows.append((f"flowlint after a one-line edit ({victim.name})", measure(flowlint, root)))
    return rows


def edit_one_line(text: str) -> str:
    """The last `return <expression>` of the file gets its expression parenthesised: a change
    inside one function body (its positions move), with no line added or removed."""
    lines = text.splitlines(keepends=True)
    for index in range(len(lines) - 1, -1, -1):
        match = re.fullmatch(r"(\s+return )([^#\n]+?)(\s*)", lines[index])
        if match:
            edited = lines[:index] + [f"{match.group(1)}({match.group(2)}){match.group(3)}"] + lines[index + 1:]
            try:
                compile("".join(edited), "edited", "exec", dont_inherit=True)
            except SyntaxError:  # a `return` inside a multi-line expression or string
                continue
            return "".join(edited)
    return text + "\n# edited\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", nargs="+", default=["django", "sqlalchemy"])
    parser.add_argument("--keep", type=Path, help="download into this folder and keep it")
    parser.add_argument("--policy", action="append", default=[], metavar="FILE|PACK",
                        help="policies for flowlint (default: every shipped pack)")
    args = parser.parse_args()
    policies = [p if "/" not in p and not p.endswith(".toml") else str(Path(p).resolve()) for p in args.policy]
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for package in args.packages:
            root = download(package, folder)
            files, lines = lines_of(root)
            print(f"\n### {package}: {files} files, {lines} lines; policies: {', '.join(args.policy) or 'all shipped packs'}\n")
            print("| run | wall s | CPU s | peak RSS MiB | x floor (wall) | exit |")
            print("|---|---|---|---|---|---|")
            rows = bench(root, policies)
            floor = rows[0][1][0]
            for name, (wall, cpu, rss, status) in rows:
                print(f"| {name} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {wall / floor:.2f} | {status} |")


if __name__ == "__main__":
    main()
