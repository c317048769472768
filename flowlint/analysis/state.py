"""The abstract state inside one function: what each local name holds, per program point."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flowlint import ir
from flowlint.analysis.values import Value

if TYPE_CHECKING:
    from flowlint.analysis.conditions import Truth


@dataclass
class State:
    vars: dict[str, Value] = field(default_factory=dict)
    dead: bool = False
    # effects of branch guards (`applies = "branch"`) on every value used while they hold
    clears: frozenset[str] = frozenset()
    marks: frozenset[str] = frozenset()
    # may-aliases among local names (`b = a` of a list, dict, set or object): name -> others
    aliases: dict[str, frozenset[str]] = field(default_factory=dict)
    # names bound to a bound method (`put = store.put`): the receivers its calls change
    receivers: dict[str, frozenset[ir.Expr]] = field(default_factory=dict)
    # names bound to a test's result (`ok = has_consent(u)`): what they establish (conditions.py)
    truths: dict[str, Truth] = field(default_factory=dict)

    def copy(self) -> State:
        return State(dict(self.vars), self.dead, self.clears, self.marks, dict(self.aliases), dict(self.receivers),
                     dict(self.truths))

    def join(self, other: State) -> State:
        if self.dead:
            return other.copy()
        if other.dead:
            return self.copy()
        merged = dict(self.vars)
        for name, value in other.vars.items():
            mine = merged.get(name)
            merged[name] = value if mine is None else mine.join(value)
        aliases = dict(self.aliases)
        for name, others in other.aliases.items():
            aliases[name] = aliases.get(name, frozenset()) | others
        receivers = dict(self.receivers)
        for name, exprs in other.receivers.items():
            receivers[name] = receivers.get(name, frozenset()) | exprs
        truths = {name: truth for name, truth in self.truths.items() if other.truths.get(name) == truth}
        return State(merged, False, self.clears & other.clears, self.marks & other.marks, aliases, receivers, truths)

    def alias(self, name: str, sources: tuple[str, ...]) -> None:
        """`name` is rebound: to the object of one of ``sources`` (none: to something else). With
        several, `name` may be each one's object, but they stay apart from each other."""
        for other in self.aliases.pop(name, frozenset()):
            rest = self.aliases.get(other, frozenset()) - {name}
            if rest:
                self.aliases[other] = rest
            else:
                self.aliases.pop(other, None)
        group = frozenset(sources).union(*(self.aliases.get(source, frozenset()) for source in sources)) - {name}
        if not group:
            return
        self.aliases[name] = group
        for member in group:
            self.aliases[member] = (self.aliases.get(member, frozenset()) | {name}) - {member}

    def same(self, other: State) -> bool:
        return self.dead == other.dead and self.vars == other.vars


def dead_state() -> State:
    return State(dead=True)


@dataclass
class LoopExits:
    breaks: list[State] = field(default_factory=list)
    continues: list[State] = field(default_factory=list)
