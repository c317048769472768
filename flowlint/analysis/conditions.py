"""Conditions: the states in which a test holds, for guards, `isinstance`, comparisons and constants.

A test narrows what the state knows in each branch: a policy guard clears or marks data, a
comparison with a constant (`x == "a"`, `x in ("a", "b")`, `x is None`) leaves only that
constant in `x`, `isinstance` fixes a class, a constant test leaves one branch dead. A test's
result stored in a name (`ok = has_consent(u)`) keeps what it established (a `Truth`), so that
`if ok:`, `if ok2:` after `ok2 = ok`, `if ok is True:` or `if not ok: return` narrow alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowlint import ir
from flowlint.analysis import strings
from flowlint.analysis.state import State, dead_state
from flowlint.analysis.values import EMPTY, Value, apply_effects

# comparisons after which, in one branch, the left side holds the constant on the right;
# the value is the branch: True where the comparison holds, False where it does not
_NARROWING = {"==": True, "is": True, "in": True, "!=": False, "is not": False, "not in": False}


@dataclass(frozen=True)
class Branch:
    """What holds where a stored test has one truth value, beyond the state it was stored in:
    the branch may be dead, guard effects on every value used, and names narrowed (each with
    its value then and in this branch; it applies while the name still holds the former)."""

    dead: bool
    clears: frozenset[str]
    marks: frozenset[str]
    narrowed: tuple[tuple[str, Value, Value], ...]


@dataclass(frozen=True)
class Truth:
    """What a name bound to a test's result establishes where it is true and where it is false."""

    true: Branch
    false: Branch


class Conditions:
    """The branch half of `FunctionRun` (see interpret.py)."""

    def condition(self, test: ir.Expr, state: State) -> tuple[State, State]:
        """The states in which `test` is true and false."""
        _, true_state, false_state = self._branches(test, state)
        return true_state, false_state

    def eval_choice(self, e: ir.IfExp, state: State) -> Value:
        """`body if test else orelse`: each side evaluated where the test has that truth value
        (a constant test leaves one side out; a guard holds in its side)."""
        true_state, false_state = self.condition(e.test, state)
        value = EMPTY
        if not true_state.dead:
            value = self.eval(e.body, true_state)
        if not false_state.dead:
            value = value.join(self.eval(e.orelse, false_state))
        self._replace_state(state, true_state.join(false_state))
        return value

    def eval_test(self, expr: ir.Expr, state: State) -> tuple[Value, Truth | None]:
        """The value of `expr`, and what it establishes when it is a test stored in a name
        (None: nothing, or not a test)."""
        if not self._may_narrow(expr, state):
            return self.eval(expr, state), None
        value, true_state, false_state = self._branches(expr, state)
        after = true_state.join(false_state)
        self._replace_state(state, after)
        truth = Truth(_branch(true_state, after), _branch(false_state, after))
        return value, truth if truth != _NOTHING else None

    def remember_test(self, targets: tuple[ir.Target, ...], truth: Truth | None, state: State) -> None:
        """`ok = <test>`: the names bound now stand for the test (`bind` forgot what they stood for)."""
        if truth is not None:
            for target in targets:
                if isinstance(target, ir.Name):
                    state.truths[target.id] = truth

    # ---------------------------------------------------------------- tests
    def _branches(self, test: ir.Expr, state: State) -> tuple[Value, State, State]:
        """The value of `test`, and the states in which it is true and false."""
        if state.dead:  # a part of `and`/`or` that is never evaluated
            return EMPTY, state, state.copy()
        if isinstance(test, ir.Const):
            value = self.eval(test, state)
            return (value, state, dead_state()) if test.value else (value, dead_state(), state)
        if isinstance(test, ir.BoolOp):
            return self._boolean(test, state)
        if isinstance(test, ir.Walrus):
            value, true_state, false_state = self._branches(test.value, state)
            truth = Truth(_branch(true_state, state), _branch(false_state, state))
            for branch in (true_state, false_state):
                self.assign(ir.Name(test.target, test.span), value, branch, test.span)
                if truth != _NOTHING:
                    branch.truths[test.target] = truth
            return value, true_state, false_state
        if isinstance(test, ir.Name) and test.id in state.truths:
            truth = state.truths[test.id]
            value = self.eval(test, state)
            return value, _apply(truth.true, state), _apply(truth.false, state)
        if isinstance(test, ir.Opaque) and len(test.ops) == 1 and len(test.parts) == 2:
            self.eval(test, state)
            return EMPTY, *self._compare(test.ops[0], test.parts[0], test.parts[1], state)
        if isinstance(test, ir.Call) and isinstance(test.func, ir.Name) and test.func.id == "isinstance" \
                and len(test.args) == 2 and "builtin:isinstance" in self.eval(test.func, state).kinds:
            return EMPTY, *self._narrow(test, state)
        if isinstance(test, ir.Call):
            return self._guarded(test, state)
        value = self.eval(test, state)
        return value, state, state.copy()

    def _may_narrow(self, expr: ir.Expr, state: State) -> bool:
        """Whether `expr` may be a test that narrows anything (cheap: what its syntax says)."""
        if isinstance(expr, ir.BoolOp):
            return any(self._may_narrow(part, state) for part in expr.parts)
        if isinstance(expr, ir.Name):
            return expr.id in state.truths
        if isinstance(expr, ir.Opaque):
            return len(expr.ops) == 1
        if isinstance(expr, ir.Call):
            return bool(self.models.guards) or (isinstance(expr.func, ir.Name) and expr.func.id == "isinstance")
        return False

    def _boolean(self, test: ir.BoolOp, state: State) -> tuple[Value, State, State]:
        if test.op == "not":
            _, true_state, false_state = self._branches(test.parts[0], state)
            return EMPTY, false_state, true_state
        first, first_true, first_false = self._branches(test.parts[0], state)
        if test.op == "and":
            second, second_true, second_false = self._branches(test.parts[1], first_true.copy())
            value = first if second_true.dead and second_false.dead else first.join(second)
            return value, second_true, first_false.join(second_false)
        second, second_true, second_false = self._branches(test.parts[1], first_false.copy())
        value = first if second_true.dead and second_false.dead else first.join(second)
        return value, first_true.join(second_true), second_false

    def _compare(self, op: str, left: ir.Expr, right: ir.Expr, state: State) -> tuple[State, State]:
        """`x == "a"`, `x in ("a", "b")`, `x is None` (and their negations): where the
        comparison says so, `x` holds only that constant. `ok is True`, `ok == False`: the
        stored test `ok`, or its negation."""
        if op not in _NARROWING:
            return state, state.copy()
        if isinstance(left, ir.Const) and op in ("==", "!=", "is", "is not"):
            left, right = right, left
        holds = _NARROWING[op]
        if isinstance(left, ir.Name) and left.id in state.truths and isinstance(right, ir.Const) \
                and isinstance(right.value, bool) and op in ("==", "!=", "is", "is not"):
            _, true_state, false_state = self._branches(left, state)
            return (true_state, false_state) if holds == right.value else (false_state, true_state)
        constants = _constants(right) if op in ("in", "not in") else \
            (right.value,) if isinstance(right, ir.Const) else None
        path = self.access_path(left)
        if constants is None or path is None or path[0] not in state.vars:
            return state, state.copy()
        root, keys = path
        current = state.vars[root]
        if op in ("==", "!=", "in", "not in") and self._own_equality(current.read_path(keys)):
            return state, state.copy()  # a project class's `__eq__` may equal a constant and hold data
        narrowed = state.copy()
        only = Value(kinds=strings.kinds(c for c in constants if isinstance(c, str)))
        narrowed.vars[root] = current.write_path(keys, only) if keys else only
        return (narrowed, state.copy()) if holds else (state.copy(), narrowed)

    def _own_equality(self, value: Value) -> bool:
        return any(kind.startswith(("inst:", "virt:")) and kind[5:] in self.program.classes
                   and self.program.lookup_method(kind[5:], "__eq__") is not None for kind in value.kinds)

    def _guarded(self, test: ir.Call, state: State) -> tuple[Value, State, State]:
        """A call to a policy guard: its effects in the branch where it says so."""
        guards = self._guards_of(test, state) if self.models.guards else []
        value = self.eval(test, state)
        if not guards:
            return value, state, state.copy()
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
        return value, true_state, false_state

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


_NOTHING_BRANCH = Branch(False, frozenset(), frozenset(), ())
_NOTHING = Truth(_NOTHING_BRANCH, _NOTHING_BRANCH)


def _branch(branch: State, before: State) -> Branch:
    """What `branch` knows beyond `before`."""
    if branch.dead:
        return Branch(True, frozenset(), frozenset(), ())
    narrowed = tuple((name, before.vars[name], value) for name, value in sorted(branch.vars.items())
                     if name in before.vars and before.vars[name] != value)
    return Branch(False, branch.clears - before.clears, branch.marks - before.marks, narrowed)


def _apply(branch: Branch, state: State) -> State:
    """`state` where a stored test had the truth value of `branch`."""
    if branch.dead:
        return dead_state()
    out = state.copy()
    out.clears |= branch.clears
    out.marks |= branch.marks
    for name, then, now in branch.narrowed:
        if out.vars.get(name) == then:  # not rebound or changed since the test
            out.vars[name] = now
    return out


def _constants(expr: ir.Expr) -> tuple | None:
    """The values of a literal tuple, list or set of constants (`("a", "b")`); None otherwise."""
    if isinstance(expr, ir.Collection) and expr.kind in ("tuple", "list", "set") \
            and all(isinstance(item, ir.Const) for item in expr.items):
        return tuple(item.value for item in expr.items)  # type: ignore[union-attr]
    return None
