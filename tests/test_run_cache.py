"""The whole-run cache (.flowlint_cache/runs/): a run with nothing changed is served from it,
and any change to a file, the policy or the limits is never answered with a stale result."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
POLICY = REPO / "tests" / "fixtures" / "engine" / "policy.toml"
FLOW = "import taintlib\n\n\ndef main():\n    taintlib.sink(taintlib.source())\n"


def check(project: Path, *extra: str, policy: Path = POLICY) -> dict:
    done = subprocess.run([sys.executable, "-m", "flowlint", "check", "--isolated", "--format", "json", "--exit-zero",
                           "--timings", "--policy", str(policy), *extra, str(project)],
                          capture_output=True, text=True, cwd=project, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return json.loads(done.stdout)


def found(document: dict) -> list[tuple[str, str, int]]:
    return [(f["rule_id"], f["sink"]["location"]["path"], f["sink"]["location"]["line"]) for f in document["findings"]]


def test_warm_run_is_served_whole_and_edits_are_never_stale(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FLOW)
    (tmp_path / "b.py").write_text("def helper(x):\n    return x\n")
    cold = check(tmp_path)
    assert cold["stats"]["cache_hits"] == 0 and found(cold) == [("FL101", "a.py", 5)]
    runs = list((tmp_path / ".flowlint_cache" / "runs").iterdir())
    assert len(runs) == 1
    warm = check(tmp_path)
    assert warm["stats"]["cache_hits"] == 2 and warm["findings"] == cold["findings"]

    (tmp_path / "b.py").write_text("import taintlib\n\n\ndef helper(x):\n    return x\n\n\n"
                                   "def more():\n    taintlib.sink(helper(taintlib.source()))\n")
    edited = check(tmp_path)
    assert edited["stats"]["cache_hits"] == 1  # a.py's IR; b.py parsed again
    assert found(edited) == [("FL101", "a.py", 5), ("FL101", "b.py", 9)]

    (tmp_path / "b.py").write_text("def helper(x):\n    return x\n")  # back as it was: the first result again
    assert check(tmp_path)["findings"] == cold["findings"]


def test_policy_and_limits_are_part_of_the_key(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FLOW)
    assert found(check(tmp_path)) == [("FL101", "a.py", 5)]
    other = tmp_path.parent / f"{tmp_path.name}-policy.toml"
    other.write_text(POLICY.read_text().replace('"taintlib.source",', ""))
    assert found(check(tmp_path, policy=other)) == []  # the same file, FL101 above: the policy is in the key
    skipped = check(tmp_path, "--max-file-size", "10")
    assert found(skipped) == [] and [d["code"] for d in skipped["diagnostics"] if d["severity"] != "note"] == ["FL904"]
    assert found(check(tmp_path)) == [("FL101", "a.py", 5)]


def test_a_corrupt_run_entry_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(FLOW)
    first = check(tmp_path)
    assert found(first) == [("FL101", "a.py", 5)]  # so that "the same findings" below is not two empty lists
    for entry in (tmp_path / ".flowlint_cache" / "runs").iterdir():
        entry.write_bytes(b"\x80\x04garbage")
    again = check(tmp_path)
    assert again["findings"] == first["findings"] and again["stats"]["cache_hits"] == 1
