"""Models of Python's builtins and of methods on builtin containers.

These are language semantics, not third-party APIs, so they live in the engine: `len(x)`
carries no personal data, `d.get("a")` reads key "a" only, `xs.append(v)` puts `v` into the
list, `map(f, xs)` calls `f` on the elements. A policy still overrides them for API names.
"""

from __future__ import annotations

import builtins as _python_builtins
from typing import TYPE_CHECKING

from flowlint import ir
from flowlint.analysis import strings
from flowlint.analysis.values import ANY, EMPTY, KEYS, Value, attr_key, index_key

if TYPE_CHECKING:
    from flowlint.analysis.interpret import FunctionRun, State

NAMES: frozenset[str] = frozenset(n for n in dir(_python_builtins) if not n.startswith("_"))

# methods that put their arguments into the receiver (the default model for unknown receivers)
MUTATORS = frozenset({"append", "extend", "add", "update", "insert", "write", "writelines", "appendleft",
                      "extendleft", "put", "put_nowait", "push", "setdefault"})

# builtins whose result carries no personal data
_NO_DATA = frozenset({"len", "isinstance", "issubclass", "id", "hash", "callable", "bool", "type", "hasattr",
                      "print", "range", "input", "globals", "locals", "dir", "vars", "delattr",
                      "open", "exit", "quit", "help", "compile", "exec", "eval", "breakpoint", "object",
                      "super", "property", "staticmethod", "classmethod"})
_ELEMENTWISE = frozenset({"list", "tuple", "set", "frozenset", "sorted", "reversed", "iter", "filter"})
_ELEMENT = frozenset({"next", "min", "max", "sum", "anext"})


def _container(kind: str, element: Value, labels=frozenset()) -> Value:
    return Value(labels, frozenset({f"builtin:{kind}"}), {ANY: element})


def call_builtin(run: FunctionRun, name: str, arg_nodes: list[ir.Arg], args: list[Value], state: State,
                 span: ir.Span) -> Value:
    first = args[0] if args else EMPTY
    if name == "open":
        return Value(frozenset(), frozenset({"api:open()"}))
    if name == "super":
        return _super(run, state)
    if name in _NO_DATA:
        return EMPTY
    _call_key_functions(run, name, arg_nodes, args, state, span)
    if name in _ELEMENTWISE:
        if name == "filter" and len(args) > 1:
            first = args[1]
        return _container("list", run.iterate(first, state, span))
    if name in _ELEMENT:
        element = run.iterate(first, state, span)
        return element.join(args[1].collapsed()) if name == "next" and len(args) > 1 else element
    if name == "enumerate":
        return _container("list", Value(frozenset(), frozenset(), {index_key(1): first.elements()}))
    if name == "zip":
        pair = Value(frozenset(), frozenset(), {index_key(i): a.elements() for i, a in enumerate(args)})
        return _container("list", pair)
    if name == "dict":
        positional = next((v for n, v in zip(arg_nodes, args) if n.keyword is None and not n.star), EMPTY)
        result = Value(positional.labels, frozenset({"builtin:dict"}), dict(positional.fields) or None)
        for node, value in zip(arg_nodes, args):
            if node.keyword is not None:
                result = result.write(index_key(node.keyword), value)
        return result
    if name == "map" and len(args) > 1:
        element = args[1].elements()
        mapped = run.call_value(args[0], [ir.Arg(ir.Const(None, span))], [element], state, None, span)
        return _container("list", mapped)
    if name == "setattr" and len(arg_nodes) > 2 and isinstance(arg_nodes[1].value, ir.Const) \
            and isinstance(arg_nodes[1].value.value, str):
        target = ir.Attr(arg_nodes[0].value, arg_nodes[1].value.value, span)
        run.assign(target, args[2], state, span)
        return EMPTY
    if name == "getattr" and len(arg_nodes) > 1 and isinstance(arg_nodes[1].value, ir.Const) \
            and isinstance(arg_nodes[1].value.value, str):
        value = run.attribute(first, arg_nodes[1].value.value, state, span)
        return value.join(args[2]) if len(args) > 2 else value
    # str(), int(), repr(), format(), bytes(), ...: the data goes through
    labels = set()
    for arg in args:
        labels |= arg.derived_labels()
    texts = strings.patterns(first.kinds) if name == "str" and len(args) == 1 else ()
    return Value(frozenset(labels), strings.kinds(texts))


def _call_key_functions(run: FunctionRun, name: str, arg_nodes: list[ir.Arg], args: list[Value], state: State,
                        span: ir.Span) -> None:
    """`sorted(xs, key=f)`, `filter(f, xs)`, `max(xs, key=f)`: the function is called on the elements."""
    if name == "filter" and len(args) > 1:
        function, iterable = args[0], args[1]
    else:
        function = next((v for n, v in zip(arg_nodes, args) if n.keyword == "key"), None)
        iterable = args[0] if args else EMPTY
    if function is not None and function.kinds:
        run.call_value(function, [ir.Arg(ir.Const(None, span))], [iterable.elements()], state, None, span)


def _super(run: FunctionRun, state: State) -> Value:
    cls = run.fn.cls
    if cls is None or not run.fn.params:
        return EMPTY
    receiver = state.vars.get(run.fn.params[0].name, EMPTY)
    return Value(frozenset(), frozenset({f"super:{cls}"}), {attr_key("__self__"): receiver})


def container_method(run: FunctionRun, method: str, receiver: Value, receiver_expr: ir.Expr | None,
                     arg_nodes: list[ir.Arg], args: list[Value], state: State) -> Value | None:
    """Methods of list/dict/set/str called on a receiver of unknown or builtin type; None: not one."""
    if any(not k.startswith(("builtin:", strings.PREFIX)) for k in receiver.kinds):
        return None
    literal = arg_nodes[0].value.value if arg_nodes and isinstance(arg_nodes[0].value, ir.Const) else None
    known = bool(arg_nodes) and isinstance(arg_nodes[0].value, ir.Const)
    if method in ("get", "pop", "setdefault") and receiver_expr is not None and "builtin:list" not in receiver.kinds:
        if method == "setdefault" and len(args) > 1:
            run.update_path(receiver_expr, args[1], state, key=index_key(literal) if known else ANY)
        if not args:
            return receiver.elements()
        value = receiver.read(index_key(literal) if known else ANY)
        return value.join(args[1]) if len(args) > 1 else value
    if method == "pop":
        return receiver.elements()
    if method == "items":
        pair = Value(frozenset(), frozenset(), {index_key(0): receiver.read(KEYS), index_key(1): receiver.elements()})
        return _container("list", pair)
    if method == "values":
        return _container("list", receiver.elements())
    if method == "keys":
        return _container("list", receiver.read(KEYS))
    if method == "copy":
        return receiver
    if receiver_expr is None:
        return None
    if method in ("append", "add", "appendleft", "put"):
        if args:
            run.update_path(receiver_expr, args[-1], state, key=ANY)
        return EMPTY
    if method == "insert" and len(args) > 1:
        run.update_path(receiver_expr, args[1], state, key=ANY)
        return EMPTY
    if method in ("extend", "extendleft") and args:
        run.update_path(receiver_expr, args[0].elements(), state, key=ANY)
        return EMPTY
    if method == "update" and args:
        source = args[0]
        for key, value in source.fields.items():
            run.update_path(receiver_expr, value, state, key=key)
        if source.labels:
            run.update_path(receiver_expr, Value(source.labels), state, key=ANY)
        for node, value in zip(arg_nodes, args):
            if node.keyword is not None:
                run.update_path(receiver_expr, value, state, key=index_key(node.keyword))
        return EMPTY
    return None


def string_method(method: str, receiver: Value, arg_nodes: list[ir.Arg], args: list[Value]) -> Value | None:
    """`template.format(...)`, `base.rstrip("/")`, ... on a receiver whose text is known: the
    data of the receiver and the arguments, and the text of the result; None: not one."""
    templates = strings.patterns(receiver.kinds)
    if not templates or method not in _TEXT_METHODS:
        return None
    labels = set(receiver.derived_labels())
    for arg in args:
        labels |= arg.derived_labels()
    if method == "format":
        positional = [strings.text_of(v.kinds) for n, v in zip(arg_nodes, args) if n.keyword is None and not n.star]
        keywords = {n.keyword: strings.text_of(v.kinds) for n, v in zip(arg_nodes, args) if n.keyword is not None}
        texts = tuple(t for template in templates for t in strings.brace_format(template, positional, keywords))
    else:
        chars = [strings.patterns(v.kinds) for v in args]
        if any(len(c) != 1 or strings.HOLE in c[0] for c in chars):
            return None
        texts = tuple(strings.text_method(method, template, *(c[0] for c in chars)) for template in templates)
    return Value(frozenset(labels), strings.kinds(texts))


_TEXT_METHODS = frozenset({"format", "strip", "rstrip", "lstrip", "lower", "upper", "replace", "removeprefix",
                           "removesuffix"})
