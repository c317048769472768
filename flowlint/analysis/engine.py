"""The interprocedural fixpoint: summaries on demand, a worklist for everything that changed.

A function is analysed per calling context (the kinds of its arguments: which class an object
is, which function a callback is, which API object a connection is). Callees are analysed on
demand, depth first, so most summaries are ready when first needed (bottom-up over the call
graph); recursion gets the partial summary and a re-analysis once it grows. Globals, class
attributes, closure cells and the kinds of instance fields are flow-insensitive stores, and
every reader is re-analysed when one grows. All lattices are finite, so the loop ends; a
budget per context guards against pathological programs.

Runs are incremental: a complete run leaves its state (`EngineState`) for the next, which
`resume`s from it after killing every context that a changed function can reach backwards: the
changed functions' contexts, their callers (transitively), and every reader and writer of a store
one of them wrote (a removed write must disappear, and stores only grow within a run). What is
left is exactly what a run from scratch would compute again, so only the rest is analysed.
"""

from __future__ import annotations

import functools
import sys
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from flowlint import ir
from flowlint.analysis import strings
from flowlint.analysis.entries import EntryPoint, Recorder, catalogue
from flowlint.analysis.interpret import FunctionRun
from flowlint.analysis.models import Models
from flowlint.analysis.module_graph import import_graph, importers
from flowlint.analysis.relevance import StoreWriters, source_modules
from flowlint.analysis.summary import EMPTY_SUMMARY, Context, Flow, Summary, fewest_sources, keep_shortest
from flowlint.analysis.values import EMPTY, Site, Taint, Value
from flowlint.progress import Progress
from flowlint.program import Program

MAX_CONTEXTS_PER_FUNCTION = 8
MAX_CONTEXT_KINDS = 6  # kinds of one argument that a calling context keeps
MAX_ANALYSES_PER_CONTEXT = 10
MAX_ON_DEMAND_DEPTH = 40
# statements interpreted, over the whole run: a fixed base plus a share per line of code.
# Past it, queued re-analyses are dropped (deterministically) and the run says it is incomplete.
STEP_BUDGET_BASE = 100_000
STEP_BUDGET_PER_LINE = 30
_CONTEXT_PREFIXES = ("inst:", "virt:", "cls:", "fn:", "bound:", "api:", "mod:", "super:")
_RECORD_DECORATORS = frozenset({"dataclass", "define", "frozen", "attrs", "s", "mutable"})
_RECORD_BASES = ("NamedTuple", "BaseModel", "TypedDict")
_CLOCK_EVERY = 128  # statements between two looks at the clock


StoreKey = tuple  # ("global", (owner, name)) or ("field", class, attribute)


@dataclass
class EngineState:
    """What a complete run leaves for the next one (see `Engine.resume`)."""

    summaries: dict[Context, Summary]
    contexts: dict[str, list[Context]]
    flows: dict[Context, dict[tuple, Flow]]
    calls: nx.DiGraph  # caller context -> callee context
    globals: dict[tuple[str, str], Value]
    fields: dict[tuple[str, str], frozenset[str]]
    dependents: dict[StoreKey, set[Context]]  # the readers of each store
    writes: dict[Context, set[StoreKey]]  # the stores each context wrote
    captures: dict[Context, set[tuple[str, str]]]  # the cells each context asked an enclosing function for
    exhausted: set[Context]
    entries: dict[Context, dict[tuple[Site, str], EntryPoint]]  # the entry points each context saw
    names: dict[Context, frozenset[str]]  # the names each context looked up in the policy (`Models.kept`)
    found_roots: dict[Context, set[Context]]  # the entry points each context's analysis found


class FileTimeLimit(Exception):
    """The file whose function is being interpreted has used up its analysis time."""


class Engine:
    def __init__(self, program: Program, models: Models, progress: Progress | None = None,
                 file_time_limit: float = 0.0) -> None:
        self.program = program
        self.models = models
        self.progress = progress
        self.recorder = Recorder(catalogue(models.policy), models)  # for `flowlint sources`
        self.summaries: dict[Context, Summary] = {}
        self.contexts: dict[str, list[Context]] = defaultdict(list)
        self.globals: dict[tuple[str, str], Value] = {}
        self.fields: dict[tuple[str, str], frozenset[str]] = {}
        self.captured: set[tuple[str, str]] = set()
        self.captures: dict[Context, set[tuple[str, str]]] = defaultdict(set)
        # entry points found while analysing (a decorator's wrapper, the owner of a captured
        # cell), by the context whose analysis found them: a resumed run keeps those of the
        # contexts it does not analyse again
        self.found_roots: dict[Context, set[Context]] = defaultdict(set)
        self.dependents: dict[StoreKey, set[Context]] = defaultdict(set)
        self.writes: dict[Context, set[StoreKey]] = defaultdict(set)
        self.flows: dict[Context, dict[tuple, Flow]] = {}  # from the latest analysis of each context
        self.names: dict[Context, frozenset[str]] = {}  # what the latest analysis looked up (flowlint.analysis.pattern_use)
        self.calls = nx.DiGraph()
        self.analyses: dict[Context, int] = defaultdict(int)
        self.exhausted: set[Context] = set()
        self.reused = 0  # summaries kept from the previous run
        self.performed = 0  # analyses run
        self._roots: dict[Context, None] = {}  # analysed for their own sake, not on demand (ordered)
        self._queue: deque[Context] = deque()
        self._queued: set[Context] = set()
        self._stack: list[Context] = []
        self._declared: dict[str, tuple[str, ...]] = {}
        self.steps = 0
        self.budget = STEP_BUDGET_BASE + STEP_BUDGET_PER_LINE * sum(m.lines for m in program.modules.values())
        # seconds spent interpreting each file's functions (exclusive of the callees they wait for)
        self.file_time_limit = file_time_limit
        self.file_seconds: dict[str, float] = defaultdict(float)
        self.timed_out: set[str] = set()  # files past their time limit: no further analyses
        self._clock = time.perf_counter()
        self._widened: set[str] = set()  # modules whose tainted globals widened the entry points
        self._writer_roots: set[Context] = set()  # entry points added for a store an entry point read
        self.entry_modules: set[str] = set()  # modules whose functions are all entry points

    # ------------------------------------------------------------ driver
    def run(self) -> list[Flow]:
        sources = source_modules(self.program, self.models)
        if sources is not None:  # and where data enters, declared or not (`flowlint sources`)
            sources |= self.recorder.modules(self.program)
        if sources is not None and not sources:
            self._invalidate(list(self.summaries))  # what a previous run left is for nothing now
            self.reused = 0
            return []  # no module can name a source: there is no flow to find
        everything = sources is None
        graph = {} if everything else import_graph(self.program)
        entries = set(self.program.modules) if everything else importers(graph, sources)
        writers = StoreWriters(self.program, graph)
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 30_000))
        try:
            self.entry_modules = entries
            pending = self._entry_contexts(entries)
            while pending:
                self._roots.update(dict.fromkeys(pending))
                for context in pending:
                    if context not in self.summaries:  # else known already, and up to date
                        self._enqueue(context)
                while self._queue:
                    context = self._queue.popleft()
                    self._queued.discard(context)
                    self._analyse(context)
                tainted = set() if everything else self._tainted_global_modules() - self._widened
                self._widened |= tainted
                wider = importers(graph, tainted) - entries if tainted else set()
                entries |= wider
                pending = self._entry_contexts(wider)
                if not everything:
                    pending += self._store_writers(writers, entries, pending)
                if not pending:
                    # contexts kept from the previous run that nothing reaches any more go, and
                    # with them what they wrote
                    unreachable = self._unreachable()
                    self._invalidate(unreachable)
                    pending = [c for c in self._roots if c not in self.summaries] if unreachable else []
        finally:
            sys.setrecursionlimit(limit)
        merged: dict[tuple, Flow] = {}
        for flows in self.flows.values():
            for key, flow in flows.items():
                keep_shortest(merged, key, flow)
        return sorted(fewest_sources(merged).values(), key=lambda f: (f.sink.site, f.label.site, f.key))

    def _entry_contexts(self, modules: set[str]) -> list[Context]:
        """The module bodies of ``modules``, then their class bodies, then their functions."""
        ordered = [self.program.modules[name] for name in sorted(modules)]
        bodies = [m.body for m in ordered] + [c.body for m in ordered for c in m.classes]
        return [self.default_context(q) for q in bodies] + self._function_contexts(modules)

    def _function_contexts(self, modules: set[str]) -> list[Context]:
        """Every function of ``modules`` (not their module or class bodies, nor a nested function
        that nothing can call), in its default context."""
        found = []
        for name in sorted(modules):
            module = self.program.modules[name]
            bodies = {module.body} | {c.body for c in module.classes}
            found += [self.default_context(f.qualname) for f in module.functions
                      if f.qualname not in bodies and not self.program.is_dead_nested(f)]
        return found

    def _store_writers(self, writers: StoreWriters, entries: set[str], pending: list[Context]) -> list[Context]:
        """The writers of the stores that the entry points of ``entries`` (and the functions
        analysed on their behalf) read, in their default contexts, where not entry points yet:
        they give those stores what they hold wherever they are called from. So do the writers
        of what a writer reads itself (a chain of set-up code); not of what the functions it
        calls read: that would pull in whatever a framework's set-up code touches."""
        module_of = self.program.function_module
        starts = [c for c in self._roots if module_of[c[0]] in entries]
        relevant = self._reachable(starts) | self._writer_roots
        found: set[str] = set()
        for key, readers in self.dependents.items():
            if not readers.isdisjoint(relevant):
                found.update(writers.of(key))
        added = [self.default_context(q) for q in sorted(found)]
        added = [c for c in added if c not in self._roots and c not in pending]
        self._writer_roots.update(added)
        return added

    def _tainted_global_modules(self) -> set[str]:
        """Modules whose globals, class attributes or closure cells hold personal data."""
        program, found = self.program, set()
        for (owner, _), value in self.globals.items():
            if value.is_tainted():
                if owner in program.classes:
                    owner = program.classes[owner].body
                found.add(program.function_module.get(owner, owner))
        return {name for name in found if name in program.modules}

    # ------------------------------------------------------------ incremental runs
    def resume(self, state: EngineState, changed: Iterable[str]) -> None:
        """Start from a previous complete run's state, the functions ``changed`` (qualnames:
        edited, added or removed; the program is otherwise the same) and all that depends on
        them killed."""
        self.summaries, self.flows, self.calls = state.summaries, state.flows, state.calls
        self.contexts = defaultdict(list, state.contexts)
        self.globals, self.fields, self.exhausted = state.globals, state.fields, state.exhausted
        self.dependents = defaultdict(set, state.dependents)
        self.writes = defaultdict(set, state.writes)
        self.captures = defaultdict(set, state.captures)
        self.recorder.found = state.entries
        self.names = state.names
        self.found_roots = defaultdict(set, state.found_roots)
        changed = set(changed)
        functions = self.program.functions
        self._invalidate([c for c in self.summaries if c[0] in changed or c[0] not in functions])
        self.captured = set().union(*self.captures.values())
        for roots in self.found_roots.values():
            for root in sorted(roots, key=repr):
                if root[0] in functions:
                    self._roots[root] = None
                    if root not in self.summaries:
                        self._enqueue(root)
        self.reused = len(self.summaries)

    def state(self) -> EngineState:
        return EngineState(self.summaries, dict(self.contexts), self.flows, self.calls, self.globals, self.fields,
                           dict(self.dependents), dict(self.writes), dict(self.captures), self.exhausted,
                           self.recorder.found, self.names, dict(self.found_roots))

    def _unreachable(self) -> set[Context]:
        reachable = self._reachable(self._roots)
        return {c for c in self.summaries if c not in reachable}

    def _reachable(self, roots: Iterable[Context]) -> set[Context]:
        """``roots`` and every context they call, directly or through others."""
        reachable = set(roots)
        todo = [c for c in reachable if c in self.calls]
        while todo:
            for callee in self.calls.successors(todo.pop()):
                if callee not in reachable:
                    reachable.add(callee)
                    todo.append(callee)
        return reachable

    def _invalidate(self, seeds: Iterable[Context]) -> None:
        """Forget ``seeds``, every context whose summary was computed from theirs (callers, and
        readers of what they wrote), and every store they wrote, with all its writers (so that
        the stores are rebuilt from the writes that remain)."""
        writers: dict[StoreKey, set[Context]] = defaultdict(set)
        for context, keys in self.writes.items():
            for key in keys:
                writers[key].add(context)
        dead: set[Context] = set()
        stores: set[StoreKey] = set()
        todo = [c for c in seeds if c in self.summaries]
        while todo:
            context = todo.pop()
            if context in dead:
                continue
            dead.add(context)
            if context in self.calls:
                todo.extend(self.calls.predecessors(context))
            for key in self.writes.get(context, ()):
                if key not in stores:
                    stores.add(key)
                    todo.extend(self.dependents.get(key, ()))
                    todo.extend(writers[key])
            for owner, _ in self.captures.get(context, ()):
                todo.extend(self.contexts.get(owner, ()))
        if not dead:
            return
        for key in stores:
            if key[0] == "global":
                self.globals.pop(key[1], None)
            else:
                self.fields.pop(key[1:], None)
        for context in dead:
            for table in (self.summaries, self.flows, self.writes, self.captures, self.analyses, self.recorder.found,
                          self.names, self.found_roots):
                table.pop(context, None)
            self.exhausted.discard(context)
            self.contexts[context[0]].remove(context)
        self.calls.remove_nodes_from(dead)
        for readers in self.dependents.values():
            readers -= dead
        self.captured = set().union(*self.captures.values())

    def default_context(self, qualname: str) -> Context:
        return (qualname, tuple(frozenset() for _ in self.program.functions[qualname].params), ())

    def _enqueue(self, context: Context) -> None:
        if context not in self._queued and context not in self.exhausted:
            self._queued.add(context)
            self._queue.append(context)
            if context not in self.summaries:
                self.summaries[context] = EMPTY_SUMMARY
                self.contexts[context[0]].append(context)

    @property
    def incomplete(self) -> bool:
        """The step budget ran out: some summaries may be missing facts."""
        return self.steps > self.budget

    def path_of(self, context: Context) -> str:
        program = self.program
        return program.modules[program.function_module[context[0]]].path

    def tick(self, run: FunctionRun) -> None:
        """One statement interpreted; now and then, the clock of its file is checked."""
        self.steps += 1
        if self.file_time_limit and not self.steps % _CLOCK_EVERY:
            self._charge()
            if self.file_seconds[run.path] > self.file_time_limit:
                self.timed_out.add(run.path)
                raise FileTimeLimit(run.path)

    def _charge(self) -> None:
        """The time since the last look goes to the file of the function being interpreted."""
        now = time.perf_counter()
        if self._stack:
            self.file_seconds[self.path_of(self._stack[-1])] += now - self._clock
        self._clock = now

    def _analyse(self, context: Context, asker: Context | None = None) -> None:
        """Analyse ``context`` once more; a changed summary sends its callers to the queue, but
        for ``asker``, the caller analysing it on demand: that one reads the new summary as soon
        as this returns."""
        if self.incomplete or self.path_of(context) in self.timed_out:
            return
        self.analyses[context] += 1
        self.performed += 1
        if self.progress is not None:
            self.progress.update("analysing: functions analysed", self.performed)
        if self.analyses[context] > MAX_ANALYSES_PER_CONTEXT:
            self.exhausted.add(context)
            return
        self._charge()
        self._stack.append(context)
        run = FunctionRun(self, context)
        asked: set[str] = set()
        outer = self.models.asking(asked)
        try:
            summary = run.run()
        except FileTimeLimit:  # raised by this very run: the innermost one is always the timed-out file's
            return
        finally:
            self.models.asking(outer)
            self._charge()
            self._stack.pop()
        self.names[context] = self.models.kept(asked)
        self.flows[context] = fewest_sources(run.flows)
        old = self.summaries.get(context, EMPTY_SUMMARY)
        summary = old.join(summary)
        if summary != old:
            self.summaries[context] = summary
            self._notify(("summary", context), asker)

    def _notify(self, key: tuple, asker: Context | None = None) -> None:
        if key[0] == "summary":
            dependents = self.calls.predecessors(key[1]) if key[1] in self.calls else ()
        else:
            dependents = self.dependents.get(key, ())
        for dependent in sorted(dependents, key=repr):
            if dependent != asker:
                self._enqueue(dependent)

    def _depend(self, key: StoreKey, run: FunctionRun) -> None:
        self.dependents[key].add(run.context)

    # ------------------------------------------------------------ summaries
    def context_kinds(self, value: Value) -> frozenset[str]:
        """What a calling context keeps of an argument: what it is (the kinds that decide which
        calls it can make) and URL-like text (what endpoint a helper's HTTP call reaches)."""
        return _bounded(frozenset(_without_repeats(k) for k in value.kinds if k.startswith(_CONTEXT_PREFIXES)
                                  or k.startswith(strings.PREFIX) and strings.is_url_like(k[len(strings.PREFIX):])))

    def summary(self, context: Context, run: FunctionRun) -> Summary:
        qualname = context[0]
        if context not in self.summaries and self._at_cap(context):
            context = self._shared_context(context)
        self.calls.add_edge(run.context, context)
        if context not in self.summaries:
            self.summaries[context] = EMPTY_SUMMARY
            self.contexts[qualname].append(context)
            if len(self._stack) < MAX_ON_DEMAND_DEPTH:
                self._analyse(context, run.context)
            else:
                self._enqueue(context)
        return self.summaries[context]

    def _at_cap(self, context: Context) -> bool:
        """Whether the function already has MAX_CONTEXTS_PER_FUNCTION contexts for the same
        function arguments: a decorator (and its wrapper) is as many functions as it wraps (each
        closure calls its own `f`), so each wrapped function has contexts of its own."""
        wrapped = _function_arguments(context)
        return sum(1 for c in self.contexts[context[0]] if _function_arguments(c) == wrapped) \
            >= MAX_CONTEXTS_PER_FUNCTION

    def add_root(self, context: Context, found_by: FunctionRun | None = None) -> None:
        """A context analysed for its own sake (an entry point found while analysing, by
        ``found_by``)."""
        if found_by is not None:
            self.found_roots[found_by.context].add(context)
        if context not in self._roots:
            self._roots[context] = None
            self._enqueue(context)

    def _shared_context(self, context: Context) -> Context:
        """A call beyond a function's context cap: the context that joins what every context of
        the function (and this call) knows of the arguments, so that a `Session` argument keeps
        its kind in a helper called with a dozen row classes. Once the cap is reached, the
        latest shared context only grows by the call's kinds while an argument stays within
        MAX_CONTEXT_KINDS; past that the argument keeps what it had: the shared context changes
        a bounded number of times, however many classes the callers pass (SymPy's `sympify`
        is called with hundreds)."""
        wrapped = _function_arguments(context)
        known = [c for c in self.contexts[context[0]] if _function_arguments(c) == wrapped]
        shared = known[MAX_CONTEXTS_PER_FUNCTION:]
        if not shared:
            known.append(context)
            params = tuple(_joined(c[1][i] for c in known if i < len(c[1])) for i in range(len(context[1])))
        else:
            latest = shared[-1][1]
            params = tuple(_within_bound(latest[i], kinds) if i < len(latest) else kinds
                           for i, kinds in enumerate(context[1]))
            known = [shared[-1], context]
        cells: tuple = context[2]
        if all(tuple(n for n, _ in c[2]) == tuple(n for n, _ in cells) for c in known):
            cells = tuple((name, _joined(c[2][i][1] for c in known)) for i, (name, _) in enumerate(cells))
        return (context[0], params, cells)

    # ------------------------------------------------------------ stores
    def read_global(self, run: FunctionRun, key: tuple[str, str]) -> Value:
        self._depend(("global", key), run)
        return self.globals.get(key, EMPTY)

    def write_global(self, run: FunctionRun, key: tuple[str, str], value: Value) -> None:
        """Globals, class attributes and closure cells: flow-insensitive, so every write joins.
        Parameter labels cannot live in a global: they become the function's global effects."""
        concrete = value.map_labels(lambda label: label if isinstance(label, Taint) else None)
        if value.is_tainted() and concrete != value:
            symbolic = value.map_labels(lambda label: None if isinstance(label, Taint) else label)
            old_effect = run.global_effects.get(key, EMPTY)
            run.global_effects[key] = old_effect.join(symbolic)
        self.writes[run.context].add(("global", key))
        old = self.globals.get(key)
        new = concrete if old is None else old.join(concrete)
        if new != old:
            self.globals[key] = new
            self._notify(("global", key))

    def field_kinds(self, run: FunctionRun, klass: str, attr: str) -> frozenset[str]:
        kinds: frozenset[str] = frozenset()
        for ancestor in self.program.mro(klass) if klass in self.program.classes else (klass,):
            self._depend(("field", ancestor, attr), run)
            kinds |= self.fields.get((ancestor, attr), frozenset())
        return kinds

    def add_field_kinds(self, run: FunctionRun, klass: str, attr: str, kinds: frozenset[str]) -> None:
        self.writes[run.context].add(("field", klass, attr))
        kinds = frozenset(k for k in kinds if not k.startswith("builtin:"))
        old = self.fields.get((klass, attr), frozenset())
        if not kinds <= old:
            self.fields[(klass, attr)] = old | kinds
            self._notify(("field", klass, attr))

    def is_captured(self, owner: str, name: str) -> bool:
        return (owner, name) in self.captured

    def capture(self, run: FunctionRun, owner: str, name: str) -> None:
        """A nested function reads `name` of `owner`: from now on `owner` publishes it as a cell."""
        self.captures[run.context].add((owner, name))
        if (owner, name) not in self.captured:
            self.captured.add((owner, name))
            for context in self.contexts.get(owner, ()) or [self.default_context(owner)]:
                self.add_root(context, run)
                self._enqueue(context)  # again, if analysed already: it now publishes the cell

    def declared_fields(self, klass: str) -> tuple[str, ...]:
        """Constructor fields of dataclasses, NamedTuples and similar records, in order."""
        if klass not in self._declared:
            self._declared[klass] = self._record_fields(klass)
        return self._declared[klass]

    def _record_fields(self, klass: str) -> tuple[str, ...]:
        program = self.program
        info = program.classes[klass]
        decorators = {(d.func if isinstance(d, ir.Call) else d) for d in info.decorators}
        names = {d.id if isinstance(d, ir.Name) else d.attr for d in decorators if isinstance(d, (ir.Name, ir.Attr))}
        is_record = bool(names & _RECORD_DECORATORS) or any(
            b.endswith(_RECORD_BASES) for b in program.external_bases(klass))
        if not is_record:
            return ()
        fields: list[str] = []
        for ancestor in reversed(program.mro(klass)):
            body = program.functions[program.classes[ancestor].body]
            for statement in body.body:
                if isinstance(statement, ir.Assign):
                    for target in statement.targets:
                        if isinstance(target, ir.Name) and target.id not in fields:
                            fields.append(target.id)
        return tuple(fields)


def _without_repeats(kind: str) -> str:
    """An API path without a call or item step repeated right after itself: a function that
    calls itself on `a.item()` (SymPy's `sympify`) gets one context for `x().item()`, not one
    per depth of `x().item().item()...`."""
    if not kind.startswith("api:") or ")." not in kind and "]." not in kind:
        return kind
    segments = kind[4:].split(".")
    kept = [s for i, s in enumerate(segments) if not (i and s == segments[i - 1] and s.endswith((")", "]")))]
    return kind if len(kept) == len(segments) else "api:" + ".".join(kept)


def _bounded(kinds: frozenset[str]) -> frozenset[str]:
    """At most MAX_CONTEXT_KINDS kinds of an argument in a context (the first ones in order)."""
    return kinds if len(kinds) <= MAX_CONTEXT_KINDS else frozenset(sorted(kinds)[:MAX_CONTEXT_KINDS])


def _joined(kinds: Iterable[frozenset[str]]) -> frozenset[str]:
    return _bounded(functools.reduce(strings.join_kinds, kinds, frozenset()))


def _within_bound(kept: frozenset[str], kinds: frozenset[str]) -> frozenset[str]:
    """``kept`` and ``kinds`` joined, unless that is more than MAX_CONTEXT_KINDS: then ``kept``."""
    joined = strings.join_kinds(kept, kinds)
    return joined if len(joined) <= MAX_CONTEXT_KINDS else kept


def _function_arguments(context: Context) -> frozenset[str]:
    """The project functions a context passes in or captures: what a higher-order function or a
    decorator's wrapper calls."""
    kinds = [*context[1], *(cell for _, cell in context[2])]
    return frozenset(k for group in kinds for k in group if k.startswith("fn:"))
