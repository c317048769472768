"""The held-out data-flow benchmark (tests/fixtures/heldout): written blind to the engine, in
the style of the private suite flowlint is measured on (sources and sinks are ordinary project
functions and globals declared in each case's policy). The cases are not edited to match the
engine, so the test pins what the engine does today, exactly, like strict xfails: every miss
and every false alarm is listed below, and any change fails — a new miss or false alarm is a
regression; a listed one that is gone, or a `# xfail:` line now found, is progress to record by
removing it from the list (or turning the `xfail` into `expect`). Each case must also analyse
without diagnostics. `python tests/test_heldout.py` prints recall, false alarms and every change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engine_fixtures import cases, run_case

HELDOUT = Path(__file__).parent / "fixtures" / "heldout"

KNOWN_MISSES = frozenset({
    "aliasing/dict_alias: main.py:34: FL101",
    "aliasing/list_alias: main.py:31: FL101",
    "aliasing/list_alias: main.py:37: FL101",
    "aliasing/object_alias: main.py:27: FL101",
    "aliasing/object_alias: main.py:35: FL101",
    "aliasing/object_alias: main.py:41: FL101",
    "aliasing/param_rebinding: main.py:40: FL101",
    "classes/bound_method_callbacks: main.py:30: FL101",
    "containers/list_index: main.py:12: FL101",
    "containers/nested_containers: main.py:25: FL101",
    "context_managers/project_cms: main.py:74: FL101",
    "exceptions/finally_reraise: main.py:69: FL101",
    "fields/nested_fields: main.py:28: FL101",
    "higher_order/event_registry: main.py:22: FL101",
    "higher_order/partial_closures: main.py:60: FL101",
    "imports/star_import: main.py:12: FL101",
    "interproc/default_args: main.py:35: FL101",
})
KNOWN_FALSE_ALARMS = frozenset({
    "classes/dataclass_fields: main.py:38: FL101",
    "containers/dict_keys: main.py:41: FL101",
    "containers/list_methods: main.py:10: FL101",
    "control_flow/match_statement: main.py:26: FL101",
    "control_flow/match_statement: main.py:30: FL101",
    "dynamic/dunder_protocols: main.py:56: FL101",
    "generators/yield_basic: main.py:37: FL101",
    "generators/yield_basic: main.py:44: FL101",
    "globals/cross_module_state: main.py:15: FL101",
    "higher_order/builtins_map_filter: main.py:17: FL101",
    "higher_order/decorators: main.py:72: FL101",
    "unpacking/star_args: main.py:19: FL101",
})


@dataclass
class Measure:
    """Every held-out case's outcome, each item as `case: path:line: rule` (or a diagnostic)."""

    expected: int = 0
    misses: set[str] = field(default_factory=set)
    false_alarms: set[str] = field(default_factory=set)
    xpassed: set[str] = field(default_factory=set)
    diagnostics: set[str] = field(default_factory=set)

    def changes(self) -> list[str]:
        """What differs from the pinned lists, one line each (empty: as pinned)."""
        return ([f"new miss: {m}" for m in sorted(self.misses - KNOWN_MISSES)]
                + [f"now found (remove from KNOWN_MISSES): {m}" for m in sorted(KNOWN_MISSES - self.misses)]
                + [f"new false alarm: {m}" for m in sorted(self.false_alarms - KNOWN_FALSE_ALARMS)]
                + [f"false alarm gone (remove from KNOWN_FALSE_ALARMS): {m}"
                   for m in sorted(KNOWN_FALSE_ALARMS - self.false_alarms)]
                + [f"xfail now found (turn it into expect): {m}" for m in sorted(self.xpassed)]
                + [f"diagnostic: {m}" for m in sorted(self.diagnostics)])

    def summary(self) -> str:
        found = self.expected - len(self.misses)
        return (f"expected {self.expected}, found {found} (recall {found / self.expected:.1%}), false alarms "
                f"{len(self.false_alarms)} ({len(self.false_alarms) / max(found + len(self.false_alarms), 1):.1%} "
                "of reported)")


def measure() -> Measure:
    out = Measure()
    for case in cases(HELDOUT):
        result = run_case(case, shared_policy=None)
        name = case.relative_to(HELDOUT).as_posix()
        out.expected += sum(len(rules) for rules in result.expected.values())
        out.misses.update(f"{name}: {m}" for m in result.missing())
        out.false_alarms.update(f"{name}: {u}" for u in result.unexpected())
        out.xpassed.update(f"{name}: {x}" for x in result.xpassed())
        out.diagnostics.update(f"{name}: {d}" for d in result.diagnostics())
    return out


def test_heldout_misses_and_false_alarms_are_exactly_the_known_ones() -> None:
    result = measure()
    assert result.expected >= 200
    assert result.expected - len(result.misses) > len(KNOWN_MISSES)  # most flows found: the cases ran
    changes = result.changes()
    assert not changes, result.summary() + "\n" + "\n".join(changes)


if __name__ == "__main__":
    result = measure()
    print("\n".join(result.changes() or ["as pinned"]))
    print(result.summary())
