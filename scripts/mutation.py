"""Mutation testing of flowlint's decision code with mutmut (a developer tool: `pip install -e
".[dev]"`; not part of `.ci/run`). See docs/testing.md.

    python scripts/mutation.py rules suppressions baseline     # about 10 minutes on 2 cores
    python scripts/mutation.py policy                          # one target, or several
    python scripts/mutation.py --summary                       # the last run's table again

The checkout (less .git, .venv, caches and build output) is copied to a work folder
(default: $TMPDIR/flowlint-mutation), mutmut is configured there (setup.cfg: the modules to
mutate and the fast, in-process test files that exercise them) and run; the table at the end
counts, per module, the mutants killed, survived, judged equivalent (listed with the reason in
`EQUIVALENT` below: they cannot change what a user sees) and not covered by the selected tests.
Inspect a survivor with `cd <work folder> && mutmut show <name>`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# target -> (the files to mutate, the test files run against them: in-process and fast; tests
# that run flowlint in a subprocess cannot see a mutant, mutmut never selects them for one)
TARGETS: dict[str, tuple[list[str], list[str]]] = {
    "rules": (["flowlint/rules.py"], ["tests/test_engine_fixtures.py", "tests/test_heldout.py"]),
    "suppressions": (["flowlint/suppressions.py"], ["tests/test_suppressions.py"]),
    "baseline": (["flowlint/baseline.py"], ["tests/test_baseline.py"]),
    "policy": (["flowlint/policy/*"], ["tests/test_policy_load.py", "tests/test_policy_errors.py",
                                        "tests/test_engine_fixtures.py"]),
    "analysis": (["flowlint/analysis/*"], ["tests/test_engine_fixtures.py", "tests/test_heldout.py",
                                            "tests/test_imports.py", "tests/test_strings.py"]),
}

# Mutants reviewed and judged equivalent (no input can tell them apart from the original) or
# harmless (they change nothing a user relies on), with the reason. A name stays valid while
# its function is unchanged; the summary counts them apart from the survivors.
EQUIVALENT: dict[str, str] = {
    "flowlint.rules.x_evaluate__mutmut_7": "`continue` -> `break` for a flow whose origin the policy lacks: "
    "unreachable, the loader checks every source's origin",
    "flowlint.rules.x_evaluate__mutmut_25": "`<` -> `<=`: of two equally short witness traces the later is kept; "
    "both are valid and the flow order is deterministic (harmless)",
    "flowlint.rules.x_render_message__mutmut_20": "the word for an empty category list in a message; no finding "
    "with no categories is known (harmless)",
    "flowlint.rules.x_render_message__mutmut_21": "as x_render_message__mutmut_20",
    "flowlint.rules.x_render_message__mutmut_30": "the separator between two marks in a message; no shipped "
    "message uses {marks} (harmless)",
    "flowlint.suppressions.x_parse__mutmut_13": "Problem.path is never read (apply uses the directive's own path)",
    "flowlint.suppressions.x_parse__mutmut_14": "Problem.directive is never read",
    "flowlint.suppressions.x_parse__mutmut_39": "as x_parse__mutmut_13",
    "flowlint.suppressions.x_parse__mutmut_40": "as x_parse__mutmut_14",
    "flowlint.suppressions.x_parse__mutmut_37": "dead branch: `ignore[]` splits into [''], so `bad` is never empty",
    "flowlint.suppressions.x_parse__mutmut_38": "as x_parse__mutmut_37",
    "flowlint.suppressions.xǁSuppressionǁcovers__mutmut_13": "`0 < first` -> `0 <= first`: first is 0 only with "
    "last 0, and a directive's line is at least 1",
    "flowlint.baseline.x_load__mutmut_4": "encoding None: the locale's, UTF-8 wherever flowlint is tested",
    "flowlint.baseline.x_load__mutmut_6": "'UTF-8' and 'utf-8' name the same codec",
    "flowlint.baseline.x_load__mutmut_16": "Baseline.path is never read (the CLI reports the path it was given)",
}
# Mutants that mutmut counts as survivors although tests kill them: flowlint/baseline.py's errors
# and file format are tested through the command line (tests/test_baseline.py,
# tests/test_bad_input.py), in subprocesses that mutmut cannot see. Check those by hand: in the
# work folder, `mutmut apply NAME`, run those test files, restore flowlint/baseline.py.

STATUS = {1: "killed", 3: "killed", 0: "survived", 33: "no tests", 5: "no tests", 36: "timeout", -24: "timeout",
          24: "timeout", 152: "timeout", 255: "timeout", None: "not checked"}


def prepare(work: Path, targets: list[str]) -> None:
    """Copy the checkout to ``work`` and write mutmut's configuration for ``targets``."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(REPO, work, ignore=shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", ".flowlint_cache", ".pytest_cache", "*.egg-info", "build", "dist", "mutants"))
    mutate = [path for target in targets for path in TARGETS[target][0]]
    tests = list(dict.fromkeys(path for target in targets for path in TARGETS[target][1]))
    lines = ["[mutmut]", "source_paths = flowlint", "only_mutate =", *(f"    {p}" for p in mutate),
             "pytest_add_cli_args_test_selection =", *(f"    {t}" for t in tests),
             # in one process: mutmut follows which tests call which function in-process only
             "pytest_add_cli_args =", "    -p", "    no:cacheprovider", "    -n", "    0",
             "also_copy =", "    policies", "    docs", "    examples"]
    (work / "setup.cfg").write_text("\n".join(lines) + "\n", encoding="utf-8")


def summary(work: Path) -> str:
    """Per module: killed / survived / equivalent / no tests / other, then the survivors."""
    rows, survivors = [], []
    for meta in sorted((work / "mutants").rglob("*.py.meta")):
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        if not codes:
            continue
        count: Counter[str] = Counter()
        for name, code in sorted(codes.items()):
            status = STATUS.get(code, "suspicious")
            if status == "survived" and name in EQUIVALENT:
                status = "equivalent"
            elif status == "survived":
                survivors.append(name)
            count[status] += 1
        other = sum(n for s, n in count.items() if s not in ("killed", "survived", "equivalent", "no tests"))
        module = meta.relative_to(work / "mutants").as_posix().removesuffix(".meta")
        rows.append(f"| {module} | {count['killed']} | {count['survived']} | {count['equivalent']} "
                    f"| {count['no tests']} | {other} |")
    header = ["| module | killed | survived | equivalent | no tests | other |", "|---|---|---|---|---|---|"]
    return "\n".join(header + rows + ["", "survivors:", *(f"  {name}" for name in survivors)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help=f"what to mutate: {', '.join(TARGETS)} (default: all)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "flowlint-mutation",
                        help="work folder (replaced; default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="mutants tested at once")
    parser.add_argument("--summary", action="store_true", help="only print the last run's table")
    args = parser.parse_args()
    unknown = sorted(set(args.targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)}; expected some of {', '.join(TARGETS)}")
    if not args.summary:
        prepare(args.work, args.targets or list(TARGETS))
        command = [str(Path(sys.executable).parent / "mutmut"), "run", "--max-children", str(args.jobs)]
        # tests that run `python -m flowlint` get the work folder's (unmutated) copy, not the checkout's
        environment = {**os.environ, "PYTHONPATH": str(args.work)}
        if subprocess.run(command, cwd=args.work, env=environment).returncode != 0:
            return 1
    print(summary(args.work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
