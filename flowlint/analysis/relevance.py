"""Which functions the analysis starts from, and which it adds for the stores they read.

Every flow begins where a policy source is called, read or received as a parameter. A call or
read can only name `taintlib.Client().search` in a module that imports something under
`taintlib.Client` (or is itself such a module): a *source module*. The data goes from there
down into callees (analysed on demand, in the context of the call), up to callers (through
returns and arguments changed in place) and sideways through stored state. Callers of a
module's functions import it, so the entry points of the analysis are the functions, module
body and class bodies of the source modules and of every module importing one of them,
transitively (the importers over-approximate the callers: `flowlint.analysis.module_graph`). A
module that only the entry points import is analysed where they call it, not as a whole.

What the analysed code reads of stored state must be complete too: the kinds of an instance
field (`self.db = sqlite3.connect(...)` in `__init__` makes `self.db.execute` a sink), a module
global or a class attribute (a registry a setup function fills, a connection a class method
sets up) may be written by code that no entry point calls. `StoreWriters` finds, from the code
alone, what may write a store: functions, and the module or class body where it computes the
name (a name bound only by an undecorated `def`, `class` or an import of one is known without
running the body). The engine adds them as entry points for every store that the entry points
(or the functions analysed on their behalf) read, and in turn for the stores those writers read
themselves. Data that reaches a global or class attribute reaches its readers: the engine then
adds the importers of the store's module as entry points.

A pattern whose first segment is a wildcard could name anything: then every module is an entry.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Iterable

from flowlint import ir
from flowlint.analysis import endpoints
from flowlint.analysis.models import Models
from flowlint.program import Program

_WILDCARD = re.compile(r"[*?\[]")
_SEGMENT_END = re.compile(r"[(:\[]")
_BUILTIN_NAMES = frozenset(dir(builtins))


def _literal_prefix(pattern: str) -> str | None:
    """The whole dotted segments a pattern starts with (`taintlib.Client` for
    `taintlib.Client().search`, `facebook_scraper` for `facebook_scraper.get_*`), or None when
    that is nothing or a builtin name (the pattern could name anything)."""
    wildcard = _WILDCARD.search(pattern)
    literal = pattern[:wildcard.start()] if wildcard else pattern
    if wildcard and not literal.endswith("."):
        literal = literal.rpartition(".")[0]  # the segment the wildcard is in is not literal
    literal = _SEGMENT_END.split(literal, 1)[0].rstrip(".")
    if "." not in pattern or not literal or literal.split(".", 1)[0] in _BUILTIN_NAMES:
        return None
    return literal


def relation(prefixes: Iterable[str]) -> Callable[[str], bool]:
    """Whether a dotted name lies within one of ``prefixes`` or one of them within it
    (`taintlib` and `taintlib.Client`, either way round), in time of the name's depth."""
    exact = set(prefixes)
    within = {prefix.rsplit(".", depth)[0] for prefix in exact for depth in range(prefix.count(".") + 1)}

    def related(name: str) -> bool:
        if name in within:
            return True
        while "." in name:
            name = name.rpartition(".")[0]
            if name in exact:
                return True
        return False

    return related


def source_modules(program: Program, models: Models) -> set[str] | None:
    """Modules that can name a source, or None when any module could."""
    prefixes: list[str] = []
    for source in models.policy.sources:
        for pattern in (*source.calls, *source.reads):
            prefix = _literal_prefix(pattern)
            if prefix is None:
                return None
            prefixes.append(prefix)
        if source.urls:  # an endpoint source is named by an HTTP client's request method
            prefixes.extend(f"{owner}.{method}" for owner, client in endpoints.OWNERS.items()
                            for method in client.methods)
    found: set[str] = set()
    related = relation(prefixes)
    for module in program.modules.values():
        names = program.imported_names(module) | {module.name}
        if any(map(related, names)):
            found.add(module.name)
        elif models.param_sources and any(models.param_sources(f"{f.qualname}:{p.name}")
                                          for f in module.functions for p in f.params):
            found.add(module.name)
    return found


class StoreWriters:
    """The functions that may write a store (an engine `StoreKey`), found from their code.

    An instance field `(class, attribute)` (its kinds: what object `self.db` is) is written by
    `x.attribute = ...` in a method of that class, or in a function of its module outside any
    class (a factory). A module global or class attribute `(owner, name)` is written by the
    owner's body where it computes the name (a name it binds only by an undecorated `def`,
    `class` or an import is known without running the body), and by functions of the owner's
    module or of a module importing it that store into the name through a name that is not
    their own local (`state.LATEST = ...`, `REGISTRY[key] = ...`, `CACHE.append(...)`, a
    `global` name), or through `cls` in a class method. Module and class bodies are not in
    the index: a body is a writer only of the names it computes."""

    def __init__(self, program: Program, graph: dict[str, set[str]]) -> None:
        self.program = program
        self._importers: dict[str, set[str]] = {}
        for importer, targets in graph.items():
            for target in targets:
                self._importers.setdefault(target, set()).add(importer)
        self._computed: dict[str, frozenset[str]] = {}  # body -> the names it computes
        self._imports: dict[str, list[tuple[str, str]]] = {}  # module -> `_bindings`
        # module -> its functions' stores (see `_writers`), for the modules asked about only
        self._index: dict[str, tuple[dict[str, list[str]], dict[str, list[str]]]] = {}

    def of(self, key: tuple) -> list[str]:
        """Qualnames of the functions that may write store ``key``: `("field", class, attribute)`
        or `("global", (owner, name))`, the owner a module or a class (a closure cell's owner is
        analysed once a nested function captures it; other owners have no writers found here)."""
        program = self.program
        if key[0] == "field":
            klass, name = key[1], key[2]
            if klass not in program.classes:
                return []
            module = program.function_module[program.classes[klass].body]
            return [q for q in self._writers(module)[0].get(name, ()) if _method_class(program, q) in (klass, None)]
        owner, name = key[1]
        if owner in program.modules:
            body = program.modules[owner].body
        elif owner in program.classes:
            body = program.classes[owner].body
        else:
            return []
        module = program.function_module[body]
        found = [q for m in sorted({module} | self._importers.get(module, set()))
                 for q in self._writers(m)[1].get(name, ())
                 if m == module or owner != module or self._through(m, q, owner, name)]
        return ([body] if name in self._computed_by(body) else []) + found

    def _through(self, importer: str, qualname: str, module: str, name: str) -> bool:
        """Whether function ``qualname`` of ``importer`` stores into global ``name`` of
        ``module``: through a name the importer binds to it (`from module import name`), to the
        module or to a package the module is in (`module.name[k] = v`, `a.name = v` after
        `import a.b`). An `os` the importer imports itself is another object than the module's."""
        stored = self.program.functions[qualname].stored_names
        return any((local in stored or local == "*")
                   and (denoted in (module, f"{module}.{name}") or module.startswith(f"{denoted}."))
                   for local, denoted in self._bindings(importer))

    def _bindings(self, module: str) -> list[tuple[str, str]]:
        """(local name, the dotted name it denotes) for each import of ``module`` ("*" for a star
        import: every name of the module it denotes)."""
        if module not in self._imports:
            program = self.program
            found = []
            for node in program.modules[module].imports:
                if node.member == "*":  # binds every name of the module
                    found.append(("*", program.resolve_module_name(module, node.module, node.level)))
                else:
                    found.append((node.local, program.bound_name(module, node)))
            self._imports[module] = found
        return self._imports[module]

    def _computed_by(self, body: str) -> frozenset[str]:
        if body not in self._computed:
            self._computed[body] = _computed_names(self.program, self.program.functions[body])
        return self._computed[body]

    def _writers(self, module: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """Attribute name -> the functions of ``module`` storing it into an object; name -> those
        storing it into a global or class attribute."""
        if module not in self._index:
            fields: dict[str, list[str]] = {}
            globals_: dict[str, list[str]] = {}
            for function in self.program.modules[module].functions:
                if function.name in ("<module>", "<body>"):
                    continue
                for name in sorted(function.stored_attrs):
                    fields.setdefault(name, []).append(function.qualname)
                for name in sorted(function.stored_names):
                    globals_.setdefault(name, []).append(function.qualname)
            self._index[module] = fields, globals_
        return self._index[module]


def _method_class(program: Program, qualname: str) -> str | None:
    """The class whose method ``qualname`` is, or is nested in (None: no class)."""
    function: ir.Function | None = program.functions[qualname]
    while function is not None and function.cls is None:
        function = program.functions.get(function.parent) if function.parent else None
    return function.cls if function is not None else None


def _computed_names(program: Program, body: ir.Function) -> frozenset[str]:
    """The names a module or class body binds other than by an undecorated `def` or `class`, or
    an import of a library, module or undecorated definition (the program knows those
    statically): what only running the body tells."""
    module = program.function_module[body.qualname]
    static: set[str] = set()
    assigned: set[str] = set()
    for node in ir.walk(body.body):
        if isinstance(node, ir.Define):
            (static if _undecorated(program, node.qualname) else assigned).add(node.name)
        elif isinstance(node, ir.ImportName):
            kinds = program.import_kinds(module, node)
            known = bool(kinds) and all(_undecorated(program, k.partition(":")[2])
                                        for k in kinds if k.startswith(("fn:", "cls:")))
            (static if known else assigned).add(node.local)
        elif isinstance(node, (ir.Assign, ir.Delete)):
            assigned.update(n.id for n in ir.walk(node.targets) if isinstance(n, ir.Name))
        elif isinstance(node, (ir.AugAssign, ir.For)):
            assigned.update(n.id for n in ir.walk(node.target) if isinstance(n, ir.Name))
        elif isinstance(node, ir.With):
            assigned.update(n.id for _, target in node.items for n in ir.walk(target) if isinstance(n, ir.Name))
        elif isinstance(node, ir.Walrus):
            assigned.add(node.target)
        elif isinstance(node, (ir.Handler, ir.Capture)) and node.name is not None:
            assigned.add(node.name)
    # a name bound both ways (`try: import x` / `except ImportError: x = None`) is computed
    return frozenset(name for name in body.locals if name not in static or name in assigned)


def _undecorated(program: Program, qualname: str) -> bool:
    """Whether ``qualname`` is a function or class defined without decorators (its name
    denotes the definition itself)."""
    definition = program.classes.get(qualname) or program.functions.get(qualname)
    return definition is not None and not definition.decorators
