"""Metamorphic, property-based tests of the engine over generated projects.

`tests/program_gen.py` generates small projects (1-3 modules: functions with keyword and
default arguments, nested functions and closures, lambdas and functions as values, classes with
fields, class attributes, methods, inheritance, imports between modules, containers, string
building, branches, loops, `try`, `with`) over the engine fixtures' policy
(`tests/fixtures/engine/policy.toml`). The analysis runs in-process
(`flowlint.pipeline.analyse`) on the project written to a temporary directory. Findings are
compared as multisets of `(rule_id, sink path, sink line, source path, source line)`, each line
replaced by its *tag* (which definition, which line of it), so moving code does not move the
comparison.

Properties:

1. robustness: the analyser returns (no exception, within `SECONDS`) on every generated
   project, with no FL903 diagnostic and every finding inside the project's lines; on a damaged
   variant (tokens deleted or doubled, lines deleted) it still returns, with an FL903 diagnostic
   (and no finding) for the damaged file exactly when it is not valid Python;
2. alpha-renaming: renaming locals, parameters (keyword arguments too), functions, classes,
   fields, methods and globals consistently (a permutation of the names within each category,
   optionally respelled) keeps the findings;
3. reordering: permuting a module's top-level definitions (classes keep their relative order,
   since a base must come first) keeps the findings;
4. dead code: adding a function that nothing calls and that holds no source, an `if False:`
   block touching only names of its own, or an unrelated module keeps the findings (and the
   unrelated module's findings are its findings when analysed alone);
5. a direct flow: inserting `taintlib.sink(taintlib.source())` at any reachable statement
   position (module level, class body, function, method, nested function, branch, loop, `try`,
   `with`), or in a new function, adds exactly one FL101 finding (sink and source on the new
   line) and keeps all others;
6. conditionals: replacing the value `E` of assignments by `(E if c else E)` keeps the set of
   findings;
7. incremental analysis: after any one-edit change (`program_gen.variants`: a module,
   definition, method, import, global or statement deleted, a block inlined, an expression
   simplified — a source replaced by a constant, an argument dropped), and after undoing it, the
   analysis that builds on the previous run's cached state gives exactly the findings and flows
   of an analysis from scratch (known engine gap: in recursive code the witness path kept for a
   flow may differ; the flows and findings may not).

Properties 4 and 5 insert code at a point drawn from the example's own insertion points; a
point that cannot be found again is `program_gen.NotApplicable`, a failure (never a silent
pass), which only a candidate of the reduction below may meet (and is then dropped).

Counter-examples: Hypothesis's own shrinking is switched off (for a generator with this many
cross-references it is slow and gets little smaller); instead a failing program is reduced as
a tree (`program_gen.reduce`: drop modules, definitions and statements, inline blocks,
simplify expressions, renumber names) while the property keeps failing, and the failure
message shows the reduced program as source.

Modes (Hypothesis settings profiles, applied to these tests only, not loaded globally):

* default, ``flowlint-ci``: `derandomize=True` (the same examples on every run, so CI is
  reproducible), `MAX_EXAMPLES` (20) examples per property, no deadline, no example database;
  nearly all of them have findings (`program_gen` seeds most function bodies with a flow, and
  `test_comparisons_have_findings` checks that the comparisons are not between empty sets);
* ``FLOWLINT_HYPOTHESIS=long``, profile ``flowlint-long``: 1000 examples per property, random
  (new examples every run). ``FLOWLINT_HYPOTHESIS_EXAMPLES=N`` sets the count in either mode::

      FLOWLINT_HYPOTHESIS=long pytest tests/test_metamorphic.py
      FLOWLINT_HYPOTHESIS=long FLOWLINT_HYPOTHESIS_EXAMPLES=300 pytest tests/test_metamorphic.py

Engine bugs found by these properties are pinned at the end of this module as
`xfail(strict=True)` tests with their reduced programs. Known engine gaps the comparisons allow
for (each marked `# known engine gap` where it is handled): a sink site reported from at most
`MAX_SOURCES_PER_SINK` source sites (such sinks are not compared), and the silent context
budgets (a difference under renaming or reordering is tolerated, and noted, only when the
analysis hit `MAX_CONTEXTS_PER_FUNCTION` or cut an argument's kinds; about 1 check in 600).
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from flowlint.analysis import engine, summary
from flowlint.cache import IRCache
from flowlint.discover import SourceFile
from flowlint.pipeline import Analysis, analyse
from flowlint.policy.load import load_policy

import program_gen as pg

ROOT = Path(__file__).parent / "fixtures" / "engine"
POLICY = load_policy([ROOT / "policy.toml"], base_dir=ROOT)
SECONDS = 20.0  # one analysis of a generated project (they take well under a second)
SYNTAX = "FL903"
MAX_EXAMPLES = 20  # nearly every example has findings (program_gen seeds flows): as many non-empty comparisons
# as 30 examples gave before seeding, at two thirds of the cost
DIRECT = "taintlib.sink(taintlib.source())"

_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.target]  # no Phase.shrink: see above
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("flowlint-ci", max_examples=MAX_EXAMPLES, derandomize=True, deadline=None, database=None,
                          phases=_PHASES, suppress_health_check=_QUIET, print_blob=True)
settings.register_profile("flowlint-long", max_examples=1000, deadline=None, phases=_PHASES,
                          suppress_health_check=_QUIET, print_blob=True)
_MODE = "flowlint-long" if os.environ.get("FLOWLINT_HYPOTHESIS", "").lower() == "long" else "flowlint-ci"
PROFILE = settings(settings.get_profile(_MODE))
if os.environ.get("FLOWLINT_HYPOTHESIS_EXAMPLES"):
    PROFILE = settings(PROFILE, max_examples=int(os.environ["FLOWLINT_HYPOTHESIS_EXAMPLES"]))


# ---------------------------------------------------------------------------- running the engine
@contextmanager
def time_limit(seconds: float):
    """Stop a runaway analysis: SIGALRM in the main thread (a no-op elsewhere), and the elapsed
    time is checked afterwards too (an alarm that lands in a gc callback is swallowed)."""
    started = time.perf_counter()
    alarm = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if alarm:
        def expire(signum, frame):
            raise TimeoutError(f"analysis took more than {seconds} s")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    elapsed = time.perf_counter() - started
    if elapsed > seconds:
        raise TimeoutError(f"analysis took {elapsed:.1f} s (limit {seconds} s)")


class _BudgetWatch(engine.Engine):
    """The engine, noting whether it hit one of its silent precision budgets (see the known
    engine gaps below): a function with MAX_CONTEXTS_PER_FUNCTION contexts, or an argument
    whose context kinds may have been cut to six."""

    last_hit = False

    def context_kinds(self, value):
        kinds = super().context_kinds(value)
        if len(kinds) >= 6 and len(value.kinds) > len(kinds):
            _BudgetWatch.last_hit = True
        return kinds

    def run(self):
        flows = super().run()
        if any(len(c) >= engine.MAX_CONTEXTS_PER_FUNCTION for c in self.contexts.values()):
            _BudgetWatch.last_hit = True
        return flows


def run(texts: dict[str, str]) -> Analysis:
    """Analyse a flat project (`relpath -> source`) written to a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="flowlint-metamorphic-") as tmp:
        return run_in(Path(tmp), texts)


def run_in(folder: Path, texts: dict[str, str], cache: IRCache | None = None) -> Analysis:
    """Analyse ``texts`` written to ``folder`` (files of earlier versions not in it are deleted)."""
    for old in folder.glob("*.py"):
        if old.name not in texts:
            old.unlink()
    files = []
    for relpath, text in sorted(texts.items()):
        path = folder / relpath
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        files.append(SourceFile(path, relpath, relpath.removesuffix(".py"), False))
    _BudgetWatch.last_hit = False
    with time_limit(SECONDS), mock.patch.object(engine, "Engine", _BudgetWatch):
        return analyse(files, POLICY, jobs=1, cache=cache)


Key = tuple


class Findings(Counter):
    budget_hit = False  # the engine hit a silent precision budget in this analysis
    capped: frozenset = frozenset()  # (sink path, sink tag) reported from only the first source sites


def findings(rendered: pg.Rendered) -> Findings:
    """The findings as a multiset of (rule, sink path, sink tag, source path, source tag)."""
    out = Findings()
    sites: dict[tuple, set] = {}
    for f in run(rendered.texts()).findings:
        sink, source = f.sink.location, f.source.location
        where = (sink.path, rendered.tag(sink.path, sink.line))
        out[(f.rule_id, *where, source.path, rendered.tag(source.path, source.line))] += 1
        sites.setdefault(where, set()).add((source.path, source.line, source.column))
    out.budget_hit = _BudgetWatch.last_hit
    out.capped = frozenset(w for w, s in sites.items() if len(s) >= summary.MAX_SOURCES_PER_SINK)
    return out


def _uncapped(found: Counter, capped: frozenset) -> Counter:
    """known engine gap (a deliberate reporting bound): a sink site is reported with at most
    summary.MAX_SOURCES_PER_SINK source sites, the first in file order, silently; moving code or
    doubling source sites changes which are kept. Sinks at the bound are not compared."""
    return Counter({k: n for k, n in found.items() if (k[1], k[2]) not in capped})


COMPARED: list[int] = []  # how many findings each comparison expected (see test_comparisons_have_findings)


def assert_same(expected: Counter[Key], actual: Counter[Key], after: pg.Rendered, budgets: bool = False) -> None:
    """`budgets`: a difference is tolerated when either analysis hit a precision budget.
    known engine gap: past MAX_CONTEXTS_PER_FUNCTION contexts (or six kinds in one argument)
    the engine drops precision silently, and which calls lose depends on definition order and
    on names; pinned by the test_bug_* tests below, so names and order may change findings
    only in analyses that hit a budget."""
    COMPARED.append(sum(expected.values()))
    capped = getattr(expected, "capped", frozenset()) | getattr(actual, "capped", frozenset())
    missing, extra = _uncapped(expected, capped) - _uncapped(actual, capped), \
        _uncapped(actual, capped) - _uncapped(expected, capped)
    if (missing or extra) and budgets and (getattr(expected, "budget_hit", False)
                                           or getattr(actual, "budget_hit", False)):
        note(f"tolerated (known engine gap, a precision budget was hit): missing {sorted(missing)}, "
             f"extra {sorted(extra)}")
        return
    if missing or extra:
        lines = ["findings differ (tags: (item, name, line in item))"]
        lines += [f"  missing {k}" for k in sorted(missing)] + [f"  extra   {k}" for k in sorted(extra)]
        raise AssertionError("\n".join(lines) + "\n" + source_of(after))


def source_of(rendered: pg.Rendered) -> str:
    return "\n".join(f"# ---- {path}\n{text}" for path, text in rendered.texts().items())


def point_key(rendered: pg.Rendered, point: pg.Point) -> tuple:
    """A point named by what follows it (so it survives reduction of the program elsewhere)."""
    lines = rendered.files[point.path].tags
    after = lines[point.index] if point.index < len(lines) else ("end",)
    before = lines[point.index - 1] if point.index else ("start",)
    return (point.path, point.indent, point.where, before, after)


def find_point(rendered: pg.Rendered, key: tuple) -> pg.Point:
    """The point named ``key``; `pg.NotApplicable` when there is none (only a program reduced
    from the one the key was taken from can lack it)."""
    for point in rendered.points:
        if point.path == key[0] and point_key(rendered, point) == key:
            return point
    raise pg.NotApplicable(f"no insertion point {key} in\n{source_of(rendered)}")


# ---------------------------------------------------------------------------- checks and reduction
# Each property is a check `(project, aux) -> None` that raises on failure; `aux` holds the
# property's other choices in a form that survives reducing the project.
_REDUCED: dict[tuple, str] = {}


def verify(check, project: pg.Project, aux) -> None:
    try:
        check(project, aux)
    except pg.GeneratorError:
        raise
    except Exception as failure:  # noqa: BLE001 - any exception is a failure to reduce
        key = (check.__name__, repr(project), repr(aux))
        if key not in _REDUCED:
            kind = type(failure)

            def fails(candidate: pg.Project) -> bool:
                try:
                    check(candidate, aux)
                except pg.GeneratorError:
                    return False
                except Exception as other:  # noqa: BLE001
                    return isinstance(other, kind)
                return False

            small = pg.reduce(project, fails)
            try:
                check(small, aux)
                _REDUCED[key] = "(reduction lost the failure)"
            except Exception as again:  # noqa: BLE001
                _REDUCED[key] = f"{type(again).__name__}: {again}"
        raise AssertionError(f"{type(failure).__name__}: {failure}\n\n===== reduced counter-example\n"
                             f"{_REDUCED[key]}") from failure


def check_no_crash(project: pg.Project, aux=None) -> None:
    rendered = pg.render(project)
    analysis = run(rendered.texts())
    syntax = [d for d in analysis.diagnostics if d.code == SYNTAX]
    assert not syntax, f"{syntax}\n{source_of(rendered)}"
    lengths = {path: len(f.lines) for path, f in rendered.files.items()}
    for f in analysis.findings:
        for location in (f.sink.location, f.source.location):
            assert location.path in lengths and 1 <= location.line <= lengths[location.path], f


def check_damaged(project: pg.Project, aux) -> None:
    module, damage = aux
    texts = pg.render(project).texts()
    path = sorted(texts)[module % len(texts)]
    texts[path] = pg.garble(texts[path], damage)
    analysis = run(texts)
    reported = [d for d in analysis.diagnostics if d.code == SYNTAX and d.path == path]
    shown = "\n".join(f"# ---- {p}\n{t}" for p, t in texts.items())
    if pg.parses(texts[path]):
        assert not reported, f"{path} is valid Python but: {reported}\n{shown}"
    else:
        assert reported, f"{path} is not valid Python but no {SYNTAX}: {analysis.diagnostics}\n{shown}"
        bad = [f for f in analysis.findings if path in (f.sink.location.path, f.source.location.path)]
        assert not bad, f"findings in a file that was not analysed: {bad}\n{shown}"


def check_renaming(project: pg.Project, names: dict[str, str]) -> None:
    after = pg.render(project, names)
    assert_same(findings(pg.render(project)), findings(after), after, budgets=True)


def check_reordering(project: pg.Project, ranks: dict[str, int]) -> None:
    modules = []
    for module in project.modules:
        order = sorted(range(len(module.items)), key=lambda i: (ranks.get(module.items[i].name, i), i))
        modules.append(pg.reorder(module, order))
    after = pg.render(pg.Project(tuple(modules)))
    assert_same(findings(pg.render(project)), findings(after), after, budgets=True)


def check_dead_function(project: pg.Project, aux) -> None:
    index, position, dead = aux
    index %= len(project.modules)
    module = project.modules[index]
    position = min(position, len(module.items))
    items = module.items[:position] + (dead,) + module.items[position:]
    modules = project.modules[:index] + (replace(module, items=items),) + project.modules[index + 1:]
    after = pg.render(pg.Project(modules))
    assert_same(findings(pg.render(project)), findings(after), after)


def check_dead_block(project: pg.Project, aux) -> None:
    key, block = aux
    before = pg.render(project)
    point = find_point(before, key)
    after, _ = before.insert(point, block, label="dead")
    assert_same(findings(before), findings(after), after)


def check_unrelated_module(project: pg.Project, extra: pg.Module) -> None:
    before, alone = pg.render(project), pg.render(pg.Project((extra,)))
    after = pg.render(pg.Project(project.modules + (extra,)))
    combined = findings(after)
    assert_same(findings(before), Counter({k: n for k, n in combined.items() if k[1] != extra.path}), after)
    assert_same(findings(alone), Counter({k: n for k, n in combined.items() if k[1] == extra.path}), after)


def check_direct_flow(project: pg.Project, aux) -> None:
    key, new_function = aux
    before = pg.render(project)
    point = find_point(before, key)
    block = ["def fresh_direct_flow():", "    " + DIRECT] if new_function else [DIRECT]
    after, _ = before.insert(point, block)
    expected = findings(before)
    tag = ("inserted", len(block) - 1)
    expected[("FL101", point.path, tag, point.path, tag)] += 1
    assert_same(expected, findings(after), after)


def check_conditionals(project: pg.Project, mask: tuple[bool, ...] | None) -> None:
    """`v = E` and `v = (E if c else E)` are the same program; the source sites inside E are
    doubled (on the same line), so the findings are compared as sets. `mask` None: every
    assignment."""
    changed = pg.wrap_conditionals(project, lambda i: mask is None or (i < len(mask) and mask[i]))
    before, after = pg.render(project), pg.render(changed)
    assert_same(as_set(findings(before)), as_set(findings(after)), after)


INCREMENTAL_RUNS: list[tuple[int, int]] = []  # (summaries reused, analyses run) per incremental run


def check_incremental(project: pg.Project, choice: int) -> None:
    edits = list(pg.variants(project))
    for offset in range(len(edits)):  # the chosen edit, or the next one that compiles
        try:
            after = pg.render(edits[(choice + offset) % len(edits)]).texts()
            break
        except pg.GeneratorError:  # a variant made for reduction need not compile (a `break` inlined)
            continue
    else:
        raise pg.NotApplicable(f"no one-edit variant compiles:\n{source_of(pg.render(project))}")
    before = pg.render(project).texts()
    with tempfile.TemporaryDirectory(prefix="flowlint-incremental-") as tmp:
        cache = IRCache(Path(tmp, ".flowlint_cache"))
        first = run_in(Path(tmp), before, cache)
        for texts, expected in ((after, run(after)), (before, first)):
            shutil.rmtree(cache.runs, ignore_errors=True)  # so the engine runs, from the state left
            incremental = run_in(Path(tmp), texts, cache)
            INCREMENTAL_RUNS.append((incremental.reused, incremental.analysed))
            if (incremental.findings, incremental.flows) != (expected.findings, expected.flows) \
                    and _without_traces(incremental) == _without_traces(expected):
                # known engine gap: in recursive code the witness path kept for a flow depends on
                # the order the analyses ran in (the flows and findings themselves do not)
                note("tolerated (known engine gap): the same flows, another witness path")
                continue
            if (incremental.findings, incremental.flows) != (expected.findings, expected.flows):
                if _BudgetWatch.last_hit:
                    note("tolerated (known engine gap, a precision budget was hit): incremental differs")
                    continue
                shown = "\n".join(f"# ---- {p}\n{t}" for p, t in texts.items())
                raise AssertionError(f"incremental run differs from a run from scratch\n"
                                     f"expected {[str(f) for f in expected.flows]}\n"
                                     f"got      {[str(f) for f in incremental.flows]}\n{shown}")


def _without_traces(analysis: Analysis) -> tuple:
    return ([replace(f, trace=()) for f in analysis.findings], [f.key for f in analysis.flows])


def as_set(found: Findings) -> Findings:
    out = Findings({k: 1 for k in found})
    out.budget_hit, out.capped = found.budget_hit, found.capped
    return out


# ---------------------------------------------------------------------------- the properties
projects = pg.projects()


@PROFILE
@given(projects)
def test_never_crashes_on_generated_projects(project):
    verify(check_no_crash, project, None)


damage = st.lists(st.tuples(st.sampled_from(["delete", "delete", "delete", "dup", "line"]), st.integers(0, 10_000)),
                  min_size=1, max_size=3)


@PROFILE
@given(projects, st.integers(0, 2), damage)
def test_never_crashes_on_damaged_projects(project, module, ops):
    verify(check_damaged, project, (module, tuple(ops)))


@PROFILE
@given(projects, st.data())
def test_alpha_renaming_keeps_findings(project, data):
    verify(check_renaming, project, data.draw(pg.renamings(project), label="renaming"))


@PROFILE
@given(projects, st.data())
def test_reordering_definitions_keeps_findings(project, data):
    names = [item.name for module in project.modules for item in module.items]
    ranks = data.draw(st.permutations(range(len(names))), label="ranks")
    verify(check_reordering, project, dict(zip(names, ranks)))


@PROFILE
@given(projects, st.integers(0, 2), st.integers(0, 10), pg.dead_functions())
def test_uncalled_clean_function_keeps_findings(project, module, position, dead):
    verify(check_dead_function, project, (module, position, dead))


@PROFILE
@given(projects, st.data(), pg.dead_blocks())
def test_dead_block_keeps_findings(project, data, block):
    rendered = pg.render(project)
    point = data.draw(st.sampled_from(rendered.points), label="where")
    verify(check_dead_block, project, (point_key(rendered, point), tuple(block)))


@PROFILE
@given(projects, pg.projects(pg.Options(max_modules=1)))
def test_unrelated_module_keeps_findings(project, other):
    verify(check_unrelated_module, project, replace(other.modules[0], name="extra0"))


@PROFILE
@given(projects, st.data())
def test_inserted_direct_flow_is_one_more_finding(project, data):
    rendered = pg.render(project)
    point = data.draw(st.sampled_from(rendered.points), label="where")
    note(f"insert at {point}")
    verify(check_direct_flow, project, (point_key(rendered, point), False))


@PROFILE
@given(projects, st.data())
def test_direct_flow_in_new_function_is_one_more_finding(project, data):
    rendered = pg.render(project)
    point = data.draw(st.sampled_from([p for p in rendered.points if p.where == "module"]), label="where")
    verify(check_direct_flow, project, (point_key(rendered, point), True))


@PROFILE
@given(projects, st.lists(st.booleans(), max_size=60))
def test_conditional_with_equal_branches_keeps_findings(project, mask):
    verify(check_conditionals, project, tuple(mask))


@PROFILE
@given(projects, st.integers(0, 10_000))
def test_incremental_analysis_equals_analysis_from_scratch(project, choice):
    verify(check_incremental, project, choice)


def test_incremental_runs_reused_summaries():
    """The property above is not vacuous: most of its runs built on the previous state."""
    if not INCREMENTAL_RUNS:
        pytest.skip("run together with test_incremental_analysis_equals_analysis_from_scratch")
    reusing = sum(1 for reused, _ in INCREMENTAL_RUNS if reused)
    assert reusing >= len(INCREMENTAL_RUNS) // 3, INCREMENTAL_RUNS


def test_comparisons_have_findings():
    """The properties above are not vacuous: most of their comparisons expected findings (a
    comparison of two empty sets proves nothing; `program_gen` seeds most function bodies with a
    flow for this; measured on 30 examples of each property: 29 or 30 have findings, 10-23
    before seeding)."""
    if not COMPARED:
        pytest.skip("run together with the properties above")
    assert sum(1 for n in COMPARED if n) >= 0.9 * len(COMPARED), sorted(COMPARED)


# ---------------------------------------------------------------------------- engine bugs found
# Reduced counter-examples, pinned until the engine is fixed (strict: a fix makes them XPASS,
# which fails, so the marker is removed together with the fix).
def flows(text: str) -> list[tuple[str, int, int]]:
    """(rule, sink line, source line) of a one-module project."""
    return sorted((f.rule_id, f.sink.location.line, f.source.location.line) for f in run({"mod0.py": text}).findings)


def _classes(names: list[str]) -> list[str]:
    out = ["import taintlib", ""]
    for name in names:
        out += ["", f"class {name}:", "    def m(self):", "        return taintlib.source()", ""]
    return out


def _line_of(text: str, needle: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if needle in line]


CONDITIONAL_CALLABLE = """\
import taintlib

G0 = taintlib.source()


def f0(p0):
    taintlib.sink(p0)


def f1():
    v0 = f0 if taintlib.other('x') == 'k0' else f0
    return v0(G0)
"""

CONDITIONAL_OBJECT = """\
import taintlib


class K0:
    def m(self):
        return taintlib.source()


def f0(flag):
    x = K0() if flag else K0()
    taintlib.sink(x.m())
"""


# Found by test_conditional_with_equal_branches_keeps_findings: a conditional expression dropped
# the kinds of its branches (IfExp was built as ir.Combine, like `a + b`), so calls through
# `f if c else f` and methods of `K() if c else K()` were not resolved. Fixed in the engine
# (commit e785cd6, "IfExp keeps kinds"); kept as a regression test.
@pytest.mark.parametrize("text, plain", [
    (CONDITIONAL_CALLABLE, ("f0 if taintlib.other('x') == 'k0' else f0", "f0")),
    (CONDITIONAL_OBJECT, ("K0() if flag else K0()", "K0()")),
], ids=["callable", "object"])
def test_conditional_expression_keeps_kinds(text, plain):
    expected = flows(text.replace(*plain))  # the same program without the conditional
    assert expected, "the plain program has its flow"
    assert flows(text) == expected


def _dispatch(names: list[str]) -> str:
    out = _classes(names) + ["", "def use(p):", "    taintlib.sink(p.m())", "", "", "def main(flag):"]
    for i, name in enumerate(names):
        out += [f"    {'if' if i == 0 else 'elif'} flag == {i}:" if i < len(names) - 1 else "    else:",
                f"        x = {name}()"]
    return "\n".join(out + ["    use(x)"]) + "\n"


@pytest.mark.xfail(strict=True, reason="BUG: Engine.context_kinds keeps only the first 6 kinds of an argument "
                   "by sorted name, so a call with an object of one of 7 classes loses the alphabetically last "
                   "ones' flows, silently; renaming the classes changes the findings (property 2)")
def test_bug_argument_kinds_truncated_by_name():
    names = ["A", "B", "C", "D", "E", "F", "G"]
    for order in (names, ["G", "B", "C", "D", "E", "F", "A"]):  # the same program, A and G renamed
        text = _dispatch(order)
        sink = _line_of(text, "taintlib.sink(")[0]
        sources = _line_of(text, "return taintlib.source()")
        assert flows(text) == [("FL101", sink, source) for source in sources], order


def _fan_in(order: list[int]) -> str:
    out = _classes([f"K{i}" for i in range(len(order))]) + ["", "def use(p):", "    taintlib.sink(p.m())", ""]
    for i in order:
        out += ["", f"def g{i}():", f"    use(K{i}())", ""]
    return "\n".join(out) + "\n"


@pytest.mark.xfail(strict=True, reason="BUG: past MAX_CONTEXTS_PER_FUNCTION (8) contexts a call is analysed in the "
                   "default context (no kinds), so `use(K7())` misses K7.m's flow, silently; which call loses "
                   "depends on definition order, so reordering functions changes the findings (property 3)")
def test_bug_context_budget_drops_flows_by_definition_order():
    for order in (list(range(8)), list(reversed(range(8)))):
        text = _fan_in(order)
        sink = _line_of(text, "taintlib.sink(")[0]
        sources = _line_of(text, "return taintlib.source()")
        assert flows(text) == [("FL101", sink, source) for source in sources], order


RECURSION_OVER_LIBRARY_OBJECT = """\
import taintlib

LIMIT = 10


{first}


{second}


class Holder:
    def __init__(self, value):
        taintlib.write_file(walk(value, value))


class Record:
    pass
"""
_LOAD = "def load():\n    return walk(taintlib.source(), LIMIT)\n"
_WALK = ("def walk(data, node):\n    Holder(node.field)\n    walk(None, Record(taintlib.unknown_source()))\n"
         "    return [data for x in 'ab']\n")


def test_recursion_beyond_the_context_cap_keeps_its_flow_in_either_order():
    """Recursion over an unknown library object mints one context per level (api:LIMIT.field,
    api:LIMIT.field.field, ...) until `walk` has MAX_CONTEXTS_PER_FUNCTION contexts; the call
    `walk(None, Record(...))` then runs in the shared context, which joins what the callers know,
    so its flow to write_file is found whichever of `load` and `walk` is defined first (it was
    lost when `load` came first; found by test_reordering_definitions_keeps_findings)."""
    results = []
    for first, second in ((_WALK, _LOAD), (_LOAD, _WALK)):  # the same program, two definition orders
        text = RECURSION_OVER_LIBRARY_OBJECT.format(first=first, second=second)
        sink = _line_of(text, "taintlib.write_file(")[0]
        source = _line_of(text, "taintlib.unknown_source()")[0]
        results.append(flows(text) == [("FL102", sink, source)])
    assert results == [True, True]
