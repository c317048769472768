"""Function summaries and the records the analysis hands to the rules stage.

A summary says, for one function under one calling context, what it returns (sources and
taint-in-taint-out as symbolic labels), what it leaves in its parameters' objects, which
parameter paths reach which sinks, and what it writes to globals.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowlint.analysis.values import EMPTY, ParamTaint, Site, Taint, Value

# (function qualname, kinds of each argument, kinds of the callables a closure captured)
Context = tuple[str, tuple[frozenset[str], ...], tuple[tuple[str, frozenset[str]], ...]]


@dataclass(frozen=True)
class SinkSpec:
    kind: str
    symbol: str
    site: Site
    purpose: str | None
    statement: tuple[int, int] = (0, 0)  # first and last line of the statement with the sink call


@dataclass(frozen=True)
class SinkHit:
    """A parameter path that reaches a sink inside the function (or its callees)."""

    label: ParamTaint  # its trace runs from the parameter to the sink
    sink: SinkSpec


@dataclass(frozen=True)
class Summary:
    ret: Value = EMPTY
    params_out: tuple[Value | None, ...] = ()  # exit value of each mutated parameter, else None
    sinks: frozenset[SinkHit] = frozenset()
    global_effects: tuple[tuple[tuple[str, str], Value], ...] = ()  # symbolic writes to globals
    raises: Value = EMPTY  # exceptions that may leave the function


    def join(self, other: Summary) -> Summary:
        """Both summaries' facts: re-analyses only ever add, so recursion reaches a fixpoint."""
        if other == self or other == EMPTY_SUMMARY:
            return self
        if self == EMPTY_SUMMARY:
            return other
        width = max(len(self.params_out), len(other.params_out))
        mine = self.params_out + (None,) * (width - len(self.params_out))
        theirs = other.params_out + (None,) * (width - len(other.params_out))
        params_out = tuple(b if a is None else (a if b is None else a.join(b)) for a, b in zip(mine, theirs))
        effects = dict(self.global_effects)
        for key, value in other.global_effects:
            effects[key] = effects[key].join(value) if key in effects else value
        return Summary(self.ret.join(other.ret), params_out, self.sinks | other.sinks,
                       tuple(sorted(effects.items(), key=lambda kv: kv[0])), self.raises.join(other.raises))


EMPTY_SUMMARY = Summary()


@dataclass(frozen=True)
class Flow:
    """Data of one origin from one source site reaching one sink site, with its witness trace."""

    label: Taint  # categories and marks as they arrive at the sink; trace source -> sink
    sink: SinkSpec

    @property
    def key(self) -> tuple:
        return flow_key(self.label, self.sink)


def flow_key(label: Taint, sink: SinkSpec) -> tuple:
    """What makes two flows the same finding: origin, source site, sink site and kind, and the
    categories and marks the data arrives with."""
    return (label.origin, label.site, sink.site, sink.kind, tuple(sorted(label.categories)), tuple(sorted(label.marks)))


MAX_SOURCES_PER_SINK = 8


def fewest_sources(flows: dict[tuple, Flow]) -> dict[tuple, Flow]:
    """The flows into each sink site from at most MAX_SOURCES_PER_SINK source sites (the first in
    file order, whatever order they were found in). A policy that makes every call a source would
    otherwise report every pair of calls; past that many, one more witness helps no reader."""
    by_sink: dict[Site, set[Site]] = {}
    for flow in flows.values():
        by_sink.setdefault(flow.sink.site, set()).add(flow.label.site)
    if all(len(sites) <= MAX_SOURCES_PER_SINK for sites in by_sink.values()):
        return flows
    first = {sink: set(sorted(sites)[:MAX_SOURCES_PER_SINK]) for sink, sites in by_sink.items()}
    return {key: flow for key, flow in flows.items() if flow.label.site in first[flow.sink.site]}


def keep_shortest(flows: dict[tuple, Flow], key: tuple, flow: Flow) -> None:
    """Keep one flow per key: the one with the shortest (then first in order) trace."""
    old = flows.get(key)
    if old is None or (len(flow.label.trace), flow.label.trace) < (len(old.label.trace), old.label.trace):
        flows[key] = flow
