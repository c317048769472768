"""Abstract interpretation of one function body under one calling context.

Flow-sensitive over the structured IR: branches are analysed separately and joined, loops run
to a fixpoint, `break`/`continue`/`return`/`raise` end a path. Calls are resolved from the
kinds of the callee value and applied through summaries (project code), policy models or the
default model (unmodelled code). Results: a `Summary` for the engine, flows for the rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flowlint import ir
from flowlint.analysis import builtins as pybuiltins
from flowlint.analysis import endpoints, strings
from flowlint.analysis import fields as source_fields
from flowlint.analysis.calls import CLOSURE, DEFAULTS, MODULE, Calls, api_kinds, branches, closure_cells, is_bound
from flowlint.analysis.conditions import Conditions
from flowlint.analysis.summary import Context, Flow, SinkHit, SinkSpec, Summary, flow_key, keep_shortest
from flowlint.analysis.values import (
    ANY, EMPTY, KEYS, Label, ParamTaint, Site, Step, Taint, Value, apply_effects, attr_key, index_key, with_step,
)
from flowlint.analysis.render import expr_text
from flowlint.analysis.state import LoopExits, State, dead_state

if TYPE_CHECKING:
    from flowlint.analysis.engine import Engine


MAX_LOOP_ITERATIONS = 12
MAX_SINK_HITS = 200  # sinks a function's parameters may reach, kept in its summary
MAX_PATHS_PER_SINK = 8  # paths below one parameter to one sink kept apart (`kwargs["a"]`, `kwargs["b"]`)
# values whose mutation through one name shows through another (`b = a; b.append(x)`)
_PACKED = {"vararg": "builtin:tuple", "kwarg": "builtin:dict"}
MUTABLE_KINDS = ("builtin:list", "builtin:dict", "builtin:set", "inst:", "virt:")


def _concatenated(first: Value, second: Value) -> Value | None:
    """`a + b` of two tuples (or two lists) whose lengths are known: each element keeps its
    position; None for anything else."""
    head, tail = pybuiltins.positions(first), pybuiltins.positions(second)
    if head is None or tail is None or first.kinds != second.kinds or len(first.kinds) != 1:
        return None
    return pybuiltins.sequence(next(iter(first.kinds))[len("builtin:"):], head + tail)


def _aliased(expr: ir.Expr, value: Value) -> tuple[str, ...]:
    """The local names whose object an assignment of ``expr`` (worth ``value``) binds: `b = a`,
    and either of `a if c else b`, for a list, dict, set or object; none for anything else."""
    chosen = branches(expr)
    if all(isinstance(e, ir.Name) for e in chosen) and any(k.startswith(MUTABLE_KINDS) for k in value.kinds):
        return tuple(e.id for e in chosen)  # type: ignore[attr-defined]
    return ()
CALLABLE_PREFIXES = ("fn:", "cls:", "bound:")


class FunctionRun(Calls, Conditions):
    def __init__(self, engine: Engine, context: Context) -> None:
        self.engine = engine
        self.program = engine.program
        self.models = engine.models
        self.context = context
        self.fn = self.program.functions[context[0]]
        self.module = self.program.function_module[self.fn.qualname]
        self.path = self.program.modules[self.module].path
        self.is_module_body = self.fn.name == "<module>"
        self.is_class_body = self.fn.name == "<body>"
        self.ret = EMPTY
        self.yields = EMPTY
        self.exit_state: State = dead_state()
        self.sinks: dict[tuple, SinkHit] = {}
        self.sink_paths: dict[tuple, dict[tuple, SinkHit]] = {}  # the paths of each parameter to a sink
        self.global_effects: dict[tuple[str, str], Value] = {}
        self.loops: list[LoopExits] = []
        self.raised: list[Value] = []  # one entry per enclosing `try`: what its body may raise
        self.uncaught = EMPTY  # what may leave the function as an exception
        self.raise_states: list[list[State]] = []  # per enclosing `try`: states where it may raise
        self.handling: list[Value] = []  # the exceptions the enclosing `except` blocks caught
        self.rebound: set[str] = set()
        self.bound_globals: dict[str, Value] = {}  # module body: every value it gave each global
        self.statement: tuple[int, int] = (0, 0)
        self.flows: dict[tuple, Flow] = {}
        # a call that returns a part of what it was passed (`holder.get_box()` returning
        # `self.box`): that part, as the caller's expression and the keys below it (None: calls
        # of it returned different parts)
        self.returned_parts: dict[ir.Call, tuple[ir.Expr, tuple] | None] = {}

    # ================================================================ driver
    def run(self) -> Summary:
        state = State()
        initial = self._initial_values()
        state.vars.update(initial)
        self.exec_block(self.fn.body, state)
        self.exit_state = self.exit_state.join(state)
        if self.is_module_body:
            self._publish_globals()
        ret = self.ret
        if self.fn.is_generator:
            ret = Value(frozenset(), frozenset({"builtin:generator"}), {ANY: self.yields})
        ret = ret.with_kinds(self._annotation_kinds(self.fn.returns)) if self.fn.returns is not None else ret
        params_out: list[Value | None] = []
        cells = {name for name, _ in self.context[2]}
        for name, start in initial.items():
            out = self.exit_state.vars.get(name)
            # a parameter rebound is not the caller's object; a captured variable rebound is
            # (`nonlocal`), so its new value goes back to the enclosing function
            rebound = name in self.rebound and name not in cells
            changed = out is not None and not self.exit_state.dead and not rebound and out != start
            params_out.append(out if changed else None)
        return Summary(ret.widened(), tuple(out.widened() if out is not None else None for out in params_out),
                       frozenset(self.sinks.values()),
                       tuple(sorted(((k, v.widened()) for k, v in self.global_effects.items()), key=lambda kv: kv[0])),
                       self.uncaught.widened())

    def note_global(self, name: str, value: Value) -> None:
        self.bound_globals[name] = self.bound_globals.get(name, EMPTY).join(value)

    def _publish_globals(self) -> None:
        """The module's globals as its code leaves them: functions run after the module has
        been executed, so they see a name's last binding (`def save` twice: the second), not
        every value it ever had. Where the module cannot finish, every value it bound."""
        final = self.exit_state
        for name, every in sorted(self.bound_globals.items()):
            value = every if final.dead or name not in final.vars else final.vars[name]
            self.engine.write_global(self, (self.module, name), value)

    def _initial_values(self) -> dict[str, Value]:
        """Parameters, then the variables a closure captured, as symbolic labels (in that order:
        label index i is the i-th of them)."""
        offset = len(self.fn.params)
        cells = {name: Value(frozenset({ParamTaint(offset + k, ())}), kinds)
                 for k, (name, kinds) in enumerate(self.context[2])}
        values = {param.name: self._initial_param(index, param, cells) for index, param in enumerate(self.fn.params)}
        values.update(cells)
        return values

    def _initial_param(self, index: int, param: ir.Param, cells: dict[str, Value]) -> Value:
        kinds = set(self.context[1][index]) if index < len(self.context[1]) else set()
        if index == 0 and self.fn.cls is not None and not kinds:
            if "staticmethod" not in self.fn.decorator_names:
                kinds.add(("cls:" if self.fn.receives_class else "virt:") + self.fn.cls)
        if param.annotation is not None and not kinds:
            kinds |= self._annotation_kinds(param.annotation)
        if param.kind in _PACKED:  # `*args` is a tuple, `**kwargs` a dict (iterated: its keys)
            kinds.add(_PACKED[param.kind])
        labels: set[Label] = {ParamTaint(index, ())}
        if param.default is not None:  # present when a call omits the argument
            default = self.eval(param.default, State(dict(cells)))  # a closure's: what it captured
            labels |= {label.evolve(default_of=index) for label in default.collapse_labels()
                       if isinstance(label, Taint)}
        for source in self.models.param_sources(f"{self.fn.qualname}:{param.name}"):
            site = self._site(param.span, f"{self.fn.qualname}:{param.name}")
            labels.add(self._source_taint(source, site, f"parameter `{param.name}` of `{self.fn.name}`"))
        fields = {}
        if param.kind == "vararg":
            fields = {ANY: Value(frozenset({ParamTaint(index, (ANY,))}))}
        value = Value(frozenset(labels), frozenset(kinds), fields)
        injected = self._injected(param)
        if injected is not None:
            value = value.join(injected.map_labels(lambda label: label if isinstance(label, Taint) else None))
        return value

    def _injected(self, param: ir.Param) -> Value | None:
        """What a web framework passes for a parameter declared `= Depends(f)` or
        `Annotated[T, Depends(f)]` (FastAPI): what `f` returns, or an instance of `T` for
        `Depends()`. None: not an injected parameter."""
        marker: ir.Call | None = param.default if self._is_dependency(param.default) else None  # type: ignore[assignment]
        declared: ir.Expr | None = param.annotation
        annotation = param.annotation
        if isinstance(annotation, ir.Subscript) and self.eval(annotation.value, State()).kinds & _ANNOTATED:
            index = annotation.index  # `Annotated[T, x]`: several elements are a tuple or, as written, a slice
            items = index.items if isinstance(index, ir.Collection) else index.parts if isinstance(index, ir.Opaque) else ()
            if items:
                declared = items[0]
                marker = next((item for item in items[1:] if self._is_dependency(item)), marker)  # type: ignore[misc]
        if marker is None:
            return None
        dependency = next((a.value for a in marker.args if a.keyword in (None, "dependency") and not a.star), declared)
        if dependency is None:
            return None
        return self.call_value(self.eval(dependency, State()), [], [], State(), None, param.span)

    def _is_dependency(self, expr: ir.Expr | None) -> bool:
        if not isinstance(expr, ir.Call):
            return False
        return any(kind in _DEPENDENCY_MARKERS for kind in self.eval(expr.func, State()).kinds)

    def _annotation_kinds(self, annotation: ir.Expr | None) -> frozenset[str]:
        """Instance kinds named by an annotation (`Session`, `Optional[Session]`, `A | None`)."""
        if annotation is None:
            return frozenset()
        if isinstance(annotation, ir.Subscript):
            return self._annotation_kinds(annotation.index)
        if isinstance(annotation, (ir.Combine, ir.Collection)):
            parts = annotation.parts if isinstance(annotation, ir.Combine) else annotation.items
            return frozenset(k for part in parts for k in self._annotation_kinds(part))
        if isinstance(annotation, ir.Const) and isinstance(annotation.value, str):
            return frozenset()
        out = set()
        for kind in self.program.static_expr_kinds(self.module, annotation):
            if kind.startswith("cls:"):
                out.add("inst:" + kind[4:])
            elif kind.startswith("api:") and not kind.startswith(("api:typing.", "api:builtins.")):
                if kind[4:] not in pybuiltins.NAMES:
                    out.add(kind + "()")
        return frozenset(out)

    # ================================================================ statements
    def exec_block(self, block: ir.Block, state: State) -> None:
        for statement in block:
            if state.dead:
                return
            self.exec_stmt(statement, state)

    def exec_stmt(self, s: ir.Stmt, state: State) -> None:  # noqa: C901 - one dispatch
        self.engine.tick(self)
        compound = isinstance(s, (ir.If, ir.While, ir.For, ir.Try, ir.With, ir.Match))
        self.statement = (s.span[0], s.span[0] if compound else s.span[2])
        if isinstance(s, ir.Assign):
            value, truth = self.eval_test(s.value, state)
            for target in s.targets:
                self.assign(target, value, state, s.span)
                if isinstance(target, ir.Name):
                    state.alias(target.id, _aliased(s.value, value))
                    receivers = self.bound_receivers(s.value, state) if is_bound(value) else frozenset()
                    if receivers:
                        state.receivers[target.id] = receivers
                    else:
                        state.receivers.pop(target.id, None)
            self.remember_test(s.targets, truth, state)
        elif isinstance(s, ir.ExprStmt):
            self.eval(s.value, state)
        elif isinstance(s, ir.AugAssign):
            old = self.eval(s.target, state)  # type: ignore[arg-type]
            new = self.eval(s.value, state)
            joined = _concatenated(old, new)  # `t += (x,)` of a tuple or list whose length is known
            self.assign(s.target, joined if joined is not None else old.join(new.collapsed()), state, s.span,
                        strong=True)
        elif isinstance(s, ir.Return):
            if s.value is not None:
                value = self.eval(s.value, state)
                step = self._step(s.span, "step", f"returned from `{self.fn.name}`")
                self.ret = self.ret.join(self._stepped(value, step))
            self.exit_state = self.exit_state.join(state)
            state.dead = True
        elif isinstance(s, ir.If):
            self.exec_if(s, state)
        elif isinstance(s, ir.While):
            self.exec_while(s, state)
        elif isinstance(s, ir.For):
            self.exec_for(s, state)
        elif isinstance(s, ir.Try):
            self.exec_try(s, state)
        elif isinstance(s, ir.With):
            self.exec_with(s, state)
        elif isinstance(s, ir.Match):
            self.exec_match(s, state)
        elif isinstance(s, ir.Raise):
            if s.value is not None:
                self.raise_value(self.eval(s.value, state), state)
            elif self.handling:  # a bare `raise` re-raises what the handler caught
                self.raise_value(self.handling[-1], state)
            state.dead = True
        elif isinstance(s, ir.Jump):
            if self.loops:
                loop = self.loops[-1]
                (loop.breaks if s.kind == "break" else loop.continues).append(state.copy())
            state.dead = True
        elif isinstance(s, ir.Delete):
            for target in s.targets:
                self.delete(target, state)
        elif isinstance(s, ir.Import):
            self.exec_import(s, state)
        elif isinstance(s, ir.Define):
            self.exec_define(s, state)

    def delete(self, target: ir.Target, state: State) -> None:
        """`del x`, `del d["k"]`, `del o.attr`, `del xs[:]`: the name, that one field or every
        element holds nothing any more."""
        if isinstance(target, ir.Name):
            state.vars.pop(target.id, None)
            return
        if isinstance(target, ir.Subscript) and target.is_slice and isinstance(target.index, ir.Opaque) \
                and not target.index.parts:  # `del items[:]` empties the container
            container = self.eval(target.value, state)
            self.update_path(target.value, Value(frozenset(), container.kinds), state, strong=True, shown=False)
            return
        if isinstance(target, (ir.Attr, ir.Subscript)):
            path = self.access_path(target)
            known = isinstance(target, ir.Attr) or (target.known and not target.is_slice)
            if path is not None and path[0] in state.vars and known:
                root, keys = path
                state.vars[root] = state.vars[root].write_path(keys, EMPTY)
            else:
                self.eval(target, state)

    def _replace_state(self, state: State, new: State) -> None:
        state.vars, state.dead, state.clears, state.marks, state.truths = \
            new.vars, new.dead, new.clears, new.marks, new.truths

    def exec_if(self, s: ir.If, state: State) -> None:
        true_state, false_state = self.condition(s.test, state)
        self.exec_block(s.body, true_state)
        self.exec_block(s.orelse, false_state)
        # a branch guard's effects outlive the `if` only where every path that goes on passed it
        # (`if not has_consent(u): return`); State.join keeps what both branches hold
        self._replace_state(state, true_state.join(false_state))

    def _loop(self, state: State, body, orelse: ir.Block) -> None:
        head = state.copy()
        exit_states: list[State] = []
        for _ in range(MAX_LOOP_ITERATIONS):
            loop = LoopExits()
            self.loops.append(loop)
            entry, leave = body(head)
            self.loops.pop()
            end = entry
            for cont in loop.continues:
                end = end.join(cont)
            new_head = head.join(end)
            exit_states = [leave] + loop.breaks
            if new_head.same(head):
                break
            head = new_head
        normal_exit = exit_states[0]
        self.exec_block(orelse, normal_exit)
        result = normal_exit
        for other in exit_states[1:]:
            result = result.join(other)
        self._replace_state(state, result)

    def exec_while(self, s: ir.While, state: State) -> None:
        def body(head: State) -> tuple[State, State]:
            true_state, false_state = self.condition(s.test, head.copy())
            self.exec_block(s.body, true_state)
            return true_state, false_state

        self._loop(state, body, s.orelse)

    def exec_for(self, s: ir.For, state: State) -> None:
        iterable = self.eval(s.iterable, state)
        element = self.iterate(iterable, state, s.span)

        def body(head: State) -> tuple[State, State]:
            inner = head.copy()
            self.assign(s.target, element, inner, s.span)
            self.exec_block(s.body, inner)
            return inner, head.copy()

        self._loop(state, body, s.orelse)

    def raise_value(self, value: Value, state: State) -> None:
        """An exception carrying `value` is raised here: to the nearest `try`, else out of the function."""
        if self.raised:
            self.raised[-1] = self.raised[-1].join(value)
            self.raise_states[-1].append(state.copy())
        else:
            self.uncaught = self.uncaught.join(value)

    def exec_try(self, s: ir.Try, state: State) -> None:
        before = state.copy()
        self.raised.append(EMPTY)
        self.raise_states.append([])
        self.exec_block(s.body, state)
        raised = self.raised.pop()
        # an exception may leave the body anywhere: handlers start from the state before it,
        # after it, or at any `raise` or raising call in it
        handler_entry = before.join(state) if not state.dead else before.copy()
        for raising in self.raise_states.pop():
            handler_entry = handler_entry.join(raising)
        self.exec_block(s.orelse, state)
        result = state
        for handler in s.handlers:
            h = handler_entry.copy()
            if handler.type is not None:
                self.eval(handler.type, h)
            caught = raised.with_kinds(self._exception_kinds(handler.type, h))
            if handler.name is not None:
                self.assign(ir.Name(handler.name, handler.span), caught, h, handler.span)
            self.handling.append(caught)
            self.exec_block(handler.body, h)
            self.handling.pop()
            result = result.join(h)
        if s.finalbody:
            if result.dead:  # every path returned or raised: finally still runs
                final = handler_entry.copy()
                self.exec_block(s.finalbody, final)
            else:
                self.exec_block(s.finalbody, result)
        self._replace_state(state, result)

    def _exception_kinds(self, type_expr: ir.Expr | None, state: State) -> frozenset[str]:
        if type_expr is None:
            return frozenset()
        kinds = self.eval(type_expr, state).kinds
        return frozenset("inst:" + k[4:] if k.startswith("cls:") else (k + "()" if k.startswith("api:") else k)
                         for k in kinds)

    def exec_with(self, s: ir.With, state: State) -> None:
        for ctx, target in s.items:
            entered = self.enter(self.eval(ctx, state), state, ctx.span)
            if target is not None:
                self.assign(target, entered, state, s.span)
        self.exec_block(s.body, state)

    def enter(self, manager: Value, state: State, span: ir.Span) -> Value:
        """What `with manager as x` binds: what a project class's `__enter__`/`__aenter__`
        returns, what a `@contextmanager` generator yields, else the manager itself (API objects
        such as sessions and files return themselves)."""
        entered = EMPTY
        for kind in sorted(manager.kinds):
            if kind.startswith("inst:"):
                method = self.program.lookup_method(kind[5:], "__enter__") or \
                    self.program.lookup_method(kind[5:], "__aenter__")
                if method is not None:
                    entered = entered.join(self.call_function(method, manager, (), state, None, span))
            elif kind == "builtin:generator":
                entered = entered.join(manager.elements())
        return manager if entered.empty else entered

    def exec_match(self, s: ir.Match, state: State) -> None:
        subject = self.eval(s.subject, state)
        result = dead_state()
        rest = state
        for case in s.cases:
            branch = rest.copy()
            for capture in case.captures:
                path = tuple(attr_key(k) if kind == "attr" else (index_key(k) if k is not None else ANY)
                             for kind, k in capture.path)
                self.assign(ir.Name(capture.name, capture.span), subject.read_path(path), branch, case.span)
            if case.guard is not None:
                branch, _ = self.condition(case.guard, branch)
            self.exec_block(case.body, branch)
            result = result.join(branch)
            if case.irrefutable:
                rest = dead_state()
                break
        self._replace_state(state, result.join(rest))

    def exec_import(self, s: ir.Import, state: State) -> None:
        for name in s.names:
            if name.member == "*":
                continue
            value = Value(frozenset(), self.program.import_kinds(self.module, name))
            if name.member is not None:
                target = self.program.resolve_module_name(self.module, name.module, name.level)
                if target in self.program.modules:
                    member = self.module_member(target, name.member)
                    value = member if not member.empty else value
                value = self.read_source(value, [f"{target}.{name.member}"], name.span)
            self.bind(name.local, value, state)

    def closure(self, qualname: str, state: State) -> Value:
        """A function value. A nested function captures the enclosing variables it uses, as they
        are now: calling it passes them like extra arguments, so that each closure (each
        decorated function's wrapper, each `make_prefixer(x)`) sees its own values."""
        value = Value(frozenset(), frozenset({"fn:" + qualname}))
        captured = self.captured_env(qualname, state)
        return value.write(attr_key("__closure__"), captured) if captured is not None else value

    def captured_env(self, qualname: str, state: State) -> Value | None:
        if self.is_module_body or self.is_class_body:
            return None
        nonlocals = self.program.functions[qualname].nonlocals
        names = [n for n in sorted(self.program.free_names(qualname)) if n in state.vars or n in nonlocals]
        if not names:
            return None
        return Value(frozenset(), frozenset(), {attr_key(n): state.vars.get(n, EMPTY) for n in names})

    def exec_define(self, s: ir.Define, state: State) -> None:
        if s.is_class:
            value = Value(frozenset(), frozenset({"cls:" + s.qualname}))
        else:
            value = self.closure(s.qualname, state)
            params = self.program.functions[s.qualname].params if s.qualname in self.program.functions else ()
            if any(p.default is not None for p in params) and not (self.is_module_body or self.is_class_body):
                # a nested function's defaults are computed here, now (DEFAULTS: calls.call_function)
                defaults = Value(fields={index_key(i): self.eval(p.default, state)
                                         for i, p in enumerate(params) if p.default is not None})
                value = value.write(CLOSURE, value.fields.get(CLOSURE, EMPTY).write(DEFAULTS, defaults))
        if not s.is_class:
            function = self.program.functions.get(s.qualname)
            if function is not None:
                for decorator in reversed(function.decorators):
                    value = self._decorate(decorator, value, state)
                if function.decorators:
                    self._wrapper_entries(s.qualname, value)
        self.bind(s.name, value, state)

    def _wrapper_entries(self, qualname: str, value: Value) -> None:
        """A decorator that returned a closure over other data (`wrapper` calling `f(client,
        *args)`): that closure is an entry point of its own, so the decorated function is
        analysed with what the wrapper passes it even where nothing calls it directly (a
        dispatch table, a web route, a CLI command). Only in an entry module: elsewhere a
        function is analysed where it is called, its wrapper too."""
        cell = value.fields.get(CLOSURE)
        if cell is None or self.module not in self.engine.entry_modules:
            return
        cells = tuple((name, self.engine.context_kinds(field)) for name, field in closure_cells(cell))
        for kind in sorted(value.kinds):
            if kind.startswith("fn:") and kind[3:] != qualname and kind[3:] in self.program.functions:
                wrapper = self.program.functions[kind[3:]]
                self.engine.add_root((wrapper.qualname, tuple(frozenset() for _ in wrapper.params), cells), self)

    def _decorate(self, decorator: ir.Expr, value: Value, state: State) -> Value:
        """Apply a project decorator; any other decorator leaves the function as it is (no flow is dropped)."""
        deco = self.eval(decorator, state)
        if not any(k.startswith(CALLABLE_PREFIXES) for k in deco.kinds):
            return value
        result = self.call_value(deco, [ir.Arg(ir.Const(None, decorator.span))], [value], state, None, decorator.span)
        return result if any(k.startswith(("fn:", "bound:")) for k in result.kinds) else value

    # ================================================================ names and assignment
    def bind(self, name: str, value: Value, state: State) -> None:
        """Bind a local name (module and class bodies also publish it as a global)."""
        state.vars[name] = value
        state.truths.pop(name, None)  # what it stood for as a test's result (conditions.py)
        if self.is_module_body:
            self.note_global(name, state.vars[name])
        elif self.is_class_body:
            self.engine.write_global(self, (self.fn.qualname[: -len(".<body>")], name), value)
        elif name in self.fn.globals:
            self.engine.write_global(self, (self.module, name), value)
        elif name in self.fn.nonlocals:
            owner = self._owner_of(name)
            if owner is not None:
                self.engine.capture(self, owner, name)
                self.engine.write_global(self, (owner, name), value)
        elif self.engine.is_captured(self.fn.qualname, name):
            self.engine.write_global(self, (self.fn.qualname, name), value)
        if name in self.fn.locals and any(p.name == name for p in self.fn.params):
            self.rebound.add(name)

    def _owner_of(self, name: str) -> str | None:
        return self.program.owner_of(self.fn.qualname, name)

    def lookup(self, name: ir.Name, state: State) -> Value:
        fn = self.fn
        ident = name.id
        if ident in fn.globals:
            value = self._global(ident, name.span)
        elif ident in state.vars or (ident in fn.locals and not (self.is_module_body or self.is_class_body)):
            # a local (unbound on this path: nothing); what a closure called here did to it
            # came back through its summary (see call_function)
            value = state.vars.get(ident, EMPTY)
            if self.is_module_body:  # the module's own global, read by its top-level code
                value = self.read_source(value, [f"{self.module}.{ident}"], name.span)
        else:
            value = self._free_or_global(ident, name.span)
        return self._use(value, state)

    def _free_or_global(self, ident: str, span: ir.Span) -> Value:
        owner = self._owner_of(ident)
        if owner is not None:
            self.engine.capture(self, owner, ident)
            return self.engine.read_global(self, (owner, ident))
        return self._global(ident, span)

    def module_member(self, module: str, name: str) -> Value:
        """A project module's global: what its code stored there, else what its definitions and
        imports say statically (a decorated function is what the decorator returned)."""
        value = self.engine.read_global(self, (module, name))
        if not value.kinds:
            value = value.with_kinds(self.program.member_kinds(module, name))
        return value

    def _global(self, ident: str, span: ir.Span) -> Value:
        value = self.read_source(self.module_member(self.module, ident), [f"{self.module}.{ident}"], span)
        if value.empty:
            if ident in pybuiltins.NAMES:
                return Value(frozenset(), frozenset({f"builtin:{ident}"}))
            value = self._star_import(ident) or Value(frozenset(), frozenset({f"api:{ident}"}))
        return value

    def _star_import(self, ident: str) -> Value | None:
        body = self.program.functions[self.program.modules[self.module].body]
        for statement in body.body:
            if isinstance(statement, ir.Import):
                for name in statement.names:
                    if name.member == "*":
                        target = self.program.resolve_module_name(self.module, name.module, name.level)
                        if target in self.program.modules:
                            value = self.module_member(target, ident)
                            if not value.empty:
                                return value
                        else:
                            return Value(frozenset(), frozenset({f"api:{target}.{ident}"}))
        return None

    def _use(self, value: Value, state: State) -> Value:
        """A value used while a branch guard holds takes on the guard's effects."""
        if not (state.clears or state.marks) or not value.is_tainted():
            return value
        return value.map_labels(lambda label: apply_effects(label, state.clears, frozenset(), state.marks))

    def read_source(self, value: Value, names: Iterable[str], span: ir.Span) -> Value:
        """Reading a global or attribute the policy lists under `[[sources]] reads` yields its
        data (checked where the name is read: an import, an attribute, a module global)."""
        self.engine.recorder.reads(self, names, span)
        if not self.models.read_sources:
            return value
        added: list[Label] = []
        for name in dict.fromkeys(names):
            for source in self.models.read_sources(name):
                added.append(self._source_taint(source, self._site(span, name), f"read of `{name}`"))
        return value.with_labels(added) if added else value

    def assign(self, target: ir.Target, value: Value, state: State, span: ir.Span, strong: bool = True) -> None:
        if isinstance(target, ir.Name):
            step = self._step(target.span or span, "step", f"assigned to `{target.id}`")
            self.bind(target.id, self._stepped(value, step), state)
        elif isinstance(target, ir.Unpack):
            self._unpack(target, value, state, span)
        elif isinstance(target, ir.Starred):
            self.assign(target.value, Value(frozenset(), frozenset({"builtin:list"}), {ANY: value.elements()}),
                        state, span)
        elif isinstance(target, (ir.Attr, ir.Subscript)):
            self._store(target, value, state, span)

    def _unpack(self, target: ir.Unpack, value: Value, state: State, span: ir.Span) -> None:
        starred = next((i for i, e in enumerate(target.elts) if isinstance(e, ir.Starred)), None)
        count = len(target.elts)
        known = pybuiltins.positions(value)
        for i, element in enumerate(target.elts):
            if isinstance(element, ir.Starred):
                if known is not None and len(known) >= count - 1:  # `a, *rest = (x, y, z)`: rest is [y, z]
                    part = pybuiltins.sequence("list", known[i:len(known) - (count - 1 - i)])
                else:
                    part = Value(frozenset(), frozenset({"builtin:list"}), {ANY: value.elements()})
                self.assign(element.value, part, state, span)
                continue
            if starred is None or i < starred:
                part = value.read(index_key(i))
            else:
                part = value.read(index_key(i - count))
            self.assign(element, part, state, span)

    def access_path(self, expr: ir.Expr) -> tuple[str, tuple] | None:
        """`x.a[0].b` -> ("x", (.a, [0], .b)); None when not rooted at a local name. A call that
        returns a part of its arguments stands for that part (`h.get_box().v` -> ("h", (.box, .v)))."""
        keys: list = []
        while True:
            if isinstance(expr, ir.Attr):
                keys.append(attr_key(expr.attr))
                expr = expr.value
            elif isinstance(expr, ir.Subscript):
                keys.append(index_key(expr.key) if expr.known else ANY)
                if expr.is_slice:
                    keys.pop()
                expr = expr.value
            elif isinstance(expr, ir.Name):
                return expr.id, tuple(reversed(keys))
            elif isinstance(expr, ir.Call) and self.returned_parts.get(expr) is not None:
                part, below = self.returned_parts[expr]  # type: ignore[misc]
                keys.extend(reversed(below))
                expr = part
            else:
                return None

    def _store(self, target: ir.Attr | ir.Subscript, value: Value, state: State, span: ir.Span) -> None:
        base = self.eval(target.value, state)
        if isinstance(target, ir.Subscript):
            index = self.eval(target.index, state)
            key = index_key(target.key) if target.known else ANY
            if index.is_tainted():  # the key itself carries data
                self.update_path(target.value, index.collapsed(), state, key=KEYS)
        else:
            key = attr_key(target.attr)
        step = self._step(target.span or span, "step", f"stored in `{expr_text(target)}`")
        stepped = self._stepped(value, step)
        self.check_store_sinks(base, target.attr if isinstance(target, ir.Attr) else None, value, state, span)
        if isinstance(target, ir.Attr):
            for kind in sorted(base.kinds):
                if kind.startswith(("inst:", "virt:")):
                    klass = kind.split(":", 1)[1]
                    self.engine.add_field_kinds(self, klass, target.attr, value.kinds)
                    setter = self.program.lookup_method(klass, target.attr, setter=True) \
                        if klass in self.program.classes else None
                    if setter is not None:  # `obj.email = v` runs the property's setter
                        receiver = ir.Call(ir.Attr(target.value, target.attr, span), (), span, self.statement)
                        self.call_function(setter, base, (value,), state, receiver, span)
                elif kind.startswith("mod:"):
                    self.engine.write_global(self, (kind[4:], target.attr), stepped)
                elif kind.startswith("cls:"):
                    self.engine.write_global(self, (kind[4:], target.attr), stepped)
            shared = _app_object_path(base.kinds)
            if shared is not None:
                self.engine.write_global(self, APP_STORE, EMPTY.write_path(shared + (key,), stepped))
        path = self.access_path(target)
        if path is None or (path[0] not in state.vars and not self._is_local(path[0])):
            if path is not None:  # a global object mutated in place
                self._store_global_path(path, stepped, state)
            return
        root, keys = path
        current = state.vars.get(root) or self.lookup(ir.Name(root, span), state)
        state.vars[root] = current.write_path(keys, stepped, strong=key[0] != "*")
        for other in sorted(state.aliases.get(root, ())):  # the same object under another name
            if other in state.vars:
                state.vars[other] = state.vars[other].write_path(keys, stepped, strong=False)
        if self.is_module_body:
            self.note_global(root, state.vars[root])
        elif root in self.fn.globals:
            self.engine.write_global(self, (self.module, root), state.vars[root])

    def _is_local(self, name: str) -> bool:
        return name in self.fn.locals and name not in self.fn.globals

    def _store_global_path(self, path: tuple[str, tuple], value: Value, state: State) -> None:
        """A write into an object held by a global or a closure cell, or into another module
        (`config.SETTINGS["token"] = v` writes module `config`'s global SETTINGS)."""
        root, keys = path
        owner = self._owner_of(root) or self.module
        if keys and keys[0][0] == "a":
            modules = sorted(k[4:] for k in self.lookup(ir.Name(root, ir.NO_SPAN), state).kinds if k.startswith("mod:"))
            if modules:
                owner, root, keys = modules[0], keys[0][1], keys[1:]
        current = self.engine.read_global(self, (owner, root))
        concrete = value.map_labels(lambda label: label if isinstance(label, Taint) else None)
        self.engine.write_global(self, (owner, root), current.write_path(keys, concrete, strong=False))
        symbolic = value.map_labels(lambda label: label if isinstance(label, ParamTaint) else None)
        if symbolic.is_tainted():
            old = self.global_effects.get((owner, root), EMPTY)
            self.global_effects[(owner, root)] = old.join(EMPTY.write_path(keys, symbolic))

    # ================================================================ expressions
    def eval(self, e: ir.Expr, state: State) -> Value:  # noqa: C901 - one dispatch
        if isinstance(e, ir.Name):
            return self.lookup(e, state)
        if isinstance(e, ir.Call):
            return self.eval_call(e, state)
        if isinstance(e, ir.Attr):
            return self.eval_attr(e, state)
        if isinstance(e, ir.Const):
            return Value(kinds=strings.kinds((e.value,))) if isinstance(e.value, str) else EMPTY
        if isinstance(e, ir.Subscript):
            base = self.eval(e.value, state)
            self.eval(e.index, state)
            if e.is_slice:
                return base
            item = self._getitem(base, index_key(e.key) if e.known else ANY, state, e.span)
            return item.with_kinds(_item_kinds(base))  # `client["crm"]["people"].insert_one`
        if isinstance(e, ir.Combine):
            return self.eval_combine(e, state)
        if isinstance(e, ir.IfExp):
            return self.eval_choice(e, state)
        if isinstance(e, ir.BoolOp):
            first = e.parts[0]
            if e.op != "not" and isinstance(first, ir.Const) and bool(first.value) == (e.op == "or"):
                return EMPTY  # `"default" or x` is the constant; `None and x` is None
            values = [self.eval(part, state) for part in e.parts]
            if e.op == "not":
                return EMPTY
            result = EMPTY
            for value in values:
                result = result.join(value)
            return result
        if isinstance(e, ir.Opaque):
            for part in e.parts:
                self.eval(part, state)
            return EMPTY
        if isinstance(e, ir.Collection):
            return self.eval_collection(e, state)
        if isinstance(e, ir.FuncRef):
            return self.closure(e.qualname, state)
        if isinstance(e, ir.Comprehension):
            iterable = self.eval(e.iterable, state)
            generator = self.call_function(e.func, None, (iterable,), state, None, e.span,
                                           closure=self.captured_env(e.func, state))
            if e.kind == "generator":
                return generator
            elements = generator.elements()
            if e.kind == "dict":
                return Value(frozenset(), frozenset({"builtin:dict"}),
                             {ANY: elements.read(index_key(1)), KEYS: elements.read(index_key(0))})
            return Value(frozenset(), frozenset({f"builtin:{e.kind}"}), {ANY: elements})
        if isinstance(e, ir.Await):
            return self.eval(e.value, state)
        if isinstance(e, ir.Yield):
            if e.value is not None:
                value = self.eval(e.value, state)
                value = value.elements() if e.is_from else value
                if not self.fn.name.endswith("comp>"):
                    value = self._stepped(value, self._step(e.span, "step", f"yielded from `{self.fn.name}`"))
                self.yields = self.yields.join(value)
            return EMPTY
        if isinstance(e, ir.Starred):
            return self.eval(e.value, state)
        if isinstance(e, ir.Walrus):
            value = self.eval(e.value, state)
            self.assign(ir.Name(e.target, e.span), value, state, e.span)
            return value
        return EMPTY

    def eval_combine(self, e: ir.Combine, state: State) -> Value:
        """The union of the parts' data, and the text when the parts' text is known."""
        labels: set[Label] = set()
        values = []
        for part in e.parts:
            value = self.eval(part, state)
            values.append(value)
            labels |= value.derived_labels()
        texts: tuple[str, ...] = ()
        if e.op == "concat" and len(values) == 2:
            joined = _concatenated(values[0], values[1])
            if joined is not None:
                return joined
        if e.op == "concat":
            texts = strings.concat([strings.text_of(v.kinds) for v in values])
        elif e.op == "%" and strings.patterns(values[0].kinds):
            args = e.parts[1]
            if isinstance(args, ir.Collection) and args.kind == "tuple":
                texts_of_args = [strings.text_of(values[1].fields.get(index_key(i), EMPTY).kinds)
                                 for i in range(len(args.items))]
            else:
                texts_of_args = [strings.text_of(values[1].kinds)]
            texts = tuple(t for template in strings.patterns(values[0].kinds)
                          for t in strings.percent_format(template, texts_of_args))
        return Value(frozenset(labels), strings.kinds(texts))

    def eval_collection(self, e: ir.Collection, state: State) -> Value:
        fields: dict = {}
        after_star = False
        for i, item in enumerate(e.items):
            if e.keys is not None:
                key_expr = e.keys[i]
                value = self.eval(item, state)
                if key_expr is None:  # **spread
                    for k, v in value.fields.items():
                        fields[k] = fields[k].join(v) if k in fields else v
                    if value.labels:
                        fields[ANY] = fields.get(ANY, EMPTY).join(Value(value.labels))
                    continue
                key_value = self.eval(key_expr, state)
                if isinstance(key_expr, ir.Const):
                    fields[index_key(key_expr.value)] = value
                else:
                    fields[ANY] = fields.get(ANY, EMPTY).join(value)
                    if key_value.is_tainted():
                        fields[KEYS] = fields.get(KEYS, EMPTY).join(key_value.collapsed())
                continue
            if isinstance(item, ir.Starred):
                after_star = True
                fields[ANY] = fields.get(ANY, EMPTY).join(self.eval(item.value, state).elements())
            elif after_star or e.kind == "set":
                fields[ANY] = fields.get(ANY, EMPTY).join(self.eval(item, state))
            else:
                fields[index_key(i)] = self.eval(item, state)
        return Value(frozenset(), frozenset({f"builtin:{e.kind}"}), fields)

    def _getitem(self, base: Value, key: tuple, state: State, span: ir.Span) -> Value:
        result = base.read(key)
        for kind in sorted(base.kinds):
            if kind.startswith("inst:"):
                method = self.program.lookup_method(kind[5:], "__getitem__")
                if method is not None:
                    result = result.join(self.call_function(method, base, (EMPTY,), state, None, span))
        return result

    def iterate(self, iterable: Value, state: State, span: ir.Span) -> Value:
        """What a `for` loop gets: a dict's keys, a project iterator's `__next__()` (through
        its `__iter__()`, which may be a generator), any other container's elements."""
        element = iterable.read(KEYS) if "builtin:dict" in iterable.kinds else iterable.elements()
        element = element.with_kinds(_item_kinds(iterable))  # `for post in profile.get_posts()`
        for kind in sorted(iterable.kinds):
            if not kind.startswith("inst:") or kind[5:] not in self.program.classes:
                continue
            iterator = iterable
            method = self.program.lookup_method(kind[5:], "__iter__")
            if method is not None:
                iterator = self.call_function(method, iterable, (), state, None, span)
                element = element.join(iterator.elements())
            for inner in sorted(iterator.kinds):
                if inner.startswith("inst:") and inner[5:] in self.program.classes:
                    step = self.program.lookup_method(inner[5:], "__next__")
                    if step is not None:
                        element = element.join(self.call_function(step, iterator, (), state, None, span))
        return element

    def eval_attr(self, e: ir.Attr, state: State) -> Value:
        value = self.attribute(self.eval(e.value, state), e.attr, state, e.span)
        if self._on_self(e) and any(isinstance(label, ParamTaint) and label.path for label in value.labels):
            # data an object holds since another method stored it there: the trace shows the read
            value = self._stepped(value, self._step(e.span, "step", f"read from `{expr_text(e)}`"))
        return value

    def _on_self(self, e: ir.Attr) -> bool:
        """Whether `e` reads an attribute of the method's own object (`self.outbox`, `self.a.b`)."""
        root: ir.Expr = e
        while isinstance(root, (ir.Attr, ir.Subscript)):
            root = root.value
        return self.fn.cls is not None and bool(self.fn.params) and isinstance(root, ir.Name) \
            and root.id == self.fn.params[0].name

    def attribute(self, base: Value, attr: str, state: State, span: ir.Span) -> Value:
        if attr == "__dict__":  # the object's attributes as a dict
            return Value(base.labels, frozenset({"builtin:dict"}),
                         {index_key(k[1]): v for k, v in base.fields.items() if k[0] == "a"})
        if attr in endpoints.RESPONSE_METADATA and endpoints.is_response(base.kinds):
            return Value(kinds=frozenset(k for kind in base.kinds if kind.startswith("api:")
                                         for k in api_kinds(f"{kind[4:]}.{attr}")))
        value = base.read(attr_key(attr))
        kinds: set[str] = set()
        for kind in sorted(base.kinds):
            prefix, _, name = kind.partition(":")
            if prefix in ("inst", "virt"):
                value = value.join(self._instance_attr(name, base, attr, state, span))
            elif prefix == "cls":
                value = value.join(self._class_attr(name, attr))
            elif prefix == "mod":
                value = value.join(self.module_member(name, attr))
                kinds.add(f"global:{name}.{attr}")
            elif prefix == "api":
                kinds |= api_kinds(f"{name}.{attr}")
                if attr == "app" and name.startswith(_REQUEST_LIBRARIES) and name.endswith(_REQUEST_CLASSES):
                    kinds.add(_APP_KIND)  # `request.app`: the application the handler runs in
            elif prefix == "super":
                value = value.join(self._super_attr(name, base, attr))
        shared = _app_object_path(base.kinds)
        if shared is not None:
            value = value.join(self.engine.read_global(self, APP_STORE).read_path(shared + (attr_key(attr),)))
        read_names = [k.split(":", 1)[1] for k in sorted(kinds) if k.startswith(("global:", "api:"))]
        kinds = {k for k in kinds if not k.startswith("global:")}
        if kinds:
            value = value.with_kinds(kinds)
        return self.read_source(value, read_names, span)

    def _instance_attr(self, klass: str, base: Value, attr: str, state: State, span: ir.Span) -> Value:
        if klass not in self.program.classes:
            return EMPTY
        value = Value(frozenset(), self.engine.field_kinds(self, klass, attr))
        method = self.program.lookup_method(klass, attr)
        if method is not None:
            function = self.program.functions[method]
            decorators = function.decorator_names
            if "property" in decorators or "cached_property" in decorators:
                return value.join(self.call_function(method, base, (), state, None, span))
            return value.with_kinds({f"bound:{method}"}).write(attr_key("__self__"), base)
        return value.join(self._class_attr(klass, attr))

    def _class_attr(self, klass: str, attr: str) -> Value:
        if klass not in self.program.classes:
            return EMPTY
        value = EMPTY
        for ancestor in self.program.mro(klass):
            found = self.engine.read_global(self, (ancestor, attr))
            if not found.empty:
                value = value.join(found)
                break
        return value

    def _super_attr(self, klass: str, base: Value, attr: str) -> Value:
        receiver = base.fields.get(attr_key("__self__"), EMPTY)
        for ancestor in self.program.mro(klass)[1:]:
            for method, function in self.program.classes[ancestor].methods:
                if method == attr:
                    return Value(frozenset(), frozenset({f"bound:{function}"}), {attr_key("__self__"): receiver})
        names = [f"api:{b}.{attr}" for b in self.program.external_bases(klass)]
        return Value(frozenset(), frozenset(names), {attr_key("__self__"): receiver} if names else None)

    # ================================================================ calls


    # ---------------------------------------------------------------- external code


    # ---------------------------------------------------------------- sinks and sources
    def check_sink(self, sink, name: str, receiver: Value | None, arg_nodes: list[ir.Arg], args: list[Value],
                   state: State, span: ir.Span) -> None:
        if sink.kind.startswith("collection.") and args and arg_nodes and arg_nodes[0].keyword is None \
                and strings.is_non_collecting_sql(strings.patterns(args[0].kinds)):
            return  # `cursor.execute("SELECT ... WHERE id = %s", (uid,))` looks data up, stores no row
        reaching: list[Value] = []
        if sink.args is None:
            reaching = list(args)
            if receiver is not None and MODULE not in receiver.kinds:
                reaching.append(receiver)
        else:
            reaching = [args[i] for i, node in enumerate(arg_nodes) if self._selected(sink.args, i, node, arg_nodes)]
        spec = SinkSpec(sink.kind, name, self._site(span, name), sink.purpose, self.statement)
        step = self._step(span, "sink", f"reaches `{name}()` ({sink.kind})")
        for value in reaching:
            for label in value.collapse_labels():
                self.report(label, spec, step, state)

    def check_store_sinks(self, obj: Value, attr: str | None, value: Value, state: State, span: ir.Span) -> None:
        """`obj.attr = value` (`attr` "*": an attribute named at run time) or `obj[k] = value`
        (`attr` None) into an external object whose member a sink's `stores` names (a row loaded
        from an ORM session, a spreadsheet cell): the value is collected there."""
        member = "[]" if attr is None else f".{attr}"
        names = [kind[4:] + member for kind in sorted(obj.kinds) if kind.startswith("api:")]
        self.engine.recorder.stores(self, names, span)
        if not value.is_tainted() or not self.models.store_sinks:
            return
        for name in names:
            for sink in self.models.store_sinks(name):
                spec = SinkSpec(sink.kind, name, self._site(span, name), sink.purpose, self.statement)
                step = self._step(span, "sink", f"stored in `{name}` ({sink.kind})")
                for label in value.collapse_labels():
                    self.report(label, spec, step, state)

    def report(self, label: Label, spec: SinkSpec, step: Step, state: State,
               prefix: tuple[Step, ...] = (), suffix: tuple[Step, ...] = ()) -> None:
        """A label reaches a sink: a flow (concrete data) or a summary entry (a parameter)."""
        label = apply_effects(label, state.clears, frozenset(), state.marks)
        if isinstance(label, Taint):
            key = flow_key(label, spec)
            old = self.flows.get(key)
            if old is not None and len(old.label.trace) < min(len(label.trace) + len(prefix) + len(suffix) + 1, 80):
                return  # a shorter witness is already kept: do not build this one
            trace = label.trace + prefix + suffix + (step,)
            if len(trace) > 80:
                trace = trace[:40] + trace[-40:]
            keep_shortest(self.flows, key, Flow(label.with_trace(trace), spec))
            return
        group = (label.param, spec, label.clears, label.adds, label.marks)
        paths = self.sink_paths.setdefault(group, {})
        if label.path in paths:
            return
        if len(paths) < MAX_PATHS_PER_SINK:
            if len(self.sinks) < MAX_SINK_HITS:
                hit = SinkHit(label.with_trace(label.trace + prefix + suffix + (step,)), spec)
                paths[label.path] = self.sinks[group + (label.path,)] = hit
            return
        # a parameter reaching one sink by many paths (`**kwargs` handed on whole): they merge
        # into their common prefix, which then stands for every path of that parameter there
        merged = label.path
        for path in paths:
            merged = _common_prefix(merged, path)
            del self.sinks[group + (path,)]
        first = next(iter(paths.values()))
        paths.clear()
        paths[merged] = self.sinks[group + (merged,)] = SinkHit(first.label.evolve(path=merged), first.sink)

    def _source_taint(self, source, site: Site, what: str) -> Taint:
        origin = self.models.origins.get(source.origin)
        provider = origin.provider if origin else source.origin
        step = Step(site.path, site.line, site.column, "source", f"source: {what} ({source.origin}: {provider})")
        categories = self.models.source_categories(source)
        spec = source_fields.build(source.fields, categories)
        return Taint(source.origin, site, spec.categories if spec else categories, frozenset(), (step,), fields=spec)

    def _site(self, span: ir.Span, symbol: str) -> Site:
        return Site(self.path, span[0], span[1], span[2], span[3], symbol)

    def _step(self, span: ir.Span, kind: str, note: str) -> Step:
        return Step(self.path, span[0], span[1], kind, note)

    @staticmethod
    def _stepped(value: Value, step: Step) -> Value:
        if not value.is_tainted():
            return value
        return value.map_labels(lambda label: with_step(label, step))

    # ---------------------------------------------------------------- guards


    # ---------------------------------------------------------------- project code


# Web applications: what start-up code sets on the application object (`app.state.client = c`,
# `app.db = d`) is what handlers read from it, however they reach it (`request.app.state.client`,
# `current_app.db`). All application objects of a project share one store: a project rarely has two.
APP_STORE = ("<web-app>", "attributes")
_APP_KIND = "api:starlette.applications.Starlette()"
_APP_KINDS = frozenset({_APP_KIND, "api:fastapi.FastAPI()", "api:fastapi.applications.FastAPI()", "api:flask.Flask()",
                        "api:flask.current_app", "api:quart.Quart()", "api:quart.current_app"})
_REQUEST_LIBRARIES = ("fastapi.", "starlette.")
_REQUEST_CLASSES = ("Request()", "WebSocket()", "HTTPConnection()")


def _app_object_path(kinds: frozenset[str]) -> tuple | None:
    """Where in the shared application store a value with these kinds is: the application
    itself, its `.state`, or nowhere (None)."""
    for kind in kinds:
        if kind in _APP_KINDS:
            return ()
        if kind.endswith(".state") and kind[: -len(".state")] in _APP_KINDS:
            return (attr_key("state"),)
    return None


_ANNOTATED = frozenset({"api:typing.Annotated", "api:typing_extensions.Annotated"})
_DEPENDENCY_MARKERS = frozenset({"api:fastapi.Depends", "api:fastapi.Security", "api:fastapi.params.Depends",
                                 "api:fastapi.params.Security"})


def _common_prefix(a: tuple, b: tuple) -> tuple:
    out = []
    for x, y in zip(a, b):
        if x != y:
            break
        out.append(x)
    return tuple(out)


def _item_kinds(container: Value) -> frozenset[str]:
    """An item of an external object keeps its API path, with `[]`: `api:P` -> `api:P[]`
    (`client["crm"]["people"]` is `P[][]`), while the path is short enough to matter."""
    return frozenset(k for kind in container.kinds if kind.startswith("api:") for k in api_kinds(f"{kind[4:]}[]"))
