"""Hypothesis strategies for small generated Python projects (flowlint's metamorphic tests).

A generated project is 1-3 flat modules (`mod0.py`, `mod1.py`, ...) over the fake library of
the engine fixtures' policy (`tests/fixtures/engine/policy.toml`): sources
`taintlib.source()` / `unknown_source()` / `face_source()`, sinks `taintlib.sink`, `send`,
`write_file`, `sink_first`, plus the sanitizer `taintlib.sanitize`, the guards `is_safe` and
`has_consent`, and an unmodelled library call `taintlib.other`.

The grammar: module globals; functions with parameters (some with defaults; some expecting an
object, "duck", or a callable), nested functions (closures) and returns; classes with fields set
in `__init__` (and `super().__init__`), class attributes, methods (the same method name in
several classes, for dispatch), inheritance and overrides; imports between modules
(`import modN` and `from modN import ...`); statements (assignments, tuple and starred
unpacking, augmented assignment, `append`, item and attribute stores, `global` writes, calls
of project functions, constructors and methods with positional and keyword arguments, sinks,
function values and lambdas, a choice between several objects or callables as an
`if`/`elif` chain or a conditional expression, `if`/`else`, `for`, `while`, `try`/`except`/
`finally`, `with`, `break`/`continue`, early returns); expressions (names, constants,
sources, containers, subscripts, `+`, f-strings, `%`, `.format`, `join`, list
comprehensions, library calls, sanitizers, class attributes, bound methods).

The program is a small tree (`Project` -> `Module` -> `Func`/`Class` -> statements ->
expressions, all tuples) whose identifiers are *canonical*: `v<n>` (locals), `p<n>` (params),
`f<n>` (functions), `C<n>` (classes), `a<n>` (fields), `m<n>` (methods), `G<n>` (globals),
`t<n>` (module-level variables). Names are handed out in order, so a shrunk counter-example
reads `def f0(p0): v0 = taintlib.source() ...`. `render(project, names)` prints it, applying
an optional renaming of the canonical names (alpha-renaming), and records for every line a
*tag* (which item, which line of it) and the *insertion points* (statement boundaries that
are reachable, with their indentation) used by the metamorphic transformations. Every
rendering is checked with `compile()`; a generator bug raises `GeneratorError`.

Transformations: `renamings` (a strategy of consistent renamings), `reorder`,
`wrap_conditionals`, `Rendered.insert` (a block at a point), `garble` (token damage);
`dead_functions` and `dead_blocks` are strategies for code that cannot add flows. `reduce`
shrinks a failing program as a tree (see there).
"""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from hypothesis import strategies as st

LIB = "taintlib"
SOURCES = ("source", "source", "source", "unknown_source", "face_source")
SINKS = ("sink", "send", "write_file", "sink_first")
# canonical-name prefixes, one category each (renaming permutes names within a category)
CATEGORIES = ("v", "p", "f", "C", "a", "m", "G", "t")


class GeneratorError(AssertionError):
    """The generator produced something that is not valid Python: a bug in this module."""


class NotApplicable(GeneratorError):
    """A transformation does not apply to this program (say, its insertion point is gone). On a
    property's own example that is a failure, never a silent pass; `reduce` just drops such a
    candidate (as it drops one that does not compile)."""


# ---------------------------------------------------------------------------- the model
# Expressions (tuples):
#   ("name", n) ("str", s) ("source", fn) ("global", modref, G)
#   ("call", ref, args, kwargs) ("new", ref, args, kwargs) ("meth", obj, m, args, kwargs)
#   ("attr", obj, a) ("list", items) ("tuple", items) ("dict", ((key, e), ...)) ("sub", e, key)
#   ("add", a, b) ("fstr", e) ("pct", e) ("format", a, b) ("join", e) ("lib", fn, e)
#   ("comp", var, iterable, element) ("eq", e, s) ("ref", ref) ("lambda", params, e)
#   ("ifexp", cond, a, b)
#   a ref is (module or None, name): `name` or `module.name`; kwargs are ((param, e), ...)
# Statements (tuples):
#   ("assign", target, e) ("unpack", (n1, n2), e, starred) ("aug", n, e) ("expr", e)
#   ("sink", fn, args) ("return", e) ("if", cond, body, orelse) ("for", n, e, body)
#   ("while", cond, body) ("try", body, handler, final) ("with", e, n, body) ("def", Func)
#   ("global", names) ("super_init", args) ("break",) ("continue",) ("pass",)
TERMINATORS = ("return", "break", "continue")


@dataclass(frozen=True)
class Func:
    name: str
    params: tuple[str, ...]
    body: tuple
    method: bool = False  # a method: `self` first
    defaults: int = 0  # the last `defaults` parameters default to 'x'


@dataclass(frozen=True)
class Class:
    name: str
    base: tuple | None  # a ref
    methods: tuple[Func, ...]
    attributes: tuple = ()  # class attributes: ((a, expr), ...)


@dataclass(frozen=True)
class Module:
    name: str
    imports: tuple  # ("import", mod) | ("from", mod, names)
    globals: tuple  # ((G, expr), ...)
    items: tuple  # Func | Class, in file order
    tail: tuple  # module-level statements after the definitions

    @property
    def path(self) -> str:
        return f"{self.name}.py"


@dataclass(frozen=True)
class Project:
    modules: tuple[Module, ...]

    def __repr__(self) -> str:  # what Hypothesis prints for a falsifying example
        return "Project(\n" + "\n".join(
            f"# ---- {path}\n{text}" for path, text in render(self).texts().items()) + ")"

    def _repr_pretty_(self, printer, cycle) -> None:  # Hypothesis's pretty printer
        printer.text(repr(self))


# ---------------------------------------------------------------------------- rendering
@dataclass(frozen=True)
class Point:
    """A reachable statement boundary: insert lines at `index` (0-based) with `indent`."""

    path: str
    index: int
    indent: str
    where: str  # "module" | "class" | "function"


@dataclass
class RenderedFile:
    lines: list[str]
    tags: list[tuple]

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass
class Rendered:
    files: dict[str, RenderedFile]
    points: list[Point] = field(default_factory=list)

    def texts(self) -> dict[str, str]:
        return {path: f.text for path, f in self.files.items()}

    def tag(self, path: str, line: int) -> tuple:
        lines = self.files.get(path)
        if lines is not None and 1 <= line <= len(lines.tags):
            return lines.tags[line - 1]
        return ("raw", path, line)

    def insert(self, point: Point, block: list[str], label: str = "inserted") -> tuple[Rendered, int]:
        """A copy with `block` (lines relative to the point's indentation) inserted at `point`;
        returns it and the 1-based line of the block's first line."""
        files = {p: RenderedFile(list(f.lines), list(f.tags)) for p, f in self.files.items()}
        target = files[point.path]
        new = [point.indent + line for line in block]
        target.lines[point.index:point.index] = new
        target.tags[point.index:point.index] = [(label, i) for i in range(len(new))]
        check(target.text, point.path)
        return Rendered(files, []), point.index + 1


def check(text: str, path: str) -> None:
    try:
        compile(text, path, "exec")
    except SyntaxError as err:
        raise GeneratorError(f"generated {path} does not compile: {err}\n{text}") from err


class Renderer:
    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        self.names = dict(names or {})
        self.lines: list[str] = []
        self.tags: list[tuple] = []
        self.points: list[Point] = []
        self.enclosing: list[Func] = []  # the functions being rendered, outermost first
        self.path = ""
        self._item: tuple = ()
        self._start = 0

    def n(self, name: str) -> str:
        return self.names.get(name, name)

    # -------------------------------------------------------------- expressions
    def ref(self, ref: tuple) -> str:
        module, name = ref
        return f"{module}.{self.n(name)}" if module else self.n(name)

    def args(self, args, kwargs=()) -> str:
        return ", ".join([self.e(a) for a in args] + [f"{self.n(k)}={self.e(v)}" for k, v in kwargs])

    def e(self, e: tuple) -> str:  # noqa: C901 - one case per production
        kind = e[0]
        if kind == "name":
            return self.n(e[1])
        if kind == "str":
            return repr(e[1])
        if kind == "num":
            return str(e[1])
        if kind == "source":
            return f"{LIB}.{e[1]}()"
        if kind == "global":
            return self.ref((e[1], e[2]))
        if kind in ("call", "new"):
            return f"{self.ref(e[1])}({self.args(e[2], e[3])})"
        if kind == "meth":
            return f"{self.e(e[1])}.{self.n(e[2])}({self.args(e[3], e[4])})"
        if kind == "ref":
            return self.ref(e[1])
        if kind == "lambda":
            return f"(lambda {', '.join(self.n(p) for p in e[1])}: {self.e(e[2])})"
        if kind == "attr":
            return f"{self.e(e[1])}.{self.n(e[2])}"
        if kind == "list":
            return f"[{self.args(e[1])}]"
        if kind == "tuple":
            return f"({self.args(e[1])},)" if len(e[1]) == 1 else f"({self.args(e[1])})"
        if kind == "dict":
            return "{" + ", ".join(f"{k!r}: {self.e(v)}" for k, v in e[1]) + "}"
        if kind == "sub":
            return f"{self.e(e[1])}[{e[2]!r}]"
        if kind == "add":
            return f"({self.e(e[1])} + {self.e(e[2])})"
        if kind == "fstr":
            return f'f"<{{{self.e(e[1])}}}>"'
        if kind == "pct":
            return f"('%s!' % ({self.e(e[1])},))"
        if kind == "format":
            return f"'{{}}-{{}}'.format({self.e(e[1])}, {self.e(e[2])})"
        if kind == "join":
            return f"', '.join({self.e(e[1])})"
        if kind == "lib":
            return f"{LIB}.{e[1]}({self.e(e[2])})"
        if kind == "comp":
            return f"[{self.e(e[3])} for {self.n(e[1])} in {self.e(e[2])}]"
        if kind == "ifexp":
            return f"({self.e(e[2])} if {self.e(e[1])} else {self.e(e[3])})"
        if kind == "eq":
            return f"{self.e(e[1])} == {e[2]!r}"
        raise GeneratorError(f"unknown expression {e!r}")

    def target(self, t: tuple) -> str:
        return self.e(t)

    # -------------------------------------------------------------- statements
    def emit(self, indent: str, text: str) -> None:
        self.lines.append(indent + text)

    def point(self, indent: str, where: str) -> None:
        self.points.append(Point(self.path, len(self.lines), indent, where))

    def block(self, body, indent: str, where: str, reachable: bool = True) -> None:
        if not body:
            self.emit(indent, "pass")
            return
        for statement in body:
            if reachable and statement[0] != "global":
                self.point(indent, where)
            self.stmt(statement, indent, where, reachable)
            reachable = reachable and not terminates(statement)
        if reachable:
            self.point(indent, where)

    def stmt(self, s: tuple, indent: str, where: str, reachable: bool) -> None:  # noqa: C901
        kind = s[0]
        inner = indent + "    "
        if kind == "assign":
            self.emit(indent, f"{self.target(s[1])} = {self.e(s[2])}")
        elif kind == "unpack":
            first, second = (self.n(x) for x in s[1])
            star = "*" if s[3] else ""
            self.emit(indent, f"{first}, {star}{second} = {self.e(s[2])}")
        elif kind == "aug":
            self.emit(indent, f"{self.n(s[1])} += {self.e(s[2])}")
        elif kind == "expr":
            self.emit(indent, self.e(s[1]))
        elif kind == "sink":
            self.emit(indent, f"{LIB}.{s[1]}({self.args(s[2])})")
        elif kind == "return":
            self.emit(indent, "return" if s[1] is None else f"return {self.e(s[1])}")
        elif kind == "if":
            keyword = "if"
            while True:
                self.emit(indent, f"{keyword} {self.e(s[1])}:")
                self.block(s[2], inner, where, reachable)
                if len(s[3]) == 1 and s[3][0][0] == "if":  # `else: if` is written `elif`
                    s, keyword = s[3][0], "elif"
                    continue
                if s[3]:
                    self.emit(indent, "else:")
                    self.block(s[3], inner, where, reachable)
                break
        elif kind == "for":
            self.emit(indent, f"for {self.n(s[1])} in {self.e(s[2])}:")
            self.block(s[3], inner, where, reachable)
        elif kind == "while":
            self.emit(indent, f"while {self.e(s[1])}:")
            self.block(s[2], inner, where, reachable)
        elif kind == "try":
            self.emit(indent, "try:")
            self.block(s[1], inner, where, reachable)
            self.emit(indent, "except Exception:")
            self.block(s[2], inner, where, reachable)
            if s[3]:
                self.emit(indent, "finally:")
                self.block(s[3], inner, where, reachable)
        elif kind == "with":
            self.emit(indent, f"with {self.e(s[1])} as {self.n(s[2])}:")
            self.block(s[3], inner, where, reachable)
        elif kind in ("break", "continue"):
            self.emit(indent, kind)
        elif kind == "def":  # a nested function: run only if the enclosing function mentions it
            self.func(s[1], indent, reachable and self._mentioned(s[1].name))
        elif kind == "global":
            self.emit(indent, "global " + ", ".join(self.n(x) for x in s[1]))
        elif kind == "super_init":
            self.emit(indent, f"super().__init__({self.args(s[1])})")
        elif kind == "pass":
            self.emit(indent, "pass")
        else:
            raise GeneratorError(f"unknown statement {s!r}")

    def func(self, f: Func, indent: str, reachable: bool = True) -> None:
        params = [self.n(p) for p in f.params]
        for i in range(len(params) - f.defaults, len(params)):
            params[i] += "='x'"
        params = (["self"] if f.method else []) + params
        name = f.name if f.name.startswith("__") else self.n(f.name)
        self.emit(indent, f"def {name}({', '.join(params)}):")
        self.enclosing.append(f)
        self.block(f.body, indent + "    ", "function", reachable)
        self.enclosing.pop()

    def _mentioned(self, name: str) -> bool:
        """Whether the enclosing function's code (with the functions nested in it) names ``name``
        beyond its `def`: a nested function nothing calls, returns or passes is dead code, where
        nothing inserted can be a finding."""
        return repr(self.enclosing[-1].body).count(repr(name)) > 1 if self.enclosing else True

    # -------------------------------------------------------------- modules
    def _begin(self, key: tuple) -> None:
        self._item, self._start = key, len(self.lines)

    def _end(self) -> None:
        self.tags += [(*self._item, i - self._start) for i in range(self._start, len(self.lines))]

    def module(self, m: Module) -> RenderedFile:
        self.lines, self.tags, self.path = [], [], m.path
        self._begin(("header",))
        self.emit("", f"import {LIB}")
        for imp in m.imports:
            if imp[0] == "import":
                self.emit("", f"import {imp[1]}")
            else:
                self.emit("", f"from {imp[1]} import {', '.join(self.n(x) for x in imp[2])}")
        for name, value in m.globals:
            self.emit("", f"{self.n(name)} = {self.e(value)}")
        self._end()
        for item in m.items:
            self._begin(("item", item.name))
            self.emit("", "")
            self.emit("", "")
            self.point("", "module")
            if isinstance(item, Func):
                self.func(item, "")
            else:
                base = f"({self.ref(item.base)})" if item.base else ""
                self.emit("", f"class {self.n(item.name)}{base}:")
                self.point("    ", "class")
                for name, value in item.attributes:
                    self.emit("    ", f"{self.n(name)} = {self.e(value)}")
                for i, method in enumerate(item.methods):
                    if i or item.attributes:
                        self.emit("", "")
                    self.func(method, "    ")
                if not item.methods and not item.attributes:
                    self.emit("    ", "pass")
            self._end()
        self._begin(("tail",))
        self.emit("", "")
        self.emit("", "")
        self.block(m.tail, "", "module") if m.tail else self.point("", "module")
        self._end()
        return RenderedFile(self.lines, self.tags)


def render(project: Project, names: Mapping[str, str] | None = None) -> Rendered:
    renderer = Renderer(names)
    files: dict[str, RenderedFile] = {}
    for module in project.modules:
        files[module.path] = rendered = renderer.module(module)
        check(rendered.text, module.path)
    return Rendered(files, renderer.points)


# ---------------------------------------------------------------------------- names
def walk_names(obj) -> set[str]:
    """Every canonical name used anywhere in `obj` (a project or part of one)."""
    out: set[str] = set()

    def visit(x) -> None:
        if isinstance(x, str):
            if len(x) > 1 and x[0] in CATEGORIES and x[1:].isdigit():
                out.add(x)
        elif isinstance(x, (tuple, list)):
            for y in x:
                visit(y)
        elif isinstance(x, (Func, Class, Module, Project)):
            for value in vars(x).values():
                visit(value)

    visit(obj)
    return out


def renamings(project: Project) -> st.SearchStrategy[dict[str, str]]:
    """Consistent renamings: a permutation of the names of each category, then a spelling
    (the same, or a different prefix); never a keyword, builtin or library name."""
    names = walk_names(project)
    groups = {c: sorted(n for n in names if n[0] == c) for c in CATEGORIES}

    @st.composite
    def build(draw) -> dict[str, str]:
        style = draw(st.sampled_from(["same", "prefixed", "long"]))
        mapping = {}
        for category, group in groups.items():
            if not group:
                continue
            permuted = draw(st.permutations(group))
            for old, new in zip(group, permuted):
                if style == "prefixed":
                    new = f"r{category}_{new[1:]}"
                elif style == "long":
                    new = f"renamed_{category.lower()}{ord(category)}_{new[1:]}"
                mapping[old] = new
        return mapping

    return build()


# ---------------------------------------------------------------------------- transformations
def reorder(module: Module, order: list[int]) -> Module:
    """Items in the order `order` (a permutation), classes keeping their relative order
    (a base class must be defined before its subclass)."""
    items = [module.items[i] for i in order]
    classes = iter([x for x in module.items if isinstance(x, Class)])
    items = [next(classes) if isinstance(x, Class) else x for x in items]
    return replace(module, items=tuple(items))


def wrap_conditionals(project: Project, chosen) -> Project:
    """Replace the value `E` of chosen assignments (`chosen(i)` for the i-th one, in file order)
    by `(E if taintlib.other('x') == 'k0' else E)`: the same value either way, on the same line."""
    counter = [0]
    test = ("eq", ("lib", "other", ("str", "x")), "k0")

    def body(statements) -> tuple:
        return tuple(statement(s) for s in statements)

    def statement(s: tuple) -> tuple:
        kind = s[0]
        if kind == "assign":
            index, counter[0] = counter[0], counter[0] + 1
            return ("assign", s[1], ("ifexp", test, s[2], s[2])) if chosen(index) else s
        if kind == "if":
            return ("if", s[1], body(s[2]), body(s[3]))
        if kind in ("for", "with"):
            return (*s[:3], body(s[3]))
        if kind == "while":
            return ("while", s[1], body(s[2]))
        if kind == "try":
            return ("try", body(s[1]), body(s[2]), body(s[3]))
        if kind == "def":
            return ("def", function(s[1]))
        return s

    def function(f: Func) -> Func:
        return replace(f, body=body(f.body))

    modules = []
    for module in project.modules:
        items = tuple(function(i) if isinstance(i, Func) else replace(i, methods=tuple(function(m) for m in i.methods))
                      for i in module.items)
        modules.append(replace(module, items=items, tail=body(module.tail)))
    return Project(tuple(modules))


def garble(text: str, ops: list[tuple[str, int]]) -> str:
    """Apply token-level damage: ("delete", i) removes the i-th token (mod count),
    ("dup", i) doubles it, ("line", i) deletes a whole line."""
    for op, index in ops:
        if op == "line":
            lines = text.splitlines(keepends=True)
            if lines:
                del lines[index % len(lines)]
            text = "".join(lines)
            continue
        spans = _token_spans(text)
        if not spans:
            continue
        start, end = spans[index % len(spans)]
        text = text[:start] + (text[start:end] if op == "dup" else "") + text[end:]
    return text


def _token_spans(text: str) -> list[tuple[int, int]]:
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    spans = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.ENDMARKER, tokenize.DEDENT, tokenize.NL):
                continue
            (sl, sc), (el, ec) = tok.start, tok.end
            if sl - 1 >= len(offsets) or el - 1 >= len(offsets):
                continue
            start, end = offsets[sl - 1] + sc, offsets[el - 1] + ec
            if end > start:
                spans.append((start, end))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return spans


def parses(text: str) -> bool:
    try:
        ast.parse(text)
        return True
    except (SyntaxError, ValueError):
        return False


# ---------------------------------------------------------------------------- the generator
@dataclass(frozen=True)
class Sig:
    params: tuple[str, ...]
    defaults: int = 0  # the last `defaults` parameters are optional
    kinds: tuple[str, ...] = ()  # what each parameter expects: "val" | "duck" (an object) | "fn" (a callable)
    positional: bool = False  # called with positional arguments only (a callable value)

    def kind(self, index: int) -> str:
        return self.kinds[index] if index < len(self.kinds) else "val"


CALLBACK = Sig(("_",), positional=True)  # what a "fn" parameter is called with: one argument


@dataclass(frozen=True)
class Members:
    """What a receiver offers: a class's fields and methods, or the union over several classes."""

    fields: tuple[str, ...]
    methods: tuple[tuple[str, Sig], ...]


@dataclass
class ClassInfo:
    name: str
    base: ClassInfo | None
    base_ref: tuple | None  # how the defining module names the base
    fields: tuple[str, ...]  # own instance fields, set in __init__
    attributes: tuple[str, ...]  # own class attributes
    init: Sig | None  # own __init__ (None: inherited)
    methods: dict[str, Sig]

    def all_fields(self) -> tuple[str, ...]:
        return (self.base.all_fields() if self.base else ()) + self.fields + self.attributes

    def all_attributes(self) -> tuple[str, ...]:
        return (self.base.all_attributes() if self.base else ()) + self.attributes

    def all_methods(self) -> dict[str, Sig]:
        out = dict(self.base.all_methods()) if self.base else {}
        out.update(self.methods)
        return out

    def members(self) -> Members:
        return Members(self.all_fields(), tuple(sorted(self.all_methods().items())))

    def init_sig(self) -> Sig:
        if self.init is not None:
            return self.init
        return self.base.init_sig() if self.base else Sig(())


@dataclass
class Options:
    max_modules: int = 3
    max_classes: int = 3  # per module
    sources: bool = True  # taintlib sources anywhere
    project_calls: bool = True  # calls of project functions, constructors, methods
    global_reads: bool = True
    max_depth: int = 2
    seeded: float = 0.7  # share of function bodies seeded with a source-to-sink flow (see function_body)


@dataclass
class Scope:
    vars: dict[str, str]  # name -> "val" | "list" | "dict" | "tuple" | "fn" | "obj:C"
    own: set[str]  # names this function may assign
    counter: list[int]  # shared fresh-name counter of the enclosing top-level function
    prefix: str = "v"
    self_class: ClassInfo | None = None
    functions: list[tuple[tuple, Sig]] = field(default_factory=list)  # callables: (ref, signature)
    classes: list[tuple[tuple, ClassInfo]] = field(default_factory=list)
    globals: list[tuple[str | None, str]] = field(default_factory=list)  # (module or None, G)
    own_globals: tuple[str, ...] = ()  # globals of this module (writable with `global`)
    declared: set[str] = field(default_factory=set)  # `global` declarations needed
    in_function: bool = True
    nested_ok: bool = True

    def fresh(self) -> str:
        name = f"{self.prefix}{self.counter[0]}"
        self.counter[0] += 1
        return name

    def child(self) -> Scope:
        """A nested function's scope: reads the outer names (closure), assigns only its own."""
        return replace(self, vars=dict(self.vars), own=set(), declared=set(), functions=list(self.functions),
                       nested_ok=False)


def union(members: list[Members]) -> Members:
    fields = tuple(sorted({f for m in members for f in m.fields}))
    methods: dict[str, Sig] = {}
    for m in members:
        for name, sig in m.methods:
            methods.setdefault(name, sig)
    return Members(fields, tuple(sorted(methods.items())))


def terminates(statement: tuple) -> bool:
    """Control never reaches the statement after this one."""
    kind = statement[0]
    if kind in TERMINATORS:
        return True
    if kind == "if":
        return bool(statement[3]) and block_terminates(statement[2]) and block_terminates(statement[3])
    if kind == "try":
        return (block_terminates(statement[1]) and block_terminates(statement[2])) or block_terminates(statement[3])
    if kind == "with":
        return block_terminates(statement[3])
    return False


def block_terminates(body) -> bool:
    return any(terminates(s) for s in body)


class Gen:
    def __init__(self, draw, options: Options) -> None:
        self.draw = draw
        self.o = options
        self.next = {c: 0 for c in CATEGORIES}
        self.method_pool: list[tuple[str, Sig]] = []

    def name(self, category: str) -> str:
        n = f"{category}{self.next[category]}"
        self.next[category] += 1
        return n

    def int(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def pick(self, seq):
        return self.draw(st.sampled_from(list(seq)))

    def coin(self, p: float = 0.5) -> bool:
        """True with probability `p`; shrinks towards False (the simpler program)."""
        return self.draw(st.integers(0, 99)) >= 100 - p * 100

    def span(self, fn, *args):
        """`fn(*args)` drawn as one nested strategy, so that the shrinker sees (and can delete
        or simplify) each statement and expression as a unit."""
        outer = self.draw

        @st.composite
        def strategy(draw):
            self.draw = draw
            try:
                return fn(*args)
            finally:
                self.draw = outer

        return outer(strategy())

    def expr(self, scope: Scope, depth: int = 0) -> tuple:
        return self.span(self._expr, scope, depth)

    def stmt(self, scope: Scope, depth: int, budget: list[int], loop: bool) -> tuple:
        return self.span(self._stmt, scope, depth, budget, loop)

    def params(self, lo: int = 0, hi: int = 2) -> tuple[str, ...]:
        return tuple(self.name("p") for _ in range(self.int(lo, hi)))

    def param_kinds(self, params: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self.pick(["val", "val", "duck", "fn"]) if self.o.project_calls else "val" for _ in params)

    def bind_params(self, scope: Scope, sig: Sig) -> None:
        for i, p in enumerate(sig.params):
            self.bind(scope, p, sig.kind(i))
            if sig.kind(i) == "fn":
                scope.functions.append(((None, p), CALLBACK))

    # -------------------------------------------------------------- expressions
    def leaf(self, scope: Scope) -> tuple:
        options = ["str"]
        if scope.vars:
            options += ["name", "name", "name"]
        if self.o.sources:
            options += ["source", "source"]
        if self.o.global_reads and scope.globals:
            options.append("global")
        choice = self.pick(options)
        if choice == "str":
            return ("str", self.pick(["x", "k0", "static"]))
        if choice == "name":
            return ("name", self.pick(sorted(scope.vars)))
        if choice == "source":
            return ("source", self.pick(SOURCES))
        module, g = self.pick(scope.globals)
        return ("global", module, g)

    def vars_of(self, scope: Scope, *kinds: str) -> list[str]:
        return sorted(n for n, k in scope.vars.items() if any(k.startswith(x) for x in kinds))

    def call_args(self, scope: Scope, sig: Sig, depth: int) -> tuple[tuple, tuple]:
        """Arguments for `sig`: optional ones sometimes left out, a suffix sometimes by keyword."""
        n = len(sig.params)
        given = self.int(n - sig.defaults, n) if sig.defaults else n
        positional = self.int(0, given) if given and not sig.positional and self.coin(0.25) else given
        args = tuple(self.argument(scope, sig.kind(i), depth) for i in range(positional))
        kwargs = [(sig.params[i], self.argument(scope, sig.kind(i), depth)) for i in range(positional, given)]
        if len(kwargs) > 1 and self.coin(0.5):
            kwargs.reverse()
        return args, tuple(kwargs)

    def receivers(self, scope: Scope) -> list[tuple[tuple, Members]]:
        """Receivers of attribute reads and method calls: objects of known classes, `self`, and
        "duck" parameters (any visible class) and choices between classes (any of them)."""
        out = []
        for v in self.vars_of(scope, "obj:", "duck"):
            kind = scope.vars[v]
            names = None if kind == "duck" else kind[4:].split(",")
            infos = [info for _, info in scope.classes if names is None or info.name in names]
            members = union([info.members() for info in infos])
            if members.fields or members.methods:
                out.append((("name", v), members))
        if scope.self_class:
            out.append((("name", "self"), scope.self_class.members()))
        return out

    def argument(self, scope: Scope, kind: str, depth: int) -> tuple:
        """An argument for a parameter that expects `kind`."""
        if kind == "duck" and self.o.project_calls and self.coin(0.7):
            names = self.vars_of(scope, "obj:", "duck")
            if scope.classes and (not names or self.coin(0.6)):
                ref, info = self.pick(scope.classes)
                return ("new", ref, *self.call_args(scope, info.init_sig(), depth + 1))
            if names:
                return ("name", self.pick(names))
        if kind == "fn" and self.coin(0.7):
            return self.callback(scope, depth)
        return self.expr(scope, depth + 1)

    def callback(self, scope: Scope, depth: int) -> tuple:
        """A value callable with one positional argument: a project function, a function
        variable, a bound method or a lambda."""
        options: list[tuple] = []
        if self.o.project_calls:
            options += [("ref", ref) for ref, sig in scope.functions
                        if sig.params and len(sig.params) - sig.defaults <= 1 and not ref[1].startswith("v")]
            options += [("name", ref[1]) for ref, sig in scope.functions
                        if ref[1].startswith(("v", "p")) and sig.positional and len(sig.params) == 1]
            options += [("attr", receiver, m) for receiver, members in self.receivers(scope)
                        for m, sig in members.methods if len(sig.params) == 1]
        if options and self.coin(0.6):
            return self.pick(options)
        param = self.name("p")
        inner = replace(scope, vars={**scope.vars, param: "val"})
        return ("lambda", (param,), self.expr(inner, max(depth, 1)))

    def _expr(self, scope: Scope, depth: int = 0) -> tuple:  # noqa: C901
        if depth >= 2:
            return self.leaf(scope)
        options = ["leaf", "leaf", "leaf", "leaf", "leaf", "list", "tuple", "dict", "add", "fstr", "pct", "format",
                   "join", "lib", "comp"]
        if self.coin(0.3):
            options.append("sanitize")
        if self.vars_of(scope, "list", "dict", "tuple"):
            options.append("sub")
        if self.o.project_calls:
            if scope.functions:
                options += ["call", "call", "call"]
            if scope.classes:
                options += ["new", "new"]
                if any(info.all_attributes() for _, info in scope.classes):
                    options.append("clsattr")
            if self.receivers(scope):
                options += ["meth", "attr", "attr"]
        choice = self.pick(options)
        sub = lambda: self.expr(scope, depth + 1)  # noqa: E731
        if choice == "leaf":
            return self.leaf(scope)
        if choice == "list":
            return ("list", tuple(sub() for _ in range(self.int(0, 2))))
        if choice == "tuple":
            return ("tuple", (sub(), sub()))
        if choice == "dict":
            keys = ["k0", "k1"][:self.int(1, 2)]
            return ("dict", tuple((k, sub()) for k in keys))
        if choice == "sub":
            var = self.pick(self.vars_of(scope, "list", "dict", "tuple"))
            key = self.pick(["k0", "k1"]) if scope.vars[var] == "dict" else self.int(0, 1)
            return ("sub", ("name", var), key)
        if choice == "add":
            return ("add", sub(), sub())
        if choice == "fstr":
            return ("fstr", self.leaf(scope) if not scope.vars else ("name", self.pick(sorted(scope.vars))))
        if choice == "pct":
            return ("pct", sub())
        if choice == "format":
            return ("format", sub(), sub())
        if choice == "join":
            return ("join", sub())
        if choice == "lib":
            return ("lib", "other", sub())
        if choice == "sanitize":
            return ("lib", "sanitize", sub())
        if choice == "comp":
            var = scope.fresh()
            inner = replace(scope, vars={**scope.vars, var: "val"})
            element = self.expr(inner, depth + 1) if self.coin(0.3) else ("add", ("name", var), ("str", "!"))
            return ("comp", var, sub(), element)
        if choice == "call":
            ref, sig = self.pick(scope.functions)
            return ("call", ref, *self.call_args(scope, sig, depth))
        if choice == "new":
            ref, info = self.pick(scope.classes)
            return ("new", ref, *self.call_args(scope, info.init_sig(), depth))
        if choice == "clsattr":
            ref, info = self.pick([(r, i) for r, i in scope.classes if i.all_attributes()])
            return ("attr", ("ref", ref), self.pick(info.all_attributes()))
        receiver, members = self.pick(self.receivers(scope))
        if (choice == "attr" and members.fields) or not members.methods:
            return ("attr", receiver, self.pick(members.fields))
        method, sig = self.pick(members.methods)
        args, kwargs = self.call_args(scope, sig, depth)
        return ("meth", receiver, method, args, kwargs)

    def kind_of(self, e: tuple) -> str:
        if e[0] in ("list", "comp"):
            return "list"
        if e[0] == "dict":
            return "dict"
        if e[0] == "tuple":
            return "tuple"
        if e[0] == "new":
            return "obj:" + e[1][1]
        return "val"

    # -------------------------------------------------------------- statements
    def target_name(self, scope: Scope) -> str:
        reusable = sorted(n for n in scope.own if scope.vars.get(n) != "fn")
        if reusable and self.coin(0.3):
            return self.pick(reusable)
        return scope.fresh()

    def bind(self, scope: Scope, name: str, kind: str) -> None:
        scope.vars[name] = kind
        scope.own.add(name)

    def _stmt(self, scope: Scope, depth: int, budget: list[int], loop: bool) -> tuple:  # noqa: C901
        options = ["assign", "assign", "sink", "sink", "unpack"]
        if self.o.sources:
            options += ["source"]
        if self.o.project_calls and (scope.functions or self.receivers(scope)):
            options.append("call")
        if self.vars_of(scope, "list"):
            options.append("append")
        if self.vars_of(scope, "list", "dict"):
            options.append("setitem")
        if self.receivers(scope):
            options.append("setattr")
        if [v for v in scope.own if scope.vars.get(v) == "val"]:
            options.append("aug")
        if scope.in_function:
            options.append("function value")
        if self.o.project_calls and scope.classes or scope.functions:
            options.append("choose")
        if depth < self.o.max_depth and budget[0] > 1:
            options += ["if", "for", "while", "try", "with"]
            if scope.in_function and scope.nested_ok:
                options.append("def")
        if scope.in_function and scope.own_globals and self.o.global_reads:
            options.append("global")
        choice = self.pick(options)
        budget[0] -= 1
        if choice in ("assign", "source"):
            value = ("source", self.pick(SOURCES)) if choice == "source" else self.expr(scope)
            name = self.target_name(scope)
            self.bind(scope, name, self.kind_of(value))
            return ("assign", ("name", name), value)
        if choice == "sink":
            return self.sink(scope, self.expr(scope))
        if choice == "call":
            e = self.expr(scope)
            if e[0] not in ("call", "meth", "new"):
                e = ("lib", "other", e)
            return ("expr", e)
        if choice == "append":
            var = self.pick(self.vars_of(scope, "list"))
            return ("expr", ("meth", ("name", var), "append", (self.expr(scope),), ()))
        if choice == "setitem":
            var = self.pick(self.vars_of(scope, "list", "dict"))
            key = self.pick(["k0", "k1"]) if scope.vars[var] == "dict" else self.int(0, 1)
            return ("assign", ("sub", ("name", var), key), self.expr(scope))
        if choice == "setattr":
            receiver, members = self.pick(self.receivers(scope))
            if not members.fields:
                return ("sink", "sink", (("attr", receiver, members.methods[0][0]),))
            return ("assign", ("attr", receiver, self.pick(members.fields)), self.expr(scope))
        if choice == "aug":
            var = self.pick(sorted(v for v in scope.own if scope.vars.get(v) == "val"))
            return ("aug", var, self.expr(scope))
        if choice == "unpack":
            first, second = self.target_name(scope), scope.fresh()
            tuples = self.vars_of(scope, "tuple")
            starred = self.coin(0.2)
            if tuples and self.coin(0.5) and not starred:
                value = ("name", self.pick(tuples))
            elif starred:
                value = ("list", (self.expr(scope), self.expr(scope), self.expr(scope)))
            else:
                value = ("tuple", (self.expr(scope), self.expr(scope)))
            self.bind(scope, first, "val")
            self.bind(scope, second, "list" if starred else "val")
            return ("unpack", (first, second), value, starred)
        if choice == "function value":
            var = scope.fresh()
            projects_functions = [(r, s) for r, s in scope.functions if r[1][0] == "f"]
            if projects_functions and self.coin(0.5):
                ref, sig = self.pick(projects_functions)
                value = ("ref", ref)
            else:
                params = self.params(0, 1)
                inner = replace(scope, vars={**scope.vars, **{p: "val" for p in params}})
                sig, value = Sig(params, positional=True), ("lambda", params, self.expr(inner, 1))
            self.bind(scope, var, "fn")
            scope.functions.append(((None, var), sig))
            return ("assign", ("name", var), value)
        if choice == "choose":
            return self.choose(scope)
        if choice == "global":
            g = self.pick(scope.own_globals)
            scope.declared.add(g)
            return ("assign", ("name", g), self.expr(scope))
        if choice == "if":
            cond = self.condition(scope)
            body = self.block(scope, depth + 1, budget, 1, 3, loop, scope.in_function)
            orelse = self.block(scope, depth + 1, budget, 1, 2, loop, scope.in_function) if self.coin(0.4) else ()
            return ("if", cond, body, orelse)
        if choice == "for":
            var = scope.fresh()
            lists = self.vars_of(scope, "list", "dict", "tuple")
            iterable = ("name", self.pick(lists)) if lists and self.coin(0.6) else self.expr(scope)
            self.bind(scope, var, "val")
            return ("for", var, iterable, self.block(scope, depth + 1, budget, 1, 3, True, scope.in_function))
        if choice == "while":
            cond = self.condition(scope)
            return ("while", cond, self.block(scope, depth + 1, budget, 1, 3, True, scope.in_function))
        if choice == "try":
            body = self.block(scope, depth + 1, budget, 1, 3, loop, scope.in_function)
            handler = self.block(scope, depth + 1, budget, 1, 2, loop, scope.in_function)
            final = self.block(scope, depth + 1, budget, 1, 2) if self.coin(0.3) else ()
            return ("try", body, handler, final)
        if choice == "with":
            manager = ("lib", "other", self.expr(scope, 1))
            var = scope.fresh()
            self.bind(scope, var, "val")
            return ("with", manager, var, self.block(scope, depth + 1, budget, 1, 3, loop, scope.in_function))
        if choice == "def":
            name = self.name("f")
            inner = scope.child()
            params = self.params()
            for p in params:
                self.bind(inner, p, "val")
            body = self.block(inner, depth + 1, budget, 1, 3)
            if not block_terminates(body):
                body += (("return", self.expr(inner)),)
            scope.functions.append(((None, name), Sig(params)))
            return ("def", Func(name, params, self._with_globals(inner, body)))
        raise GeneratorError(choice)

    def sink(self, scope: Scope, value: tuple) -> tuple:
        """A call of one of the sinks with ``value`` where the sink reads it."""
        fn = self.pick(SINKS)
        if fn == "write_file":
            return ("sink", fn, (("str", "out.txt"), value))
        if fn == "sink_first":
            return ("sink", fn, (value, self.expr(scope)))
        return ("sink", fn, (value,))

    def choose(self, scope: Scope) -> tuple:
        """`v = A if c == 'k0' else B if c == 'k1' else ...`: one of several objects (of
        different classes) or of several callables, for dispatch on a joined value."""
        var = scope.fresh()
        selector = ("name", self.pick(sorted(scope.vars))) if scope.vars else ("lib", "other", ("str", "x"))
        if self.o.project_calls and scope.classes and self.coin(0.7):
            chosen = scope.classes
            if len(chosen) > 2:
                indexes = self.draw(st.lists(st.integers(0, len(chosen) - 1), min_size=2, max_size=9, unique=True))
                chosen = [chosen[i] for i in sorted(indexes)]
            options = [("new", ref, *self.call_args(scope, info.init_sig(), 1)) for ref, info in chosen]
            kind = "obj:" + ",".join(sorted(info.name for _, info in chosen))
        else:
            options = [self.callback(scope, 1) for _ in range(self.int(2, 4))]
            kind = "fn"
        self.bind(scope, var, kind)
        if kind == "fn":
            scope.functions.append(((None, var), CALLBACK))
        if self.coin(0.5):  # an if/elif/else chain
            chain: tuple = (("assign", ("name", var), options[-1]),)
            for i, option in reversed(list(enumerate(options[:-1]))):
                chain = (("if", ("eq", selector, f"k{i}"), (("assign", ("name", var), option),), chain),)
            return chain[0]
        value = options[-1]  # a conditional expression
        for i, option in reversed(list(enumerate(options[:-1]))):
            value = ("ifexp", ("eq", selector, f"k{i}"), option, value)
        return ("assign", ("name", var), value)

    def condition(self, scope: Scope) -> tuple:
        # never a constant: a condition the analyser could decide would make code dead
        choice = self.pick(["name", "eq", "is_safe", "has_consent"] if scope.vars else ["eq"])
        value = ("name", self.pick(sorted(scope.vars))) if scope.vars else ("lib", "other", ("str", "x"))
        if choice == "name":
            return value
        if choice == "eq":
            return ("eq", value, "k0")
        return ("lib", choice, value)

    def block(self, scope: Scope, depth: int, budget: list[int], lo: int, hi: int, loop: bool = False,
              returns: bool = False) -> tuple:
        """Statements; `loop`: inside a loop (may end with break/continue); `returns`: may end with return."""
        out: list[tuple] = []
        # one "another?" flag per statement (like st.lists), so a statement can be deleted alone
        while budget[0] > 0 and len(out) < hi and (len(out) < lo or self.coin(0.6)):
            out.append(self.stmt(scope, depth, budget, loop))
        if not out:
            out.append(("pass",))
        if (loop or returns) and depth > 0 and not block_terminates(out):
            ending = self.int(0, 9)
            if ending == 1 and returns:
                out.append(("return", self.expr(scope)))
            elif ending == 2 and loop:
                out.append(("break",))
            elif ending == 3 and loop:
                out.append(("continue",))
        return tuple(out)

    def _with_globals(self, scope: Scope, body: tuple) -> tuple:
        if scope.declared:
            return (("global", tuple(sorted(scope.declared))),) + body
        return body

    # -------------------------------------------------------------- definitions
    def function_body(self, scope: Scope, returns: bool = True, budget: int = 8) -> tuple:
        """Statements, and sometimes a return. With sources on, most bodies are *seeded*: they
        start with `v = <source>` and end (when control gets there) with a sink of `v`, so most
        projects have findings (a metamorphic comparison of two empty sets proves nothing) while
        the statements in between may still overwrite, sanitise or guard `v`."""
        seeded = self.o.sources and not self.coin(1 - self.o.seeded)  # the first choice (0) seeds
        head: tuple = ()
        if seeded:
            var = scope.fresh()
            head = (("assign", ("name", var), ("source", self.pick(SOURCES))),)
            self.bind(scope, var, "val")
        body = head + self.block(scope, 0, [budget], 1, 5)
        if seeded and not block_terminates(body):
            body += (self.sink(scope, ("name", var)),)
        if returns and not block_terminates(body) and self.coin(0.6):
            body += (("return", self.expr(scope)),)
        return self._with_globals(scope, body)

    def new_class(self, visible: list[tuple[tuple, ClassInfo]]) -> ClassInfo:
        base_ref, base = self.pick(visible) if visible and self.coin(0.5) else (None, None)
        name = self.name("C")
        has_init = base is None or self.coin(0.7)
        fields = tuple(self.name("a") for _ in range(self.int(1, 2))) if has_init else ()
        attributes = (self.name("a"),) if self.coin(0.3) else ()
        init = None
        if has_init:
            base_arity = len(base.init_sig().params) if base else 0
            init = Sig(tuple(self.name("p") for _ in range(base_arity + len(fields))))
        methods: dict[str, Sig] = {}
        for _ in range(self.int(0, 2)):
            inherited = sorted((base.all_methods() if base else {}).items())
            shared = [(m, s) for m, s in self.method_pool if m not in methods]
            if inherited and self.coin(0.3):
                m, sig = self.pick(inherited)  # an override
            elif shared and self.coin(0.4):
                m, sig = self.pick(shared)  # the same name in another class (duck typing)
            else:
                params = self.params(0, 1)
                m, sig = self.name("m"), Sig(params, kinds=self.param_kinds(params))
                self.method_pool.append((m, sig))
            methods[m] = sig
        if not has_init and not fields and not attributes and not methods and not base:
            attributes = (self.name("a"),)
        return ClassInfo(name, base, base_ref, fields, attributes, init, methods)

    def project(self) -> Project:  # noqa: C901
        n_modules = self.int(1, self.o.max_modules)
        module_names = [f"mod{i}" for i in range(n_modules)]
        exported: dict[str, dict] = {}
        skeletons = []
        # what each module defines and imports
        for index, module_name in enumerate(module_names):
            imports, functions, classes, globals_ = [], [], [], []
            for earlier in module_names[:index]:
                if not self.coin(0.7):
                    continue
                ex = exported[earlier]
                if self.coin(0.5):
                    imports.append(("import", earlier))
                    functions += [((earlier, f), sig) for f, sig in ex["functions"]]
                    classes += [((earlier, c.name), c) for c in ex["classes"]]
                    globals_ += [(earlier, g) for g in ex["globals"]]
                else:
                    names = [f for f, _ in ex["functions"]] + [c.name for c in ex["classes"]] + ex["globals"]
                    chosen = [n for n in names if self.coin(0.6)] or names[:1]
                    imports.append(("from", earlier, tuple(chosen)))
                    functions += [((None, f), sig) for f, sig in ex["functions"] if f in chosen]
                    classes += [((None, c.name), c) for c in ex["classes"] if c.name in chosen]
                    globals_ += [(None, g) for g in ex["globals"] if g in chosen]
            own_globals = [self.name("G") for _ in range(self.int(0, 1))]
            global_values = tuple((g, ("source", self.pick(SOURCES)) if self.o.sources and self.coin(0.6)
                                   else ("str", "static")) for g in own_globals)
            globals_ += [(None, g) for g in own_globals]
            own_classes = []
            for _ in range(self.int(0, self.o.max_classes)):
                info = self.new_class(classes)
                own_classes.append(info)
                classes.append(((None, info.name), info))
            own_functions = []
            for _ in range(self.int(1, 3)):
                params = self.params()
                defaults = self.int(0, len(params)) if params and self.coin(0.3) else 0
                own_functions.append((self.name("f"), Sig(params, defaults, self.param_kinds(params))))
            functions += [((None, f), sig) for f, sig in own_functions]
            exported[module_name] = {"functions": own_functions, "classes": own_classes, "globals": own_globals}
            skeletons.append((module_name, tuple(imports), global_values, own_classes, own_functions,
                              functions, classes, globals_, tuple(own_globals)))
        # bodies
        out = []
        for (module_name, imports, global_values, own_classes, own_functions, functions, classes, globals_,
             own_globals) in skeletons:
            def scope(**kw) -> Scope:
                return Scope(vars={}, own=set(), counter=[0], functions=list(functions), classes=list(classes),
                             globals=list(globals_) if self.o.global_reads else [], own_globals=own_globals, **kw)
            items: list = []
            for info in own_classes:
                methods = []
                if info.init is not None:
                    s = scope(self_class=info)
                    params = info.init.params
                    for p in params:
                        self.bind(s, p, "val")
                    body: tuple = ()
                    base_arity = len(info.base.init_sig().params) if info.base else 0
                    if info.base:
                        body += (("super_init", tuple(("name", p) for p in params[:base_arity])),)
                    body += tuple(("assign", ("attr", ("name", "self"), a), ("name", p))
                                  for a, p in zip(info.fields, params[base_arity:]))
                    if self.coin(0.3):
                        body += self.block(s, 1, [2], 1, 2)
                    methods.append(Func("__init__", params, self._with_globals(s, body), method=True))
                for m, sig in info.methods.items():
                    s = scope(self_class=info)
                    self.bind_params(s, sig)
                    methods.append(Func(m, sig.params, self.function_body(s, budget=4), method=True))
                attributes = tuple((a, ("source", self.pick(SOURCES)) if self.o.sources and self.coin(0.5)
                                    else ("str", "static")) for a in info.attributes)
                items.append(Class(info.name, info.base_ref, tuple(methods), attributes))
            for f, sig in own_functions:
                s = scope()
                self.bind_params(s, sig)
                items.append(Func(f, sig.params, self.function_body(s), defaults=sig.defaults))
            tail: tuple = ()
            if self.coin(0.4):
                tail = self.block(scope(prefix="t", in_function=False), 1, [3], 1, 3)
            out.append(Module(module_name, imports, global_values, tuple(items), tail))
        return Project(tuple(out))


@st.composite
def projects(draw, options: Options | None = None) -> Project:
    """A small generated project (1-3 modules); rendering it is checked to compile."""
    project = Gen(draw, options or Options()).project()
    render(project)  # raises GeneratorError when invalid
    return project


@st.composite
def dead_functions(draw, name: str = "f9999") -> Func:
    """A function that no code calls and that cannot produce taint: no sources, no globals,
    no project calls; it may still call sinks on its own (clean) parameters and locals."""
    gen = Gen(draw, Options(sources=False, project_calls=False, global_reads=False))
    scope = Scope(vars={}, own=set(), counter=[0], nested_ok=False)
    params = tuple(f"p{900 + i}" for i in range(gen.int(0, 2)))
    for p in params:
        gen.bind(scope, p, "val")
    return Func(name, params, gen.function_body(scope, budget=5))


@st.composite
def dead_blocks(draw) -> list[str]:
    """`if False:` with statements that only touch names of their own (`dead<n>`, used nowhere
    else): no source, no project call, no global, nothing shared with the code around it."""
    gen = Gen(draw, Options(sources=False, project_calls=False, global_reads=False, max_depth=1))
    scope = Scope(vars={}, own=set(), counter=[0], prefix="dead", nested_ok=False, in_function=False)
    body = gen.block(scope, 1, [3], 1, 3)
    renderer = Renderer()
    renderer.block(body, "    ", "function")
    return ["if False:", *renderer.lines]


# ---------------------------------------------------------------------------- reduction
# Hypothesis shrinks the choice sequence, which for a generator with this many cross-references
# (a call names a function drawn earlier) rarely gets far. `reduce` shrinks the program tree
# itself, greedily: delete modules, definitions, statements; inline blocks; replace expressions
# by a part of themselves or by a constant; then renumber the names. Each candidate must still
# render (compile) and still fail.
_BLOCK_FIELDS = {"if": (2, 3), "for": (3,), "while": (2,), "try": (1, 2, 3), "with": (3,)}
_SIMPLE = ("str", "x")
_TARGETS = {"assign": 1, "aug": 1, "unpack": 1, "for": 1, "with": 2}  # the field that is a target


def _expr_variants(e):
    if not isinstance(e, tuple) or not e or not isinstance(e[0], str):
        return
    kind = e[0]
    if kind in ("str", "name", "ref", "source"):
        if e != _SIMPLE and kind != "name":
            yield _SIMPLE
        return
    yield _SIMPLE
    subs = [x for x in _subexpressions(e)]
    yield from subs
    for i, part in enumerate(e):
        if i == 0:
            continue
        for variant in _part_variants(part):
            yield e[:i] + (variant,) + e[i + 1:]


def _subexpressions(e):
    for part in e[1:]:
        if isinstance(part, tuple) and part and isinstance(part[0], str) and part[0] in _EXPR_KINDS:
            yield part
        elif isinstance(part, tuple):
            for x in part:
                if isinstance(x, tuple) and x and isinstance(x[0], str) and x[0] in _EXPR_KINDS:
                    yield x


_EXPR_KINDS = frozenset({"name", "str", "source", "global", "call", "new", "meth", "attr", "list", "tuple", "dict",
                         "sub", "add", "fstr", "pct", "format", "join", "lib", "comp", "eq", "ref", "lambda", "ifexp"})


def _part_variants(part):
    """Variants of a component of an expression: an expression, or a tuple of them (args),
    or of (key, expr) pairs; deleting one element of an argument tuple is allowed."""
    if isinstance(part, tuple) and part and isinstance(part[0], str) and part[0] in _EXPR_KINDS:
        yield from _expr_variants(part)
    elif isinstance(part, tuple) and all(isinstance(x, tuple) for x in part):  # arguments, pairs
        for i in range(len(part)):
            yield part[:i] + part[i + 1:]
        for i, x in enumerate(part):
            if isinstance(x, tuple) and len(x) == 2 and isinstance(x[0], str) and x[0] not in _EXPR_KINDS:
                for v in _expr_variants(x[1]):
                    yield part[:i] + ((x[0], v),) + part[i + 1:]
            else:
                for v in _expr_variants(x):
                    yield part[:i] + (v,) + part[i + 1:]


def _block_variants(body: tuple):
    for i in range(len(body)):  # delete one statement
        if body[i][0] != "global":
            yield body[:i] + body[i + 1:]
    for i, s in enumerate(body):  # inline a compound statement's blocks
        for f in _BLOCK_FIELDS.get(s[0], ()):
            yield body[:i] + tuple(s[f]) + body[i + 1:]
        if s[0] == "def":
            yield body[:i] + s[1].body + body[i + 1:]
    for i, s in enumerate(body):
        for v in _stmt_variants(s):
            yield body[:i] + (v,) + body[i + 1:]


def _stmt_variants(s: tuple):
    kind = s[0]
    if kind == "def":
        for body in _block_variants(s[1].body):
            yield ("def", replace(s[1], body=body))
        return
    blocks = _BLOCK_FIELDS.get(kind, ())
    for f in blocks:
        if s[f]:
            for body in _block_variants(s[f]):
                yield s[:f] + (body,) + s[f + 1:]
    for i in range(1, len(s)):
        if i in blocks or kind == "global":
            continue
        if i == _TARGETS.get(kind):
            continue
        for v in _part_variants(s[i]):
            yield s[:i] + (v,) + s[i + 1:]


def _func_variants(f: Func):
    for body in _block_variants(f.body):
        yield replace(f, body=body)


def _module_variants(m: Module):
    for i in range(len(m.items)):
        yield replace(m, items=m.items[:i] + m.items[i + 1:])
    if m.tail:
        yield replace(m, tail=())
    for i in range(len(m.imports)):
        yield replace(m, imports=m.imports[:i] + m.imports[i + 1:])
    for i in range(len(m.globals)):
        yield replace(m, globals=m.globals[:i] + m.globals[i + 1:])
    for i, item in enumerate(m.items):
        if isinstance(item, Class):
            for j in range(len(item.methods)):
                yield replace(m, items=m.items[:i] + (replace(item, methods=item.methods[:j] + item.methods[j + 1:]),)
                              + m.items[i + 1:])
            if item.base is not None:
                yield replace(m, items=m.items[:i] + (replace(item, base=None),) + m.items[i + 1:])
            for j in range(len(item.attributes)):
                yield replace(m, items=m.items[:i] + (replace(item, attributes=item.attributes[:j]
                                                              + item.attributes[j + 1:]),) + m.items[i + 1:])
    for i, item in enumerate(m.items):
        if isinstance(item, Func):
            for v in _func_variants(item):
                yield replace(m, items=m.items[:i] + (v,) + m.items[i + 1:])
        else:
            for j, method in enumerate(item.methods):
                for v in _func_variants(method):
                    methods = item.methods[:j] + (v,) + item.methods[j + 1:]
                    yield replace(m, items=m.items[:i] + (replace(item, methods=methods),) + m.items[i + 1:])
    for body in _block_variants(m.tail):
        yield replace(m, tail=body)
    for i, (g, value) in enumerate(m.globals):
        for v in _expr_variants(value):
            yield replace(m, globals=m.globals[:i] + ((g, v),) + m.globals[i + 1:])


def variants(project: Project):
    """Every one-edit simplification of `project`, biggest edits first."""
    for i in range(len(project.modules)):
        if len(project.modules) > 1:
            yield Project(project.modules[:i] + project.modules[i + 1:])
    for i, m in enumerate(project.modules):
        for v in _module_variants(m):
            yield Project(project.modules[:i] + (v,) + project.modules[i + 1:])


def renumbered(project: Project) -> dict[str, str]:
    """A renaming to consecutive canonical names, in order of first appearance."""
    order: list[str] = []

    def visit(x) -> None:
        if isinstance(x, str):
            if len(x) > 1 and x[0] in CATEGORIES and x[1:].isdigit() and x not in order:
                order.append(x)
        elif isinstance(x, (tuple, list)):
            for y in x:
                visit(y)
        elif isinstance(x, (Func, Class, Module, Project)):
            for value in vars(x).values():
                visit(value)

    visit(project)
    counts = {c: 0 for c in CATEGORIES}
    mapping = {}
    for name in order:
        mapping[name] = f"{name[0]}{counts[name[0]]}"
        counts[name[0]] += 1
    return mapping


def rename_tree(obj, mapping: Mapping[str, str]):
    if isinstance(obj, str):
        return mapping.get(obj, obj)
    if isinstance(obj, tuple):
        return tuple(rename_tree(x, mapping) for x in obj)
    if isinstance(obj, (Func, Class, Module, Project)):
        return replace(obj, **{k: rename_tree(v, mapping) for k, v in vars(obj).items() if k != "name"
                               or not isinstance(obj, Module)})
    return obj


def reduce(project: Project, fails, max_checks: int = 3000) -> Project:
    """The smallest program (greedy, one-edit steps) on which `fails(program)` stays true."""
    checks = 0

    def still_fails(candidate: Project) -> bool:
        nonlocal checks
        checks += 1
        try:
            render(candidate)
        except Exception:  # noqa: BLE001 - a broken candidate is simply not taken
            return False
        return fails(candidate)

    current, start = project, 0
    while checks < max_checks:
        for index, candidate in enumerate(variants(current)):
            if index < start:
                continue
            if checks >= max_checks:
                break
            if still_fails(candidate):
                current, start = candidate, index
                break
        else:
            if start == 0:
                break
            start = 0  # one more full pass after the last change
    tidy = rename_tree(current, renumbered(current))
    if tidy != current and still_fails(tidy):
        current = tidy
    return current
