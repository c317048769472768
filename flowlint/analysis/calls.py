"""Calls: resolving what a call may reach and applying it.

Project functions and classes through their summaries (arguments bound to parameters, the
callee's symbolic labels replaced by the caller's values), external names through the policy's
models (sources, sinks, propagators, transforms, sanitizers) or the default model.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass
from flowlint import ir
from flowlint.analysis import builtins as pybuiltins
from flowlint.analysis import endpoints, executors, strings
from flowlint.analysis.summary import Context
from flowlint.analysis.values import (
    ANY, EMPTY, KEYS, Label, ParamTaint, Step, Taint, Value, apply_effects, attr_key, index_key, with_step,
)

from flowlint.analysis.render import expr_text
from flowlint.analysis.state import State

CLOSURE = attr_key("__closure__")
# in a nested function's CLOSURE value: its parameters' defaults, computed when its `def` ran
DEFAULTS = index_key("__defaults__")
PARTIAL = "partial"  # the kind of a `functools.partial` object
# the kind of a record type made by a call (`collections.namedtuple("P", "x y")`): `record:x,y`;
# its instances are tuples that also have the kind `fields:x,y`
RECORD, FIELDS = "record:", "fields:"
_RECORD_FACTORIES = frozenset({"collections.namedtuple", "typing.NamedTuple"})
_REPLACERS = frozenset({"copy.replace", "dataclasses.replace"})  # a copy with the fields named replaced
_MODELLED_HERE = frozenset({"functools.partial"}) | _RECORD_FACTORIES | _REPLACERS
MODULE = "module"  # the kind of a value bound by `import x`: never a receiver of data
ENTER_METHODS = frozenset({"__enter__", "__aenter__"})
# configuration reads whose text is their default's (positions or keywords of the default)
TEXT_DEFAULTS: dict[str, tuple[int | str, ...]] = {
    "os.getenv": (1, "default"), "os.environ.get": (1, "default"), "os.environ.setdefault": (1, "default"),
    "decouple.config": ("default",), "environ.Env().str": ("default",),
}
MAX_OVERRIDES = 8  # subclass overrides a call on `self` may dispatch to
MAX_PLAIN_KINDS = 8  # API kinds kept on the result of a call to unmodelled external names
MAX_API_PATH = 10  # attributes, calls and items in an API path (`a.b().c[]` has 4)
ELLIPSIS = "…"  # the segments a long API path leaves out

Passed = tuple[ir.Expr, tuple | None]  # an expression a parameter is bound to, and the key below it


@dataclass(frozen=True)
class Target:
    """A resolved callee: a project function (with receiver), a project class, or API names."""

    kind: str  # "fn" | "cls" | "api" | "builtin" | "record"
    name: str
    receiver: Value | None = None
    extra_names: tuple[str, ...] = ()
    closure: Value | None = None  # the variables a closure captured


class Calls:
    """The call half of `FunctionRun` (see interpret.py)."""

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
        targets = self._value_targets(callee, called=True)
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
                    # class-hierarchy dispatch on `self`, bounded as Pysa bounds overrides: a method
                    # that dozens of subclasses override does not fan out to every one of them
                    functions += self.program.overrides(name, attr)[:MAX_OVERRIDES]
                for function in functions:
                    decorators = self.program.functions[function].decorator_names
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
                    decorators = self.program.functions[method].decorator_names
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

    def _value_targets(self, value: Value, called: bool = False) -> list[Target]:
        """What calling ``value`` may run, by its kinds. ``called``: the value itself is what the
        code calls (`f(x)`, not a stored attribute resolved as a method): then a builtin kind of
        any name and an instance's `__call__` count too."""
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
            elif prefix == "builtin" and (called or name in pybuiltins.NAMES):
                out.append(Target("builtin", name))
            elif prefix == "record":
                out.append(Target("record", name))
            elif prefix == "inst" and called:
                method = self.program.lookup_method(name, "__call__")
                if method is not None:
                    out.append(Target("fn", method, value))
        return out

    def apply_targets(self, targets: list[Target], receiver: Value | None, receiver_expr: ir.Expr | None,
                      method: str | None, arg_nodes: list[ir.Arg], args: list[Value], state: State,
                      call: ir.Call | None, span: ir.Span) -> Value:
        self.engine.recorder.calls(self, targets, receiver, arg_nodes, args, span)
        if not targets:
            # nothing known about the callee: the default model, plus container methods by name
            if method in ENTER_METHODS and receiver is not None and "builtin:generator" in receiver.kinds:
                return self.enter(receiver, state, span)
            if method == "_replace" and receiver is not None and (fields := self._fields_of(receiver)):
                return _record(fields, arg_nodes, args, receiver)
            if method == "join" and len(args) == 1 and (joined := pybuiltins.joined(args[0])) is not None:
                return joined
            if method is not None and receiver is not None:
                handled = pybuiltins.string_method(method, receiver, arg_nodes, args) \
                    or pybuiltins.container_method(self, method, receiver, receiver_expr, arg_nodes, args, state)
                if handled is not None:
                    return handled
            return self.default_model(receiver, receiver_expr, method, args, state)
        for target in targets:
            handoff = executors.handoff(target.name) if target.kind == "api" else None
            handed = self.hand_off(handoff, target.name, arg_nodes, args, state, span) if handoff else None
            if handed is not None:
                return handed
        result = EMPTY
        plain = [t for t in targets if t.kind == "api" and t.name not in _MODELLED_HERE
                 and not any(self.models.matches_any(n) for n in (t.name, *t.extra_names))]
        if plain:
            # external names no policy entry mentions all behave alike: one default model for all
            # (a value that may be any of many API objects must not multiply the work per call)
            kinds = sorted(k for t in plain for k in api_kinds(f"{t.name}()"))[:MAX_PLAIN_KINDS]
            kinds += _default_text(plain, arg_nodes, args)
            result = self.default_model(receiver, receiver_expr,
                                        method, args, state, kinds)
            plain_ids = {id(t) for t in plain}
            targets = [t for t in targets if id(t) not in plain_ids]
        for target in targets:
            if target.kind == "fn":
                bound = target.receiver
                result = result.join(self.call_function(target.name, bound, tuple(args), state, call, span,
                                                        arg_nodes=arg_nodes, closure=target.closure))
            elif target.kind == "cls":
                result = result.join(self.construct(target.name, arg_nodes, args, state, call, span))
            elif target.kind == "builtin":
                result = result.join(pybuiltins.call_builtin(self, target.name, arg_nodes, args, state, span))
            elif target.kind == "record":
                result = result.join(_record(tuple(target.name.split(",")), arg_nodes, args))
            else:
                result = result.join(self.call_api((target.name,) + target.extra_names, receiver, receiver_expr,
                                                   method, arg_nodes, args, state, call, span))
        return result

    def hand_off(self, handoff: executors.Handoff, name: str, arg_nodes: list[ir.Arg], args: list[Value],
                 state: State, span: ir.Span) -> Value | None:
        """A library function that calls the callable it was handed (executors.py): that call,
        and what the library returns of it. None: the callable is not among the arguments."""
        at = _argument_index(handoff.callable, arg_nodes)
        if at is None:
            return None
        function = args[at]
        if handoff.style == "awaited":
            return function
        nodes: list[ir.Arg]
        values: list[Value]
        later = [i for i in range(at + 1, len(arg_nodes)) if arg_nodes[i].keyword is None and not arg_nodes[i].star]
        if handoff.style == "rest":
            nodes, values = list(arg_nodes[at + 1:]), list(args[at + 1:])
        elif handoff.style == "map":
            nodes = [ir.Arg(ir.Const(None, span)) for _ in later]
            values = [args[i].elements() for i in later]
        elif handoff.style == "starmap":
            nodes = [ir.Arg(ir.Const(None, span), star=1)]
            values = [args[later[0]].elements() if later else EMPTY]
        else:  # "packed"
            nodes, values = [], []
            for keys, star in ((handoff.args, 1), (handoff.kwargs, 2)):
                index = next((i for i in (_argument_index(k, arg_nodes) for k in keys) if i is not None), None)
                if index is not None:
                    nodes.append(ir.Arg(ir.Const(None, span), star=star))
                    values.append(args[index])
        result = self.call_value(function, nodes, values, state, None, span)
        if handoff.returns == "results":
            return Value(frozenset(), frozenset({"builtin:list"}), {ANY: result})
        if handoff.returns == "object":
            return Value(frozenset(), api_kinds(f"{name}()"))
        return result

    def default_model(self, receiver: Value | None, receiver_expr: ir.Expr | None, method: str | None,
                      args: list[Value], state: State, kinds: Iterable[str] = ()) -> Value:
        labels: set[Label] = set()
        for arg in args:
            labels |= arg.derived_labels()
        if receiver is not None and MODULE not in receiver.kinds:
            labels |= _record_read(receiver, method, args)
        else:
            receiver_expr = None  # a module is no container of data
        if method in ir.MUTATORS and receiver_expr is not None and args:
            added = EMPTY
            for arg in args:
                added = added.join(arg.collapsed())
            self.update_path(receiver_expr, added, state)
            if method == "update":  # `session.headers.update({"User-Agent": ...})`: the items, by key
                for key, value in args[0].fields.items():
                    if key[0] == "i":
                        self.update_path(receiver_expr, value, state, key=key, shown=False)
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
                    key: tuple | None = None, shown: bool = True) -> None:
        """Weakly add `value` to what `expr` denotes (at `key` below it when given); `shown`: the
        trace says so (a callee's effect on its argument already has its own steps)."""
        path = self.access_path(expr)
        if path is None:
            return
        if shown:
            value = self._stepped(value, self._step(expr.span, "step", f"added to `{expr_text(expr)}`"))
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
                    self.note_global(name, state.vars[name])
        else:
            self._store_global_path((root, keys), value, state)

    def call_api(self, names: tuple[str, ...], receiver: Value | None, receiver_expr: ir.Expr | None,
                 method: str | None, arg_nodes: list[ir.Arg], args: list[Value], state: State,
                 call: ir.Call | None, span: ir.Span) -> Value:
        models = self.models
        shown = names[0]
        if shown == "functools.partial" and args:
            return self._partial(args[0], arg_nodes[1:], args[1:])
        if shown in _REPLACERS and args and arg_nodes and not arg_nodes[0].keyword and not arg_nodes[0].star:
            return _record(self._fields_of(args[0]), arg_nodes[1:], args[1:], args[0])
        if shown in _RECORD_FACTORIES and (declared := _declared_record_fields(arg_nodes)):
            return Value(frozenset(), frozenset({RECORD + ",".join(declared)}))
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
        result = result.with_kinds(api_kinds(f"{shown}()"))
        # one name may match through several spellings (`C().m`, `C.m`): each entry applies once,
        # under the first spelling that matched it
        for sink, name in _first_matches(names, models.sinks):
            self.check_sink(sink, name, receiver, arg_nodes, args, state, span)
        for guard, _ in _first_matches(names, models.guards):
            if guard.when == "returns":
                self._apply_guard_to_args(guard, arg_nodes, state)
        propagated = any(models.propagators(n) for n in names)
        for source, name in _first_matches(names, models.call_sources):
            if source.except_selectors and _selects_controls(source.except_selectors, arg_nodes, args):
                continue
            taint = self._source_taint(source, self._site(span, name), f"`{name}()`")
            if source.taints == "return":
                # what a source returns is its own data: an ID passed in from another source does
                # not make the result that source's data too (unless a propagator says so)
                result = result.with_labels({taint}) if propagated else Value(frozenset({taint}), result.kinds)
            elif source.taints == "arguments":
                for node in arg_nodes:
                    self.update_path(node.value, Value(frozenset({taint})), state)
            elif receiver_expr is not None:
                self.update_path(receiver_expr, Value(frozenset({taint})), state)
        if models.has_urls:  # HTTP requests to the policy's `urls`, and the URLs they are built from
            result = endpoints.apply(self, names, receiver, receiver_expr, arg_nodes, args, state, span, result)
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

    def construct(self, klass: str, arg_nodes: list[ir.Arg], args: list[Value], state: State,
                  call: ir.Call | None, span: ir.Span) -> Value:
        instance = Value(frozenset(), frozenset({"inst:" + klass}))
        new = self.program.lookup_method(klass, "__new__")
        if new is not None:  # run for what it does to the class (`cls.last = value`); no receiver expression
            self.call_function(new, Value(frozenset(), frozenset({"cls:" + klass})), tuple(args), state, None, span,
                               arg_nodes=arg_nodes)
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
                       args: tuple[Value, ...]) -> tuple[list[Value], frozenset[int], dict[int, list[Passed]]]:
        """The value of each parameter, which parameters the call left to their default, and the
        caller's expressions each parameter is bound to, with the key below them it is (`*xs`:
        an element, `**kw`: the item of the parameter's name; None: the expression itself)."""
        params = function.params
        actuals: list[Value] = [EMPTY] * len(params)
        passed: dict[int, list[Passed]] = {}

        def bind(i: int, value: Value, expr: ir.Expr, key: tuple | None = None) -> None:
            actuals[i] = value if key is None else actuals[i].join(value)
            passed.setdefault(i, []).append((expr, key))

        positional = [i for i, p in enumerate(params) if p.kind in ("posonly", "normal")]
        if receiver is not None and positional:
            actuals[positional[0]] = receiver
            passed[positional[0]] = []  # bound, to no expression of the call
            positional = positional[1:]
        vararg = next((i for i, p in enumerate(params) if p.kind == "vararg"), None)
        kwarg = next((i for i, p in enumerate(params) if p.kind == "kwarg"), None)
        by_name = {p.name: i for i, p in enumerate(params) if p.kind in ("normal", "kwonly")}
        nodes = arg_nodes if arg_nodes is not None else [ir.Arg(ir.Const(None, ir.NO_SPAN))] * len(args)
        nodes, args = _spread_literals(nodes, args)
        position = 0
        extra_positional = EMPTY
        extra_keywords = EMPTY
        for node, value in zip(nodes, args):
            if node.star == 1:  # *xs: its elements may land in any remaining positional parameter
                element = value.elements()
                for i in positional[position:]:
                    bind(i, element, node.value, ANY)
                extra_positional = extra_positional.join(Value(frozenset(), frozenset(), {ANY: element}))
            elif node.star == 2:  # **kw
                for name, i in by_name.items():
                    if i not in positional[:position]:
                        bind(i, value.read(index_key(name)), node.value, index_key(name))
                extra_keywords = extra_keywords.join(value)
            elif node.keyword is not None:
                if node.keyword in by_name:
                    bind(by_name[node.keyword], value, node.value)
                else:
                    extra_keywords = extra_keywords.write(index_key(node.keyword), value)
            else:
                if position < len(positional):
                    bind(positional[position], value, node.value)
                else:
                    extra_positional = extra_positional.write(index_key(position - len(positional)), value)
                position += 1
        if vararg is not None:
            actuals[vararg] = extra_positional.with_kinds({"builtin:tuple"})
        if kwarg is not None:
            actuals[kwarg] = extra_keywords.with_kinds({"builtin:dict"})
        omitted = frozenset(i for i in range(len(params)) if i not in passed and params[i].default is not None)
        return actuals, omitted, passed

    def call_function(self, qualname: str, receiver: Value | None, args: tuple[Value, ...], state: State,
                      call: ir.Call | None, span: ir.Span, arg_nodes: list[ir.Arg] | None = None,
                      returns_receiver: bool = False, closure: Value | None = None) -> Value:
        function = self.program.functions.get(qualname)
        if function is None:
            return EMPTY
        actuals, omitted, passed_by = self.bind_arguments(function, receiver, arg_nodes, args)
        defaults = closure.fields.get(DEFAULTS) if closure is not None else None
        for index in sorted(omitted) if defaults is not None else ():
            actuals[index] = defaults.fields.get(index_key(index), actuals[index])
        captured = closure_cells(closure) if closure else []
        # a closure sees its cells as they are when it runs (late binding): a variable of this
        # function mutated or rebound since the closure was made is read as it is now
        # (not those only its parameters' defaults read: they were evaluated by the `def`)
        early = self.program.early_names(qualname)
        captured = [(name, state.vars[name] if name in state.vars and name not in early
                     and self.program.owner_of(qualname, name) == self.fn.qualname else value)
                    for name, value in captured]
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
        if call is not None:
            self._note_returned_part(call, summary.ret, passed_by, receiver)
        for hit in summary.sinks:
            index = hit.label.param
            if index >= len(actuals):
                continue
            reaching = actuals[index].read_path(hit.label.path)
            inner = hit.label
            sink_step = inner.trace[-1] if inner.trace else self._step(span, "sink", "reaches a sink")
            middle = (call_steps[index],) + inner.trace[:-1]
            for label in reaching.collapse_labels():
                effected = apply_effects(label, inner.clears, inner.adds, inner.marks)
                self.report(effected, hit.sink, sink_step, state, prefix=middle)
        for index, out in enumerate(summary.params_out):
            if out is None:
                continue
            new = substitute(out)
            if index >= len(function.params):  # a captured variable the closure rebound (nonlocal)
                name = captured[index - len(function.params)][0]
                owner = self.program.owner_of(qualname, name)
                if owner == self.fn.qualname or (owner is not None and owner == self._cell_owner(name)):
                    self.bind(name, new, state)  # this function's variable, or a cell it shares
                continue
            if index == 0 and receiver is not None:
                if returns_receiver:
                    result = new.with_kinds(receiver.kinds)
                    continue
                if call is not None and isinstance(call.func, ir.Attr):
                    self.update_path(self._receiver_expr(call.func.value), new, state, strong=_whole(out, index),
                                     shown=False)
                elif call is not None:  # a bound method called by another name: its receiver changes
                    for expr in self.bound_receivers(call.func, state):
                        self.update_path(expr, new, state, shown=False)
                    self.update_path(call.func, new, state, key=attr_key("__self__"), shown=False)
                continue
            passed = passed_by.get(index, [])
            for expr, key in passed:
                # a parameter bound by keyword, through `*xs`/`**kw`, or to `a if c else b`: the
                # callee's effect on it lands on what the caller passed
                chosen = branches(expr)
                strong = _whole(out, index) and key is None and len(chosen) == 1 and len(passed) == 1
                for branch in chosen:
                    self.update_path(branch, new, state, strong=strong, key=key, shown=False)
                if key is None and attr_key("__self__") in new.fields and is_bound(actuals[index]):
                    # a bound method passed: what the callee's calls did to its receiver
                    for receiver in self.bound_receivers(expr, state):
                        self.update_path(receiver, new.fields[attr_key("__self__")], state, shown=False)
        if returns_receiver and (not summary.params_out or summary.params_out[0] is None) and receiver is not None:
            result = receiver
        for (owner, name), effect in summary.global_effects:
            self.engine.write_global(self, (owner, name), substitute(effect))
        if summary.raises.is_tainted() or summary.raises.kinds:
            self.raise_value(substitute(summary.raises), state)
        return self._project_models(qualname, receiver, arg_nodes or [], args, state, span, result)

    def _fields_of(self, value: Value) -> tuple[str, ...]:
        """The constructor fields of a record, in order: a record type made by a call, a
        dataclass or a NamedTuple class (() if none is known)."""
        for kind in sorted(value.kinds):
            if kind.startswith(FIELDS):
                return tuple(kind[len(FIELDS):].split(","))
            if kind.startswith("inst:") and self.engine.declared_fields(kind[5:]):
                return self.engine.declared_fields(kind[5:])
        return ()

    def _note_returned_part(self, call: ir.Call, ret: Value, passed_by: dict[int, list[Passed]],
                            receiver: Value | None) -> None:
        """Note when what a call returns is exactly a part of what it was passed (one parameter's
        value at a path of attributes and known keys): stores into the result store there."""
        part = None
        labels = [label for label in ret.labels if isinstance(label, ParamTaint)]
        if len(labels) == 1 and not (labels[0].clears or labels[0].adds or labels[0].marks) \
                and all(key[0] in ("a", "i") and key != ANY for key in labels[0].path):
            index, path = labels[0].param, labels[0].path
            if index == 0 and receiver is not None and isinstance(call.func, ir.Attr):
                part = (self._receiver_expr(call.func.value), path)
            elif len(passed_by.get(index, [])) == 1 and passed_by[index][0][1] is None:
                part = (passed_by[index][0][0], path)
        if call in self.returned_parts and self.returned_parts[call] != part:
            part = None
        self.returned_parts[call] = part

    def bound_receivers(self, expr: ir.Expr, state: State) -> frozenset[ir.Expr]:
        """The receivers of the bound methods ``expr`` may denote: `store` of `store.put`, those
        of a name bound to one (`put = store.put`), of either branch of `a.put if c else b.put`."""
        found: set[ir.Expr] = set()
        for branch in branches(expr):
            if isinstance(branch, ir.Attr):
                found.add(self._receiver_expr(branch.value))
            elif isinstance(branch, ir.Name):
                found |= state.receivers.get(branch.id, frozenset())
        return frozenset(found)

    def _cell_owner(self, name: str) -> str | None:
        """The enclosing function whose variable `name` this (nested) function sees, if any."""
        return self.program.owner_of(self.fn.qualname, name) if self.fn.parent is not None else None

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
        if result.empty:
            return Value(frozenset(kept), value.kinds, fields)
        # the callee's own fields overlay the argument's: `rec["name"] = scrub(...)` in the callee
        # replaces the caller's field (the callee's field already holds the old value when it
        # was not overwritten); fields at unknown indexes only add
        merged = dict(result.fields)
        for key, field_value in fields.items():
            replaceable = key[0] == "a" or (key[0] == "i" and key != ANY)
            merged[key] = field_value if replaceable or key not in merged else merged[key].join(field_value)
        return Value(result.labels | frozenset(kept), value.kinds | result.kinds, merged)


def api_kinds(path: str) -> frozenset[str]:
    """The kind of an external value named `path`. A path too long to matter keeps its root and
    its last segments around an ellipsis segment (`pandas.DataFrame().….copy().to_sql` still
    matches `pandas.*.to_sql`), so that `x = x.next()` in a loop cannot grow it for ever."""
    if _api_length(path) <= MAX_API_PATH:
        return frozenset({f"api:{path}"})
    segments = path.split(".")
    head = [*segments[:2], ELLIPSIS] if segments[1:2] != [ELLIPSIS] else segments[:3]
    tail: list[str] = []
    for segment in reversed(segments[len(head):]):
        if _api_length(".".join([*head, segment, *tail])) > MAX_API_PATH:
            break
        tail.insert(0, segment)
    return frozenset({"api:" + ".".join([*head, *tail])}) if tail else frozenset()


def _api_length(path: str) -> int:
    return path.count(".") + path.count("(") + path.count("[")


def closure_cells(closure: Value) -> list[tuple[str, Value]]:
    """The variables a closure captured, by name: the attributes of its `__closure__` value (a
    value joined with it may add other fields)."""
    return sorted(((key[1], value) for key, value in closure.fields.items() if key[0] == "a"), key=lambda pair: pair[0])


def _default_text(targets: list[Target], arg_nodes: list[ir.Arg], args: list[Value]) -> list[str]:
    """The text of a configuration read with a default (`os.getenv("API_URL", "https://...")`):
    the default's, as the code documents it (a deployment may set another)."""
    for target in targets:
        key = TEXT_DEFAULTS.get(target.name)
        at = next((i for i in (_argument_index(k, arg_nodes) for k in key) if i is not None), None) if key else None
        if at is not None:
            return sorted(k for k in args[at].kinds if k.startswith(strings.PREFIX))
    return []


def _argument_index(key: int | str, arg_nodes: list[ir.Arg]) -> int | None:
    """Where in a call's arguments the `key`-th positional (or the keyword `key`) argument is;
    None when it is not there or a `*args` before it hides where it is."""
    position = 0
    for i, node in enumerate(arg_nodes):
        if isinstance(key, str):
            if node.keyword == key:
                return i
            continue
        if node.star:
            return None
        if node.keyword is None:
            if position == key:
                return i
            position += 1
    return None


def _record_read(receiver: Value, method: str | None, args: list[Value]) -> frozenset[Label]:
    """What an external object's method returns of the object's own data: `keys()` reads the
    keys, `get("name")` the field `name` (a source's declared fields narrow it; the object's other
    concrete data goes through, as for any method)."""
    if method == "keys":
        return receiver.read(KEYS).derived_labels()
    texts = strings.patterns(args[0].kinds) if method == "get" and args else ()
    if len(texts) == 1 and strings.HOLE not in texts[0]:
        return receiver.read(index_key(texts[0])).collapse_labels() | frozenset(
            label for label in receiver.derived_labels() if isinstance(label, Taint) and not label.fields)
    return receiver.derived_labels()


def branches(expr: ir.Expr) -> list[ir.Expr]:
    """The expressions an argument or assigned value may denote: both branches of `a if c else b`."""
    if isinstance(expr, ir.IfExp):
        return branches(expr.body) + branches(expr.orelse)
    return [expr]


def _spread_literals(nodes: list[ir.Arg], args: tuple[Value, ...]) -> tuple[list[ir.Arg], tuple[Value, ...]]:
    """The arguments with `*[a, b]` and `**{"k": v}` literals spread into the arguments they are
    (`a, b` and `k=v`): each element keeps its own value and the expression it is, for the
    callee's effects on it."""
    if not any(n.star and isinstance(n.value, ir.Collection) for n in nodes):
        return nodes, args
    spread_nodes: list[ir.Arg] = []
    spread_args: list[Value] = []
    for node, value in zip(nodes, args):
        literal = node.value
        if node.star == 1 and isinstance(literal, ir.Collection) and literal.kind in ("list", "tuple") \
                and not any(isinstance(item, ir.Starred) for item in literal.items):
            spread_nodes += [ir.Arg(item) for item in literal.items]
            spread_args += [value.read(index_key(i)) for i in range(len(literal.items))]
        elif node.star == 2 and isinstance(literal, ir.Collection) and literal.keys is not None and all(
                isinstance(k, ir.Const) and isinstance(k.value, str) for k in literal.keys):
            spread_nodes += [ir.Arg(item, keyword=k.value) for k, item in zip(literal.keys, literal.items)]  # type: ignore[union-attr]
            spread_args += [value.read(index_key(k.value)) for k in literal.keys]  # type: ignore[union-attr]
        else:
            spread_nodes.append(node)
            spread_args.append(value)
    return spread_nodes, tuple(spread_args)


def _declared_record_fields(arg_nodes: list[ir.Arg]) -> tuple[str, ...]:
    """The field names a record factory call declares, when they are literals: `"x y"`,
    `"x, y"`, `["x", "y"]` (namedtuple), `[("x", str), ("y", int)]` (NamedTuple); () otherwise."""
    declared = next((n.value for n in arg_nodes if n.keyword in ("field_names", "fields")), None)
    if declared is None:
        positional = [n.value for n in arg_nodes if n.keyword is None and not n.star]
        declared = positional[1] if len(positional) > 1 else None
    if isinstance(declared, ir.Const) and isinstance(declared.value, str):
        return tuple(declared.value.replace(",", " ").split())
    if not isinstance(declared, ir.Collection) or declared.keys is not None:
        return ()
    names = []
    for item in declared.items:
        if isinstance(item, ir.Collection) and item.items:
            item = item.items[0]
        if not (isinstance(item, ir.Const) and isinstance(item.value, str)):
            return ()
        names.append(item.value)
    return tuple(names)


def _record(fields: tuple[str, ...], arg_nodes: list[ir.Arg], args: list[Value], base: Value | None = None) -> Value:
    """An instance of a record type made by a call: each argument at its field's name (and
    position); from `base` (`p._replace(x=...)`, `dataclasses.replace(obj, x=...)`) the fields
    the arguments leave alone."""
    instance = base if base is not None else Value(frozenset(), frozenset({"builtin:tuple", FIELDS + ",".join(fields)}))
    for i, (node, value) in enumerate(zip(arg_nodes, args)):
        name = node.keyword if node.keyword is not None else (fields[i] if i < len(fields) else None)
        if node.star or name is None:
            instance = instance.with_labels(value.collapse_labels())
            continue
        instance = instance.write(attr_key(name), value)
        if name in fields:
            instance = instance.write(index_key(fields.index(name)), value)
    return instance


def _selects_controls(globs: tuple[str, ...], arg_nodes: list[ir.Arg], args: list[Value]) -> bool:
    """Whether a call locates page elements by a selector (its last positional argument) whose
    every known text one of ``globs`` matches (`except_selectors`); not when any part is unknown."""
    positional = [value for node, value in zip(arg_nodes, args) if node.keyword is None and not node.star]
    texts = strings.patterns(positional[-1].kinds) if positional else ()
    return bool(texts) and all(strings.HOLE not in text and any(fnmatch.fnmatchcase(text, glob) for glob in globs)
                               for text in texts)


def is_bound(value: Value) -> bool:
    return any(kind.startswith("bound:") for kind in value.kinds)


def _whole(out: Value, index: int) -> bool:
    """Whether a parameter's exit value covers the whole argument (it carries the parameter's
    own label at its root), so that it may replace the caller's value."""
    return ParamTaint(index, ()) in out.labels


def _first_matches(names: tuple[str, ...], index) -> list[tuple[object, str]]:
    """Policy entries matched by any of `names`, each once, with the first name that matched it."""
    found: dict[object, str] = {}
    for name in names:
        for entry in index(name):
            found.setdefault(entry, name)
    return list(found.items())


def _cap(trace: tuple[Step, ...]) -> tuple[Step, ...]:
    return trace if len(trace) <= 60 else trace[:30] + trace[-30:]
