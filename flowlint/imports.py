"""Module resolution: the project module an import denotes, found the way Python finds it at run
time for the way the project is run (DESIGN.md, "Policy files").

Every project file has one canonical module name, the one `flowlint.discover` gives it; its
functions and globals live under that name whatever name an import uses for it. A folder that
holds project files but no ``__init__.py`` (a namespace package) has a name too: its relpath,
dotted, without a leading ``src/``. An import ``import a.b`` / ``from a.b import x`` in file F
(level 0) is looked up in this order, the first hit wins:

1. the absolute name: ``a.b`` is a canonical name;
2. F's own folder (``sys.path[0]`` when F is run as a script, with or without an ``__init__.py``);
3. the configured ``import-roots``, in order;
4. the folders the project's code adds to ``sys.path`` (`sys_path_roots`);
5. ``src/``; 6. the project root; 7. each top-level package folder (a folder with an
   ``__init__.py`` whose parent has none) as a root of its own.

Below a root R, ``a.b`` is the package ``R/a/b/__init__.py``, else the file ``R/a/b.py`` (or
``.pyi``), else the folder ``R/a/b`` (a namespace package); ``__init__`` names a folder's own
``__init__.py`` (``from __init__ import x``). A relative import is looked up below F's folder
(one more dot: its parent), by path.

A hit is left to the library (the search goes on) when it is F itself (``proj/celery.py`` doing
``from celery import Celery``) or a module that imports its own name (``app/redis.py`` doing
``import redis`` wraps the library, so every ``import redis`` means the library); from step 2 on, a
name whose first segment is a standard-library module is the standard library's (in step 1 too,
unless that segment is a regular module or package of the project).

An import that finds nothing and looks like the project's (relative, or its first segment is the
name of a folder or file somewhere in the project, other than a module wrapping the library of its
name) is listed by `Resolver.unresolved`: the code
is run in a way the resolution does not know (an ``import-roots`` entry may be missing).
"""

from __future__ import annotations

import posixpath
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from flowlint import ir

_STDLIB = frozenset(sys.stdlib_module_names)
_SUFFIXES = (".py", ".pyi")


@dataclass(frozen=True)
class Resolved:
    """Where an import leads: ``module`` is the canonical name of the module or namespace folder
    the whole dotted name denotes, ``top`` that of its first segment (what ``import a.b`` binds
    to ``a``), found below the same root."""

    module: str
    top: str


@dataclass(frozen=True, order=True)
class UnresolvedImport:
    """An import that looks like the project's but denotes no project module."""

    path: str  # relpath of the importing file
    line: int
    name: str  # as written: leading dots for a relative import, `.member` when the member is missing


class Resolver:
    """The resolution step of one program: indexes built once from the modules' relpaths."""

    def __init__(self, modules: Iterable[ir.Module], import_roots: Sequence[str] = ()) -> None:
        self.modules = {m.name: m for m in modules}
        self._entries: dict[str, str] = {}  # path key (relpath without suffix; a package's folder) -> module
        self._folders: dict[str, str] = {"": ""}  # relpath of a folder holding project files -> its name
        self._children: dict[str, set[str]] = {}  # folder -> the names of its modules and subfolders
        for module in sorted(self.modules.values(), key=lambda m: (m.path.endswith(".pyi"), m.path)):
            self._add(module)
        self._package_folder: dict[str, str] = {}  # package or namespace name -> its folder
        for key, name in self._entries.items():
            if self.modules[name].is_package and key == posixpath.dirname(self.modules[name].path):
                self._package_folder.setdefault(name, key)
        for folder, name in self._folders.items():
            if folder and folder not in self._entries:
                self._package_folder.setdefault(name, folder)
        packages = {folder for name, folder in self._package_folder.items() if name in self.modules}
        top_packages = sorted(f for f in packages if f and posixpath.dirname(f) not in packages)
        roots = [*import_roots, *sys_path_roots(self.modules.values()), "src", "", *top_packages]
        self.roots = tuple(root for root in dict.fromkeys(roots) if root in self._folders)
        first: dict[str, list[str]] = {}  # first segment of a name -> the roots that hold it, in order
        for root in self.roots:
            for name in self._children.get(root, ()):
                first.setdefault(name, []).append(root)
        self._first = {name: tuple(roots) for name, roots in first.items()}
        self._wrappers = frozenset(m.name for m in self.modules.values() if _imports_own_name(m))

    def _add(self, module: ir.Module) -> None:
        folder, _, filename = module.path.rpartition("/")
        stem = filename.rpartition(".")[0] if filename.endswith(_SUFFIXES) else filename
        key = f"{folder}/{stem}" if folder else stem
        self._entries.setdefault(key, module.name)
        self._children.setdefault(folder, set()).add(stem)
        if module.is_package:
            self._entries[folder] = module.name  # a package wins over a module of the same name
        parts = folder.split("/") if folder else []
        for depth in range(1, len(parts) + 1):
            sub = parts[:depth]
            self._children.setdefault("/".join(sub[:-1]), set()).add(sub[-1])
            self._folders.setdefault("/".join(sub), ".".join(sub[1:] if sub[0] == "src" and depth > 1 else sub))

    def _find(self, root: str, dotted: str) -> str | None:
        key = "/".join(filter(None, (root, dotted.replace(".", "/"))))
        found = self._entries.get(key)
        return found if found is not None else (self._folders.get(key) or None)

    def is_namespace(self, name: str) -> bool:
        """Whether ``name`` is a namespace package (a folder without ``__init__.py``)."""
        return name in self._package_folder and name not in self.modules

    def submodule(self, package: str, member: str) -> str | None:
        """The canonical name of module or folder ``member`` of package (or namespace) ``package``."""
        folder = self._package_folder.get(package)
        return self._find(folder, member) if folder is not None else None

    def resolve(self, importer: ir.Module, dotted: str, level: int) -> Resolved | None:
        """What ``from <level dots><dotted> import ...`` (or ``import <dotted>``) in ``importer``
        denotes in the project, or None (a library, or nothing)."""
        return self._search(importer, dotted, level)[0]

    def _search(self, importer: ir.Module, dotted: str, level: int) -> tuple[Resolved | None, bool]:
        """The resolution, and whether a hit was left to the library (see the module docstring)."""
        folder = posixpath.dirname(importer.path)
        if level:
            for _ in range(level - 1):
                if not folder:
                    return None, False
                folder = posixpath.dirname(folder)
            found = self._find(folder, dotted) if dotted else self._entries.get(folder, self._folders[folder])
            return (Resolved(found, found) if found else None), False
        first = dotted.split(".", 1)[0]
        skipped = False
        known = dotted in self.modules or dotted in self._package_folder
        # a namespace folder does not hide the standard library: a regular package or module does
        if known and (first in self.modules or first not in _STDLIB):
            if self._usable(importer, dotted):
                top = first if first in self.modules or first in self._package_folder else dotted
                return Resolved(dotted, top), False
            skipped = True
        if first in _STDLIB:
            return None, True
        for root in (folder, *self._first.get(first, ())):
            found = self._find(root, dotted)
            if found is None:
                continue
            if self._usable(importer, found):
                return Resolved(found, self._find(root, first) or found), False
            skipped = True
        return None, skipped

    def _usable(self, importer: ir.Module, found: str) -> bool:
        """Whether a hit is the project's module, not a library of the same name."""
        return not (found == importer.name and not importer.is_package) and found not in self._wrappers

    def unresolved(self) -> tuple[UnresolvedImport, ...]:
        """Every import of the project that looks like the project's and denotes nothing in it."""
        # a file that imports its own name wraps the library of that name: not a project name
        wrapped = {name.rpartition(".")[2] for name in self._wrappers}
        segments = {name for names in self._children.values() for name in names} - wrapped
        out: set[UnresolvedImport] = set()
        for module in self.modules.values():
            for name in module.imports:
                written = "." * name.level + name.module
                found, skipped = self._search(module, name.module, name.level)
                if found is None:
                    first = name.module.split(".", 1)[0]
                    if name.level or (not skipped and first in segments):
                        out.add(UnresolvedImport(module.path, name.span[0], written))
                elif name.member not in (None, "*") and self.is_namespace(found.module) \
                        and self.submodule(found.module, name.member) is None:
                    separator = "" if written.endswith(".") else "."
                    out.add(UnresolvedImport(module.path, name.span[0], f"{written}{separator}{name.member}"))
        return tuple(sorted(out))


def _imports_own_name(module: ir.Module) -> bool:
    """Whether a plain module imports its own file name: it wraps the library of that name."""
    if module.is_package:
        return False
    stem = module.path.rpartition("/")[2].rpartition(".")[0]
    return any(name.level == 0 and name.module.split(".", 1)[0] == stem for name in module.imports)


# ---------------------------------------------------------------- sys.path additions

_ROOT = "/<project>"  # the project root, while paths are computed (the run's current directory)
_ADDERS = {"sys.path.append": 0, "sys.path.insert": 1, "sys.path.extend": 0, "site.addsitedir": 0}
_ADDER_NAMES = frozenset(name.rpartition(".")[2] for name in _ADDERS)
_ABSOLUTE = frozenset({"os.path.abspath", "os.path.realpath", "os.path.normpath"})
_SAME = frozenset({"str", "os.fspath"})
_PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath"})
_FUNCTIONS = _SAME | _ABSOLUTE | _PATH_CLASSES | {"os.path.join", "os.path.dirname", "os.getcwd"}
_CONSTANTS = {"os.pardir": "..", "os.curdir": ".", "os.sep": "/", "os.path.pardir": "..", "os.path.curdir": ".",
              "os.path.sep": "/"}
_MAX_DEPTH = 32  # names defined through names: a cycle or a long chain is not followed


def sys_path_roots(modules: Iterable[ir.Module]) -> tuple[str, ...]:
    """The folders (relpaths, "" for the root) that the project's code puts on ``sys.path``, in
    module and statement order: the argument of ``sys.path.append(p)``, ``sys.path.insert(i, p)``,
    ``sys.path.extend([...])``, ``sys.path += [...]`` and ``site.addsitedir(p)``, anywhere in a
    module, when ``p`` can be computed from string constants, ``__file__``, ``os.path``
    (``join``, ``dirname``, ``abspath``, ``realpath``, ``normpath``, ``pardir``), ``os.getcwd()``, ``pathlib``
    paths (``/``, ``.parent``, ``.parents[n]``, ``.resolve()``, ``.absolute()``,
    ``.joinpath()``), ``str()``, ``+`` and f-strings, and names assigned once from such values. A
    relative path is taken from the project root (where the project is run); a path outside the
    project, or one that cannot be computed, is left out."""
    found: list[str] = []
    for module in sorted(modules, key=lambda m: m.path):
        if any(name.level == 0 and name.module.split(".", 1)[0] in ("sys", "site") for name in module.imports):
            found += _PathFinder(module).roots()
    return tuple(dict.fromkeys(found))


def _statements(block: ir.Block, kinds: tuple[type, ...]) -> Iterator[ir.Stmt]:
    """The statements of types ``kinds`` in a block and in the blocks nested in it (not in nested
    functions)."""
    stack = [block]
    while stack:
        for statement in stack.pop():
            kind = type(statement)
            if kind in kinds:
                yield statement
            elif kind is ir.If or kind is ir.While or kind is ir.For:
                stack += (statement.body, statement.orelse)  # type: ignore[union-attr]
            elif kind is ir.Try:
                stack += (statement.body, *(h.body for h in statement.handlers),  # type: ignore[union-attr]
                          statement.orelse, statement.finalbody)  # type: ignore[union-attr]
            elif kind is ir.With:
                stack.append(statement.body)  # type: ignore[union-attr]
            elif kind is ir.Match:
                stack += (case.body for case in statement.cases)  # type: ignore[union-attr]


class _PathFinder:
    """The ``sys.path`` additions of one module (see `sys_path_roots`)."""

    def __init__(self, module: ir.Module) -> None:
        self.module = module
        self.aliases: dict[str, str] = {}  # local name -> the dotted name an import binds it to
        for name in module.imports:
            if name.level == 0 and name.member != "*":
                if name.member is not None:
                    self.aliases[name.local] = f"{name.module}.{name.member}"
                else:
                    self.aliases[name.local] = name.module.split(".", 1)[0] if name.bind_root else name.module
        self.functions = {f.qualname: f for f in module.functions}
        self.assigned: dict[str, dict[str, ir.Expr | None]] = {}  # function -> name -> its only value

    def roots(self) -> list[str]:
        found: list[str] = []
        for function in self.module.functions:
            for statement in _statements(function.body, (ir.ExprStmt, ir.AugAssign)):
                for expr in self._added(statement):
                    path = self.path(function, expr, 0)
                    if path is not None:
                        full = posixpath.normpath(posixpath.join(_ROOT, path))
                        if full == _ROOT or full.startswith(f"{_ROOT}/"):
                            found.append(full[len(_ROOT) + 1:])
        return found

    def _added(self, statement: ir.Stmt) -> tuple[ir.Expr, ...]:
        """The path expressions a statement adds to ``sys.path``."""
        if isinstance(statement, ir.AugAssign) and self.dotted(statement.target) == "sys.path":
            value = statement.value
            return value.items if isinstance(value, ir.Collection) else ()
        call = statement.value if isinstance(statement, ir.ExprStmt) else None
        # the method's name first: this runs for every call statement of the module
        if not (isinstance(call, ir.Call) and isinstance(call.func, ir.Attr) and call.func.attr in _ADDER_NAMES):
            return ()
        position = _ADDERS.get(self.dotted(call.func) or "")
        positional = [arg.value for arg in call.args if arg.keyword is None and not arg.star]
        if position is None or len(positional) <= position:
            return ()
        value = positional[position]
        if self.dotted(call.func) == "sys.path.extend":
            return value.items if isinstance(value, ir.Collection) else ()
        return (value,)

    def dotted(self, expr: ir.Expr) -> str | None:
        """The dotted name an expression spells, its first name taken through the imports."""
        if isinstance(expr, ir.Name):
            return self.aliases.get(expr.id, expr.id)
        if isinstance(expr, ir.Attr):
            base = self.dotted(expr.value)
            return f"{base}.{expr.attr}" if base is not None else None
        return None

    def path(self, function: ir.Function, expr: ir.Expr, depth: int) -> str | None:  # noqa: C901 - one dispatch
        """The string or path ``expr`` computes (relative to the root when it starts with
        `_ROOT`), or None when it cannot be known."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ir.Const):
            return expr.value if isinstance(expr.value, str) else None
        if isinstance(expr, (ir.Name, ir.Attr)) and self.dotted(expr) in _CONSTANTS:
            return _CONSTANTS[self.dotted(expr)]  # type: ignore[index]
        if isinstance(expr, ir.Name):
            return self._name(function, expr.id, depth)
        if isinstance(expr, ir.Combine):
            parts = [self.path(function, part, depth + 1) for part in expr.parts]
            if None in parts:
                return None
            if expr.op == "concat":
                return "".join(parts)  # type: ignore[arg-type]
            # `/` of pathlib (other operators do not compute a path from two strings)
            return posixpath.join(*parts) if expr.op == "" and len(parts) == 2 else None  # type: ignore[arg-type]
        if isinstance(expr, ir.Attr) and expr.attr == "parent":
            inner = self.path(function, expr.value, depth + 1)
            return posixpath.dirname(_absolute(inner)) if inner is not None else None
        if isinstance(expr, ir.Subscript) and isinstance(expr.value, ir.Attr) and expr.value.attr == "parents" \
                and expr.known and isinstance(expr.key, int) and not isinstance(expr.key, bool) and expr.key >= 0:
            inner = self.path(function, expr.value.value, depth + 1)
            if inner is None:
                return None
            inner = _absolute(inner)
            for _ in range(expr.key + 1):
                inner = posixpath.dirname(inner)
            return inner
        if isinstance(expr, ir.Call):
            return self._call(function, expr, depth)
        return None

    def _call(self, function: ir.Function, call: ir.Call, depth: int) -> str | None:
        if any(arg.keyword is not None or arg.star for arg in call.args):
            return None
        name = self.dotted(call.func)
        args = [self.path(function, arg.value, depth + 1) for arg in call.args]
        if None in args:
            return None
        strings: list[str] = args  # type: ignore[assignment]
        if name not in _FUNCTIONS:
            if not isinstance(call.func, ir.Attr):
                return None
            receiver = self.path(function, call.func.value, depth + 1)  # a method of a path
            if receiver is None:
                return None
            if call.func.attr in ("resolve", "absolute") and not strings:
                return _absolute(receiver)
            return posixpath.join(receiver, *strings) if call.func.attr == "joinpath" else None
        if name in _PATH_CLASSES or name == "os.path.join":
            return posixpath.join(*strings) if strings else "."
        if name == "os.getcwd":
            return None if strings else _ROOT
        if len(strings) != 1:
            return None
        if name in _ABSOLUTE:
            return _absolute(strings[0])
        return posixpath.dirname(strings[0]) if name == "os.path.dirname" else strings[0]

    def _name(self, function: ir.Function, name: str, depth: int) -> str | None:
        if name == "__file__":
            return f"{_ROOT}/{self.module.path}"
        scope = function
        while name not in scope.locals and scope.parent is not None and scope.parent in self.functions:
            scope = self.functions[scope.parent]
        if name not in scope.locals and scope.qualname != self.module.body:
            scope = self.functions[self.module.body]
        value = self._assignments(scope).get(name)
        return self.path(scope, value, depth + 1) if value is not None else None

    def _assignments(self, function: ir.Function) -> dict[str, ir.Expr | None]:
        """Each name a function assigns with a plain ``name = value``: that value when it is the
        only assignment of the name there, else None."""
        cached = self.assigned.get(function.qualname)
        if cached is None:
            cached = self.assigned[function.qualname] = {}
            for statement in _statements(function.body, (ir.Assign,)):
                for target in statement.targets:  # type: ignore[union-attr]
                    if isinstance(target, ir.Name):
                        cached[target.id] = statement.value if target.id not in cached else None  # type: ignore[union-attr]
        return cached


def _absolute(path: str) -> str:
    """``os.path.abspath`` with the run's current directory at the project root."""
    return posixpath.normpath(posixpath.join(_ROOT, path))
