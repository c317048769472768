"""Which project modules' code each module can run: the graph behind the analysis's entry points.

A module can run the code its imports give it: the module that defines a function or class it
imports, whatever package re-exported it (`from sympy import Symbol` leads to
`sympy.core.symbol`), and all that a module object it imports offers (`import sympy` reaches
every name `sympy/__init__.py` imports; code that only reads `sympy.polys.Poly` reaches the
module that defines `Poly`). An import a module makes but its code never reads is
not a way in: a package's `__init__` that re-exports its parts would otherwise lead every module
importing any name of the package to all of it (one module of SymPy that parses XML with lxml
made 1,351 of its 1,533 modules entry points). Who imports the re-exported name gets to its
definition directly.

`importers(graph, modules)` are then the modules whose code can run that of ``modules``,
directly or through others: the callers' side of a flow.
"""

from __future__ import annotations

from collections.abc import Iterable

from flowlint import ir
from flowlint.program import Program


def import_graph(program: Program) -> dict[str, set[str]]:
    """Project module -> the project modules whose code its own code can run through its imports."""
    graph = _Graph(program)
    return {name: graph.edges(module) for name, module in program.modules.items()}


def importers(graph: dict[str, set[str]], starts: Iterable[str]) -> set[str]:
    """`starts` and every module importing one of them, directly or through others."""
    imported_by: dict[str, set[str]] = {}
    for importer, targets in graph.items():
        for target in targets:
            imported_by.setdefault(target, set()).add(importer)
    found = set(starts)
    stack = list(found)
    while stack:
        for neighbour in imported_by.get(stack.pop(), ()):
            if neighbour not in found:
                found.add(neighbour)
                stack.append(neighbour)
    return found


class _Graph:
    def __init__(self, program: Program) -> None:
        self.program = program
        self._exports: dict[str, frozenset[str]] = {}

    def edges(self, module: ir.Module) -> set[str]:
        found: set[str] = set()
        dotted: dict[str, list[list[str]]] = {}
        for read in module.dotted_reads:
            root, *attrs = read.split(".")
            dotted.setdefault(root, []).append(attrs)
        for imp in module.imports:
            if imp.member == "*" or imp.local in module.bare_reads:
                found |= self._bound(module.name, imp)
            elif imp.local in dotted:
                found |= self._through(module.name, imp, dotted[imp.local])
        found.discard(module.name)
        return found

    def _through(self, current: str, imp: ir.ImportName, reads: list[list[str]]) -> set[str]:
        """What an import gives code that only reads attributes of it (`sympy.polys.Poly`): of a
        module object, the modules on each dotted path and what its last step names."""
        program = self.program
        target = program.resolve_module_name(current, imp.module, imp.level)
        if imp.member is None:
            start = target.split(".", 1)[0] if imp.bind_root else target
        else:
            submodule = program.submodule(target, imp.member)
            start = submodule if submodule is not None and not self._binds(target, imp.member) else None
        if start is None or start not in program.modules:
            return self._bound(current, imp)
        found = {start}
        for attrs in reads:
            module = start
            for attr in attrs:
                if self._binds(module, attr):
                    found |= self._definers(module, attr, frozenset())
                    break
                inner = program.submodule(module, attr)
                if inner is None:
                    break
                module = inner
                found.add(module)
        return found

    def _bound(self, current: str, imp: ir.ImportName, seen: frozenset[str] = frozenset()) -> set[str]:
        """The modules whose code what one import binds can run (``seen``: the modules on the
        way through re-exports)."""
        program = self.program
        target = program.resolve_module_name(current, imp.module, imp.level)
        if imp.member is None:
            # `import a.b.c` binds `a`, and its code then uses `a.b.c.f`: all of a.b.c, and the
            # code of the packages on the way (not all that they import: `import sympy.polys`
            # would reach the whole of SymPy through `sympy/__init__.py`)
            found = self._objects([target] if target in program.modules else [])
            if imp.bind_root:
                found.update(".".join(target.split(".")[:n]) for n in range(1, target.count(".") + 1))
            return found & program.modules.keys()
        if imp.member == "*":
            return self._objects([target] if target in program.modules else [])
        submodule = program.submodule(target, imp.member)
        if submodule is not None and not self._binds(target, imp.member):
            return self._objects([submodule])
        return self._definers(target, imp.member, seen)

    def _binds(self, package: str, name: str) -> bool:
        """Whether ``package``'s own code binds ``name`` (`from .lambdify import lambdify` in
        `sympy/utilities/__init__.py`): then that, not the submodule, is what importing it gives."""
        program = self.program
        if package not in program.modules:
            return False
        if name in program.static_symbols.get(package, {}):
            return True
        submodule = program.submodule(package, name)
        return any(imp.local == name and imp.member != "*" and program.bound_name(package, imp) != submodule
                   for imp in program.modules[package].imports)  # not `from . import name`

    def _objects(self, modules: Iterable[str]) -> set[str]:
        """Module objects: their own code and every name they import (attributes of the object)."""
        found: set[str] = set()
        for name in modules:
            if name in self.program.modules:  # not a namespace package: no code of its own
                found.add(name)
                found |= self._exported(name)
        return found

    def _exported(self, module: str) -> frozenset[str]:
        if module not in self._exports:
            self._exports[module] = frozenset()  # an import cycle ends here
            found: set[str] = set()
            for imp in self.program.modules[module].imports:
                found |= self._bound(module, imp)
            self._exports[module] = frozenset(found)
        return self._exports[module]

    def _definers(self, module: str, name: str, seen: frozenset[str]) -> set[str]:
        """The modules that define (or compute) ``name`` of ``module``, following re-exports."""
        program = self.program
        if module not in program.modules or module in seen:
            return set()
        seen = seen | {module}
        if name in program.static_symbols.get(module, {}):
            return {module}
        stars = []
        for statement in program.functions[program.modules[module].body].body:
            if isinstance(statement, ir.Import):
                for imp in statement.names:
                    if imp.local == name and imp.member != "*":
                        return self._bound(module, imp, seen) or {module}
                    if imp.member == "*":
                        stars.append(imp)
        found = {module}  # computed by its code, or by a module it star-imports
        for imp in stars:
            found |= self._definers(program.resolve_module_name(module, imp.module, imp.level), name, seen)
        return found
