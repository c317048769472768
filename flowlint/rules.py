"""Rules: decide which traced flows are findings, from the facts on origins, flows and sinks.

A rule fires on a flow when every key of its `when` holds and no key set of its `unless`
holds. One finding per (rule, source site, sink site); its categories are the union over the
flows that fired, its trace the shortest of them.
"""

from __future__ import annotations

import fnmatch
import string
from collections.abc import Iterable

from flowlint.analysis.summary import Flow
from flowlint.analysis.values import Step
from flowlint.policy.model import Condition, Origin, Policy, Rule
from flowlint.results import Endpoint, Finding, Location, OriginFacts, TraceStep, digest


def _any_glob(values: Iterable[str], globs: Iterable[str]) -> bool:
    globs = tuple(globs)
    return any(fnmatch.fnmatchcase(v, g) for v in values for g in globs)


def condition_holds(condition: Condition, flow: Flow, origin: Origin) -> bool:
    checks = []
    if condition.lawful is not None:
        checks.append(origin.lawful in condition.lawful)
    if condition.sink_kind is not None:
        checks.append(_any_glob([flow.sink.kind], condition.sink_kind))
    if condition.categories is not None:
        checks.append(_any_glob(flow.label.categories, condition.categories))
    if condition.collection is not None:
        checks.append(_any_glob([origin.collection], condition.collection))
    if condition.origin is not None:
        checks.append(_any_glob([origin.id], condition.origin))
    if condition.marks is not None:
        checks.append(_any_glob(flow.label.marks, condition.marks))
    if condition.purpose_incompatible is not None:
        incompatible = flow.sink.purpose is not None and flow.sink.purpose not in origin.purposes
        checks.append(incompatible in condition.purpose_incompatible)
    return all(checks)


def rule_fires(rule: Rule, flow: Flow, origin: Origin) -> bool:
    if not condition_holds(rule.when, flow, origin):
        return False
    return rule.unless is None or not condition_holds(rule.unless, flow, origin)


class _Template(string.Formatter):
    def get_value(self, key, args, kwargs):  # type: ignore[override]
        return kwargs.get(key, "{" + str(key) + "}")


def render_message(rule: Rule, flow: Flow, origin: Origin, categories: Iterable[str]) -> str:
    facts = {
        "provider": origin.provider, "collection": origin.collection, "origin": origin.id,
        "lawful": str(origin.lawful).lower(), "sink_kind": flow.sink.kind,
        "categories": ", ".join(sorted(categories)) or "none", "source": flow.label.site.symbol,
        "sink": flow.sink.symbol, "marks": ", ".join(sorted(flow.label.marks)) or "none",
        "purpose": flow.sink.purpose or "unspecified",
    }
    return _Template().format(rule.message, **facts)


def fingerprint(rule_id: str, origin: str, source_symbol: str, sink_symbol: str, path: str) -> str:
    """Stable across edits that move the finding: no line numbers."""
    return digest(rule_id, origin, source_symbol, sink_symbol, path)


def _location(site) -> Location:
    return Location(site.path, site.line, site.column, site.end_line, site.end_column)


def _trace(steps: tuple[Step, ...]) -> tuple[TraceStep, ...]:
    out: list[TraceStep] = []
    for step in steps:
        item = TraceStep(Location(step.path, step.line, step.column), step.kind, step.note)
        if not out or out[-1] != item:
            out.append(item)
    return tuple(out)


def evaluate(flows: Iterable[Flow], policy: Policy) -> list[Finding]:
    origins = {o.id: o for o in policy.origins}
    chosen: dict[tuple, tuple[Flow, set[str]]] = {}
    rules_by_key: dict[tuple, Rule] = {}
    for flow in flows:
        origin = origins.get(flow.label.origin)
        if origin is None:
            continue
        for rule in policy.rules:
            if not rule_fires(rule, flow, origin):
                continue
            key = (rule.id, flow.label.site, flow.sink.site)
            rules_by_key[key] = rule
            if key not in chosen:
                chosen[key] = (flow, set(flow.label.categories))
                continue
            best, categories = chosen[key]
            categories |= flow.label.categories
            if len(flow.label.trace) < len(best.label.trace):
                chosen[key] = (flow, categories)
    findings = []
    for key, (flow, categories) in chosen.items():
        rule = rules_by_key[key]
        origin = origins[flow.label.origin]
        source = Endpoint(flow.label.site.symbol, _location(flow.label.site))
        sink = Endpoint(flow.sink.symbol, _location(flow.sink.site), flow.sink.kind)
        findings.append(Finding(
            rule_id=rule.id, rule_name=rule.name, severity=rule.severity,
            message=render_message(rule, flow, origin, categories),
            fingerprint=fingerprint(rule.id, origin.id, source.symbol, sink.symbol, sink.location.path),
            citations=rule.cite,
            origin=OriginFacts(origin.id, origin.provider, origin.lawful, origin.collection),
            categories=tuple(sorted(categories)), marks=tuple(sorted(flow.label.marks)),
            source=source, sink=sink, trace=_trace(flow.label.trace), sink_purpose=flow.sink.purpose,
            sink_statement=flow.sink.statement,
        ))
    return sorted(findings, key=lambda f: f.sort_key)
