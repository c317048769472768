"""Witness traces show where data waits: stored in a long-lived object by one call, read from
it by another (through the real command line, JSON output)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
POLICY = REPO / "tests" / "fixtures" / "engine" / "policy.toml"

OUTBOX = '''import taintlib


class Outbox:
    def __init__(self):
        self.pending = []
        self.db = taintlib.DB()

    def on_profile(self, name):
        profile = taintlib.source(name)
        self.pending.append(profile)

    def flush(self):
        for row in self.pending:
            self.db.insert(row)


def run(box: Outbox):
    box.on_profile("x")
    box.flush()
'''


def test_a_flow_through_an_object_shows_the_store_and_the_read(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(OUTBOX, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "flowlint", "check", "--isolated", "--no-cache", "--policy",
                           str(POLICY), "--format", "json", str(tmp_path)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 1, done.stderr
    [finding] = json.loads(done.stdout)["findings"]
    steps = [(step["location"]["line"], step["note"]) for step in finding["trace"]]
    notes = [note for _, note in steps]
    stored = notes.index("added to `self.pending`")
    read = notes.index("read from `self.pending`")
    assert notes[0].startswith("source:") and notes[-1].startswith("reaches `taintlib.DB().insert()`")
    assert 0 < stored < read < len(notes) - 1
    assert steps[stored][0] == 11 and steps[read][0] == 14
    # the caller's own effect on `box` is the callee's return, not a second store step
    assert not any(note.startswith("added to `box`") for note in notes)
