"""The whole program: module table, imports, class hierarchy (MRO), static symbols.

Built once from the module IRs; the analysis asks it what a name or a base class denotes.
Kinds (strings) name what a value may be:
  `fn:Q` project function Q, `cls:Q` project class, `inst:Q` instance of it, `mod:M` project
  module (or namespace package), `api:P` an external (unanalysed) name or call path such as
  `sqlite3.connect()`, `builtin:list` a literal container. A project module is named by its
  canonical name (flowlint.discover) whatever name an import uses (flowlint.imports).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Sequence
from itertools import islice
from dataclasses import dataclass, field

from flowlint import ir
from flowlint.imports import Resolved, Resolver


@dataclass
class Program:
    modules: dict[str, ir.Module]
    functions: dict[str, ir.Function] = field(default_factory=dict)
    function_module: dict[str, str] = field(default_factory=dict)
    classes: dict[str, ir.Class] = field(default_factory=dict)
    # module -> top-level name -> kinds known without running anything (defs, classes, imports)
    static_symbols: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    _mro: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _free: dict[str, frozenset[str]] = field(default_factory=dict)
    _imported: dict[str, frozenset[str]] = field(default_factory=dict)
    subclasses: dict[str, set[str]] = field(default_factory=dict)
    resolver: Resolver = field(default_factory=lambda: Resolver(()))
    _resolved: dict[tuple[str, str, int], Resolved | None] = field(default_factory=dict)

    @classmethod
    def build(cls, modules: Iterable[ir.Module], import_roots: Sequence[str] = ()) -> Program:
        """The program of ``modules``; ``import_roots`` are the configured folders on sys.path
        (relpaths), for the import resolution (flowlint.imports)."""
        program = cls({m.name: m for m in sorted(modules, key=lambda m: m.name)})
        program.resolver = Resolver(program.modules.values(), import_roots)
        for module in program.modules.values():
            for function in module.functions:
                program.functions[function.qualname] = function
                program.function_module[function.qualname] = module.name
            for klass in module.classes:
                program.classes[klass.qualname] = klass
        for module in program.modules.values():
            program.static_symbols[module.name] = program._top_level_symbols(module)
        for klass in program.classes.values():
            for base in program.mro(klass.qualname)[1:]:
                program.subclasses.setdefault(base, set()).add(klass.qualname)
        return program

    # ------------------------------------------------------------ imports
    def _resolve(self, current: str, module: str, level: int) -> Resolved | None:
        key = (current, module, level)
        if key not in self._resolved:
            importer = self.modules.get(current)
            self._resolved[key] = self.resolver.resolve(importer, module, level) if importer is not None else None
        return self._resolved[key]

    def resolve_module_name(self, current: str, module: str, level: int) -> str:
        """The canonical name of the project module (or namespace package) that `from <level
        dots><module> import ...` written in module `current` denotes (flowlint.imports); when it
        denotes none, the absolute name as written (a library's)."""
        found = self._resolve(current, module, level)
        if found is not None:
            return found.module
        if level == 0:
            return module
        package = current if self.modules.get(current) and self.modules[current].is_package else current.rpartition(".")[0]
        for _ in range(level - 1):
            package = package.rpartition(".")[0]
        return f"{package}.{module}" if package and module else (package or module)

    def _bound_kind(self, current: str, name: ir.ImportName) -> str:
        """What `import a.b` (`name.member` is None) binds: module `a.b`, or `a` with `bind_root`."""
        found = self._resolve(current, name.module, name.level)
        if not name.bind_root:
            return self.module_kind(found.module) if found is not None else f"api:{name.module}"
        if found is None:  # `import pkg.missing` still binds `pkg`
            found = self._resolve(current, name.module.split(".", 1)[0], name.level)
        return self.module_kind(found.top) if found is not None else f"api:{name.module.split('.', 1)[0]}"

    def _from_kinds(self, current: str, name: ir.ImportName, member: str, seen: frozenset[str] | None) -> frozenset[str]:
        """What `from m import member` binds: a submodule, the member of a project module (with
        `seen`, followed through re-exports; else its static symbol), or an external name."""
        found = self._resolve(current, name.module, name.level)
        if found is not None:
            full = self.submodule(found.module, member)
            if full is not None:
                return frozenset({self.module_kind(full)})
            if found.module in self.modules:
                if seen is not None:
                    return self.member_kinds(found.module, member, seen)
                return self.static_symbols.get(found.module, {}).get(member, frozenset())
        target = self.resolve_module_name(current, name.module, name.level)
        return frozenset({f"api:{target}.{member}" if target else f"api:{member}"})

    def submodule(self, package: str, member: str) -> str | None:
        """The project module (or namespace package) `member` of package `package`, if any."""
        return self.resolver.submodule(package, member)

    def module_kind(self, name: str) -> str:
        return f"mod:{name}" if name in self.modules or self.resolver.is_namespace(name) else f"api:{name}"

    def import_kinds(self, current: str, name: ir.ImportName) -> frozenset[str]:
        """What the local name bound by one import denotes (static part only)."""
        if name.member is None:
            return frozenset({self._bound_kind(current, name), "module"})
        return self._from_kinds(current, name, name.member, None)

    def bound_name(self, current: str, name: ir.ImportName) -> str:
        """The dotted name one import (not a star import) binds its local name to: `import a.b`
        binds `a`, `import a.b as c` binds `a.b`, `from m import x` submodule `m.x` or member
        `m.x` (project modules by their canonical names)."""
        target = self.resolve_module_name(current, name.module, name.level)
        if name.member is None:
            return target.split(".", 1)[0] if name.bind_root else target
        return self.submodule(target, name.member) or f"{target}.{name.member}"

    def imported_names(self, module: ir.Module) -> frozenset[str]:
        """The absolute dotted names every import of the module (at any depth) denotes, project
        modules by their canonical names: `import a.b` gives `a.b`, `from .m import x` in package
        `p` gives `p.m.x`."""
        cached = self._imported.get(module.name)
        if cached is None:
            names = set()
            for name in module.imports:
                target = self.resolve_module_name(module.name, name.module, name.level)
                member = name.member if name.member not in (None, "*") else ""
                found = self._resolve(module.name, name.module, name.level) if member else None
                full = self.submodule(found.module, member) if found is not None else None
                names.add(full or (f"{target}.{member}" if target and member else target or member))
            cached = self._imported[module.name] = frozenset(n for n in names if n)
        return cached

    def project_module_of(self, dotted: str) -> str | None:
        """The longest project module that `dotted` (a module or a name in one) lies in."""
        while dotted:
            if dotted in self.modules:
                return dotted
            dotted = dotted.rpartition(".")[0]
        return None

    def _top_level_symbols(self, module: ir.Module) -> dict[str, frozenset[str]]:
        symbols: dict[str, frozenset[str]] = {}
        body = self.functions[module.body]
        for statement in body.body:
            if isinstance(statement, ir.Define):
                kind = "cls" if statement.is_class else "fn"
                symbols[statement.name] = frozenset({f"{kind}:{statement.qualname}"})
        return symbols

    def member_kinds(self, module: str, name: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        """Static kinds of `module.name`, following imports (re-exports) across modules."""
        if module in seen:
            return frozenset()
        seen = seen | {module}
        kinds = self.static_symbols.get(module, {}).get(name)
        if kinds:
            return kinds
        submodule = self.submodule(module, name)
        if submodule is not None:
            return frozenset({self.module_kind(submodule)})
        mod = self.modules.get(module)
        if mod is None:
            return frozenset()
        for statement in self.functions[mod.body].body:
            if not isinstance(statement, ir.Import):
                continue
            for imp in statement.names:
                if imp.local == name and imp.member != "*":
                    if imp.member is None:
                        return frozenset({self._bound_kind(module, imp)})
                    return self._from_kinds(module, imp, imp.member, seen)
                if imp.member == "*":
                    found = self._resolve(module, imp.module, imp.level)
                    if found is not None and found.module in self.modules:
                        kinds = self.member_kinds(found.module, name, seen)
                        if kinds:
                            return kinds
        return frozenset()

    def static_expr_kinds(self, module: str, expr: ir.Expr) -> frozenset[str]:
        """Kinds of a name or dotted attribute at module level (for bases and decorators)."""
        if isinstance(expr, ir.Name):
            return self.member_kinds(module, expr.id)
        if isinstance(expr, ir.Attr):
            out: set[str] = set()
            for kind in self.static_expr_kinds(module, expr.value):
                if kind.startswith("mod:"):
                    out |= self.member_kinds(kind[4:], expr.attr)
                elif kind.startswith("api:"):
                    out.add(f"{kind}.{expr.attr}")
            return frozenset(out)
        if isinstance(expr, ir.Subscript):  # Generic[T], List[int]
            return self.static_expr_kinds(module, expr.value)
        return frozenset()

    # ------------------------------------------------------------ classes
    def bases(self, qualname: str) -> tuple[str, ...]:
        """Direct bases as kinds: `cls:Q` for project classes, `api:P` for external ones."""
        klass = self.classes[qualname]
        module = self.function_module[klass.body]
        out: list[str] = []
        for base in klass.bases:
            for kind in sorted(self.static_expr_kinds(module, base)):
                if kind.startswith(("cls:", "api:")):
                    out.append(kind)
        return tuple(out)

    def mro(self, qualname: str) -> tuple[str, ...]:
        """C3 linearisation over project classes (qualnames); external bases are left out."""
        cached = self._mro.get(qualname)
        if cached is not None:
            return cached
        self._mro[qualname] = (qualname,)  # guards against cyclic inheritance
        parents = [b[4:] for b in self.bases(qualname) if b.startswith("cls:") and b[4:] in self.classes]
        sequences = [deque(seq) for seq in [*(self.mro(p) for p in parents), parents] if seq]
        in_tails = Counter(name for seq in sequences for name in islice(seq, 1, None))
        result = [qualname]
        while sequences:
            # the first head in no tail; an inconsistent hierarchy falls back to depth-first order
            head = next((seq[0] for seq in sequences if not in_tails[seq[0]]), sequences[0][0])
            result.append(head)
            for seq in sequences:
                if seq[0] == head:
                    seq.popleft()
                    if seq:
                        in_tails[seq[0]] -= 1
            sequences = [seq for seq in sequences if seq]
        self._mro[qualname] = tuple(dict.fromkeys(result))
        return self._mro[qualname]

    def external_bases(self, qualname: str) -> tuple[str, ...]:
        """External base classes (API paths) anywhere in the hierarchy, nearest first."""
        out: list[str] = []
        for klass in self.mro(qualname):
            out.extend(b[4:] for b in self.bases(klass) if b.startswith("api:"))
        return tuple(dict.fromkeys(out))

    def lookup_method(self, qualname: str, name: str, setter: bool = False) -> str | None:
        """The function defining `name` for instances of class `qualname`, by MRO (with
        `setter`, the property setter `@name.setter` instead)."""
        for klass in self.mro(qualname):
            for method, function in self.classes[klass].methods:
                if method == name and ("setter" in self.functions[function].decorator_names) == setter:
                    return function
        return None

    def overrides(self, qualname: str, name: str) -> list[str]:
        """Methods named `name` in subclasses of `qualname` (virtual dispatch on `self`)."""
        out = []
        for sub in sorted(self.subclasses.get(qualname, ())):
            for method, function in self.classes[sub].methods:
                if method == name:
                    out.append(function)
        return out

    # ------------------------------------------------------------ scopes
    def owner_of(self, qualname: str, name: str) -> str | None:
        """The enclosing function whose local `name` a nested function sees (None: a global)."""
        parent = self.functions[qualname].parent
        while parent is not None:
            function = self.functions[parent]
            if function.name == "<module>":
                return None
            if name in function.locals and name not in function.nonlocals:
                return parent
            parent = function.parent
        return None

    def is_dead_nested(self, function: ir.Function) -> bool:
        """Whether ``function`` is a `def` in another function's body that nothing can call: not
        decorated, and its name read nowhere in the enclosing function or the functions nested
        in it (it is never called, returned, passed or stored)."""
        parent = self.functions.get(function.parent) if function.parent else None
        if parent is None or parent.name in ("<module>", "<body>") or function.decorators \
                or function.cls is not None or function.name.startswith("<"):
            return False
        inside = f"{parent.qualname}.<locals>."
        scopes = [parent] + [f for f in self.modules[self.function_module[parent.qualname]].functions
                             if f.qualname.startswith(inside)]
        return not any(isinstance(node, ir.Name) and node.id == function.name
                       for scope in scopes for node in ir.walk((scope.body, scope.decorators,
                                                              tuple(p.default for p in scope.params if p.default))))

    def free_names(self, qualname: str) -> frozenset[str]:
        """Names a function (or any function nested in it) uses without binding them itself."""
        cached = self._free.get(qualname)
        if cached is None:
            function = self.functions[qualname]
            cached = self._free[qualname] = self._free_in(function, (function.body, _defaults(function)))
        return cached

    def early_names(self, qualname: str) -> frozenset[str]:
        """The free names a function uses only in its parameters' defaults: Python evaluates
        those when the `def` runs, so a call reads them as they were then, not as they are now."""
        function = self.functions[qualname]
        if not _defaults(function):
            return frozenset()
        return self.free_names(qualname) - self._free_in(function, function.body)

    def _free_in(self, function: ir.Function, nodes: object) -> frozenset[str]:
        used: set[str] = set(function.nonlocals)
        for node in ir.walk(nodes):
            if isinstance(node, ir.Name):
                used.add(node.id)
            elif isinstance(node, (ir.FuncRef, ir.Define, ir.Comprehension)):
                inner = node.qualname if not isinstance(node, ir.Comprehension) else node.func
                if inner in self.functions:
                    used |= self.free_names(inner)
            elif isinstance(node, ir.Walrus):
                used.add(node.target)
        return frozenset(used - function.locals - function.globals)


def _defaults(function: ir.Function) -> tuple[ir.Expr, ...]:
    return tuple(p.default for p in function.params if p.default)


_CLASS_RECEIVERS = frozenset({"__new__", "__init_subclass__", "__class_getitem__"})
