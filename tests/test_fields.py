"""Field-level categories end to end: a vendor declared with `[sources.fields]` under the shipped
packs; only the fields that reach a sink count (score only: nothing; a name: FL101 without the
biometric rules; the thumbnail: FL201 and FL202 too)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from engine_fixtures import expectations

PROJECT = Path(__file__).parent / "fixtures" / "fields_project"


def _found(project: Path = PROJECT) -> dict[tuple[str, int], set[str]]:
    run = subprocess.run([sys.executable, "-m", "flowlint", "check", "--no-cache", "--format", "json", str(project)],
                         capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    report = json.loads(run.stdout)
    assert not [d for d in report["diagnostics"] if d["path"].endswith(".py")], report["diagnostics"]
    found: dict[tuple[str, int], set[str]] = {}
    for finding in report["findings"]:
        location = finding["sink"]["location"]
        found.setdefault((location["path"], location["line"]), set()).add(finding["rule_id"])
    return found


def test_only_the_fields_that_reach_a_sink_count() -> None:
    expected = expectations(PROJECT / "app" / "matches.py", "app/matches.py")[0]
    assert expected, "the fixture must expect findings"
    assert _found() == expected


def test_without_fields_every_sink_gets_every_category(tmp_path: Path) -> None:
    """The control: the same project with the vendor's whole record as one value."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT, project)
    vendor = project / "vendor.toml"
    vendor.write_text(vendor.read_text(encoding="utf-8").split("[sources.fields]")[0], encoding="utf-8")
    found = _found(project)
    for line in {line for (_, line) in expectations(PROJECT / "app" / "matches.py", "app/matches.py")[0]}:
        assert found[("app/matches.py", line)] >= {"FL101", "FL201", "FL202"}
    assert ("app/matches.py", 12) in found  # the score line: a finding only without fields
