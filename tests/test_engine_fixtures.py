"""Every engine fixture: expected findings found, nothing else flagged, xfails still failing."""

from __future__ import annotations

import pytest

from engine_fixtures import ROOT, cases, run_case

CASES = cases()


@pytest.mark.parametrize("case", CASES, ids=[str(c.relative_to(ROOT)) for c in CASES])
def test_fixture(case):
    result = run_case(case)
    problems = []
    if result.missing():
        problems.append("missed: " + "; ".join(result.missing()))
    if result.unexpected():
        problems.append("false alarms: " + "; ".join(result.unexpected()))
    if result.xpassed():
        problems.append("xfail now found (turn it into expect): " + "; ".join(result.xpassed()))
    assert not problems, "\n".join(problems)


def test_fixture_suite_size():
    assert len(CASES) >= 40
