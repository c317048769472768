"""`flowlint report` and `flowlint explain` through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "rcmp-case"


def flowlint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowlint", *args], capture_output=True, text=True, cwd=REPO)


def test_report_writes_html_and_markdown_with_the_check_numbers(tmp_path):
    check = json.loads(flowlint("check", "--no-cache", "--format", "json", str(EXAMPLE)).stdout)
    for fmt, name in (("html", "report.html"), ("markdown", "report.md")):
        out = tmp_path / name
        done = flowlint("report", "--no-cache", "--format", fmt, "--output", str(out), str(EXAMPLE))
        assert done.returncode == 0, done.stderr
        assert f"wrote {out} ({len(check['findings'])} findings)" in done.stderr
        text = out.read_text(encoding="utf-8")
        assert "FL101" in text and "agency/cases.py" in text


def test_explain_a_rule_and_an_unknown_one():
    done = flowlint("explain", "FL101")
    assert done.returncode == 0
    assert done.stdout.startswith("FL101  unlawful-origin-collected  (error)")
    assert "Privacy Act" in done.stdout
    wrong = flowlint("explain", "FL1O1")
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("flowlint: error: ") and "did you mean" in wrong.stderr
