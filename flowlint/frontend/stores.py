"""What a function's code stores into besides its own locals, read off its IR once, when the
frontend builds it (and cached with it): `relevance.StoreWriters` looks these up to find the
writers of a store without walking every function of the program on every run."""

from __future__ import annotations

import dataclasses

from flowlint import ir


def with_stores(function: ir.Function) -> ir.Function:
    """``function`` with `stored_attrs` (the attributes it stores into objects through a local:
    `self.db = ...`) and `stored_names` (the names it stores into globals or class attributes,
    every name on the way: `a.b[k] = v` stores into `a` and `b`; `cls` in a class method and
    the names it declares `global` denote shared objects too)."""
    shared = {function.params[0].name} if function.receives_class and function.params else set()
    fields: set[str] = set()
    globals_: set[str] = set()

    def store(target: ir.Expr, whole: bool) -> None:
        """A store into ``target`` (``whole``: the target itself is rebound, not put into)."""
        names: set[str] = set()
        expr = target
        while isinstance(expr, (ir.Attr, ir.Subscript)):
            if isinstance(expr, ir.Attr):
                names.add(expr.attr)
            expr = expr.value
        if isinstance(expr, ir.Name) and (expr.id not in function.locals or expr.id in function.globals
                                          or expr.id in shared):
            globals_.update(names | {expr.id})
        elif isinstance(target, ir.Attr) and whole:
            fields.add(target.attr)

    for node in ir.walk(function.body):
        if isinstance(node, (ir.Assign, ir.Delete)):
            targets: tuple = node.targets
        elif isinstance(node, ir.AugAssign):
            targets = (node.target,)
        elif isinstance(node, ir.Call) and isinstance(node.func, ir.Attr) and node.func.attr in ir.MUTATORS:
            store(node.func.value, False)
            continue
        elif isinstance(node, ir.Call) and isinstance(node.func, ir.Name) and node.func.id == "setattr":
            named = node.args[1].value if len(node.args) > 1 else None
            if isinstance(named, ir.Const) and isinstance(named.value, str):
                store(ir.Attr(node.args[0].value, named.value, node.span), True)
            continue
        else:
            continue
        for target in targets:
            for part in ir.walk(target):
                if isinstance(part, (ir.Attr, ir.Subscript)):
                    store(part, isinstance(part, ir.Attr))
                elif isinstance(part, ir.Name) and part.id in function.globals:
                    globals_.add(part.id)
    return dataclasses.replace(function, stored_attrs=frozenset(fields), stored_names=frozenset(globals_))
