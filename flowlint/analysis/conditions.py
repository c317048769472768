"""Conditions: the states in which a test holds, for guards, `isinstance` and constants."""

from __future__ import annotations

from flowlint import ir
from flowlint.analysis.values import apply_effects

from flowlint.analysis.state import State, dead_state


class Conditions:
    """The branch half of `FunctionRun` (see interpret.py)."""

    def condition(self, test: ir.Expr, state: State) -> tuple[State, State]:
        """The states in which `test` is true and false (guards and obvious constants)."""
        if isinstance(test, ir.Const):
            return (state, dead_state()) if test.value else (dead_state(), state)
        if isinstance(test, ir.BoolOp):
            if test.op == "not":
                true_state, false_state = self.condition(test.parts[0], state)
                return false_state, true_state
            first_true, first_false = self.condition(test.parts[0], state)
            if test.op == "and":
                second_true, second_false = self.condition(test.parts[1], first_true.copy())
                return second_true, first_false.join(second_false)
            second_true, second_false = self.condition(test.parts[1], first_false.copy())
            return first_true.join(second_true), second_false
        if isinstance(test, ir.Call) and isinstance(test.func, ir.Name) and test.func.id == "isinstance" \
                and len(test.args) == 2 and "builtin:isinstance" in self.eval(test.func, state).kinds:
            return self._narrow(test, state)
        if isinstance(test, ir.Call):
            guards = self._guards_of(test, state)
            self.eval(test, state)
            true_state, false_state = state.copy(), state.copy()
            for guard in guards:
                branch = true_state if guard.when == "true" else false_state if guard.when == "false" else None
                if branch is None:
                    continue
                if guard.applies == "branch":
                    clears = frozenset() if guard.clears == "all" else frozenset(guard.clears)
                    branch.clears |= clears
                    branch.marks |= frozenset(guard.marks)
                else:
                    self._apply_guard_to_args(guard, list(test.args), branch)
            return true_state, false_state
        self.eval(test, state)
        return state, state.copy()

    def _narrow(self, test: ir.Call, state: State) -> tuple[State, State]:
        """`isinstance(x, T)`: in the true branch `x` is also known to be a `T` (method calls on it resolve)."""
        self.eval(test, state)
        true_state = state.copy()
        path = self.access_path(test.args[0].value)
        classes = self.eval(test.args[1].value, state)
        kinds = set(classes.kinds)
        for value in classes.fields.values():
            kinds |= value.kinds
        instance_kinds = {("inst:" + k[4:]) if k.startswith("cls:") else k + "()" for k in kinds
                          if k.startswith(("cls:", "api:")) and not k.endswith("()")}
        if path is not None and path[0] in state.vars and instance_kinds:
            root, keys = path
            current = state.vars[root]
            narrowed = current.read_path(keys).with_kinds(instance_kinds)
            true_state.vars[root] = current.write_path(keys, narrowed) if keys else narrowed
        return true_state, state.copy()

    def _guards_of(self, call: ir.Call, state: State) -> list:
        """The policy guards the called name matches (resolved without evaluating the arguments)."""
        names: list[str] = []
        if isinstance(call.func, ir.Attr):
            receiver = self.eval(call.func.value, state.copy())
            for target in self.method_targets(receiver, call.func.attr, state.copy(), call.span):
                names.append(target.name)
                names.extend(target.extra_names)
        else:
            callee = self.eval(call.func, state.copy())
            for kind in callee.kinds:
                prefix, _, name = kind.partition(":")
                if prefix in ("api", "fn", "bound"):
                    names.append(name)
        return [g for n in sorted(set(names)) for g in self.models.guards(n)]

    def _apply_guard_to_args(self, guard, arg_nodes: list[ir.Arg], state: State) -> None:
        clears_all = guard.clears == "all"
        clears = frozenset() if clears_all else frozenset(guard.clears)
        marks = frozenset(guard.marks)
        for node in arg_nodes:
            path = self.access_path(node.value)
            if path is None:
                continue
            root, keys = path
            current = state.vars.get(root)
            if current is None:
                continue
            target = current.read_path(keys)
            if clears_all:
                guarded = target.map_labels(lambda label: None)
            else:
                guarded = target.map_labels(lambda label: apply_effects(label, clears, frozenset(), marks))
            state.vars[root] = current.write_path(keys, guarded, strong=True) if keys else guarded
