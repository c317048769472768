"""The reviewer report as one self-contained HTML file.

Nothing is loaded from anywhere: the CSS is inline, the flow graph is inline SVG, there are no
fonts or images, and a Content-Security-Policy forbids every fetch and every script but the one
small filter script (by its hash), so even a mistake in escaping could not run code. Every piece
of text from the project (code, paths, notes, symbols, messages, policy strings) goes through
`_e`. The page works without JavaScript (the origin filter then stays hidden) and prints cleanly
(print CSS: no navigation, no filter, findings kept together where they fit).
"""

from __future__ import annotations

import base64
import hashlib
import html
from typing import TYPE_CHECKING

from flowlint.report import graph as flow_graph
from flowlint.report.reviewer import FINDINGS_VS_FLOWS
from flowlint.report.snippets import Snippet, visible

if TYPE_CHECKING:
    from flowlint.report.reviewer import FindingView, ReportData, RuleGroup

NO_ORIGIN = "-"  # data-origin of findings without a flow (about `# flowlint:` comments)
SCRIPT = """(function () {
  var box = document.getElementById("origin-filter");
  var select = document.getElementById("origin-select");
  if (!box || !select || !document.querySelectorAll) { return; }
  box.hidden = false;
  function apply() {
    var wanted = select.value, shown = 0;
    var findings = document.querySelectorAll("article.finding");
    for (var i = 0; i < findings.length; i++) {
      var on = !wanted || findings[i].getAttribute("data-origin") === wanted;
      findings[i].hidden = !on;
      if (on) { shown++; }
    }
    var groups = document.querySelectorAll("section.rule-group");
    for (var j = 0; j < groups.length; j++) {
      groups[j].hidden = !groups[j].querySelector("article.finding:not([hidden])");
    }
    document.getElementById("origin-shown").textContent = shown + " of " + findings.length + " shown";
  }
  select.addEventListener("change", apply);
  window.addEventListener("beforeprint", function () {
    var details = document.querySelectorAll("details");
    for (var k = 0; k < details.length; k++) { details[k].open = true; }
  });
  apply();
})();"""
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
CSP = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{SCRIPT_HASH}'; "
       "img-src 'none'; font-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'")

CSS = """
:root { --fg: #111827; --muted: #4b5563; --line: #d1d5db; --bg-soft: #f6f7f9;
  --error: #b91c1c; --warning: #b45309; --note: #1d4ed8; --ok: #15803d;
  --mono: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: #fff; line-height: 1.45;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 0 24px 48px; }
header.top { background: #1f2937; color: #f9fafb; padding: 18px 24px; }
header.top h1 { margin: 0 0 4px; font-size: 22px; }
header.top p { margin: 0; color: #d1d5db; font-size: 13px; }
header.top p.explain { margin-top: 6px; max-width: 60em; }
header.top code { color: #f9fafb; background: #374151; }
nav.toc { max-width: 1180px; margin: 0 auto; padding: 10px 24px; font-size: 14px; }
nav.toc a { margin-right: 16px; }
h2 { font-size: 20px; margin: 34px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 17px; margin: 24px 0 8px; }
h4 { font-size: 15px; margin: 0 0 6px; }
h5 { font-size: 13px; margin: 12px 0 4px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
a { color: #1d4ed8; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
code { background: var(--bg-soft); padding: 0 3px; border-radius: 3px; overflow-wrap: break-word; }
p.lead { color: var(--muted); margin-top: 0; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.zero td { color: var(--muted); }
ul.plain { list-style: none; margin: 0; padding: 0; }
ul.plain li + li { margin-top: 3px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0 18px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 130px; background: var(--bg-soft); }
.card .n { font-size: 24px; font-weight: 700; display: block; }
.card .l { font-size: 12px; color: var(--muted); }
.card.bad { border-color: var(--error); background: #fef2f2; }
.card.bad .n { color: var(--error); }
.badge { display: inline-block; font-size: 11.5px; font-weight: 700; text-transform: uppercase; letter-spacing: .03em;
  padding: 1px 7px; border-radius: 10px; color: #fff; background: var(--muted); vertical-align: 1px; }
.badge.error { background: var(--error); } .badge.warning { background: var(--warning); }
.badge.note { background: var(--note); } .badge.ok { background: var(--ok); }
.lawful-false { color: var(--error); font-weight: 600; } .lawful-unknown { color: var(--warning); font-weight: 600; }
.lawful-true { color: var(--ok); font-weight: 600; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 8px 0 14px; font-size: 14px; }
dl.run dt { color: var(--muted); } dl.run dd { margin: 0; overflow-wrap: anywhere; }
.filter { margin: 6px 0 14px; padding: 8px 12px; background: var(--bg-soft); border: 1px solid var(--line); border-radius: 6px; font-size: 14px; }
.rule-why { border-left: 4px solid var(--line); padding: 2px 0 2px 14px; margin: 6px 0 14px; }
.rule-why p { margin: 6px 0; }
.rule-why ol, .finding ol.cites { margin: 4px 0; padding-left: 22px; font-size: 14px; }
article.finding { border: 1px solid var(--line); border-left: 6px solid var(--muted); border-radius: 6px;
  padding: 12px 16px; margin: 14px 0 18px; background: #fff; }
article.finding.sev-error { border-left-color: var(--error); }
article.finding.sev-warning { border-left-color: var(--warning); }
article.finding.sev-note { border-left-color: var(--note); }
article.finding .message { font-size: 15px; margin: 4px 0 10px; font-weight: 500; }
article.finding .num { color: var(--muted); font-weight: 400; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; font-size: 14px; margin: 0 0 6px; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
details.why { font-size: 14px; margin: 6px 0; } details.why summary { cursor: pointer; color: var(--muted); }
ol.trace { list-style: none; counter-reset: step; padding: 0; margin: 6px 0 0; }
ol.trace > li { position: relative; padding: 0 0 10px 34px; break-inside: avoid; page-break-inside: avoid; }
ol.trace > li::before { counter-increment: step; content: counter(step); position: absolute; left: 0; top: 0;
  width: 24px; height: 24px; border-radius: 12px; background: #e5e7eb; text-align: center; font: 700 12px/24px var(--mono); }
ol.trace > li.kind-source::before { background: #c7d2fe; } ol.trace > li.kind-sink::before { background: #fecaca; }
ol.trace > li:not(:last-child)::after { content: ""; position: absolute; left: 11px; top: 26px; bottom: 0; border-left: 2px solid #e5e7eb; }
.step-head { font-size: 14px; min-height: 24px; padding-top: 2px; }
.step-head .kind { font: 700 11px var(--mono); text-transform: uppercase; color: var(--muted); margin-right: 6px; }
pre.code { margin: 4px 0 0; padding: 6px 0; background: #fbfbfc; border: 1px solid #e5e7eb; border-radius: 4px;
  overflow-x: auto; line-height: 1.5; tab-size: 4; }
pre.code .line { display: block; padding: 0 10px 0 0; min-height: 1.5em; }
pre.code .line.hl { background: #fff3c4; box-shadow: inset 3px 0 0 #d97706; }
pre.code .ln { display: inline-block; min-width: 3.2em; padding-right: 10px; text-align: right; color: #9ca3af;
  user-select: none; -webkit-user-select: none; }
pre.code .line.hl .ln { color: #92400e; font-weight: 700; }
p.nocode { font-size: 13px; color: var(--muted); margin: 2px 0 0; }
tr.flagged td.status { color: var(--error); font-weight: 600; }
tr.unflagged td.status { color: var(--muted); }
td .sink-ok { color: var(--muted); font-weight: 400; }
.graph-scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; padding: 6px; background: #fff; }
svg.flow-graph { display: block; max-width: 100%; height: auto; }  /* scaled to the page: the sinks stay in view */
.legend { font-size: 13px; color: var(--muted); margin: 6px 0; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; border: 2px solid; border-radius: 3px; vertical-align: -1px; margin-right: 4px; }
footer { max-width: 1180px; margin: 0 auto; padding: 16px 24px 30px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); }
[hidden] { display: none !important; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10.5pt; }
  header.top { background: none; color: #000; padding: 0 0 8px; border-bottom: 2px solid #000; }
  header.top p, header.top code { color: #000; }
  nav.toc, .filter, details.why { display: none !important; }
  main, footer { max-width: none; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2, h3, h4, h5 { break-after: avoid; page-break-after: avoid; }
  article.finding { break-inside: auto; }
  .card, tr, .rule-why { break-inside: avoid; page-break-inside: avoid; }
  pre.code { overflow: visible; white-space: pre-wrap; word-break: break-all; }
  .graph-scroll { overflow: visible; border: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
}
"""


def _e(text: object) -> str:
    """Project text, escaped for HTML text and attribute values (quotes included)."""
    return html.escape(visible(str(text)), quote=True)


def _code(text: object) -> str:
    return f"<code>{_e(text)}</code>"


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _note(note: str) -> str:
    """A trace note: its `quoted` parts (code in the analyser's notes) shown as code."""
    parts = note.split("`")
    if len(parts) % 2 == 0:  # unbalanced: show as it is
        return _e(note)
    return "".join(_code(part) if i % 2 else _e(part) for i, part in enumerate(parts))


def _lawful(lawful: str) -> str:
    css = {"false": "lawful-false", "unknown": "lawful-unknown", "true": "lawful-true"}.get(lawful, "")
    return f'<span class="{css}">{_e(lawful)}</span>'


def _badge(severity: str) -> str:
    return f'<span class="badge {_e(severity)}">{_e(severity)}</span>'


def _paragraphs(text: str) -> str:
    blocks = [" ".join(block.split()) for block in text.strip().split("\n\n") if block.strip()]
    return "".join(f"<p>{_e(block)}</p>" for block in blocks)


def render(data: ReportData) -> str:
    out: list[str] = []
    meta = data.meta
    out.append("<!DOCTYPE html>")
    out.append('<html lang="en"><head><meta charset="utf-8">')
    out.append(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">')
    out.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
    out.append('<meta name="referrer" content="no-referrer">')
    out.append(f'<meta name="generator" content="flowlint {_e(meta.version)}">')
    out.append(f"<title>{_e(data.title)}</title>")
    out.append(f"<style>{CSS}</style></head><body>")
    out.append('<header class="top">')
    out.append(f"<h1>{_e(data.title)}</h1>")
    commit = f" at commit {_code(meta.git_commit[:12])}" if meta.git_commit else ""
    out.append(f"<p>Generated {_e(meta.generated_at.isoformat())} by flowlint {_e(meta.version)}{commit} "
               f"&middot; {_plural(len(data.analysis.findings), 'finding')} &middot; "
               f"{_plural(len(data.analysis.flows), 'traced flow')}</p>")
    out.append(f'<p class="explain">{_e(FINDINGS_VS_FLOWS)}</p>')
    out.append("</header>")
    out.append('<nav class="toc" aria-label="Contents"><a href="#summary">Summary</a><a href="#findings">Findings</a>'
               '<a href="#by-origin">By origin</a><a href="#inventory">Data inventory</a><a href="#graph">Flow graph</a>'
               '<a href="#diagnostics">Diagnostics</a><a href="#directives">Annotations</a><a href="#policy">Policy</a></nav>')
    out.append("<main>")
    _summary(data, out)
    _findings(data, out)
    _by_origin(data, out)
    _inventory(data, out)
    _graph(data, out)
    _diagnostics(data, out)
    _directives(data, out)
    _policy(data, out)
    out.append("</main>")
    out.append(f"<footer>flowlint {_e(meta.version)} &middot; a static analysis: every flow shown was traced through "
               "the code without running it; the traces are witnesses, the code shown is the file as it was read "
               "when the report was generated.</footer>")
    out.append(f'<script id="flowlint-report-script">{SCRIPT}</script>')
    out.append("</body></html>")
    return "\n".join(out) + "\n"


# --- sections -------------------------------------------------------------------------------------


def _summary(data: ReportData, out: list[str]) -> None:
    analysis, meta = data.analysis, data.meta
    total = len(analysis.findings)
    out.append(f'<section id="summary" data-findings="{total}" data-diagnostics="{len(analysis.diagnostics)}" '
               f'data-flows="{len(analysis.flows)}" data-files="{analysis.files}">')
    out.append("<h2>Summary</h2>")
    severity = ", ".join(f"{data.severity_counts[s]} {s}" for s in ("error", "warning", "note") if data.severity_counts[s])
    out.append('<div class="cards">')
    out.append(f'<div class="card{" bad" if total else ""}"><span class="n">{total}</span>'
               f'<span class="l">{"findings" if total != 1 else "finding"}{" (" + _e(severity) + ")" if severity else ""}</span></div>')
    out.append(f'<div class="card"><span class="n">{len(analysis.flows)}</span><span class="l">flows traced '
               f'({data.flagged_flows} flagged)</span></div>')
    out.append(f'<div class="card"><span class="n">{len(data.origins)}</span><span class="l">origins involved</span></div>')
    out.append(f'<div class="card"><span class="n">{analysis.files}</span><span class="l">files analysed '
               f'({analysis.functions} functions)</span></div>')
    out.append(f'<div class="card{" bad" if analysis.diagnostics else ""}"><span class="n">{len(analysis.diagnostics)}</span>'
               f'<span class="l">diagnostics (files not analysed)</span></div>')
    out.append("</div>")
    out.append("<h3>Findings by rule and severity</h3>")
    out.append('<table class="counts"><thead><tr><th>Rule</th><th>Name</th><th>Severity</th><th class="num">Findings</th>'
               "</tr></thead><tbody>")
    for rule_id, name, sev, count in data.rule_counts:
        link = f'<a href="#rule-{_e(rule_id)}">{_e(rule_id)}</a>' if count else _e(rule_id)
        out.append(f'<tr class="rule-count{" zero" if not count else ""}" data-rule="{_e(rule_id)}" data-severity="{_e(sev)}" '
                   f'data-count="{count}"><td>{link}</td><td>{_e(name)}</td><td>{_badge(sev)}</td>'
                   f'<td class="num">{count}</td></tr>')
    out.append("</tbody><tfoot>")
    for sev in ("error", "warning", "note"):
        out.append(f'<tr class="severity-count" data-severity="{sev}" data-count="{data.severity_counts[sev]}">'
                   f'<th colspan="3">{sev}</th><td class="num">{data.severity_counts[sev]}</td></tr>')
    out.append(f'<tr class="total-count" data-count="{total}"><th colspan="3">total</th><td class="num">{total}</td></tr>')
    out.append("</tfoot></table>")
    out.append("<h3>Origins involved</h3>")
    if data.origins:
        out.append('<table class="origins"><thead><tr><th>Origin</th><th>Provider</th><th>Obtained by</th><th>Lawful</th>'
                   '<th>Categories</th><th>Evidence</th><th class="num">Flows</th><th class="num">Findings</th></tr></thead><tbody>')
        for origin in data.origins:
            evidence = "".join(f"<li>{_e(x)}</li>" for x in origin.evidence) or "<li class=\"muted\">none recorded</li>"
            cats = ", ".join(_code(c) for c in origin.categories) or '<span class="muted">—</span>'
            missing = "" if origin.in_policy else ' <span class="muted">(not in the policy)</span>'
            out.append(f'<tr data-origin="{_e(origin.id)}"><td>{_code(origin.id)}{missing}</td><td>{_e(origin.provider)}</td>'
                       f"<td>{_e(origin.collection)}</td><td>{_lawful(origin.lawful)}</td><td>{cats}</td>"
                       f'<td><ul class="plain">{evidence}</ul></td><td class="num">{origin.flows}</td>'
                       f'<td class="num">{len(origin.findings)}</td></tr>')
        out.append("</tbody></table>")
    else:
        out.append('<p class="muted">No data from any declared origin was traced to a sink.</p>')
    out.append("<h3>Run</h3>")
    out.append('<dl class="run">')
    out.append(f"<dt>Project</dt><dd>{_code(meta.project_root)}</dd>")
    commit = _code(meta.git_commit) if meta.git_commit else '<span class="muted">not a git repository (or no commit)</span>'
    out.append(f"<dt>Git commit</dt><dd>{commit}</dd>")
    out.append(f"<dt>Generated</dt><dd>{_e(meta.generated_at.isoformat())}</dd>")
    out.append(f"<dt>flowlint</dt><dd>{_e(meta.version)}</dd>")
    out.append(f"<dt>Command</dt><dd>{_code(meta.command_line)}</dd>")
    out.append(f"<dt>Files analysed</dt><dd>{analysis.files} ({analysis.functions} functions; "
               f"{len(data.files_with_flows)} with a source or sink of a traced flow)</dd>")
    packs = ", ".join(f"{_e(f.name)} ({_code(f.path)})" for f in data.policy.files) or '<span class="muted">none</span>'
    out.append(f"<dt>Policies</dt><dd>{packs}</dd>")
    out.append("</dl></section>")


def _finding_list_links(views: tuple[FindingView, ...]) -> str:
    return ", ".join(f'<a href="#{v.anchor}">#{v.number}&nbsp;{_e(v.finding.rule_id)}</a>' for v in views)


def _findings(data: ReportData, out: list[str]) -> None:
    out.append('<section id="findings"><h2>Findings</h2>')
    if not data.findings:
        out.append('<p class="lead">No findings: no rule fires on any traced flow. The data inventory below still '
                   "lists every flow the analysis traced.</p></section>")
        return
    out.append(f'<p class="lead">{_plural(len(data.findings), "finding")}, grouped by rule. Each trace runs from the '
               "source (step 1) to the sink (last step); the highlighted line is the step's line.</p>")
    origins = [o for o in data.origins if o.findings]
    out.append('<div class="filter" id="origin-filter" hidden><label>Show findings about data from '
               '<select id="origin-select"><option value="">every origin</option>')
    for origin in origins:
        out.append(f'<option value="{_e(origin.id)}">{_e(origin.provider)} ({_e(origin.id)}) — '
                   f'{_plural(len(origin.findings), "finding")}</option>')
    if data.other_findings:
        out.append(f'<option value="{NO_ORIGIN}">no data origin (about # flowlint: comments) — '
                   f'{_plural(len(data.other_findings), "finding")}</option>')
    out.append('</select></label> <span class="muted" id="origin-shown"></span></div>')
    for group in data.by_rule:
        _rule_group(group, out)
    out.append("</section>")


def _rule_group(group: RuleGroup, out: list[str]) -> None:
    rule = group.rule
    out.append(f'<section class="rule-group" id="rule-{_e(group.rule_id)}" data-rule="{_e(group.rule_id)}">')
    out.append(f"<h3>{_badge(group.severity)} {_e(group.rule_id)} {_e(group.name)} "
               f'<span class="muted">— {_plural(len(group.findings), "finding")}</span></h3>')
    if rule is not None and (rule.rationale or rule.cite):
        out.append('<div class="rule-why">')
        if rule.rationale:
            out.append(f"<h5>Why this is reported</h5>{_paragraphs(rule.rationale)}")
        if rule.cite:
            out.append("<h5>Citations</h5><ol>" + "".join(f"<li>{_e(c)}</li>" for c in rule.cite) + "</ol>")
        out.append("</div>")
    for view in group.findings:
        _finding(view, rule.rationale if rule is not None else "", out, cited=rule is not None and bool(rule.cite))
    out.append("</section>")


def _finding(view: FindingView, rationale: str, out: list[str], cited: bool) -> None:
    """One finding; its citations only when its rule's are not printed above (``cited``)."""
    f = view.finding
    origin = f.origin.id if view.has_flow else NO_ORIGIN
    out.append(f'<article class="finding sev-{_e(f.severity)}" id="{view.anchor}" data-rule="{_e(f.rule_id)}" '
               f'data-severity="{_e(f.severity)}" data-origin="{_e(origin)}" data-fingerprint="{_e(f.fingerprint)}">')
    source = f" from {_code(f.source.symbol)} at {_code(f.source.location)}" if view.shares_sink else ""
    out.append(f'<h4>{_badge(f.severity)} {_e(f.rule_id)} <span class="num">#{view.number}</span> '
               f"{_code(f.sink.location)}{source}</h4>")
    out.append(f'<p class="message">{_e(f.message)}</p>')
    if not view.has_flow:
        _comment_finding(view, rationale, out)
        return
    out.append('<dl class="facts">')
    out.append(f"<dt>Origin</dt><dd>{_e(f.origin.provider)} ({_code(f.origin.id)}), obtained by {_e(f.origin.collection)}; "
               f"lawful: {_lawful(view.lawful)}</dd>")
    cats = ", ".join(_code(c) for c in f.categories) or '<span class="muted">none (cleared)</span>'
    out.append(f"<dt>Categories</dt><dd>{cats}</dd>")
    if f.marks:
        out.append(f"<dt>Marks</dt><dd>{', '.join(_code(m) for m in f.marks)}</dd>")
    out.append(f"<dt>Source</dt><dd>{_code(f.source.symbol)} at {_code(f.source.location)}</dd>")
    purpose = f"; purpose {_code(f.sink_purpose)}" if f.sink_purpose else ""
    out.append(f"<dt>Sink</dt><dd>{_code(f.sink.symbol)} ({_e(f.sink.kind or '?')}) at {_code(f.sink.location)}{purpose}</dd>")
    out.append(f"<dt>Rule</dt><dd>{_e(f.rule_id)} {_e(f.rule_name)} ({_e(f.severity)})</dd>")
    out.append(f'<dt>Fingerprint</dt><dd class="mono">{_e(f.fingerprint)}</dd>')
    out.append("</dl>")
    if f.citations and not cited:
        out.append('<h5>Citations</h5><ol class="cites">' + "".join(f"<li>{_e(c)}</li>" for c in f.citations) + "</ol>")
    if rationale:
        out.append(f'<details class="why"><summary>Rationale of {_e(f.rule_id)}</summary>{_paragraphs(rationale)}</details>')
    out.append(f"<h5>Trace ({_plural(len(view.steps), 'step')})</h5>")
    out.append('<ol class="trace">')
    for step in view.steps:
        where = step.step.location
        out.append(f'<li class="step kind-{_e(step.step.kind)}" value="{step.number}"><div class="step-head">'
                   f'<span class="kind">{_e(step.step.kind)}</span>{_code(where)} {_note(step.step.note)}</div>')
        if step.same_as:
            out.append(f'<p class="nocode">(same line as step {step.same_as})</p>')
        elif step.snippet:
            out.append(_snippet(step.snippet))
        else:
            out.append('<p class="nocode">(the code of this step could not be read)</p>')
        out.append("</li>")
    out.append("</ol></article>")


def _comment_finding(view: FindingView, rationale: str, out: list[str]) -> None:
    """A finding about a `# flowlint:` comment (FL901/FL902): no flow, the comment's code instead."""
    f = view.finding
    out.append('<dl class="facts">')
    out.append(f"<dt>Comment</dt><dd>{_code(f.sink.symbol)} at {_code(f.sink.location)}</dd>")
    out.append(f"<dt>Rule</dt><dd>{_e(f.rule_id)} {_e(f.rule_name)} ({_e(f.severity)})</dd>")
    out.append(f'<dt>Fingerprint</dt><dd class="mono">{_e(f.fingerprint)}</dd>')
    out.append("</dl>")
    if rationale:
        out.append(f'<details class="why"><summary>Rationale of {_e(f.rule_id)}</summary>{_paragraphs(rationale)}</details>')
    out.append(_snippet(view.where) if view.where else '<p class="nocode">(the code could not be read)</p>')
    out.append("</article>")


def _snippet(snippet: Snippet) -> str:
    lines = []
    for number, text, marked in snippet.numbered():
        lines.append(f'<span class="line{" hl" if marked else ""}"><span class="ln">{number}</span>{_e(text)}</span>')
    return f'<pre class="code" aria-label="{_e(snippet.path)}">' + "".join(lines) + "</pre>"


def _by_origin(data: ReportData, out: list[str]) -> None:
    out.append('<section id="by-origin"><h2>Findings by origin</h2>')
    if not data.origins and not data.other_findings:
        out.append('<p class="muted">No origin is involved in any traced flow.</p></section>')
        return
    out.append('<table><thead><tr><th>Origin</th><th>Lawful</th><th class="num">Flows</th><th>Findings</th></tr></thead><tbody>')
    for origin in data.origins:
        links = _finding_list_links(origin.findings) or '<span class="muted">none: no rule fires on its flows</span>'
        out.append(f'<tr data-origin="{_e(origin.id)}"><td>{_e(origin.provider)} ({_code(origin.id)})</td>'
                   f'<td>{_lawful(origin.lawful)}</td><td class="num">{origin.flows}</td><td>{links}</td></tr>')
    if data.other_findings:
        out.append(f'<tr data-origin="{NO_ORIGIN}"><td colspan="3">No data origin: findings about '
                   f"<code># flowlint:</code> comments</td><td>{_finding_list_links(data.other_findings)}</td></tr>")
    out.append("</tbody></table></section>")


def _inventory(data: ReportData, out: list[str]) -> None:
    out.append('<section id="inventory"><h2>Data inventory</h2>')
    out.append('<p class="lead">A record of processing (cf. GDPR Art. 30): which personal data from which origin reaches '
               "which kind of collection or disclosure, and where. One row per origin &times; category &times; sink kind, "
               "for every flow the analysis traced &mdash; including the flows no rule flags.</p>")
    if not data.inventory:
        out.append('<p class="muted">No flow from a declared origin to a sink was traced.</p></section>')
        return
    out.append('<table class="inventory"><thead><tr><th>Origin</th><th>Lawful</th><th>Category</th><th>Sink kind</th>'
               '<th>Sinks</th><th class="num">Flows</th><th>Rule fires</th></tr></thead><tbody>')
    for row in data.inventory:
        rules = row.rules
        sinks = []
        for sink in row.sinks:
            purpose = f" purpose {_code(sink.purpose)}" if sink.purpose else ""
            if sink.rules:
                links = ", ".join(f'<a href="#{a}">#{a.rpartition("-")[2]}</a>' for a in sink.anchors)
                status = f" &mdash; {_e(', '.join(sink.rules))}" + (f" ({links})" if links else "")
            elif not sink.unreported:
                status = ' <span class="sink-ok">&mdash; no rule fires</span>'
            else:
                status = ""
            if sink.unreported:
                status += f' <span class="sink-ok">&mdash; {_e("; ".join(sink.unreported))}</span>'
            if sink.through:
                status += f' <span class="through">(passed: {"; ".join(_note(t) for t in sink.through)})</span>'
            sinks.append(f"<li>{_code(sink.location)} {_code(sink.symbol)}{purpose}{status}</li>")
        unreported = row.unreported_rules
        status = _e(", ".join(rules)) if rules else ("no rule fires" if not unreported else "")
        if unreported:
            status += f'{"<br>" if rules else ""}<span class="sink-ok">{_e(", ".join(unreported))} not reported</span>'

        out.append(f'<tr class="{"flagged" if rules else "unflagged"}" data-origin="{_e(row.origin)}" '
                   f'data-category="{_e(row.category)}" data-kind="{_e(row.sink_kind)}" data-flows="{row.flows}" '
                   f'data-rules="{_e(" ".join(rules))}"><td>{_e(row.provider)} ({_code(row.origin)})</td>'
                   f"<td>{_lawful(row.lawful)}</td><td>{_code(row.category)}</td><td>{_e(row.sink_kind)}</td>"
                   f'<td><ul class="plain">{"".join(sinks)}</ul></td><td class="num">{row.flows}</td>'
                   f'<td class="status">{status}</td></tr>')
    out.append("</tbody></table></section>")


def _graph(data: ReportData, out: list[str]) -> None:
    out.append('<section id="graph"><h2>Flow graph</h2>')
    if data.graph.number_of_nodes() == 0:
        out.append('<p class="muted">No flow was traced, so there is nothing to draw.</p></section>')
        return
    out.append('<p class="lead">Origins (left) &rarr; source calls &rarr; transforms, sanitizers and guards &rarr; sinks '
               "(right). Solid coloured edges carry flows on which a rule fires; dashed grey edges carry flows no rule "
               "flags. Hover a box or an edge for details.</p>")
    out.append('<div class="legend"><span><i style="border-color:#b91c1c;background:#fde8e8"></i>unlawful origin / flagged sink</span>'
               '<span><i style="border-color:#b45309;background:#fff4d6"></i>lawfulness unknown / warning</span>'
               '<span><i style="border-color:#15803d;background:#e7f5ea"></i>lawful origin</span>'
               '<span><i style="border-color:#4338ca;background:#eef2ff"></i>source</span>'
               '<span><i style="border-color:#4b5563;background:#f3f4f6"></i>transform</span>'
               '<span><i style="border-color:#047857;background:#ecfdf5"></i>sanitizer</span>'
               '<span><i style="border-color:#0369a1;background:#f0f9ff"></i>guard marks</span>'
               '<span><i style="border-color:#6b7280;background:#f9fafb"></i>sink no rule flags</span></div>')
    out.append('<div class="graph-scroll">')
    out.append(flow_graph.svg(data.graph, data.layout, title=f"Flow graph: {len(data.analysis.flows)} traced flows"))
    out.append("</div></section>")


def _diagnostics(data: ReportData, out: list[str]) -> None:
    diagnostics = data.analysis.diagnostics
    out.append(f'<section id="diagnostics" data-count="{len(diagnostics)}"><h2>Diagnostics</h2>')
    if not diagnostics:
        out.append('<p class="muted">Every discovered file was analysed.</p></section>')
        return
    out.append(f'<p class="lead">{_plural(len(diagnostics), "file problem")}: flows through these files were not '
               "traced, so findings there may be missing.</p>")
    out.append("<table><thead><tr><th>Location</th><th>Code</th><th>Message</th></tr></thead><tbody>")
    for d in diagnostics:
        out.append(f'<tr class="diagnostic"><td>{_code(f"{d.path}:{d.line}:{d.column}")}</td><td>{_e(d.code)}</td>'
                   f"<td>{_e(d.message)}</td></tr>")
    out.append("</tbody></table></section>")


def _directives(data: ReportData, out: list[str]) -> None:
    directives = data.analysis.directives
    out.append('<section id="directives"><h2>Inline annotations and suppressions</h2>')
    if not directives:
        out.append('<p class="muted">The project has no <code># flowlint:</code> comments.</p></section>')
        return
    out.append(f'<p class="lead">{_plural(len(directives), "<code># flowlint:</code> comment")} in the project: sources, '
               "sinks, sanitizers and guards declared in the code, and suppressions with their reasons. A reviewer "
               "should check each suppression.</p>")
    out.append("<table><thead><tr><th>Location</th><th>Kind</th><th>Comment</th></tr></thead><tbody>")
    for path, directive in directives:
        kind = "suppression" if directive.text.strip().startswith("ignore") else "annotation"
        out.append(f'<tr class="directive"><td>{_code(f"{path}:{directive.line}:{directive.column}")}</td>'
                   f"<td>{kind}</td><td>{_code('# flowlint: ' + directive.text)}</td></tr>")
    out.append("</tbody></table></section>")


def _policy(data: ReportData, out: list[str]) -> None:
    policy = data.policy
    out.append('<section id="policy"><h2>Policy</h2>')
    out.append(f'<p class="lead">{_plural(len(policy.files), "policy file")}: {_plural(len(policy.origins), "origin")}, '
               f'{_plural(len(policy.sources), "source")}, {_plural(len(policy.sinks), "sink")}, '
               f'{_plural(len(policy.rules), "rule")}.</p>')
    out.append("<table><thead><tr><th>Name</th><th>File</th><th>SHA-256</th></tr></thead><tbody>")
    for f in policy.files:
        out.append(f'<tr class="policy-file"><td>{_e(f.name)}</td><td>{_code(f.path)}</td>'
                   f'<td class="mono">{_e(f.sha256[:16])}</td></tr>')
    out.append("</tbody></table></section>")

