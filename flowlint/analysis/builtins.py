"""Models of Python's builtins and of methods on builtin containers.

These are language semantics, not third-party APIs, so they live in the engine: `len(x)`
carries no personal data, `d.get("a")` reads key "a" only, `xs.append(v)` puts `v` into the
list, `map(f, xs)` calls `f` on the elements, iterating a dict yields its keys, and a list or
tuple of known length keeps its positions through `list()`, `reversed()`, `zip()` and
`pop(i)`. A policy still overrides them for API names.
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

# builtins whose result carries no personal data
_NO_DATA = frozenset({"len", "isinstance", "issubclass", "id", "hash", "callable", "bool", "type", "hasattr",
                      "print", "range", "input", "globals", "locals", "dir", "vars", "delattr",
                      "open", "exit", "quit", "help", "compile", "exec", "eval", "breakpoint", "object",
                      "super", "property", "staticmethod", "classmethod"})
_ELEMENTWISE = frozenset({"list", "tuple", "set", "frozenset", "sorted", "reversed", "iter", "filter"})
_ELEMENT = frozenset({"next", "min", "max", "sum", "anext"})
_SEQUENCES = frozenset({"builtin:list", "builtin:tuple"})
# what `dict(x)` reads as pairs rather than as a mapping to copy
_PAIR_ITERABLES = frozenset({"builtin:list", "builtin:tuple", "builtin:set", "builtin:generator"})


def _container(kind: str, element: Value, labels=frozenset()) -> Value:
    return Value(labels, frozenset({f"builtin:{kind}"}), {ANY: element})


def sequence(kind: str, elements: list[Value]) -> Value:
    return Value(frozenset(), frozenset({f"builtin:{kind}"}), {index_key(i): e for i, e in enumerate(elements)})


def positions(value: Value) -> list[Value] | None:
    """The elements of a list or tuple whose length is known, in order (`("id", x)`, `[a, b]`);
    None when its length is not known (an element added at an unknown index, data on the
    whole container, anything but a list or tuple)."""
    if not value.kinds or not value.kinds <= _SEQUENCES or value.labels:
        return None
    indexes = sorted(k[1] for k in value.fields if k[0] == "i" and type(k[1]) is int)
    if len(indexes) != len(value.fields) or indexes != list(range(len(indexes))):
        return None
    return [value.fields[index_key(i)] for i in indexes]


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
    known = positions(first)
    if name in ("list", "tuple", "reversed") and len(args) == 1 and known is not None:
        return sequence("tuple" if name == "tuple" else "list", known[::-1] if name == "reversed" else known)
    if name in _ELEMENTWISE:
        if name == "filter" and len(args) > 1:
            first = args[1]
        return _container("list", run.iterate(first, state, span))
    if name in _ELEMENT:
        element = run.iterate(first, state, span)
        return element.join(args[1].collapsed()) if name == "next" and len(args) > 1 else element
    if name == "enumerate":
        return _zipped(run, [EMPTY, first], [None, known], state, span)
    if name == "zip":
        return _zipped(run, args, [positions(a) for a in args], state, span)
    if name == "dict":
        return _dict(run, arg_nodes, args, state, span)
    if name == "map" and len(args) > 1:
        elements = [run.iterate(a, state, span) for a in args[1:]]
        nodes = [ir.Arg(ir.Const(None, span)) for _ in elements]
        return _container("list", run.call_value(args[0], nodes, elements, state, None, span))
    if name == "setattr" and len(arg_nodes) > 2 and isinstance(arg_nodes[1].value, ir.Const) \
            and isinstance(arg_nodes[1].value.value, str):
        target = ir.Attr(arg_nodes[0].value, arg_nodes[1].value.value, span)
        run.assign(target, args[2], state, span)
        return EMPTY
    if name == "setattr" and len(args) > 2:  # an attribute named at run time
        run.check_store_sinks(first, "*", args[2], state, span)
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


def _zipped(run: FunctionRun, iterables: list[Value], known: list[list[Value] | None], state: State,
            span: ir.Span) -> Value:
    """`zip(a, b)` (and `enumerate(a)`, a zip with the counter): tuples of one element of each.
    Where some iterables have a known length the result has as many tuples as the shortest, and
    the i-th tuple holds their i-th elements."""
    lengths = [len(k) for k in known if k is not None]
    if not lengths:
        pair = Value(frozenset(), frozenset(), {index_key(i): run.iterate(a, state, span) for i, a in enumerate(iterables)})
        return _container("list", pair)
    anywhere = [run.iterate(a, state, span) if k is None else EMPTY for a, k in zip(iterables, known)]
    tuples = [sequence("tuple", [k[n] if k is not None else element for k, element in zip(known, anywhere)])
              for n in range(min(lengths))]
    return sequence("list", tuples)


def _dict(run: FunctionRun, arg_nodes: list[ir.Arg], args: list[Value], state: State, span: ir.Span) -> Value:
    """`dict(mapping)` copies it; `dict(pairs)` (a list of tuples, `zip(keys, values)`, a
    generator) makes each pair's first item a key and its second that key's value; keywords
    add literal keys."""
    positional = next((v for n, v in zip(arg_nodes, args) if n.keyword is None and not n.star), EMPTY)
    if "builtin:dict" in positional.kinds or not positional.kinds & _PAIR_ITERABLES:
        result = Value(positional.labels, frozenset({"builtin:dict"}), dict(positional.fields) or None)
    else:
        known = positions(positional)
        pairs = known if known is not None else [run.iterate(positional, state, span)]
        result = Value(frozenset(), frozenset({"builtin:dict"}))
        for pair in pairs:
            key, value = pair.read(index_key(0)), pair.read(index_key(1))
            texts = strings.patterns(key.kinds)
            literal = len(texts) == 1 and strings.HOLE not in texts[0]
            result = result.write(index_key(texts[0]) if literal else ANY, value, strong=False)
            if key.is_tainted():
                result = result.write(KEYS, key.collapsed(), strong=False)
    for node, value in zip(arg_nodes, args):
        if node.keyword is not None:
            result = result.write(index_key(node.keyword), value)
    return result


def _call_key_functions(run: FunctionRun, name: str, arg_nodes: list[ir.Arg], args: list[Value], state: State,
                        span: ir.Span) -> None:
    """`sorted(xs, key=f)`, `filter(f, xs)`, `max(xs, key=f)`: the function is called on the elements."""
    if name == "filter" and len(args) > 1:
        function, iterable = args[0], args[1]
    else:
        function = next((v for n, v in zip(arg_nodes, args) if n.keyword == "key"), None)
        iterable = args[0] if args else EMPTY
    if function is not None and function.kinds:
        run.call_value(function, [ir.Arg(ir.Const(None, span))], [run.iterate(iterable, state, span)], state, None,
                       span)


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
        if method == "pop" and known and index_key(literal) in receiver.fields:  # the key is gone
            run.update_path(receiver_expr, receiver.write(index_key(literal), EMPTY), state, strong=True, shown=False)
        return value.join(args[1]) if len(args) > 1 else value
    if method == "pop":
        return _pop(run, receiver, receiver_expr, literal if known else None, bool(args), state)
    if method == "items":
        return _container("list", _item(receiver))
    if method == "popitem":
        return _item(receiver)
    if method == "values":
        return _container("list", receiver.elements())
    if method == "keys":
        return _container("list", receiver.read(KEYS))
    if method == "copy":
        return receiver
    if receiver_expr is None:
        return None
    if method == "clear":  # emptied: what it held is gone (the object stays, aliases see it)
        run.update_path(receiver_expr, Value(frozenset(), receiver.kinds), state, strong=True, shown=False)
        return EMPTY
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


def _item(mapping: Value) -> Value:
    """A `(key, value)` tuple of a dict: the data of its keys, the data of its values."""
    return Value(frozenset(), frozenset({"builtin:tuple"}),
                 {index_key(0): mapping.read(KEYS), index_key(1): mapping.elements()})


def _pop(run: FunctionRun, receiver: Value, receiver_expr: ir.Expr | None, index: object, indexed: bool,
         state: State) -> Value:
    """`xs.pop()` / `xs.pop(i)`: of a list of known length, that element, and the list has one
    fewer; else any element (at index `i` if the list still has one there)."""
    known = positions(receiver)
    at = -1 if not indexed else index
    if type(at) is not int:
        return receiver.elements()
    if known is None or not -len(known) <= at < len(known):
        return receiver.read(index_key(at)) if known is None and at >= 0 else receiver.elements()
    if receiver_expr is not None:
        rest = known[:at] + known[at + 1:] if at != -1 else known[:-1]
        run.update_path(receiver_expr, sequence("list", rest), state, strong=True, shown=False)
    return known[at]


def joined(items: Value) -> Value | None:
    """`separator.join(items)` of a list or tuple of at most one element: that element's text
    alone (the separator never shows); None otherwise."""
    elements = positions(items)
    if elements is None or len(elements) > 1:
        return None
    return Value(frozenset(elements[0].derived_labels()) if elements else frozenset(), frozenset({"builtin:str"}))


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
