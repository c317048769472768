"""Incremental runs: which functions changed since the previous run, and the engine resumed
from the state that run left (`Engine.resume` kills what depends on them).

A module whose file is the same byte for byte has the same IR (the IR cache key covers the bytes,
the path and the module name). A module whose file changed is compared with its previous IR (from
the IR cache) function by function. A function is changed when its IR differs (positions
included: they are in the findings), and so are the functions nested in it (they see its locals)
and those it is nested in (they hold the cells it reads). Beyond function bodies, a module's
*interface* — what it defines and imports, its classes, its functions' headers, positions aside —
shapes how code elsewhere resolves names, which is not tracked per function. When it changes, or
a module comes or goes, every function of the modules that import it (directly or through others)
counts as changed, and so do those of the importers of its new classes' base classes' modules
(their calls through a base class may now reach a new override). A module whose imports now
denote other modules (flowlint.imports: a file came or went, a ``sys.path`` addition changed)
counts as reshaped too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from flowlint import ir
from flowlint.analysis.engine import Engine, EngineState
from flowlint.analysis.module_graph import import_graph, importers
from flowlint.analysis.relevance import relation
from flowlint.program import Program

_POSITIONS = frozenset({"span", "header_lines"})


def resume(engine: Engine, previous: object, module_keys: Mapping[str, str],
           imported: Mapping[str, frozenset[str]], load: Callable[[str], object]) -> None:
    """Let ``engine`` build on the state a previous run left (``previous``: what the cache held,
    checked here: module keys, imported names, engine state), unless the policy changed (then
    there is none) or a changed module's previous IR is gone from the cache. ``imported``: each
    module's `Program.imported_names` in this run."""
    if not (isinstance(previous, tuple) and len(previous) == 3 and isinstance(previous[2], EngineState)):
        return
    changed = changed_functions(previous[0], module_keys, engine.program, load, previous[1], imported)
    if changed is not None:
        engine.resume(previous[2], changed)


def changed_functions(previous: Mapping[str, str], current: Mapping[str, str], program: Program,
                      load: Callable[[str], object], imported_before: Mapping[str, frozenset[str]],
                      imported_now: Mapping[str, frozenset[str]]) -> frozenset[str] | None:
    """Qualnames of the functions changed between two runs, given each module's IR cache key and
    the names its imports denote (`Program.imported_names`) in either run (``load`` fetches an IR
    by key); None when the previous run cannot be built on."""
    changed: set[str] = set()
    # modules that came or went, whose imports denote other modules, or whose interface changed
    reshaped = (previous.keys() ^ current.keys()) | {
        name for name in previous.keys() & current.keys() if imported_before.get(name) != imported_now.get(name)}
    for name in previous.keys() & current.keys():
        if previous[name] == current[name]:
            continue
        old, new = load(previous[name]), program.modules[name]
        if not isinstance(old, ir.Module):
            return None
        if interface(old) != interface(new):
            reshaped.add(name)
            continue
        before = {f.qualname: f for f in old.functions}
        after = {f.qualname: f for f in new.functions}
        edited = {q for q in before.keys() | after.keys() if before.get(q) != after.get(q)}
        changed |= _nesting(edited, before) | _nesting(edited, after)
    if reshaped:
        for module in reshaped & current.keys():
            for klass in program.modules[module].classes:
                bases = {program.project_module_of(base) for base in program.mro(klass.qualname)[1:]}
                reshaped.update(base for base in bases if base is not None)
        related = relation(reshaped)
        named = {m.name for m in program.modules.values() if any(map(related, program.imported_names(m)))}
        for module in importers(import_graph(program), (reshaped & current.keys()) | named):
            changed.update(f.qualname for f in program.modules[module].functions)
    return frozenset(changed)


def _nesting(edited: set[str], functions: Mapping[str, ir.Function]) -> set[str]:
    """``edited``, the functions nested in them and the functions they are nested in (up to, not
    including, the module body: top-level functions see module globals as stores, not locals)."""
    def chain(qualname: str) -> list[str]:
        found = []
        parent = functions[qualname].parent
        while parent in functions and functions[parent].name != "<module>":
            found.append(parent)
            parent = functions[parent].parent
        return found

    result = set(edited)
    for qualname in functions:
        ancestors = chain(qualname)
        if qualname in edited:
            result.update(ancestors)
        elif any(a in edited for a in ancestors):
            result.add(qualname)
    return result


def interface(module: ir.Module) -> tuple:
    """What other modules' analysis may read of ``module`` without going through a summary or a
    store, positions left out (a line added above a class does not change what it is)."""
    functions = {f.qualname: f for f in module.functions}
    body = functions[module.body].body
    headers = tuple(
        (f.qualname, f.name, _shape(f.params), _shape(f.decorators), _shape(f.returns), f.cls, f.parent,
         f.is_async, f.is_generator)
        for f in module.functions if not (f.name.startswith("<") and f.name not in ("<module>", "<body>"))
    )
    fields = tuple(
        tuple(t.id for s in functions[c.body].body if isinstance(s, ir.Assign) for t in s.targets
              if isinstance(t, ir.Name))
        for c in module.classes
    )
    return (module.is_package, _shape(module.imports), _shape(module.classes), fields, headers,
            _shape(tuple(s for s in body if isinstance(s, (ir.Define, ir.Import)))))


def _shape(value: object) -> object:
    if dataclasses.is_dataclass(value):
        return (type(value).__name__,) + tuple(
            _shape(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name not in _POSITIONS)
    if isinstance(value, tuple):
        return tuple(_shape(item) for item in value)
    if isinstance(value, frozenset):
        return tuple(sorted(value))
    return value
