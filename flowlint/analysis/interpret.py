"""Abstract interpretation of one function body under one calling context.

Flow-sensitive over the structured IR: branches are analysed separately and joined, loops run
to a fixpoint, `break`/`continue`/`return`/`raise` end a path. Calls are resolved from the
kinds of the callee value and applied through summaries (project code), policy models or the
default model (unmodelled code). Results: a `Summary` for the engine, flows for the rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flowlint import ir
from flowlint.analysis import builtins as pybuiltins
from flowlint.analysis.summary import Context, Flow, SinkHit, SinkSpec, Summary, keep_shortest
from flowlint.analysis.values import (
    ANY, EMPTY, KEYS, Label, ParamTaint, Site, Step, Taint, Value, apply_effects, attr_key, index_key, with_step,
)
from flowlint.analysis.render import expr_text

if TYPE_CHECKING:
    from flowlint.analysis.engine import Engine


MAX_LOOP_ITERATIONS = 12
MAX_SINK_HITS = 200  # sinks a function's parameters may reach, kept in its summary
CLOSURE = attr_key("__closure__")
PARTIAL = "partial"  # the kind of a `functools.partial` object
MODULE = "module"
MUTABLE_KINDS = ("builtin:list", "builtin:dict", "builtin:set", "inst:", "virt:")  # the kind of a value bound by `import x`: never a receiver of data
CALLABLE_PREFIXES = ("fn:", "cls:", "bound:")


@dataclass
class State:
    vars: dict[str, Value] = field(default_factory=dict)
    dead: bool = False
    # effects of branch guards (`applies = "branch"`) on every value used while they hold
    clears: frozenset[str] = frozenset()
    marks: frozenset[str] = frozenset()
    # may-aliases among local names (`b = a` of a list, dict, set or object): name -> others
    aliases: dict[str, frozenset[str]] = field(default_factory=dict)

    def copy(self) -> State:
        return State(dict(self.vars), self.dead, self.clears, self.marks, dict(self.aliases))

    def join(self, other: State) -> State:
        if self.dead:
            return other.copy()
        if other.dead:
            return self.copy()
        merged = dict(self.vars)
        for name, value in other.vars.items():
            mine = merged.get(name)
            merged[name] = value if mine is None else mine.join(value)
        aliases = dict(self.aliases)
        for name, others in other.aliases.items():
            aliases[name] = aliases.get(name, frozenset()) | others
        return State(merged, False, self.clears & other.clears, self.marks & other.marks, aliases)

    def alias(self, name: str, source: str | None) -> None:
        """`name` is rebound: to the same object as `source` (None: to something else)."""
        for other in self.aliases.pop(name, frozenset()):
            rest = self.aliases.get(other, frozenset()) - {name}
            if rest:
                self.aliases[other] = rest
            else:
                self.aliases.pop(other, None)
        if source is None or source == name:
            return
        group = self.aliases.get(source, frozenset()) | {source}
        self.aliases[name] = group
        for member in group:
            self.aliases[member] = (self.aliases.get(member, frozenset()) | {name}) - {member}

    def same(self, other: State) -> bool:
        return self.dead == other.dead and self.vars == other.vars


def dead_state() -> State:
    return State(dead=True)


@dataclass
class _Loop:
    breaks: list[State] = field(default_factory=list)
    continues: list[State] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """A resolved callee: a project function (with receiver), a project class, or API names."""

    kind: str  # "fn" | "cls" | "api" | "builtin"
    name: str
    receiver: Value | None = None
    extra_names: tuple[str, ...] = ()
    closure: Value | None = None  # the variables a closure captured


class FunctionRun:
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
        self.global_effects: dict[tuple[str, str], Value] = {}
        self.loops: list[_Loop] = []
        self.raised: list[Value] = []  # one entry per enclosing `try`: what its body may raise
        self.uncaught = EMPTY  # what may leave the function as an exception
        self.raise_states: list[list[State]] = []  # per enclosing `try`: states where it may raise
        self.handling: list[Value] = []  # the exceptions the enclosing `except` blocks caught
        self.rebound: set[str] = set()
        self.statement: tuple[int, int] = (0, 0)
        self.flows: dict[tuple, Flow] = {}

    # ================================================================ driver
    def run(self) -> Summary:
        state = State()
        initial = self._initial_values()
        state.vars.update(initial)
        self.exec_block(self.fn.body, state)
        self.exit_state = self.exit_state.join(state)
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

    def _initial_values(self) -> dict[str, Value]:
        """Parameters, then the variables a closure captured, as symbolic labels (in that order:
        label index i is the i-th of them)."""
        values = {param.name: self._initial_param(index, param) for index, param in enumerate(self.fn.params)}
        offset = len(self.fn.params)
        for k, (name, kinds) in enumerate(self.context[2]):
            values[name] = Value(frozenset({ParamTaint(offset + k, ())}), kinds)
        return values

    def _initial_param(self, index: int, param: ir.Param) -> Value:
        kinds = set(self.context[1][index]) if index < len(self.context[1]) else set()
        if index == 0 and self.fn.cls is not None and not kinds:
            decorators = self.program.decorator_names(self.fn)
            if "staticmethod" not in decorators:
                kinds.add(("cls:" if "classmethod" in decorators else "virt:") + self.fn.cls)
        if param.annotation is not None and not kinds:
            kinds |= self._annotation_kinds(param.annotation)
        labels: set[Label] = {ParamTaint(index, ())}
        if param.default is not None:  # present when a call omits the argument
            default = self.eval(param.default, State())
            labels |= {label.evolve(default_of=index) for label in default.collapse_labels()
                       if isinstance(label, Taint)}
        for source in self.models.param_sources(f"{self.fn.qualname}:{param.name}"):
            site = self._site(param.span, f"{self.fn.qualname}:{param.name}")
            labels.add(self._source_taint(source, site, f"parameter `{param.name}` of `{self.fn.name}`"))
        fields = {}
        if param.kind == "vararg":
            fields = {ANY: Value(frozenset({ParamTaint(index, (ANY,))}))}
        return Value(frozenset(labels), frozenset(kinds), fields)

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
        self.engine.steps += 1
        compound = isinstance(s, (ir.If, ir.While, ir.For, ir.Try, ir.With, ir.Match))
        self.statement = (s.span[0], s.span[0] if compound else s.span[2])
        if isinstance(s, ir.Assign):
            value = self.eval(s.value, state)
            for target in s.targets:
                self.assign(target, value, state, s.span)
                if isinstance(target, ir.Name):
                    mutable = isinstance(s.value, ir.Name) and any(k.startswith(MUTABLE_KINDS) for k in value.kinds)
                    state.alias(target.id, s.value.id if mutable else None)  # type: ignore[union-attr]
        elif isinstance(s, ir.ExprStmt):
            self.eval(s.value, state)
        elif isinstance(s, ir.AugAssign):
            old = self.eval(s.target, state)  # type: ignore[arg-type]
            new = self.eval(s.value, state)
            self.assign(s.target, old.join(new.collapsed()), state, s.span, strong=True)
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
        """`del x`, `del d["k"]`, `del o.attr`: the name or that one field holds nothing any more."""
        if isinstance(target, ir.Name):
            state.vars.pop(target.id, None)
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
        state.vars, state.dead, state.clears, state.marks = new.vars, new.dead, new.clears, new.marks

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
            loop = _Loop()
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
            value = self.eval(ctx, state)
            entered = value
            for kind in sorted(value.kinds):
                if kind.startswith("inst:"):
                    method = self.program.lookup_method(kind[5:], "__enter__") or \
                        self.program.lookup_method(kind[5:], "__aenter__")
                    if method is not None:
                        entered = self.call_function(method, value, (), state, None, ctx.span)
            if target is not None:
                self.assign(target, entered, state, s.span)
        self.exec_block(s.body, state)

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
        if not s.is_class:
            function = self.program.functions.get(s.qualname)
            if function is not None:
                for decorator in reversed(function.decorators):
                    value = self._decorate(decorator, value, state)
        self.bind(s.name, value, state)

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
        if self.is_module_body:
            self.engine.write_global(self, (self.module, name), value)
        elif self.is_class_body:
            self.engine.write_global(self, (self.fn.qualname[: -len(".<body>")], name), value)
        elif name in self.fn.globals:
            self.engine.write_global(self, (self.module, name), value)
        elif name in self.fn.nonlocals:
            owner = self._owner_of(name)
            if owner is not None:
                self.engine.capture(owner, name)
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
        else:
            value = self._free_or_global(ident, name.span)
        return self._use(value, state)

    def _free_or_global(self, ident: str, span: ir.Span) -> Value:
        owner = self._owner_of(ident)
        if owner is not None:
            self.engine.capture(owner, ident)
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
        value = self.module_member(self.module, ident)
        if not self.is_module_body:
            value = self.read_source(value, [f"{self.module}.{ident}"], span)
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
        for i, element in enumerate(target.elts):
            if isinstance(element, ir.Starred):
                part = Value(frozenset(), frozenset({"builtin:list"}), {ANY: value.elements()})
                self.assign(element.value, part, state, span)
                continue
            if starred is None or i < starred:
                part = value.read(index_key(i))
            else:
                part = value.read(index_key(i - count))
            self.assign(element, part, state, span)

    def access_path(self, expr: ir.Expr) -> tuple[str, tuple] | None:
        """`x.a[0].b` -> ("x", (.a, [0], .b)); None when not rooted at a local name."""
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
        if self.is_module_body or root in self.fn.globals:
            self.engine.write_global(self, (self.module, root), state.vars[root])

    def _is_local(self, name: str) -> bool:
        return name in self.fn.locals and name not in self.fn.globals

    def _store_global_path(self, path: tuple[str, tuple], value: Value, state: State) -> None:
        root, keys = path
        owner = self._owner_of(root) or self.module
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
            return EMPTY
        if isinstance(e, ir.Subscript):
            base = self.eval(e.value, state)
            self.eval(e.index, state)
            if e.is_slice:
                return base
            return self._getitem(base, index_key(e.key) if e.known else ANY, state, e.span)
        if isinstance(e, ir.Combine):
            labels: set[Label] = set()
            for part in e.parts:
                labels |= self.eval(part, state).collapse_labels()
            return Value(frozenset(labels))
        if isinstance(e, ir.BoolOp):
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
        base = self.eval(e.value, state)
        return self.attribute(base, e.attr, state, e.span)

    def attribute(self, base: Value, attr: str, state: State, span: ir.Span) -> Value:
        if attr == "__dict__":  # the object's attributes as a dict
            return Value(base.labels, frozenset({"builtin:dict"}),
                         {index_key(k[1]): v for k, v in base.fields.items() if k[0] == "a"})
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
                kinds.add(f"api:{name}.{attr}")
            elif prefix == "super":
                value = value.join(self._super_attr(name, base, attr))
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
            decorators = self.program.decorator_names(function)
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
    def eval_call(self, call: ir.Call, state: State) -> Value:
        receiver_expr: ir.Expr | None = None
        if isinstance(call.func, ir.Attr):
            receiver_expr = call.func.value
            receiver = self.eval(receiver_expr, state)
            targets = self.method_targets(receiver, call.func.attr, state, call.span)
            callee = None
        else:
            receiver = None
            callee = self.eval(call.func, state)
            targets = None
        args = [self.eval(arg.value, state) for arg in call.args]
        if callee is not None:
            return self.call_value(callee, list(call.args), args, state, call, call.span)
        assert receiver is not None and isinstance(call.func, ir.Attr)
        return self.apply_targets(targets or [], receiver, receiver_expr, call.func.attr, list(call.args), args,
                                  state, call, call.span)

    def call_value(self, callee: Value, arg_nodes: list[ir.Arg], args: list[Value], state: State,
                   call: ir.Call | None, span: ir.Span) -> Value:
        """Call whatever `callee` may be (the function part is not an attribute access)."""
        arg_nodes, args = self._unpartial(callee, arg_nodes, args)
        targets: list[Target] = []
        for kind in sorted(callee.kinds):
            prefix, _, name = kind.partition(":")
            if prefix == "fn":
                targets.append(Target("fn", name, closure=callee.fields.get(CLOSURE)))
            elif prefix == "bound":
                bound_self = callee.fields.get(attr_key("__self__"), EMPTY)
                targets.append(Target("fn", name, bound_self))
            elif prefix == "cls":
                targets.append(Target("cls", name))
            elif prefix == "api":
                targets.append(Target("api", name))
            elif prefix == "builtin":
                targets.append(Target("builtin", name))
            elif prefix == "inst":
                method = self.program.lookup_method(name, "__call__")
                if method is not None:
                    targets.append(Target("fn", method, callee))
        return self.apply_targets(targets, callee, None, None, arg_nodes, args, state, call, span)

    @staticmethod
    def _partial(func: Value, arg_nodes: list[ir.Arg], args: list[Value]) -> Value:
        """`functools.partial(f, *args, **kw)`: a callable that remembers its first arguments
        (positional ones at `[i]`, keywords at `.name` of its `__partial__` field)."""
        stored: dict = {}
        for i, (node, value) in enumerate(zip(arg_nodes, args)):
            stored[attr_key(node.keyword) if node.keyword else index_key(i)] = value
        return Value(func.labels, func.kinds | {PARTIAL}, {**func.fields, attr_key("__partial__"): Value(fields=stored)})

    @staticmethod
    def _unpartial(callee: Value, arg_nodes: list[ir.Arg], args: list[Value]) -> tuple[list[ir.Arg], list[Value]]:
        """The arguments of a call through `functools.partial`: the stored ones come first."""
        if PARTIAL not in callee.kinds:
            return arg_nodes, args
        stored = callee.fields.get(attr_key("__partial__"), EMPTY).fields
        positional = sorted((k[1], v) for k, v in stored.items() if k[0] == "i")
        keywords = sorted((k[1], v) for k, v in stored.items() if k[0] == "a")
        nodes = [ir.Arg(ir.Const(None, ir.NO_SPAN)) for _ in positional] + list(arg_nodes)
        nodes += [ir.Arg(ir.Const(None, ir.NO_SPAN), name) for name, _ in keywords]
        values = [v for _, v in positional] + list(args) + [v for _, v in keywords]
        return nodes, values

    def method_targets(self, receiver: Value, attr: str, state: State, span: ir.Span) -> list[Target]:
        targets: list[Target] = []
        for kind in sorted(receiver.kinds):
            prefix, _, name = kind.partition(":")
            if prefix in ("inst", "virt") and name in self.program.classes:
                method = self.program.lookup_method(name, attr)
                functions = [method] if method is not None else []
                if prefix == "virt":
                    functions += self.program.overrides(name, attr)
                for function in functions:
                    decorators = self.program.decorator_names(self.program.functions[function])
                    if "staticmethod" in decorators:
                        targets.append(Target("fn", function))
                    elif "classmethod" in decorators:
                        targets.append(Target("fn", function, Value(frozenset(), frozenset({"cls:" + name}))))
                    else:
                        targets.append(Target("fn", function, receiver))
                if method is None:
                    stored = self._instance_attr(name, receiver, attr, state, span)
                    targets += self._value_targets(stored)
                    externals = self.program.external_bases(name)
                    if externals:
                        targets.append(Target("api", f"{externals[0]}.{attr}",
                                              extra_names=tuple(f"{b}.{attr}" for b in externals[1:]) + (f"{name}.{attr}",)))
            elif prefix == "cls" and name in self.program.classes:
                method = self.program.lookup_method(name, attr)
                if method is not None:
                    decorators = self.program.decorator_names(self.program.functions[method])
                    cls_value = Value(frozenset(), frozenset({"cls:" + name}))
                    targets.append(Target("fn", method, cls_value if "classmethod" in decorators else None))
                else:
                    targets += self._value_targets(self._class_attr(name, attr))
            elif prefix == "mod":
                member = self.module_member(name, attr)
                targets += self._value_targets(member) or [Target("api", f"{name}.{attr}")]
            elif prefix == "api":
                extra = (f"{name[:-2]}.{attr}",) if name.endswith("()") else ()
                targets.append(Target("api", f"{name}.{attr}", receiver, extra))
            elif prefix == "super":
                targets += self._value_targets(self._super_attr(name, receiver, attr))
            elif prefix == "fn" or prefix == "bound":
                continue
        if not targets:
            field_value = receiver.read(attr_key(attr))
            targets = self._value_targets(field_value)
        return targets

    def _value_targets(self, value: Value) -> list[Target]:
        out = []
        for kind in sorted(value.kinds):
            prefix, _, name = kind.partition(":")
            if prefix == "fn":
                out.append(Target("fn", name, closure=value.fields.get(CLOSURE)))
            elif prefix == "bound":
                out.append(Target("fn", name, value.fields.get(attr_key("__self__"), EMPTY)))
            elif prefix == "cls":
                out.append(Target("cls", name))
            elif prefix == "api":
                out.append(Target("api", name))
            elif prefix == "builtin" and name in pybuiltins.NAMES:
                out.append(Target("builtin", name))
        return out

    def apply_targets(self, targets: list[Target], receiver: Value | None, receiver_expr: ir.Expr | None,
                      method: str | None, arg_nodes: list[ir.Arg], args: list[Value], state: State,
                      call: ir.Call | None, span: ir.Span) -> Value:
        if not targets:
            # nothing known about the callee: the default model, plus container methods by name
            if method is not None and receiver is not None:
                handled = pybuiltins.container_method(self, method, receiver, receiver_expr, arg_nodes, args, state)
                if handled is not None:
                    return handled
            return self.default_model(receiver, receiver_expr, method, args, state)
        result = EMPTY
        for target in targets:
            if target.kind == "fn":
                bound = target.receiver
                result = result.join(self.call_function(target.name, bound, tuple(args), state, call, span,
                                                        arg_nodes=arg_nodes, closure=target.closure))
            elif target.kind == "cls":
                result = result.join(self.construct(target.name, arg_nodes, args, state, call, span))
            elif target.kind == "builtin":
                result = result.join(pybuiltins.call_builtin(self, target.name, arg_nodes, args, state, span))
            else:
                result = result.join(self.call_api((target.name,) + target.extra_names, receiver, receiver_expr,
                                                   method, arg_nodes, args, state, call, span))
        return result

    # ---------------------------------------------------------------- external code
    def default_model(self, receiver: Value | None, receiver_expr: ir.Expr | None, method: str | None,
                      args: list[Value], state: State, kinds: Iterable[str] = ()) -> Value:
        labels: set[Label] = set()
        for arg in args:
            labels |= arg.collapse_labels()
        if receiver is not None and MODULE not in receiver.kinds:
            labels |= receiver.collapse_labels()
        else:
            receiver_expr = None  # a module is no container of data
        if method in pybuiltins.MUTATORS and receiver_expr is not None and args:
            added = EMPTY
            for arg in args:
                added = added.join(arg.collapsed())
            self.update_path(receiver_expr, added, state)
        return Value(frozenset(labels), frozenset(kinds))

    def _class_attribute_owner(self, obj: Value, attr: str) -> str | None:
        """The class whose attribute `obj.attr` is, when the object has no field of its own by
        that name (mutating `self.entries.append(v)` mutates the class's shared list)."""
        if attr_key(attr) in obj.fields:
            return None
        for kind in sorted(obj.kinds):
            if kind.startswith(("inst:", "virt:")) and kind[5:] in self.program.classes:
                for ancestor in self.program.mro(kind[5:]):
                    if attr in self.program.functions[self.program.classes[ancestor].body].locals:
                        return ancestor
        return None

    def update_path(self, expr: ir.Expr, value: Value, state: State, strong: bool = False,
                    key: tuple | None = None) -> None:
        """Weakly add `value` to what `expr` denotes (at `key` below it when given)."""
        path = self.access_path(expr)
        if path is None:
            return
        root, keys = path
        if key is not None:
            keys = keys + (key,)
        if keys and keys[0][0] == "a" and root in state.vars and self._class_attribute_owner(state.vars[root], keys[0][1]):
            owner = self._class_attribute_owner(state.vars[root], keys[0][1])
            current = self.engine.read_global(self, (owner, keys[0][1]))
            self.engine.write_global(self, (owner, keys[0][1]), current.write_path(keys[1:], value, strong=False)
                                     if keys[1:] else current.join(value))
            return
        if root in state.vars or self._is_local(root):
            for name in (root, *sorted(state.aliases.get(root, ()))):
                current = state.vars.get(name, EMPTY)
                state.vars[name] = current.write_path(keys, value, strong=strong) if keys or strong else current.join(value)
                if self.is_module_body:
                    self.engine.write_global(self, (self.module, name), state.vars[name])
        else:
            self._store_global_path((root, keys), value, state)

    def call_api(self, names: tuple[str, ...], receiver: Value | None, receiver_expr: ir.Expr | None,
                 method: str | None, arg_nodes: list[ir.Arg], args: list[Value], state: State,
                 call: ir.Call | None, span: ir.Span) -> Value:
        models = self.models
        shown = names[0]
        if shown == "functools.partial" and args:
            return self._partial(args[0], arg_nodes[1:], args[1:])
        if any(models.sanitizers(n) for n in names) or any(models.propagators(n) for n in names):
            result = self._modelled(names, receiver, receiver_expr, arg_nodes, args, state, span)
        else:
            # the data a sink collects does not also stay in its receiver (`db.insert(x)`)
            is_sink = any(models.sinks(n) for n in names)
            result = self.default_model(receiver, None if is_sink else receiver_expr, method, args, state)
        transforms = [t for n in names for t in models.transforms(n)]
        if transforms:
            adds = frozenset(c for t in transforms for c in t.adds)
            step = self._step(span, "step", f"transformed by `{shown}()` (adds {', '.join(sorted(adds))})")
            result = self._stepped(result.map_labels(lambda label: apply_effects(label, frozenset(), adds, frozenset())), step)
        result = result.with_kinds({f"api:{shown}()"})
        # one name may match through several spellings (`C().m`, `C.m`): each entry applies once,
        # under the first spelling that matched it
        for sink, name in _first_matches(names, models.sinks):
            self.check_sink(sink, name, receiver, arg_nodes, args, state, span)
        for guard, _ in _first_matches(names, models.guards):
            if guard.when == "returns":
                self._apply_guard_to_args(guard, arg_nodes, state)
        for source, name in _first_matches(names, models.call_sources):
            taint = self._source_taint(source, self._site(span, name), f"`{name}()`")
            if source.taints == "return":
                result = result.with_labels({taint})
            elif source.taints == "arguments":
                for node in arg_nodes:
                    self.update_path(node.value, Value(frozenset({taint})), state)
            elif receiver_expr is not None:
                self.update_path(receiver_expr, Value(frozenset({taint})), state)
        return result

    def _modelled(self, names: tuple[str, ...], receiver: Value | None, receiver_expr: ir.Expr | None,
                  arg_nodes: list[ir.Arg], args: list[Value], state: State, span: ir.Span) -> Value:
        """Sanitizers and propagators from the policy replace the default model."""
        result = EMPTY
        sanitizers = [s for n in names for s in self.models.sanitizers(n)]
        if sanitizers:
            every = self.default_model(receiver, None, None, args, state)
            for sanitizer in sanitizers:
                if sanitizer.clears == "all":
                    continue
                clears = frozenset(sanitizer.clears)
                marks = frozenset(sanitizer.marks)
                result = result.join(every.map_labels(lambda label: apply_effects(label, clears, frozenset(), marks)))
            step = self._step(span, "step", f"sanitized by `{names[0]}()`")
            return self._stepped(result, step)
        for propagator in (p for n in names for p in self.models.propagators(n)):
            source_value = self._endpoint_value(propagator.from_, receiver, arg_nodes, args)
            if propagator.to == "return":
                result = result.join(source_value.collapsed())
            elif propagator.to == "receiver":
                if receiver_expr is not None:
                    self.update_path(receiver_expr, source_value.collapsed(), state)
            else:
                for node in self._selected_args(propagator.to, arg_nodes):
                    self.update_path(node.value, source_value.collapsed(), state)
        return result

    def _endpoint_value(self, endpoint, receiver: Value | None, arg_nodes: list[ir.Arg], args: list[Value]) -> Value:
        if endpoint == "receiver":
            return receiver or EMPTY
        if endpoint == "args":
            value = EMPTY
            for arg in args:
                value = value.join(arg.collapsed())
            return value
        value = EMPTY
        for i, node in enumerate(arg_nodes):
            if self._selected(endpoint, i, node, arg_nodes):
                value = value.join(args[i].collapsed())
        return value

    @staticmethod
    def _selected(keys, index: int, node: ir.Arg, arg_nodes: list[ir.Arg]) -> bool:
        if node.star:
            return True
        if node.keyword is not None:
            return node.keyword in keys
        position = sum(1 for n in arg_nodes[:index] if n.keyword is None and not n.star)
        return position in keys

    def _selected_args(self, keys, arg_nodes: list[ir.Arg]) -> list[ir.Arg]:
        return [n for i, n in enumerate(arg_nodes) if self._selected(keys, i, n, arg_nodes)]

    # ---------------------------------------------------------------- sinks and sources
    def check_sink(self, sink, name: str, receiver: Value | None, arg_nodes: list[ir.Arg], args: list[Value],
                   state: State, span: ir.Span) -> None:
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

    def report(self, label: Label, spec: SinkSpec, step: Step, state: State,
               prefix: tuple[Step, ...] = (), suffix: tuple[Step, ...] = ()) -> None:
        """A label reaches a sink: a flow (concrete data) or a summary entry (a parameter)."""
        label = apply_effects(label, state.clears, frozenset(), state.marks)
        trace = label.trace + prefix + suffix + (step,)
        if isinstance(label, Taint):
            if len(trace) > 80:
                trace = trace[:40] + trace[-40:]
            flow = Flow(label.with_trace(trace), spec)
            keep_shortest(self.flows, flow.key, flow)
        else:
            key = (label.param, spec, label.clears, label.adds, label.marks)
            old = self.sinks.get(key)
            if old is None:
                if len(self.sinks) < MAX_SINK_HITS:
                    self.sinks[key] = SinkHit(label.with_trace(trace), spec)
            elif old.label.path != label.path:
                # one entry per parameter and sink: several paths merge into their common prefix
                path = _common_prefix(old.label.path, label.path)
                if path != old.label.path:
                    self.sinks[key] = SinkHit(old.label.evolve(path=path), spec)

    def _source_taint(self, source, site: Site, what: str) -> Taint:
        origin = self.models.origins.get(source.origin)
        provider = origin.provider if origin else source.origin
        step = Step(site.path, site.line, site.column, "source", f"source: {what} ({source.origin}: {provider})")
        return Taint(source.origin, site, self.models.source_categories(source), frozenset(), (step,))

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
    def condition(self, test: ir.Expr, state: State) -> tuple[State, State]:
        """The states in which `test` is true and false (guards and obvious constants)."""
        if isinstance(test, ir.Const):
            return (state, dead_state()) if test.value else (dead_state(), state)
        if isinstance(test, ir.BoolOp):
            if test.op == "not":
                true_state, false_state = self.condition(test.parts[0], state)
                return false_state, true_state
            first_true, first_false = self.condition(test.parts[0], state)
            if test.op == "and":
                second_true, second_false = self.condition(test.parts[1], first_true.copy())
                return second_true, first_false.join(second_false)
            second_true, second_false = self.condition(test.parts[1], first_false.copy())
            return first_true.join(second_true), second_false
        if isinstance(test, ir.Call) and isinstance(test.func, ir.Name) and test.func.id == "isinstance" \
                and len(test.args) == 2 and "builtin:isinstance" in self.eval(test.func, state).kinds:
            return self._narrow(test, state)
        if isinstance(test, ir.Call):
            guards = self._guards_of(test, state)
            self.eval(test, state)
            true_state, false_state = state.copy(), state.copy()
            for guard in guards:
                branch = true_state if guard.when == "true" else false_state if guard.when == "false" else None
                if branch is None:
                    continue
                if guard.applies == "branch":
                    clears = frozenset() if guard.clears == "all" else frozenset(guard.clears)
                    branch.clears |= clears
                    branch.marks |= frozenset(guard.marks)
                else:
                    self._apply_guard_to_args(guard, list(test.args), branch)
            return true_state, false_state
        self.eval(test, state)
        return state, state.copy()

    def _narrow(self, test: ir.Call, state: State) -> tuple[State, State]:
        """`isinstance(x, T)`: in the true branch `x` is also known to be a `T` (method calls on it resolve)."""
        self.eval(test, state)
        true_state = state.copy()
        path = self.access_path(test.args[0].value)
        classes = self.eval(test.args[1].value, state)
        kinds = set(classes.kinds)
        for value in classes.fields.values():
            kinds |= value.kinds
        instance_kinds = {("inst:" + k[4:]) if k.startswith("cls:") else k + "()" for k in kinds
                          if k.startswith(("cls:", "api:")) and not k.endswith("()")}
        if path is not None and path[0] in state.vars and instance_kinds:
            root, keys = path
            current = state.vars[root]
            narrowed = current.read_path(keys).with_kinds(instance_kinds)
            true_state.vars[root] = current.write_path(keys, narrowed) if keys else narrowed
        return true_state, state.copy()

    def _guards_of(self, call: ir.Call, state: State) -> list:
        """The policy guards the called name matches (resolved without evaluating the arguments)."""
        names: list[str] = []
        if isinstance(call.func, ir.Attr):
            receiver = self.eval(call.func.value, state.copy())
            for target in self.method_targets(receiver, call.func.attr, state.copy(), call.span):
                names.append(target.name)
                names.extend(target.extra_names)
        else:
            callee = self.eval(call.func, state.copy())
            for kind in callee.kinds:
                prefix, _, name = kind.partition(":")
                if prefix in ("api", "fn", "bound"):
                    names.append(name)
        return [g for n in sorted(set(names)) for g in self.models.guards(n)]

    def _apply_guard_to_args(self, guard, arg_nodes: list[ir.Arg], state: State) -> None:
        clears_all = guard.clears == "all"
        clears = frozenset() if clears_all else frozenset(guard.clears)
        marks = frozenset(guard.marks)
        for node in arg_nodes:
            path = self.access_path(node.value)
            if path is None:
                continue
            root, keys = path
            current = state.vars.get(root)
            if current is None:
                continue
            target = current.read_path(keys)
            if clears_all:
                guarded = target.map_labels(lambda label: None)
            else:
                guarded = target.map_labels(lambda label: apply_effects(label, clears, frozenset(), marks))
            state.vars[root] = current.write_path(keys, guarded, strong=True) if keys else guarded

    # ---------------------------------------------------------------- project code
    def construct(self, klass: str, arg_nodes: list[ir.Arg], args: list[Value], state: State,
                  call: ir.Call | None, span: ir.Span) -> Value:
        instance = Value(frozenset(), frozenset({"inst:" + klass}))
        init = self.program.lookup_method(klass, "__init__")
        if init is not None:
            return self.call_function(init, instance, tuple(args), state, call, span, arg_nodes=arg_nodes,
                                      returns_receiver=True)
        fields = self.engine.declared_fields(klass)
        if fields:
            for i, node in enumerate(arg_nodes):
                name = node.keyword if node.keyword is not None else (fields[i] if i < len(fields) and not node.star else None)
                if name is not None:
                    instance = instance.write(attr_key(name), args[i])
                    if not node.keyword:
                        instance = instance.write(index_key(i), args[i])
                else:
                    instance = instance.with_labels(args[i].collapse_labels())
            return instance
        labels: set[Label] = set()
        for arg in args:
            labels |= arg.collapse_labels()
        if self.program.external_bases(klass):
            names = tuple(f"{b}" for b in self.program.external_bases(klass))
            self.call_api(names, None, None, None, arg_nodes, args, state, call, span)
            instance = instance.write(attr_key("args"), Value(frozenset(labels)))
        return instance.with_labels(labels)

    def bind_arguments(self, function: ir.Function, receiver: Value | None, arg_nodes: list[ir.Arg] | None,
                       args: tuple[Value, ...]) -> tuple[list[Value], frozenset[int]]:
        """The value of each parameter, and which parameters the call left to their default."""
        params = function.params
        actuals: list[Value] = [EMPTY] * len(params)
        bound: set[int] = set()
        positional = [i for i, p in enumerate(params) if p.kind in ("posonly", "normal")]
        if receiver is not None and positional:
            actuals[positional[0]] = receiver
            bound.add(positional[0])
            positional = positional[1:]
        vararg = next((i for i, p in enumerate(params) if p.kind == "vararg"), None)
        kwarg = next((i for i, p in enumerate(params) if p.kind == "kwarg"), None)
        by_name = {p.name: i for i, p in enumerate(params) if p.kind in ("normal", "kwonly")}
        nodes = arg_nodes if arg_nodes is not None else [ir.Arg(ir.Const(None, ir.NO_SPAN))] * len(args)
        position = 0
        extra_positional = EMPTY
        extra_keywords = EMPTY
        for node, value in zip(nodes, args):
            if node.star == 1:  # *xs: its elements may land in any remaining positional parameter
                element = value.elements()
                for i in positional[position:]:
                    actuals[i] = actuals[i].join(element)
                    bound.add(i)
                extra_positional = extra_positional.join(Value(frozenset(), frozenset(), {ANY: element}))
            elif node.star == 2:  # **kw
                for name, i in by_name.items():
                    if i not in positional[:position]:
                        actuals[i] = actuals[i].join(value.read(index_key(name)))
                        bound.add(i)
                extra_keywords = extra_keywords.join(value)
            elif node.keyword is not None:
                if node.keyword in by_name:
                    actuals[by_name[node.keyword]] = value
                    bound.add(by_name[node.keyword])
                else:
                    extra_keywords = extra_keywords.write(index_key(node.keyword), value)
            else:
                if position < len(positional):
                    actuals[positional[position]] = value
                    bound.add(positional[position])
                else:
                    extra_positional = extra_positional.write(index_key(position - len(positional)), value)
                position += 1
        if vararg is not None:
            actuals[vararg] = extra_positional.with_kinds({"builtin:tuple"})
        if kwarg is not None:
            actuals[kwarg] = extra_keywords.with_kinds({"builtin:dict"})
        omitted = frozenset(i for i in range(len(params)) if i not in bound and params[i].default is not None)
        return actuals, omitted

    def call_function(self, qualname: str, receiver: Value | None, args: tuple[Value, ...], state: State,
                      call: ir.Call | None, span: ir.Span, arg_nodes: list[ir.Arg] | None = None,
                      returns_receiver: bool = False, closure: Value | None = None) -> Value:
        function = self.program.functions.get(qualname)
        if function is None:
            return EMPTY
        actuals, omitted = self.bind_arguments(function, receiver, arg_nodes, args)
        captured = sorted((key[1], value) for key, value in closure.fields.items()) if closure else []
        cells = tuple((name, self.engine.context_kinds(value)) for name, value in captured)
        context: Context = (qualname, tuple(self.engine.context_kinds(a) for a in actuals), cells)
        summary = self.engine.summary(context, self)
        actuals = actuals + [value for _, value in captured]
        display = function.name if function.cls is None else f"{function.cls.rsplit('.', 1)[-1]}.{function.name}"
        if function.name.endswith("comp>"):
            kind = function.name[1:-5]
            call_steps = [self._step(span, "step", f"iterated in a {kind} comprehension")]
            return_step = self._step(span, "step", f"collected by the {kind} comprehension")
        else:
            call_steps = [self._step(span, "call", f"passed to `{display}()` as `{p.name}`") for p in function.params]
            return_step = self._step(span, "return", f"returned from `{display}()`")
        call_steps += [self._step(span, "call", f"captured as `{name}` by `{display}()`") for name, _ in captured]

        memo: dict = {}

        def substitute(value: Value) -> Value:
            return self._substitute(value, actuals, call_steps, return_step, omitted, memo)

        result = substitute(summary.ret)
        for hit in summary.sinks:
            index = hit.label.param
            if index >= len(actuals):
                continue
            reaching = actuals[index].read_path(hit.label.path)
            inner = hit.label
            for label in reaching.collapse_labels():
                effected = apply_effects(label, inner.clears, inner.adds, inner.marks)
                sink_step = inner.trace[-1] if inner.trace else self._step(span, "sink", "reaches a sink")
                middle = (call_steps[index],) + inner.trace[:-1]
                self.report(effected, hit.sink, sink_step, state, prefix=middle)
        nodes = arg_nodes or []
        offset = 1 if receiver is not None else 0
        for index, out in enumerate(summary.params_out):
            if out is None:
                continue
            new = substitute(out)
            if index >= len(function.params):  # a captured variable the closure rebound (nonlocal)
                name = captured[index - len(function.params)][0]
                if self.program.owner_of(qualname, name) == self.fn.qualname:
                    self.bind(name, new, state)
                continue
            if index == 0 and receiver is not None:
                if returns_receiver:
                    result = new.with_kinds(receiver.kinds)
                    continue
                if call is not None and isinstance(call.func, ir.Attr):
                    self.update_path(self._receiver_expr(call.func.value), new, state)
                continue
            position = index - offset
            if 0 <= position < len(nodes) and not nodes[position].star and nodes[position].keyword is None:
                self.update_path(nodes[position].value, new, state)
        if returns_receiver and (not summary.params_out or summary.params_out[0] is None) and receiver is not None:
            result = receiver
        for (owner, name), effect in summary.global_effects:
            self.engine.write_global(self, (owner, name), substitute(effect))
        if summary.raises.is_tainted() or summary.raises.kinds:
            self.raise_value(substitute(summary.raises), state)
        return self._project_models(qualname, receiver, arg_nodes or [], args, state, span, result)

    def _receiver_expr(self, expr: ir.Expr) -> ir.Expr:
        """What a method call's receiver denotes: `super()` stands for this method's `self`."""
        if isinstance(expr, ir.Call) and isinstance(expr.func, ir.Name) and expr.func.id == "super" and self.fn.params:
            return ir.Name(self.fn.params[0].name, expr.span)
        return expr

    def _project_models(self, name: str, receiver: Value | None, arg_nodes: list[ir.Arg],
                        args: tuple[Value, ...], state: State, span: ir.Span, result: Value) -> Value:
        """Policy entries that name a project function apply on top of its analysed body."""
        models = self.models
        for sink in models.sinks(name):
            self.check_sink(sink, name, receiver, arg_nodes, list(args), state, span)
        for source in models.call_sources(name):
            taint = self._source_taint(source, self._site(span, name), f"`{name}()`")
            if source.taints == "return":
                result = result.with_labels({taint})
            else:
                for node in arg_nodes:
                    self.update_path(node.value, Value(frozenset({taint})), state)
        if models.sanitizers(name):
            result = self._modelled((name,), receiver, None, arg_nodes, list(args), state, span).with_kinds(result.kinds)
        for guard in models.guards(name):
            if guard.when == "returns":
                self._apply_guard_to_args(guard, arg_nodes, state)
        transforms = models.transforms(name)
        if transforms:
            adds = frozenset(c for t in transforms for c in t.adds)
            result = result.map_labels(lambda label: apply_effects(label, frozenset(), adds, frozenset()))
        return result

    def _substitute(self, value: Value, actuals: list[Value], call_steps: list[Step], return_step: Step,
                    omitted: frozenset[int] = frozenset(), memo: dict | None = None) -> Value:
        """A callee's value in the caller's terms: parameters replaced by the arguments (and a
        parameter's default data kept only where the call omitted that argument). `memo` holds
        what each symbolic label became, for the labels that recur across a summary's tree."""
        if not value.is_tainted():
            return value
        if memo is None:
            memo = {}
        kept: set[Label] = set()
        result = EMPTY
        for label in value.labels:
            if isinstance(label, Taint):
                if label.default_of >= 0:
                    if label.default_of not in omitted:
                        continue
                    label = label.evolve(default_of=-1)
                kept.add(with_step(label, return_step))
                continue
            if label.param >= len(actuals):
                continue
            replaced = memo.get(label)
            if replaced is None:
                actual = actuals[label.param].read_path(label.path)
                middle = (call_steps[label.param],) + label.trace + (return_step,)

                def rewrite(inner: Label, symbolic: ParamTaint = label, middle: tuple = middle) -> Label:
                    effected = apply_effects(inner, symbolic.clears, symbolic.adds, symbolic.marks)
                    return effected.with_trace(_cap(effected.trace + middle))

                replaced = memo[label] = actual.map_labels(rewrite)
            result = result.join(replaced)
        fields = {k: self._substitute(v, actuals, call_steps, return_step, omitted, memo)
                  for k, v in value.fields.items()}
        own = Value(frozenset(kept), value.kinds, fields)
        return own.join(result) if not result.empty else own


def _first_matches(names: tuple[str, ...], index) -> list[tuple[object, str]]:
    """Policy entries matched by any of `names`, each once, with the first name that matched it."""
    found: dict[object, str] = {}
    for name in names:
        for entry in index(name):
            found.setdefault(entry, name)
    return list(found.items())


def _common_prefix(a: tuple, b: tuple) -> tuple:
    out = []
    for x, y in zip(a, b):
        if x != y:
            break
        out.append(x)
    return tuple(out)


def _cap(trace: tuple[Step, ...]) -> tuple[Step, ...]:
    return trace if len(trace) <= 60 else trace[:30] + trace[-30:]
