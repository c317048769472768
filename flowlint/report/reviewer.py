"""The reviewer report (`flowlint report`): one document, in HTML or Markdown, for security and
privacy reviewers who read what flowlint found without running it.

`render_report` builds a format-independent `ReportData` from the analysis and the policy (so
that both formats show the same numbers, which are those of `check --format json`), then hands
it to `flowlint.report.html` or `flowlint.report.markdown`. The report never re-analyses: it
reads the findings, flows, diagnostics and directives of the `Analysis`, and the analysed files'
lines for code context (`flowlint.report.snippets`).

Sections: summary (counts by rule and severity, origins, files, policy files, version, date,
git commit), findings grouped by rule (each with its trace and code), findings by origin, the
data inventory (one row per origin x category x sink kind, every traced flow included, flagged
or not), the flow graph, diagnostics, and the `# flowlint:` comments of the project.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import networkx as nx

from flowlint import __version__
from flowlint.analysis.summary import Flow
from flowlint.pipeline import Analysis
from flowlint.policy.model import Origin, Policy, Rule
from flowlint.report import graph as flow_graph
from flowlint.report.snippets import Snippet, SourceLines
from flowlint.results import Finding, Location, TraceStep
from flowlint.rules import rule_fires

try:  # the meta rules about suppressions (FL901, FL902), for their rationale
    from flowlint.suppressions import META_RULES
except ImportError:  # pragma: no cover - an older tree without suppressions
    META_RULES = ()

SEVERITIES = ("error", "warning", "note")
FINDINGS_VS_FLOWS = (
    "A flow is one path that personal data of one origin takes from a source call to a sink; a finding is a "
    "rule that fires on a flow (one flow can carry several findings, and flows no rule flags are still listed "
    "in the data inventory and the flow graph).")
SNIPPET_CONTEXT = 2  # lines shown before and after a trace step's line
NO_CATEGORY = "(none: cleared)"


@dataclass(frozen=True)
class ReportMeta:
    """Facts about the run that the analysis does not know."""

    project_root: Path  # where the analysed files are (trace paths are relative to it)
    generated_at: datetime
    git_commit: str | None  # HEAD of the repository holding the project, None when there is none
    version: str  # flowlint's version
    command_line: str  # as typed (shell-quoted)


def git_commit(root: Path) -> str | None:
    """`git rev-parse HEAD` in `root`, or None (no git, not a repository, no commit yet)."""
    try:
        done = subprocess.run(["git", "rev-parse", "--verify", "--quiet", "HEAD"], cwd=root, capture_output=True,
                              text=True, timeout=10, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    commit = done.stdout.strip()
    if done.returncode != 0 or not commit or not all(c in "0123456789abcdef" for c in commit):
        return None
    return commit


def report_meta(project_root: Path, argv: Sequence[str] | None = None, now: datetime | None = None) -> ReportMeta:
    """The `ReportMeta` of a run now: the git commit of `project_root` (when it is in a
    repository), the time in UTC, this flowlint's version and the command line (`argv`, by
    default `flowlint` followed by this process's arguments)."""
    args = list(argv) if argv is not None else ["flowlint", *sys.argv[1:]]
    return ReportMeta(
        project_root=project_root,
        generated_at=(now or datetime.now(timezone.utc)).replace(microsecond=0),
        git_commit=git_commit(project_root),
        version=__version__,
        command_line=shlex.join(args),
    )


# --- the format-independent content ---------------------------------------------------------------


@dataclass(frozen=True)
class StepView:
    number: int
    step: TraceStep
    snippet: Snippet | None
    same_as: int | None = None  # the previous step's number when it showed exactly this code (not repeated)


@dataclass(frozen=True)
class FindingView:
    number: int  # 1-based, in reading order: by rule (policy order), then in the order of `analysis.findings`
    anchor: str  # "finding-N"
    finding: Finding
    steps: tuple[StepView, ...]
    lawful: str  # the origin's lawfulness as text
    where: Snippet | None = None  # for a finding without a trace (FL901/FL902): the code at its location
    # another finding of the same rule has the same sink: the headline names this one's source
    shares_sink: bool = False

    @property
    def has_flow(self) -> bool:
        """False for findings about the project's comments (suppressions), which have no trace."""
        return bool(self.finding.trace)


@dataclass(frozen=True)
class RuleGroup:
    rule_id: str
    name: str
    severity: str
    rule: Rule | None  # None: a rule that the policy does not have (not expected)
    findings: tuple[FindingView, ...]


@dataclass(frozen=True)
class OriginView:
    id: str
    provider: str
    collection: str
    lawful: str
    categories: tuple[str, ...]
    purposes: tuple[str, ...]
    evidence: tuple[str, ...]
    flows: int
    findings: tuple[FindingView, ...]
    in_policy: bool


@dataclass(frozen=True)
class SinkUse:
    symbol: str
    kind: str
    location: Location
    purpose: str | None
    rules: tuple[str, ...]  # the rules whose reported findings are about flows of this row into this sink
    anchors: tuple[str, ...]  # those findings
    # rules that hold on such a flow but whose finding is not in the report: suppressed by a
    # `# flowlint: ignore[...]` comment (with its line), or else baselined or out of the reported paths
    unreported: tuple[str, ...] = ()
    through: tuple[str, ...] = ()  # the sanitizers and guards the flows into this sink passed (`treatments`)


@dataclass(frozen=True)
class InventoryRow:
    origin: str
    provider: str
    lawful: str
    collection: str
    category: str
    sink_kind: str
    flows: int
    sinks: tuple[SinkUse, ...]

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(sorted({r for s in self.sinks for r in s.rules}))

    @property
    def unreported_rules(self) -> tuple[str, ...]:
        """Rules that fire on these flows but whose findings were suppressed or left out."""
        return tuple(sorted({note.split()[0] for sink in self.sinks for note in sink.unreported} - set(self.rules)))


@dataclass(frozen=True)
class ReportData:
    meta: ReportMeta
    policy: Policy
    analysis: Analysis
    rule_counts: tuple[tuple[str, str, str, int], ...]  # (rule id, name, severity, findings), every rule
    severity_counts: dict[str, int]
    findings: tuple[FindingView, ...]
    by_rule: tuple[RuleGroup, ...]
    origins: tuple[OriginView, ...]  # the origins involved in a flow or in a finding about a flow
    other_findings: tuple[FindingView, ...]  # findings without a flow (FL901/FL902 about suppressions)
    inventory: tuple[InventoryRow, ...]
    graph: nx.DiGraph
    layout: flow_graph.Layout
    flagged_flows: int
    flow_matches: tuple[tuple[Finding, ...], ...]  # for each of `analysis.flows`, the reported findings it witnesses
    files_with_flows: tuple[str, ...] = field(default=())

    @property
    def title(self) -> str:
        root = self.meta.project_root
        return f"flowlint reviewer report: {root.name or root.resolve().name or str(root)}"


def lawful_text(lawful: object) -> str:
    return str(lawful).lower() if isinstance(lawful, bool) else str(lawful)


def _steps(finding: Finding, lines: SourceLines) -> tuple[StepView, ...]:
    views = []
    last = len(finding.trace)
    for number, step in enumerate(finding.trace, 1):
        where = step.location
        end_line = None
        # the source and the sink know their whole span: mark every line of the statement
        if step.kind == "sink" and number == last and where.path == finding.sink.location.path \
                and where.line == finding.sink.location.line:
            end_line = finding.sink.location.end_line
        elif step.kind == "source" and where.path == finding.source.location.path \
                and where.line == finding.source.location.line:
            end_line = finding.source.location.end_line
        snippet = lines.snippet(where.path, where.line, where.column, end_line, context=SNIPPET_CONTEXT)
        same_as = None
        if views and snippet is not None:
            before = views[-1]
            shown = before.snippet
            if shown is not None and (shown.path, shown.first, shown.lines, shown.marked) == \
                    (snippet.path, snippet.first, snippet.lines, snippet.marked):
                same_as = before.same_as or before.number
        views.append(StepView(number, step, snippet, same_as))
    return tuple(views)


_MARKS = re.compile(r"\bmarks=(\S+)")
_DEF = re.compile(r"^\s*(?:async\s+)?def\s+(\w+)")


def mark_setters(policy: Policy, directives: dict[str, list], lines: SourceLines) -> dict[str, tuple[str, ...]]:
    """For each mark, who can set it: the policy's guards and sanitizers (by their call patterns)
    and the project's inline `guard`/`sanitizer` annotations (by the function they sit on).
    The engine records a mark on the data, not which guard set it; this names the candidates."""
    setters: dict[str, list[str]] = {}
    for kind, entries in (("guard", policy.guards), ("sanitizer", policy.sanitizers)):
        for entry in entries:
            for mark in entry.marks:
                setters.setdefault(mark, []).extend(f"{kind} `{call}()`" for call in entry.calls)
    for path, found in directives.items():
        for directive in found:
            kind, match = directive.text.split(" ", 1)[0], _MARKS.search(directive.text)
            if kind not in ("guard", "sanitizer") or match is None:
                continue
            text = (lines.lines(path) or ())[directive.line - 1: directive.line]
            name = _DEF.match(text[0]) if text else None
            where = f"`{name.group(1)}()` ({path}:{directive.line})" if name else f"at {path}:{directive.line}"
            for mark in match.group(1).split(","):
                setters.setdefault(mark, []).append(f"{kind} {where}")
    return {mark: tuple(dict.fromkeys(names)) for mark, names in setters.items()}


def treatments(flow: Flow, setters: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """What the data of a flow passed on its way, as the engine recorded it: each sanitizer (a
    trace step) and each mark with the guards or sanitizers that can set it."""
    out = [step.note for step in flow.label.trace if step.kind == "step" and step.note.startswith("sanitized by ")]
    for mark in sorted(flow.label.marks):
        by = setters.get(mark)
        out.append(f"marked `{mark}` by " + (" or ".join(by) if by else "a guard or sanitizer"))
    return tuple(dict.fromkeys(out))


def _suppressed_line(flow: Flow, rule_id: str, directives: dict[str, list]) -> int | None:
    """The line of an `ignore[...]` comment naming `rule_id` on the flow's sink line or statement."""
    site = flow.sink.site
    first, last = flow.sink.statement
    for directive in directives.get(site.path, ()):
        text = directive.text.strip()
        if not text.startswith("ignore") or rule_id not in text.partition("]")[0]:
            continue
        if site.line <= directive.line <= max(site.end_line, site.line) or 0 < first <= directive.line <= last:
            return directive.line
    return None


def _unreported(flow: Flow, found: tuple[Finding, ...], policy: Policy, origins: dict[str, Origin],
                directives: dict[str, list]) -> list[str]:
    origin = origins.get(flow.label.origin)
    if origin is None:
        return []
    reported = {f.rule_id for f in found}
    out = []
    for rule in policy.rules:
        if rule.id in reported or not rule_fires(rule, flow, origin):
            continue
        line = _suppressed_line(flow, rule.id, directives)
        out.append(f"{rule.id} suppressed (line {line})" if line else f"{rule.id} not reported (baseline or scope)")
    return out


def _inventory(flows: Sequence[Flow], matches: Sequence[tuple[Finding, ...]], policy: Policy,
               anchors: dict[int, str], directives: dict[str, list],
               setters: dict[str, tuple[str, ...]]) -> tuple[InventoryRow, ...]:
    origins = {o.id: o for o in policy.origins}
    rows: dict[tuple[str, str, str], dict] = {}
    for flow, found in zip(flows, matches):
        unreported = _unreported(flow, found, policy, origins, directives)
        passed = treatments(flow, setters)
        for category in sorted(flow.label.categories) or [NO_CATEGORY]:
            key = (flow.label.origin, category, flow.sink.kind)
            row = rows.setdefault(key, {"flows": 0, "sinks": {}})
            row["flows"] += 1
            site = flow.sink.site
            location = Location(site.path, site.line, site.column, site.end_line, site.end_column)
            sink_key = (location, flow.sink.symbol, flow.sink.purpose)
            rules, links, others, through = row["sinks"].setdefault(sink_key, (set(), set(), set(), set()))
            rules.update(f.rule_id for f in found)
            links.update(anchors[id(f)] for f in found)
            others.update(unreported)
            through.update(passed)
    out = []
    for (origin_id, category, kind), row in rows.items():
        origin = origins.get(origin_id)
        sinks = tuple(SinkUse(symbol, kind, location, purpose, tuple(sorted(rules)),
                              tuple(sorted(links, key=lambda a: int(a.rpartition("-")[2]))), tuple(sorted(others)),
                              tuple(sorted(through)))
                      for (location, symbol, purpose), (rules, links, others, through)
                      in sorted(row["sinks"].items(), key=lambda i: (i[0][0], i[0][1])))
        out.append(InventoryRow(
            origin=origin_id, provider=origin.provider if origin else origin_id,
            lawful=lawful_text(origin.lawful) if origin else "not in policy",
            collection=origin.collection if origin else "?",
            category=category, sink_kind=kind, flows=row["flows"], sinks=sinks))
    return tuple(sorted(out, key=lambda r: (r.origin, r.category == NO_CATEGORY, r.category, r.sink_kind)))


def build_report_data(analysis: Analysis, policy: Policy, meta: ReportMeta) -> ReportData:
    lines = SourceLines(meta.project_root)
    origins = {o.id: o for o in policy.origins}
    # counts: every rule of the policy (zero included), then the rules only the findings know (FL901, ...)
    counts: dict[str, int] = {}
    for finding in analysis.findings:
        counts[finding.rule_id] = counts.get(finding.rule_id, 0) + 1
    rule_counts = [(r.id, r.name, r.severity, counts.get(r.id, 0)) for r in policy.rules]
    known = {r.id for r in policy.rules}
    for finding in analysis.findings:
        if finding.rule_id not in known:
            known.add(finding.rule_id)
            rule_counts.append((finding.rule_id, finding.rule_name, finding.severity, counts[finding.rule_id]))
    # numbered in reading order: the report shows the findings grouped by rule
    rank = {rule_id: index for index, (rule_id, *_rest) in enumerate(rule_counts)}
    ordered = sorted(analysis.findings, key=lambda f: rank[f.rule_id])
    sinks = Counter((f.rule_id, f.sink.location) for f in analysis.findings if f.trace)
    views = []
    for number, finding in enumerate(ordered, 1):
        where = None
        if not finding.trace:
            location = finding.sink.location
            where = lines.snippet(location.path, location.line, location.column, location.end_line, context=SNIPPET_CONTEXT)
        views.append(FindingView(number, f"finding-{number}", finding, _steps(finding, lines),
                                 lawful_text(finding.origin.lawful), where,
                                 sinks[finding.rule_id, finding.sink.location] > 1))
    anchors = {id(v.finding): v.anchor for v in views}
    severity_counts = {s: sum(1 for f in analysis.findings if f.severity == s) for s in SEVERITIES}
    # findings by rule, in policy order
    rules = {r.id: r for r in META_RULES}
    rules.update((r.id, r) for r in policy.rules)
    groups = []
    for rule_id, name, severity, _count in rule_counts:
        members = tuple(v for v in views if v.finding.rule_id == rule_id)
        if members:
            groups.append(RuleGroup(rule_id, name, severity, rules.get(rule_id), members))
    # flows vs findings
    flows = analysis.flows
    matches = flow_graph.flow_findings(flows, analysis.findings, policy)
    flow_counts: dict[str, int] = {}
    for flow in flows:
        flow_counts[flow.label.origin] = flow_counts.get(flow.label.origin, 0) + 1
    with_flow = [v for v in views if v.has_flow]
    involved = sorted(set(flow_counts) | {v.finding.origin.id for v in with_flow})
    origin_views = []
    for origin_id in involved:
        origin = origins.get(origin_id)
        members = tuple(v for v in with_flow if v.finding.origin.id == origin_id)
        sample = members[0].finding.origin if members else None
        origin_views.append(OriginView(
            id=origin_id,
            provider=origin.provider if origin else (sample.provider if sample else origin_id),
            collection=origin.collection if origin else (sample.collection if sample else "?"),
            lawful=lawful_text(origin.lawful if origin else (sample.lawful if sample else "not in policy")),
            categories=origin.categories if origin else (), purposes=origin.purposes if origin else (),
            evidence=origin.evidence if origin else (), flows=flow_counts.get(origin_id, 0),
            findings=members, in_policy=origin is not None))
    directives: dict[str, list] = {}
    for path, directive in analysis.directives:
        directives.setdefault(path, []).append(directive)
    setters = mark_setters(policy, directives, lines)
    graph = flow_graph.build_flow_graph(flows, matches, policy, setters)
    files = sorted({s.path for f in flows for s in (f.label.site, f.sink.site)})
    return ReportData(
        meta=meta, policy=policy, analysis=analysis, rule_counts=tuple(rule_counts),
        severity_counts=severity_counts, findings=tuple(views), by_rule=tuple(groups),
        origins=tuple(origin_views), other_findings=tuple(v for v in views if not v.has_flow),
        inventory=_inventory(flows, matches, policy, anchors, directives, setters),
        graph=graph, layout=flow_graph.layout(graph), flagged_flows=sum(1 for m in matches if m),
        flow_matches=tuple(matches), files_with_flows=tuple(files))


def render_report(analysis: Analysis, policy: Policy, fmt: Literal["html", "markdown"], meta: ReportMeta) -> str:
    """The reviewer report of `analysis` (run with `policy`) as one HTML document or Markdown text."""
    data = build_report_data(analysis, policy, meta)
    if fmt == "html":
        from flowlint.report import html

        return html.render(data)
    if fmt == "markdown":
        from flowlint.report import markdown

        return markdown.render(data)
    raise ValueError(f"unknown report format: {fmt!r} (expected 'html' or 'markdown')")
