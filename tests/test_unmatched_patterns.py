"""Patterns of the project's own policy that match nothing are noted (FL907, issue 15, item 3), on
tests/fixtures/unmatched: its policy.toml says which of its patterns match nothing in app/. A
typo gets a note at the pattern with the closest name flowlint built; a correct pattern, a
pattern of a shipped pack (`core` is loaded too) and a pattern whose match lies in a module the
analysis skips get none; the notes are the same from scratch, from the run cache and after an
incremental run; a note does not fail the build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_no_silent_green import flowlint

from flowlint.cache import IRCache
from flowlint.cli import main
from flowlint.config import load_config
from flowlint.discover import discover
from flowlint.pipeline import Analysis, analyse
from flowlint.policy.load import load_policy

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "unmatched"
HINT = " (`flowlint names FILE:LINE` shows the names flowlint gives a line's calls and reads)"
NOTES = [
    "policy.toml:21:1: FL907 [note] [[sources]] #2: calls pattern 'facevault.client().search_face' matches no call in "
    "the project; did you mean 'facevault.Client().search_face'?" + HINT,
    "policy.toml:26:1: FL907 [note] [[sources]] #3: calls pattern 'facevalt.Client().lookup' matches no call in the "
    "project; did you mean 'facevault.Client'?" + HINT,
    "policy.toml:27:1: FL907 [note] [[sources]] #3: params pattern 'app.search.run:photos' matches no parameter of a "
    "project function; did you mean 'app.search.run:photo'?" + HINT,
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def test_typos_are_noted_at_the_pattern_and_nothing_else_is(project: Path) -> None:
    done = flowlint(project, "check", "--no-cache")
    assert done.returncode == 1 and done.stderr == ""  # the flow through the correct source pattern: FL101
    assert "app/store.py:6:5: FL101" in done.stdout
    assert [line for line in done.stdout.splitlines() if " FL907 " in line] == NOTES
    # the correct pattern (line 16), core's patterns and the sink matched only in app/export.py
    # (skipped: nothing there can hold FaceVault data, so flowlint cannot tell) are not noted
    assert "csv.writer" not in done.stdout and "<pack" not in done.stdout


def _fl907(analysis: Analysis) -> list[tuple[str, int, str]]:
    return [(d.path, d.line, d.message) for d in analysis.diagnostics if d.code == "FL907"]


def test_the_notes_are_the_same_from_the_cache_and_after_an_incremental_run(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    config = load_config([])
    policy = load_policy(config.policies, base_dir=config.root)
    cache = IRCache(config.cache_dir)

    def run(cached: bool = True) -> Analysis:
        return analyse(discover(config)[0], policy, jobs=1, cache=cache if cached else None)

    cold = run()
    assert [f"{p}:{line}:1: FL907 [note] {m}" for p, line, m in _fl907(cold)] == NOTES
    warm = run()
    assert warm.cache_hits and _fl907(warm) == _fl907(cold)
    # an edit elsewhere: app.search.run, whose call matched the correct pattern, is not analysed
    # again, and what it looked up still counts
    export = project / "app" / "export.py"
    export.write_text("# edited\n" + export.read_text(encoding="utf-8"), encoding="utf-8")
    incremental = run()
    assert incremental.reused and incremental.findings
    assert _fl907(incremental) == _fl907(run(cached=False)) == _fl907(cold)


def test_a_note_does_not_fail_the_build(project: Path) -> None:
    (project / "app" / "store.py").write_text("def save(rows):\n    return rows\n", encoding="utf-8")
    done = flowlint(project, "check", "--no-cache")
    assert done.returncode == 0 and done.stderr == ""
    assert NOTES[0] in done.stdout.splitlines()
    assert "FL101" not in done.stdout


def test_explain_knows_fl907(capsys: pytest.CaptureFixture) -> None:
    assert main(["explain", "FL907", "--isolated"]) == 0
    out = capsys.readouterr().out
    assert "policy-pattern-matches-nothing" in out and "note" in out
