"""One walk over a libcst tree that produces the module IR (flowlint.ir).

Scopes are tracked while walking: each function records the names it binds and its
`global`/`nonlocal` declarations; comprehensions and lambdas become functions of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from flowlint import ir
from flowlint.frontend.positions import Range, compute_ranges
from flowlint.frontend.stores import with_stores

_STATEMENTS = (
    cst.SimpleStatementLine, cst.FunctionDef, cst.ClassDef, cst.If, cst.For, cst.While, cst.Try,
    cst.TryStar, cst.With, cst.Match, cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Expr,
    cst.Return, cst.Raise, cst.Del, cst.Break, cst.Continue, cst.Import, cst.ImportFrom, cst.Assert,
)
_EXPRESSIONS = (
    cst.Name, cst.Attribute, cst.Subscript, cst.Call, cst.Integer, cst.Float, cst.SimpleString,
    cst.ConcatenatedString, cst.FormattedString, cst.List, cst.Tuple, cst.Set, cst.Dict,
    cst.BinaryOperation, cst.UnaryOperation, cst.BooleanOperation, cst.Comparison, cst.IfExp,
    cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Await, cst.Yield,
    cst.NamedExpr, cst.StarredElement, cst.Param, cst.Comment, cst.ExceptHandler, cst.MatchCase,
    cst.Imaginary, cst.Ellipsis, cst.Decorator,
)
WANTED: frozenset[type] = frozenset(_STATEMENTS + _EXPRESSIONS + (cst.IndentedBlock, cst.SimpleStatementSuite))

DIRECTIVE_PREFIX = "# flowlint:"


@dataclass
class _Scope:
    qualname: str
    parent: str | None  # enclosing function (class bodies are skipped for name lookup)
    is_class: bool = False
    is_comprehension: bool = False
    locals: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)
    is_generator: bool = False
    counter: int = 0


class IRBuilder:
    """Turns one parsed module into `ir.Module`."""

    def __init__(self, tree: cst.Module, module: str, path: str, is_package: bool, lines: int) -> None:
        self.tree = tree
        self.lines = lines
        self.module = module
        self.path = path
        self.is_package = is_package
        self.ranges, self.comments = compute_ranges(tree, WANTED)
        self.functions: list[ir.Function] = []
        self.classes: list[ir.Class] = []
        self.directives: list[ir.Directive] = []
        self.imports: list[ir.ImportName] = []
        self.bare_reads: set[str] = set()  # names the module's code reads other than as `name.attr`
        self.dotted_reads: set[str] = set()  # `name.attr`, `name.attr.attr`, ... that it reads
        self.scopes: list[_Scope] = []
        self.defined: set[str] = set()
        self.stmt_lines: tuple[int, int] = (0, 0)

    # ------------------------------------------------------------ helpers
    def span(self, node: cst.CSTNode) -> ir.Span:
        r: Range | None = self.ranges.get(node)
        if r is None:
            return ir.NO_SPAN
        return (r[0], r[1] + 1, r[2], r[3] + 1)

    @property
    def scope(self) -> _Scope:
        return self.scopes[-1]

    def bind(self, name: str) -> None:
        self.scope.locals.add(name)

    def function_scope(self) -> _Scope:
        """The nearest enclosing scope that is a real function or the module (for walrus)."""
        for scope in reversed(self.scopes):
            if not scope.is_comprehension:
                return scope
        return self.scopes[0]

    def lookup_parent(self) -> str | None:
        """Qualname of the innermost enclosing non-class scope (closures skip class bodies)."""
        for scope in reversed(self.scopes):
            if not scope.is_class:
                return scope.qualname
        return None

    def child_name(self, name: str) -> str:
        scope = self.scope
        if scope.is_class:
            return f"{scope.qualname.rsplit('.', 1)[0]}.{name}"
        if scope.parent is None and not self.scopes[:-1]:
            return f"{self.module}.{name}"
        return f"{scope.qualname}.<locals>.{name}"

    def anonymous_name(self, kind: str, node: cst.CSTNode) -> str:
        line, col = self.span(node)[:2]
        base = self.scope.qualname
        if self.scope.is_class:
            base = base.rsplit(".", 1)[0]
        elif len(self.scopes) == 1:
            base = self.module
        return f"{base}.<{kind}@{line}:{col}>"

    # ------------------------------------------------------------ module
    def build(self) -> ir.Module:
        body_name = f"{self.module}.<module>"
        scope = _Scope(body_name, None)
        self.scopes.append(scope)
        body = self.block(self.tree.body)
        self.scopes.pop()
        self.functions.append(self._function(scope, body_name.rsplit(".", 1)[1], (), body, (), None, False,
                                             None, (1, 1, 1, 1), (1, 1)))
        self._collect_comments()
        return ir.Module(
            name=self.module, path=self.path, is_package=self.is_package, body=body_name,
            functions=tuple(self.functions), classes=tuple(self.classes),
            directives=tuple(sorted(self.directives, key=lambda d: (d.line, d.column))),
            lines=self.lines, imports=tuple(self.imports), bare_reads=frozenset(self.bare_reads),
            dotted_reads=frozenset(self.dotted_reads),
        )

    def _collect_comments(self) -> None:
        for comment in self.comments:
            text = comment.value
            if text.startswith(DIRECTIVE_PREFIX) or text.replace(" ", "").startswith("#flowlint:"):
                line, col = self.span(comment)[:2]
                self.directives.append(ir.Directive(text.split(":", 1)[1].strip(), line, col))

    def _function(self, scope: _Scope, name: str, params: tuple[ir.Param, ...], body: ir.Block,
                  decorators: tuple[ir.Expr, ...], returns: ir.Expr | None, is_async: bool,
                  cls: str | None, span: ir.Span, header: tuple[int, int]) -> ir.Function:
        return with_stores(ir.Function(
            qualname=scope.qualname, name=name, params=params, body=body, decorators=decorators,
            returns=returns, is_async=is_async, is_generator=scope.is_generator, cls=cls,
            parent=scope.parent, locals=frozenset(scope.locals - scope.globals - scope.nonlocals),
            globals=frozenset(scope.globals), nonlocals=frozenset(scope.nonlocals), span=span,
            header_lines=header,
        ))

    # ------------------------------------------------------------ statements
    def block(self, statements) -> ir.Block:
        out: list[ir.Stmt] = []
        for statement in statements:
            self.statement(statement, out)
        return tuple(out)

    def suite(self, suite: cst.BaseSuite | None) -> ir.Block:
        if suite is None:
            return ()
        return self.block(suite.body)

    def statement(self, node: cst.CSTNode, out: list[ir.Stmt]) -> None:
        span = self.span(node)
        if isinstance(node, cst.SimpleStatementLine):
            self.stmt_lines = (span[0], span[2])
            for small in node.body:
                self.small_statement(small, out)
            return
        if isinstance(node, cst.SimpleStatementSuite):
            for small in node.body:
                self.small_statement(small, out)
            return
        header_end = self._header_end(node, span)
        self.stmt_lines = (span[0], header_end)
        if isinstance(node, cst.FunctionDef):
            self.function_def(node, out)
        elif isinstance(node, cst.ClassDef):
            self.class_def(node, out)
        elif isinstance(node, cst.If):
            test = self.expr(node.test)
            body = self.suite(node.body)
            orelse = self._orelse(node.orelse)
            out.append(ir.If(test, body, orelse, span))
        elif isinstance(node, cst.While):
            out.append(ir.While(self.expr(node.test), self.suite(node.body), self._orelse(node.orelse), span))
        elif isinstance(node, cst.For):
            iterable = self.expr(node.iter)
            target = self.target(node.target)
            expr = ir.Await(iterable, span) if node.asynchronous else iterable
            out.append(ir.For(target, expr, self.suite(node.body), self._orelse(node.orelse), span))
        elif isinstance(node, (cst.Try, cst.TryStar)):
            body = self.suite(node.body)
            handlers = tuple(self.handler(h) for h in node.handlers)
            orelse = self._orelse(node.orelse)
            final = self.suite(node.finalbody.body) if node.finalbody else ()
            out.append(ir.Try(body, handlers, orelse, final, span))
        elif isinstance(node, cst.With):
            items = []
            for item in node.items:
                ctx = self.expr(item.item)
                items.append((ctx, self.target(item.asname.name) if item.asname else None))
            out.append(ir.With(tuple(items), self.suite(node.body), span))
        elif isinstance(node, cst.Match):
            subject = self.expr(node.subject)
            out.append(ir.Match(subject, tuple(self.match_case(c) for c in node.cases), span))

    def _header_end(self, node: cst.CSTNode, span: ir.Span) -> int:
        body = getattr(node, "body", None)
        if isinstance(body, cst.IndentedBlock):
            first = body.body[0] if body.body else None
            if first is not None:
                first_line = self.span(first)[0]
                if first_line:
                    return max(span[0], first_line - 1)
        return span[0]

    def _orelse(self, node: cst.CSTNode | None) -> ir.Block:
        if node is None:
            return ()
        if isinstance(node, cst.If):  # elif
            out: list[ir.Stmt] = []
            self.statement(node, out)
            return tuple(out)
        return self.suite(node.body)

    def handler(self, node: cst.ExceptHandler | cst.ExceptStarHandler) -> ir.Handler:
        span = self.span(node)
        self.stmt_lines = (span[0], span[0])
        type_ = self.expr(node.type) if node.type is not None else None
        name = None
        if node.name is not None and isinstance(node.name.name, cst.Name):
            name = node.name.name.value
            self.bind(name)
        return ir.Handler(type_, name, self.suite(node.body), span)

    def small_statement(self, node: cst.CSTNode, out: list[ir.Stmt]) -> None:
        span = self.span(node)
        if not span[0]:
            span = (self.stmt_lines[0], 1, self.stmt_lines[1], 1)
        if isinstance(node, cst.Assign):
            value = self.expr(node.value)
            targets = tuple(self.target(t.target) for t in node.targets)
            out.append(ir.Assign(targets, value, span))
        elif isinstance(node, cst.AnnAssign):
            self.expr(node.annotation.annotation)
            if node.value is not None:
                out.append(ir.Assign((self.target(node.target),), self.expr(node.value), span))
            elif isinstance(node.target, cst.Name) and self.scope.is_class:
                # a dataclass / NamedTuple field declaration: kept, in order, as a field with no value
                target = self.target(node.target)
                out.append(ir.Assign((target,), ir.Opaque((), span), span))
        elif isinstance(node, cst.AugAssign):
            value = self.expr(node.value)
            out.append(ir.AugAssign(self.target(node.target), value, span))
        elif isinstance(node, cst.Expr):
            out.append(ir.ExprStmt(self.expr(node.value), span))
        elif isinstance(node, cst.Return):
            out.append(ir.Return(self.expr(node.value) if node.value is not None else None, span))
        elif isinstance(node, cst.Raise):
            out.append(ir.Raise(self.expr(node.exc) if node.exc is not None else None, span))
        elif isinstance(node, cst.Del):
            out.append(ir.Delete(self._del_targets(node.target), span))
        elif isinstance(node, cst.Break):
            out.append(ir.Jump("break", span))
        elif isinstance(node, cst.Continue):
            out.append(ir.Jump("continue", span))
        elif isinstance(node, (cst.Import, cst.ImportFrom)):
            out.append(self.import_(node, span))
        elif isinstance(node, cst.Global):
            self.scope.globals.update(n.name.value for n in node.names)
        elif isinstance(node, cst.Nonlocal):
            self.scope.nonlocals.update(n.name.value for n in node.names)
        elif isinstance(node, cst.Assert):
            out.append(ir.ExprStmt(ir.Opaque((self.expr(node.test),), span), span))

    def _del_targets(self, node: cst.BaseExpression) -> tuple[ir.Target, ...]:
        if isinstance(node, (cst.Tuple, cst.List)):
            return tuple(t for e in node.elements for t in self._del_targets(e.value))
        return (self.target(node),)

    def import_(self, node: cst.Import | cst.ImportFrom, span: ir.Span) -> ir.Import:
        names: list[ir.ImportName] = []
        if isinstance(node, cst.Import):
            for alias in node.names:
                dotted = _dotted(alias.name)
                if alias.asname is not None:
                    local = alias.asname.name.value  # type: ignore[union-attr]
                    names.append(ir.ImportName(local, dotted, None, 0, False, span))
                else:
                    local = dotted.split(".", 1)[0]
                    names.append(ir.ImportName(local, dotted, None, 0, True, span))
                self.bind(local)
        else:
            module = _dotted(node.module) if node.module is not None else ""
            level = len(node.relative)
            if isinstance(node.names, cst.ImportStar):
                names.append(ir.ImportName("*", module, "*", level, False, span))
            else:
                for alias in node.names:
                    member = _dotted(alias.name)
                    local = alias.asname.name.value if alias.asname is not None else member  # type: ignore[union-attr]
                    names.append(ir.ImportName(local, module, member, level, False, span))
                    self.bind(local)
        self.imports.extend(names)
        return ir.Import(tuple(names), span)

    # ------------------------------------------------------------ definitions
    def params(self, node: cst.Parameters) -> tuple[ir.Param, ...]:
        out: list[ir.Param] = []

        def add(param: cst.Param, kind: str) -> None:
            default = self.expr(param.default) if param.default is not None else None
            annotation = self.expr(param.annotation.annotation) if param.annotation is not None else None
            out.append(ir.Param(param.name.value, kind, default, annotation, self.span(param)))

        for p in node.posonly_params:
            add(p, "posonly")
        for p in node.params:
            add(p, "normal")
        if isinstance(node.star_arg, cst.Param):
            add(node.star_arg, "vararg")
        for p in node.kwonly_params:
            add(p, "kwonly")
        if node.star_kwarg is not None:
            add(node.star_kwarg, "kwarg")
        return tuple(out)

    def function_def(self, node: cst.FunctionDef, out: list[ir.Stmt]) -> None:
        span = self.span(node)
        header = (span[0], self.stmt_lines[1])
        decorators = tuple(self.expr(d.decorator) for d in node.decorators)
        returns = self.expr(node.returns.annotation) if node.returns is not None else None
        name = node.name.value
        enclosing_class = self.scope.qualname.rsplit(".", 1)[0] if self.scope.is_class else None
        qualname = self.child_name(name)
        if qualname in self.defined:  # a redefinition (a property's setter): a name of its own
            qualname = f"{qualname}@{self.span(node)[0]}"
        self.defined.add(qualname)
        parent = self.lookup_parent()
        # defaults and annotations are evaluated in the enclosing scope
        scope = _Scope(qualname, parent)
        params = self.params(node.params)
        self.scopes.append(scope)
        scope.locals.update(p.name for p in params)
        body = self.suite(node.body)
        self.scopes.pop()
        self.functions.append(self._function(scope, name, params, body, decorators, returns,
                                             node.asynchronous is not None, enclosing_class, span, header))
        self.bind(name)
        out.append(ir.Define(name, qualname, False, span))

    def class_def(self, node: cst.ClassDef, out: list[ir.Stmt]) -> None:
        span = self.span(node)
        header = (span[0], self.stmt_lines[1])
        decorators = tuple(self.expr(d.decorator) for d in node.decorators)
        bases = tuple(self.expr(a.value) for a in node.bases)
        keywords = tuple(ir.Arg(self.expr(a.value), a.keyword.value if a.keyword else None) for a in node.keywords)
        name = node.name.value
        qualname = self.child_name(name)
        body_name = f"{qualname}.<body>"
        scope = _Scope(body_name, self.lookup_parent(), is_class=True)
        self.scopes.append(scope)
        first_function = len(self.functions)
        body = self.suite(node.body)
        self.scopes.pop()
        methods = tuple(
            (f.name, f.qualname) for f in self.functions[first_function:] if f.cls == qualname
        )
        self.functions.append(self._function(scope, "<body>", (), body, (), None, False, None, span, header))
        self.classes.append(ir.Class(qualname, name, bases, keywords, decorators, body_name, methods, span, header))
        self.bind(name)
        out.append(ir.Define(name, qualname, True, span))

    def match_case(self, node: cst.MatchCase) -> ir.MatchCase:
        span = self.span(node)
        captures: list[ir.Capture] = []
        irrefutable = self.pattern(node.pattern, (), captures)
        for capture in captures:
            self.bind(capture.name)
        guard = self.expr(node.guard) if node.guard is not None else None
        return ir.MatchCase(tuple(captures), guard, self.suite(node.body), irrefutable and guard is None, span)

    def pattern(self, node: cst.MatchPattern, path: tuple, captures: list[ir.Capture]) -> bool:
        """Collects the names a pattern binds; returns whether it always matches."""
        span = self.span(node)
        if isinstance(node, cst.MatchAs):
            if node.name is not None:
                captures.append(ir.Capture(node.name.value, path, span))
            return node.pattern is None or self.pattern(node.pattern, path, captures)
        if isinstance(node, cst.MatchOr):
            return any([self.pattern(p.pattern, path, captures) for p in node.patterns])
        if isinstance(node, (cst.MatchList, cst.MatchTuple)):
            for i, element in enumerate(node.patterns):
                if isinstance(element, cst.MatchStar):
                    if element.name is not None:
                        captures.append(ir.Capture(element.name.value, path, span))
                else:
                    self.pattern(element.value, path + (("index", i),), captures)
            return False
        if isinstance(node, cst.MatchMapping):
            for element in node.elements:
                key = _literal(element.key)
                self.pattern(element.pattern, path + (("index", key),), captures)
            if node.rest is not None:
                captures.append(ir.Capture(node.rest.value, path, span))
            return False
        if isinstance(node, cst.MatchClass):
            for element in node.patterns:
                self.pattern(element.value, path + (("index", None),), captures)
            for keyword in node.kwds:
                self.pattern(keyword.pattern, path + (("attr", keyword.key.value),), captures)
            return False
        return False

    # ------------------------------------------------------------ targets
    def target(self, node: cst.BaseExpression) -> ir.Target:
        if isinstance(node, cst.Name):
            self.bind(node.value)
            return ir.Name(node.value, self.span(node))
        if isinstance(node, (cst.Tuple, cst.List)):
            return ir.Unpack(tuple(self._unpack_element(e) for e in node.elements), self.span(node))
        if isinstance(node, cst.Attribute):
            return self.expr(node)  # type: ignore[return-value]  # an attribute: ir.Attr
        if isinstance(node, cst.Subscript):
            return self.subscript(node)
        if isinstance(node, cst.StarredElement):
            return ir.Starred(self.target(node.value), self.span(node))
        return ir.Name("_", self.span(node))

    def _unpack_element(self, element: cst.BaseElement) -> ir.Target:
        if isinstance(element, cst.StarredElement):
            return ir.Starred(self.target(element.value), self.span(element))
        return self.target(element.value)

    # ------------------------------------------------------------ expressions
    def expr(self, node: cst.BaseExpression) -> ir.Expr:
        span = self.span(node)
        if isinstance(node, cst.Name):
            if node.value in ("True", "False", "None"):
                return ir.Const({"True": True, "False": False, "None": None}[node.value], span)
            self.bare_reads.add(node.value)
            return ir.Name(node.value, span)
        if isinstance(node, cst.Attribute):
            value = node.value
            dotted = _dotted(node)
            if not dotted.startswith("."):  # a name followed by attributes (else `f().x`: ".x")
                self.dotted_reads.add(dotted)
            if isinstance(value, cst.Name) and value.value not in ("True", "False", "None"):
                return ir.Attr(ir.Name(value.value, self.span(value)), node.attr.value, span)
            return ir.Attr(self.expr(value), node.attr.value, span)
        if isinstance(node, cst.Call):
            return self.call(node)
        if isinstance(node, cst.Subscript):
            return self.subscript(node)
        if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis)):
            return ir.Const(_literal(node), span)
        if isinstance(node, cst.ConcatenatedString):
            value = _literal(node)
            if value is not None:
                return ir.Const(value, span)
            return ir.Combine((self.expr(node.left), self.expr(node.right)), span, "concat")
        if isinstance(node, cst.FormattedString):
            return ir.Combine(tuple(self._fstring_part(p, span) for p in node.parts), span, "concat")
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            kind = {cst.List: "list", cst.Tuple: "tuple", cst.Set: "set"}[type(node)]
            return ir.Collection(kind, tuple(self._element(e) for e in node.elements), None, span)
        if isinstance(node, cst.Dict):
            keys: list[ir.Expr | None] = []
            values: list[ir.Expr] = []
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    key = self.expr(element.key)
                    literal = _literal_key(key)
                    keys.append(ir.Const(literal, key.span) if literal is not None else key)  # type: ignore[arg-type]
                    values.append(self.expr(element.value))
                else:
                    keys.append(None)
                    values.append(self.expr(element.value))
            return ir.Collection("dict", tuple(values), tuple(keys), span)
        if isinstance(node, cst.BinaryOperation):
            op = {cst.Add: "concat", cst.Modulo: "%"}.get(type(node.operator), "")
            return ir.Combine((self.expr(node.left), self.expr(node.right)), span, op)
        if isinstance(node, cst.BooleanOperation):
            op = "and" if isinstance(node.operator, cst.And) else "or"
            return ir.BoolOp(op, (self.expr(node.left), self.expr(node.right)), span)
        if isinstance(node, cst.IfExp):
            return ir.IfExp(self.expr(node.test), self.expr(node.body), self.expr(node.orelse), span)
        if isinstance(node, cst.UnaryOperation):
            inner = self.expr(node.expression)
            if isinstance(node.operator, cst.Minus) and isinstance(inner, ir.Const) \
                    and isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
                return ir.Const(-inner.value, span)  # `-1` is a constant, as Python folds it
            if isinstance(node.operator, cst.Not):
                return ir.BoolOp("not", (inner,), span)
            return ir.Combine((inner,), span)
        if isinstance(node, cst.Comparison):
            parts = (self.expr(node.left),) + tuple(self.expr(c.comparator) for c in node.comparisons)
            return ir.Opaque(parts, span, tuple(_COMPARISONS[type(c.operator)] for c in node.comparisons))
        if isinstance(node, cst.Lambda):
            return self.lambda_(node)
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)):
            return self.comprehension(node)
        if isinstance(node, cst.Await):
            return ir.Await(self.expr(node.expression), span)
        if isinstance(node, cst.Yield):
            self.function_scope().is_generator = True
            if isinstance(node.value, cst.From):
                return ir.Yield(self.expr(node.value.item), True, span)
            return ir.Yield(self.expr(node.value) if node.value is not None else None, False, span)
        if isinstance(node, cst.NamedExpr):
            value = self.expr(node.value)
            name = node.target.value if isinstance(node.target, cst.Name) else "_"
            self.function_scope().locals.add(name)
            if self.scope.is_comprehension:  # binds in the enclosing function, as in Python
                self.scope.nonlocals.add(name)
            return ir.Walrus(name, value, span)
        if isinstance(node, cst.StarredElement):
            return ir.Starred(self.expr(node.value), span)
        return ir.Opaque((), span)

    def _element(self, element: cst.BaseElement) -> ir.Expr:
        if isinstance(element, cst.StarredElement):
            return ir.Starred(self.expr(element.value), self.span(element))
        return self.expr(element.value)

    def call(self, node: cst.Call) -> ir.Call:
        func = self.expr(node.func)
        args = []
        for arg in node.args:
            star = len(arg.star) if isinstance(arg.star, str) else 0
            args.append(ir.Arg(self.expr(arg.value), arg.keyword.value if arg.keyword else None, star))
        return ir.Call(func, tuple(args), self.span(node), self.stmt_lines)

    def subscript(self, node: cst.Subscript) -> ir.Subscript:
        value = self.expr(node.value)
        span = self.span(node)
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            index = self.expr(node.slice[0].slice.value)
            if isinstance(index, ir.Const):
                return ir.Subscript(value, index.value, True, False, index, span)
            literal = _literal_key(index)
            if literal is not None:  # `grid[(0, 1)]`
                return ir.Subscript(value, literal, True, False, index, span)
            return ir.Subscript(value, None, False, False, index, span)
        parts: list[ir.Expr] = []
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                parts.append(self.expr(element.slice.value))
            else:
                parts.extend(self.expr(x) for x in (element.slice.lower, element.slice.upper, element.slice.step) if x is not None)
        return ir.Subscript(value, None, False, True, ir.Opaque(tuple(parts), span), span)

    def _fstring_part(self, part: cst.BaseFormattedStringContent, span: ir.Span) -> ir.Expr:
        """One part of an f-string: its literal text, or the value shown (a value converted with
        `!r`/`!a` or formatted with a spec still carries its data, but no known text)."""
        if isinstance(part, cst.FormattedStringText):
            return ir.Const(part.value.replace("{{", "{").replace("}}", "}"), span)
        assert isinstance(part, cst.FormattedStringExpression)
        value = self.expr(part.expression)
        if part.conversion not in (None, "s") or part.format_spec is not None:
            return ir.Combine((value,), span)
        return value

    def lambda_(self, node: cst.Lambda) -> ir.FuncRef:
        span = self.span(node)
        qualname = self.anonymous_name("lambda", node)
        scope = _Scope(qualname, self.lookup_parent())
        params = self.params(node.params)
        self.scopes.append(scope)
        scope.locals.update(p.name for p in params)
        saved = self.stmt_lines
        body = (ir.Return(self.expr(node.body), span),)
        self.stmt_lines = saved
        self.scopes.pop()
        self.functions.append(self._function(scope, "<lambda>", params, body, (), None, False, None, span, (span[0], span[0])))
        return ir.FuncRef(qualname, span)

    def comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp) -> ir.Comprehension:
        span = self.span(node)
        kind = {cst.ListComp: "list", cst.SetComp: "set", cst.GeneratorExp: "generator", cst.DictComp: "dict"}[type(node)]
        qualname = self.anonymous_name(f"{kind}comp", node)
        first = node.for_in
        iterable = self.expr(first.iter)  # the first iterable is evaluated outside
        scope = _Scope(qualname, self.lookup_parent(), is_comprehension=True, is_generator=True)
        scope.locals.add(".0")
        self.scopes.append(scope)
        if isinstance(node, cst.DictComp):  # yields (key, value) pairs
            element: ir.Expr = ir.Collection("tuple", (self.expr(node.key), self.expr(node.value)), None, span)
        else:
            element = self.expr(node.elt)
        body: ir.Block = (ir.ExprStmt(ir.Yield(element, False, span), span),)
        body = self._comp_for(first, ir.Name(".0", span), body, span)
        self.scopes.pop()
        self.functions.append(self._function(scope, f"<{kind}comp>", (ir.Param(".0", "posonly", None, None, span),),
                                             body, (), None, False, None, span, (span[0], span[0])))
        return ir.Comprehension(kind, qualname, iterable, span)

    def _comp_for(self, comp: cst.CompFor, iterable: ir.Expr, inner: ir.Block, span: ir.Span) -> ir.Block:
        target = self.target(comp.target)
        if comp.inner_for_in is not None:
            inner_iter = self.expr(comp.inner_for_in.iter)
            inner = self._comp_for(comp.inner_for_in, inner_iter, inner, span)
        tests = [self.expr(c.test) for c in comp.ifs]
        for test in reversed(tests):
            inner = (ir.If(test, inner, (), span),)
        if comp.asynchronous is not None:
            iterable = ir.Await(iterable, span)
        return (ir.For(target, iterable, inner, (), span),)


_COMPARISONS = {cst.Equal: "==", cst.NotEqual: "!=", cst.LessThan: "<", cst.LessThanEqual: "<=",
                cst.GreaterThan: ">", cst.GreaterThanEqual: ">=", cst.In: "in", cst.NotIn: "not in",
                cst.Is: "is", cst.IsNot: "is not"}


def _literal_key(expr: ir.Expr) -> tuple | None:
    """A tuple of constants used as a key (`d[(0, 1)]`, `{(0, 1): v}`), else None."""
    if isinstance(expr, ir.Collection) and expr.kind == "tuple" and expr.items and \
            all(isinstance(item, ir.Const) for item in expr.items):
        return tuple(item.value for item in expr.items)  # type: ignore[union-attr]
    return None


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def _literal(node: cst.CSTNode) -> int | str | float | bool | bytes | None:
    try:
        if isinstance(node, cst.SimpleString):
            return node.evaluated_value
        if isinstance(node, cst.ConcatenatedString):
            return node.evaluated_value
        if isinstance(node, cst.Integer):
            return int(node.value.replace("_", ""), 0)
        if isinstance(node, cst.Float):
            return float(node.value.replace("_", ""))
    except (ValueError, SyntaxError, TypeError):
        return None
    return None
