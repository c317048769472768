"""The intermediate representation: a small, typed, serialisable picture of one module.

The frontend (the only libcst user) builds it; everything after works on it. Control flow stays
structured (if/while/for/try/with/match blocks) and expressions stay trees: the analysis
interprets them directly, so no CFG is needed. Names are not resolved here: each function
records which names it binds, declares `global` or `nonlocal`, and the analysis resolves a name
by walking the enclosing functions (class bodies are skipped, as Python does).
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Union

_CLASS_RECEIVERS = frozenset({"__new__", "__init_subclass__", "__class_getitem__"})

# methods that put their arguments into the receiver (the analysis's default model for unknown
# receivers; a function calling one on a global stores into it)
MUTATORS = frozenset({"append", "extend", "add", "update", "insert", "write", "writelines", "appendleft",
                      "extendleft", "put", "put_nowait", "push", "setdefault"})

# 1-based line, 1-based column, end line, end column (exclusive, 1-based)
Span = tuple[int, int, int, int]
NO_SPAN: Span = (0, 0, 0, 0)

# ---------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Name:
    id: str
    span: Span


@dataclass(frozen=True, slots=True)
class Attr:
    value: Expr
    attr: str
    span: Span


@dataclass(frozen=True, slots=True)
class Subscript:
    """`value[key]`: `key` is a literal (int/str/...), or None when unknown or a slice."""

    value: Expr
    key: Union[int, str, float, bool, bytes, tuple, None]
    known: bool  # False: computed index; True: a literal key
    is_slice: bool
    index: Expr  # evaluated for its side effects (calls in the index)
    span: Span


@dataclass(frozen=True, slots=True)
class Const:
    value: Union[int, str, float, bool, bytes, tuple, None]
    span: Span


@dataclass(frozen=True, slots=True)
class Arg:
    value: Expr
    keyword: str | None = None
    star: int = 0  # 1: *args, 2: **kwargs


@dataclass(frozen=True, slots=True)
class Call:
    func: Expr
    args: tuple[Arg, ...]
    span: Span
    stmt_lines: tuple[int, int]  # first and last line of the statement that contains the call


@dataclass(frozen=True, slots=True)
class Collection:
    """A literal list/tuple/set/dict; for dicts `keys` parallels `items` (None key: `**spread`)."""

    kind: str  # "list" | "tuple" | "set" | "dict"
    items: tuple[Expr, ...]
    keys: tuple[Expr | None, ...] | None
    span: Span


@dataclass(frozen=True, slots=True)
class Combine:
    """A value computed from its parts (f-string, `+`, `%`, `-x`): taint is the union. `op` says
    how known text combines: "concat" (f-string parts in order, literal text as `Const`; `+`),
    "%" (`template % args`), "" (no text is known)."""

    parts: tuple[Expr, ...]
    span: Span
    op: str = ""


@dataclass(frozen=True, slots=True)
class IfExp:
    """`body if test else orelse`: the value is either branch (kinds and fields included)."""

    test: Expr
    body: Expr
    orelse: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class BoolOp:
    """`a and b`, `a or b` (the value is either part) and `not a` (a bool): kept apart from
    `Combine` because guards read them: `if not is_safe(x): return`."""

    op: str  # "and" | "or" | "not"
    parts: tuple[Expr, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Opaque:
    """A value that carries no personal data (a comparison, `not x`, `len`-like results of
    operators); its parts are still evaluated for the calls they contain. For a comparison,
    `ops` are its operators in order (`a == b < c`: "==", "<"), which conditions read."""

    parts: tuple[Expr, ...]
    span: Span
    ops: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class FuncRef:
    """A function or class object defined here (lambda, or a nested def evaluated as a value)."""

    qualname: str
    span: Span


@dataclass(frozen=True, slots=True)
class Comprehension:
    """`[elt for ...]`: a call of the generator function `func` with the first iterable."""

    kind: str  # "list" | "set" | "dict" | "generator"
    func: str
    iterable: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Await:
    value: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Yield:
    value: Expr | None
    is_from: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Starred:
    value: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Walrus:
    target: str
    value: Expr
    span: Span


Expr = Union[Name, Attr, Subscript, Const, Call, Collection, Combine, IfExp, BoolOp, Opaque, FuncRef,
             Comprehension, Await, Yield, Starred, Walrus]

# ---------------------------------------------------------------- assignment targets


@dataclass(frozen=True, slots=True)
class Unpack:
    """`a, (b, *c) = ...`: positional targets; at most one is `Starred`."""

    elts: tuple[Target, ...]
    span: Span


Target = Union[Name, Attr, Subscript, Unpack, Starred]

# ---------------------------------------------------------------- statements


@dataclass(frozen=True, slots=True)
class Assign:
    targets: tuple[Target, ...]
    value: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class AugAssign:
    target: Target
    value: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class ExprStmt:
    value: Expr
    span: Span


@dataclass(frozen=True, slots=True)
class Return:
    value: Expr | None
    span: Span


@dataclass(frozen=True, slots=True)
class Raise:
    value: Expr | None
    span: Span


@dataclass(frozen=True, slots=True)
class Delete:
    targets: tuple[Target, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Jump:
    kind: str  # "break" | "continue"
    span: Span


@dataclass(frozen=True, slots=True)
class If:
    test: Expr
    body: Block
    orelse: Block
    span: Span


@dataclass(frozen=True, slots=True)
class While:
    test: Expr
    body: Block
    orelse: Block
    span: Span


@dataclass(frozen=True, slots=True)
class For:
    target: Target
    iterable: Expr
    body: Block
    orelse: Block
    span: Span


@dataclass(frozen=True, slots=True)
class Handler:
    type: Expr | None
    name: str | None
    body: Block
    span: Span


@dataclass(frozen=True, slots=True)
class Try:
    body: Block
    handlers: tuple[Handler, ...]
    orelse: Block
    finalbody: Block
    span: Span


@dataclass(frozen=True, slots=True)
class With:
    items: tuple[tuple[Expr, Target | None], ...]
    body: Block
    span: Span


@dataclass(frozen=True, slots=True)
class Capture:
    """A name bound by a match pattern to a part of the subject (`path` of attr/index keys)."""

    name: str
    path: tuple[tuple[str, object], ...]  # ("attr", "x") | ("index", 0) | ("index", None)
    span: Span


@dataclass(frozen=True, slots=True)
class MatchCase:
    captures: tuple[Capture, ...]
    guard: Expr | None
    body: Block
    irrefutable: bool
    span: Span


@dataclass(frozen=True, slots=True)
class Match:
    subject: Expr
    cases: tuple[MatchCase, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ImportName:
    """`import a.b as c` / `from .m import x as y`: binds `local` to the module or member `target`.

    `target` is absolute once `level` is resolved by the program; `level` > 0 means relative.
    """

    local: str
    module: str  # the module part as written (without leading dots)
    member: str | None  # `from module import member`; "*" for star imports
    level: int
    bind_root: bool  # `import a.b` binds `a` (to module `a`), not `a.b`
    span: Span


@dataclass(frozen=True, slots=True)
class Import:
    names: tuple[ImportName, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Define:
    """A nested `def`/`class` statement binding `name` to the function or class `qualname`."""

    name: str
    qualname: str
    is_class: bool
    span: Span


Stmt = Union[Assign, AugAssign, ExprStmt, Return, Raise, Delete, Jump, If, While, For, Try,
             With, Match, Import, Define]
Block = tuple[Stmt, ...]

# ---------------------------------------------------------------- definitions


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: str  # "posonly" | "normal" | "vararg" | "kwonly" | "kwarg"
    default: Expr | None
    annotation: Expr | None
    span: Span


@dataclass(frozen=True, slots=True)
class Function:
    qualname: str  # "pkg.mod.Class.method", "pkg.mod.f.<locals>.g", "pkg.mod.<lambda@12:5>"
    name: str
    params: tuple[Param, ...]
    body: Block
    decorators: tuple[Expr, ...]
    returns: Expr | None  # return annotation
    is_async: bool
    is_generator: bool
    cls: str | None  # qualname of the class when this is a method defined in its body
    parent: str | None  # qualname of the enclosing function (closures), None at module level
    locals: frozenset[str]  # names bound in this scope (params included)
    globals: frozenset[str]  # names declared `global`
    nonlocals: frozenset[str]
    span: Span
    header_lines: tuple[int, int]  # lines of `def` through the `:` (where directives may sit)
    # what its code stores into, besides its own locals (`frontend.stores`): the attributes it
    # sets on objects, and the globals and class attributes it sets or puts data into
    stored_attrs: frozenset[str] = frozenset()
    stored_names: frozenset[str] = frozenset()

    @property
    def decorator_names(self) -> list[str]:
        """Last name of each decorator (`property`, `staticmethod`, `setter`, `wraps`, ...)."""
        names = []
        for decorator in self.decorators:
            target = decorator.func if isinstance(decorator, Call) else decorator
            if isinstance(target, Name):
                names.append(target.id)
            elif isinstance(target, Attr):
                names.append(target.attr)
        return names

    @property
    def receives_class(self) -> bool:
        """Whether a method's first parameter is its class: a `@classmethod`, or one Python makes
        so without the decorator (`__new__`, `__init_subclass__`, `__class_getitem__`)."""
        return self.cls is not None and ("classmethod" in self.decorator_names or self.name in _CLASS_RECEIVERS)


@dataclass(frozen=True, slots=True)
class Class:
    qualname: str
    name: str
    bases: tuple[Expr, ...]
    keywords: tuple[Arg, ...]
    decorators: tuple[Expr, ...]
    body: str  # qualname of the function that runs the class body
    methods: tuple[tuple[str, str], ...]  # (name, function qualname)
    span: Span
    header_lines: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Directive:
    """A `# flowlint: ...` comment: its text after the colon, and where it is."""

    text: str
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Module:
    name: str
    path: str  # relative to the project root, "/"-separated
    is_package: bool
    body: str  # qualname of the module's top-level function: "<name>.<module>"
    functions: tuple[Function, ...]
    classes: tuple[Class, ...]
    directives: tuple[Directive, ...]
    lines: int
    imports: tuple[ImportName, ...] = ()  # every import statement of the file, at any depth
    # what its code reads: names other than as `name.attr`, and `name.attr...` (flowlint.analysis.module_graph)
    bare_reads: frozenset[str] = frozenset()
    dotted_reads: frozenset[str] = frozenset()


# ---------------------------------------------------------------- walking


def walk(node: object) -> Iterator[object]:
    """Every IR node below `node` (not descending into nested function bodies, which are
    separate `ir.Function`s)."""
    stack = [node]
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is tuple:
            stack.extend(current)
            continue
        if kind in _FIELDS:
            names = _FIELDS[kind]
        else:
            names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind)) \
                if dataclasses.is_dataclass(kind) else None
        if names is not None:
            yield current
            stack.extend(getattr(current, name) for name in names)


# type -> the fields of its instances that may hold nodes (every field of an IR dataclass; None:
# not a node), filled as types are met: `dataclasses.fields` on every node would cost more
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _pickled_by_constructor(cls: type) -> None:
    """Pickle an IR class as its constructor's arguments: about twice as fast to load as the
    generic state of a slotted dataclass (the IR cache loads every module of a project)."""
    fields = operator.attrgetter(*(f.name for f in dataclasses.fields(cls)))
    if len(dataclasses.fields(cls)) == 1:
        cls.__reduce__ = lambda self: (cls, (fields(self),))  # type: ignore[method-assign]
    else:
        cls.__reduce__ = lambda self: (cls, fields(self))  # type: ignore[method-assign]


# IR classes are frozen dataclasses with slots: a third less memory than instance dictionaries
# (every module's IR stays loaded for the whole run)
for _cls in [value for value in list(globals().values())
             if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == __name__]:
    _pickled_by_constructor(_cls)
del _cls
