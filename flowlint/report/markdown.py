"""The reviewer report as GitHub-flavoured Markdown (for pull-request and merge-request comments,
wikis and repositories): the same sections and numbers as the HTML report, the flow graph as a
```mermaid block.

Escaping: project text is either in code (inline code spans whose backtick fence is longer than
any backtick run inside, fenced blocks likewise) or escaped text (`_t`: Markdown punctuation
backslash-escaped, `<`, `>` and `&` as entities), so nothing from the analysed project becomes
markup or HTML. Mermaid labels are quoted and entity-coded (`graph.mermaid_text`). The only raw
HTML is ours: `<a id="...">` anchors and `<br>` inside table cells.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flowlint.report import graph as flow_graph
from flowlint.report.markdown_text import code as _c, note as _note, text as _t
from flowlint.report.reviewer import FINDINGS_VS_FLOWS
from flowlint.report.snippets import Snippet, visible

if TYPE_CHECKING:
    from flowlint.report.reviewer import FindingView, ReportData, RuleGroup

def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _paragraphs(text: str) -> list[str]:
    return [_t(" ".join(block.split())) for block in text.strip().split("\n\n") if block.strip()]


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def render(data: ReportData) -> str:
    out: list[str] = []
    meta, analysis = data.meta, data.analysis
    out.append(f"# {_t(data.title)}")
    out.append("")
    commit = f" at commit {_c(meta.git_commit[:12])}" if meta.git_commit else ""
    out.append(f"Generated {_t(meta.generated_at.isoformat())} by flowlint {_t(meta.version)}{commit}.")
    out.append("")
    severity = ", ".join(f"{data.severity_counts[s]} {s}" for s in ("error", "warning", "note") if data.severity_counts[s])
    out.append(f"**{_plural(len(analysis.findings), 'finding')}**{f' ({severity})' if severity else ''} · "
               f"{_plural(len(analysis.flows), 'traced flow')} ({data.flagged_flows} flagged) · "
               f"{_plural(len(data.origins), 'origin')} involved · {_plural(analysis.files, 'file')} analysed · "
               f"{_plural(len(analysis.diagnostics), 'diagnostic')}")
    out.append("")
    out.append(f"*{FINDINGS_VS_FLOWS}*")
    out.append("")
    out.append("Contents: [Summary](#summary) · [Findings](#findings) · [Findings by origin](#findings-by-origin) · "
               "[Data inventory](#data-inventory) · [Flow graph](#flow-graph) · [Diagnostics](#diagnostics) · "
               "[Inline annotations and suppressions](#inline-annotations-and-suppressions) · [Policy](#policy)")
    out.append("")
    _summary(data, out)
    _findings(data, out)
    _by_origin(data, out)
    _inventory(data, out)
    _graph(data, out)
    _diagnostics(data, out)
    _directives(data, out)
    _policy(data, out)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


def _summary(data: ReportData, out: list[str]) -> None:
    analysis, meta = data.analysis, data.meta
    out += ["## Summary", "", "### Findings by rule and severity", ""]
    out.append(_row(["Rule", "Name", "Severity", "Findings"]))
    out.append("| --- | --- | --- | ---: |")
    for rule_id, name, sev, count in data.rule_counts:
        shown = f"[{_t(rule_id)}](#rule-{rule_id.lower()})" if count and re.fullmatch(r"[A-Za-z0-9_-]+", rule_id) \
            else _t(rule_id)
        out.append(_row([shown, _t(name), _t(sev), str(count)]))
    for sev in ("error", "warning", "note"):
        out.append(_row([f"*{sev}*", "", "", f"*{data.severity_counts[sev]}*"]))
    out.append(_row(["**total**", "", "", f"**{len(analysis.findings)}**"]))
    out.append("")
    out += ["### Origins involved", ""]
    if data.origins:
        out.append(_row(["Origin", "Provider", "Obtained by", "Lawful", "Categories", "Evidence", "Flows", "Findings"]))
        out.append("| --- | --- | --- | --- | --- | --- | ---: | ---: |")
        for origin in data.origins:
            cats = ", ".join(_c(c, True) for c in origin.categories) or "—"
            evidence = "<br>".join(_t(e) for e in origin.evidence) or "none recorded"
            name = _c(origin.id, True) + ("" if origin.in_policy else " (not in the policy)")
            out.append(_row([name, _t(origin.provider), _t(origin.collection), f"**{_t(origin.lawful)}**",
                             cats, evidence, str(origin.flows), str(len(origin.findings))]))
    else:
        out.append("No data from any declared origin was traced to a sink.")
    out.append("")
    out += ["### Run", ""]
    out.append(f"- Project: {_c(meta.project_root)}")
    out.append(f"- Git commit: {_c(meta.git_commit) if meta.git_commit else 'not a git repository (or no commit)'}")
    out.append(f"- Generated: {_t(meta.generated_at.isoformat())}")
    out.append(f"- flowlint: {_t(meta.version)}")
    out.append(f"- Command: {_c(meta.command_line)}")
    out.append(f"- Files analysed: {analysis.files} ({analysis.functions} functions; "
               f"{len(data.files_with_flows)} with a source or sink of a traced flow)")
    packs = ", ".join(f"{_t(f.name)} ({_c(f.path)})" for f in data.policy.files) or "none"
    out.append(f"- Policies: {packs}")
    out.append("")


def _findings(data: ReportData, out: list[str]) -> None:
    out += ["## Findings", ""]
    if not data.findings:
        out += ["No findings: no rule fires on any traced flow. The data inventory below still lists every flow "
                "the analysis traced.", ""]
        return
    out += [f"{_plural(len(data.findings), 'finding')}, grouped by rule (see [Findings by origin](#findings-by-origin) "
            "for the grouping by origin). Each trace runs from the source (step 1) to the sink (last step); `>` marks "
            "the step's line.", ""]
    for group in data.by_rule:
        _rule_group(group, out)


def _rule_group(group: RuleGroup, out: list[str]) -> None:
    rule = group.rule
    out.append(f'<a id="rule-{group.rule_id.lower()}"></a>' if re.fullmatch(r"[A-Za-z0-9_-]+", group.rule_id) else "")
    out.append("")
    out.append(f"### {_t(group.rule_id)} {_t(group.name)} ({_t(group.severity)}): {_plural(len(group.findings), 'finding')}")
    out.append("")
    if rule is not None and rule.rationale:
        paragraphs = _paragraphs(rule.rationale)
        out.append(f"**Why this is reported.** {paragraphs[0]}")
        for paragraph in paragraphs[1:]:
            out += ["", paragraph]
        out.append("")
    if rule is not None and rule.cite:
        out += ["**Citations**", ""]
        out += [f"{i}. {_t(c)}" for i, c in enumerate(rule.cite, 1)]
        out.append("")
    for view in group.findings:
        _finding(view, out, cited=rule is not None and bool(rule.cite))


def _finding(view: FindingView, out: list[str], cited: bool) -> None:
    """One finding; its citations only when its rule's are not printed above (``cited``)."""
    f = view.finding
    out += [f'<a id="{view.anchor}"></a>', ""]
    source = f" from {_c(f.source.symbol)} at {_c(f.source.location)}" if view.shares_sink else ""
    out.append(f"#### Finding {view.number}: {_t(f.rule_id)} ({_t(f.severity)}) at {_c(f.sink.location)}{source}")
    out.append("")
    out.append(_t(f.message))
    out.append("")
    if not view.has_flow:
        _comment_finding(view, out)
        return
    out.append(f"- **Origin:** {_t(f.origin.provider)} ({_c(f.origin.id)}), obtained by {_t(f.origin.collection)}; "
               f"lawful: **{_t(view.lawful)}**")
    out.append(f"- **Categories:** {', '.join(_c(c) for c in f.categories) or 'none (cleared)'}")
    if f.marks:
        out.append(f"- **Marks:** {', '.join(_c(m) for m in f.marks)}")
    out.append(f"- **Source:** {_c(f.source.symbol)} at {_c(f.source.location)}")
    purpose = f"; purpose {_c(f.sink_purpose)}" if f.sink_purpose else ""
    out.append(f"- **Sink:** {_c(f.sink.symbol)} ({_t(f.sink.kind or '?')}) at {_c(f.sink.location)}{purpose}")
    anchor = f"#rule-{f.rule_id.lower()}" if re.fullmatch(r"[A-Za-z0-9_-]+", f.rule_id) else "#findings"
    out.append(f"- **Rule:** {_t(f.rule_id)} {_t(f.rule_name)} ({_t(f.severity)}); rationale: [above]({anchor})")
    if f.citations and not cited:
        out.append("- **Citations:**")
        out += [f"  {i}. {_t(c)}" for i, c in enumerate(f.citations, 1)]
    out.append(f"- **Fingerprint:** {_c(f.fingerprint)}")
    out.append("")
    out.append(f"**Trace** ({_plural(len(view.steps), 'step')})")
    out.append("")
    for step in view.steps:
        marker = f"{step.number}. "
        indent = " " * len(marker)
        out.append(f"{marker}**{_t(step.step.kind)}** {_c(step.step.location)}: {_note(step.step.note)}")
        out.append("")
        if step.same_as:
            out.append(f"{indent}*(same line as step {step.same_as})*")
        elif step.snippet is not None:
            out += [indent + line if line else "" for line in _code_block(step.snippet)]
        else:
            out.append(f"{indent}*(the code of this step could not be read)*")
        out.append("")


def _comment_finding(view: FindingView, out: list[str]) -> None:
    """A finding about a `# flowlint:` comment (FL901/FL902): no flow, the comment's code instead."""
    f = view.finding
    out.append(f"- **Comment:** {_c(f.sink.symbol)} at {_c(f.sink.location)}")
    out.append(f"- **Rule:** {_t(f.rule_id)} {_t(f.rule_name)} ({_t(f.severity)})")
    out.append(f"- **Fingerprint:** {_c(f.fingerprint)}")
    out.append("")
    if view.where is not None:
        out += _code_block(view.where)
        out.append("")


def _code_block(snippet: Snippet) -> list[str]:
    numbered = snippet.numbered()
    width = len(str(numbered[-1][0]))
    lines = [f"{'>' if marked else ' '} {number:>{width}} | {visible(text)}".rstrip() for number, text, marked in numbered]
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}python", *lines, fence]


def _by_origin(data: ReportData, out: list[str]) -> None:
    out += ["## Findings by origin", ""]
    if not data.origins and not data.other_findings:
        out += ["No origin is involved in any traced flow.", ""]
        return
    out.append(_row(["Origin", "Lawful", "Flows", "Findings"]))
    out.append("| --- | --- | ---: | --- |")
    for origin in data.origins:
        links = ", ".join(f"[#{v.number} {_t(v.finding.rule_id)}](#{v.anchor})" for v in origin.findings)
        out.append(_row([f"{_t(origin.provider)} ({_c(origin.id, True)})", f"**{_t(origin.lawful)}**",
                         str(origin.flows), links or "none: no rule fires on its flows"]))
    if data.other_findings:
        links = ", ".join(f"[#{v.number} {_t(v.finding.rule_id)}](#{v.anchor})" for v in data.other_findings)
        out.append(_row(["no data origin: findings about `# flowlint:` comments", "", "", links]))
    out.append("")


def _inventory(data: ReportData, out: list[str]) -> None:
    out += ["## Data inventory", ""]
    out += ["A record of processing (cf. GDPR Art. 30): which personal data from which origin reaches which kind of "
            "collection or disclosure, and where. One row per origin × category × sink kind, for every flow the "
            "analysis traced, including the flows no rule flags.", ""]
    if not data.inventory:
        out += ["No flow from a declared origin to a sink was traced.", ""]
        return
    out.append(_row(["Origin", "Lawful", "Category", "Sink kind", "Sinks", "Flows", "Rule fires"]))
    out.append("| --- | --- | --- | --- | --- | ---: | --- |")
    for row in data.inventory:
        sinks = []
        for sink in row.sinks:
            purpose = f" purpose {_c(sink.purpose, True)}" if sink.purpose else ""
            if sink.rules:
                links = ", ".join(f"[#{a.rpartition('-')[2]}](#{a})" for a in sink.anchors)
                status = f": {_t(', '.join(sink.rules))}" + (f" ({links})" if links else "")
            elif not sink.unreported:
                status = ": no rule fires"
            else:
                status = ":"
            if sink.unreported:
                status += f" {_t('; '.join(sink.unreported))}"
            if sink.through:
                status += f" (passed: {'; '.join(_note(t, True) for t in sink.through)})"
            sinks.append(f"{_c(sink.location, True)} {_c(sink.symbol, True)}{purpose}{status}")
        rules = row.rules
        unreported = row.unreported_rules
        status = f"**{_t(', '.join(rules))}**" if rules else ("no rule fires" if not unreported else "")
        if unreported:
            status += f"{'<br>' if rules else ''}{_t(', '.join(unreported))} not reported"
        out.append(_row([f"{_t(row.provider)} ({_c(row.origin, True)})", _t(row.lawful), _c(row.category, True),
                         _t(row.sink_kind), "<br>".join(sinks), str(row.flows), status]))
    out.append("")


def _graph(data: ReportData, out: list[str]) -> None:
    out += ["## Flow graph", ""]
    if data.graph.number_of_nodes() == 0:
        out += ["No flow was traced, so there is nothing to draw.", ""]
        return
    out += ["Origins → source calls → transforms, sanitizers and guards → sinks. Thick edges carry flows on which a "
            "rule fires (red: error, amber: warning, blue: note); dotted edges carry flows no rule flags.", ""]
    graph, placed = data.graph, data.layout
    if graph.number_of_nodes() > flow_graph.MERMAID_MAX_NODES or graph.number_of_edges() > flow_graph.MERMAID_MAX_EDGES:
        out += [f"The full graph ({_plural(graph.number_of_nodes(), 'node')}, {_plural(graph.number_of_edges(), 'edge')}) "
                "is too large for a Mermaid diagram; this one summarises it by origin and sink kind (the HTML report "
                "draws the full graph).", ""]
        graph = flow_graph.build_summary_graph(data.analysis.flows, data.flow_matches, data.policy)
        placed = flow_graph.layout(graph)
    out += ["```mermaid", flow_graph.mermaid(graph, placed), "```", ""]


def _diagnostics(data: ReportData, out: list[str]) -> None:
    diagnostics = data.analysis.diagnostics
    out += ["## Diagnostics", ""]
    if not diagnostics:
        out += ["Every discovered file was analysed.", ""]
        return
    out += [f"{_plural(len(diagnostics), 'file problem')}: flows through these files were not traced, so findings "
            "there may be missing.", ""]
    out.append(_row(["Location", "Code", "Message"]))
    out.append("| --- | --- | --- |")
    for d in diagnostics:
        out.append(_row([_c(f"{d.path}:{d.line}:{d.column}", True), _t(d.code), _t(d.message)]))
    out.append("")


def _directives(data: ReportData, out: list[str]) -> None:
    directives = data.analysis.directives
    out += ["## Inline annotations and suppressions", ""]
    if not directives:
        out += ["The project has no `# flowlint:` comments.", ""]
        return
    out += [f"{_plural(len(directives), '`# flowlint:` comment')} in the project: sources, sinks, sanitizers and guards "
            "declared in the code, and suppressions with their reasons. A reviewer should check each suppression.", ""]
    out.append(_row(["Location", "Kind", "Comment"]))
    out.append("| --- | --- | --- |")
    for path, directive in directives:
        kind = "suppression" if directive.text.strip().startswith("ignore") else "annotation"
        out.append(_row([_c(f"{path}:{directive.line}:{directive.column}", True), kind,
                         _c("# flowlint: " + directive.text, True)]))
    out.append("")


def _policy(data: ReportData, out: list[str]) -> None:
    policy = data.policy
    out += ["## Policy", ""]
    out += [f"{_plural(len(policy.files), 'policy file')}: {_plural(len(policy.origins), 'origin')}, "
            f"{_plural(len(policy.sources), 'source')}, {_plural(len(policy.sinks), 'sink')}, "
            f"{_plural(len(policy.rules), 'rule')}.", ""]
    out.append(_row(["Name", "File", "SHA-256"]))
    out.append("| --- | --- | --- |")
    for f in policy.files:
        out.append(_row([_t(f.name), _c(f.path, True), _c(f.sha256[:16], True)]))
    out.append("")
