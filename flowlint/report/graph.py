"""The flow graph of a reviewer report: origins -> sources -> transforms/sanitizers/guards -> sinks.

`build_flow_graph` turns the traced flows into a networkx DiGraph (one node per origin, source
site, transform or sanitizer site, set of guard marks, and sink site; an edge wherever a flow
passes from one to the next). `layout` places it in columns for an SVG picture with a small
layered (Sugiyama-style) algorithm:

1. cycles (a loop through two transforms) are broken by reversing DFS back edges;
2. longest-path layering from the origins, with every sink pulled into the last column;
3. edges that span several columns get a dummy node in each column they cross;
4. the order within each column is improved by barycentre sweeps (down, then up), keeping the
   order with the fewest edge crossings;
5. vertical positions: each node is pulled towards the mean position of its neighbours, then
   the column is made non-overlapping again by isotonic regression (pool adjacent violators),
   which keeps the order and moves nodes as little as possible.

`svg` draws the layout (every piece of project text escaped) and `mermaid` writes the same graph
as a Mermaid flowchart for Markdown (labels quoted and entity-encoded).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import networkx as nx

from flowlint.analysis.summary import Flow
from flowlint.policy.model import Origin, Policy
from flowlint.report.snippets import visible
from flowlint.results import Finding, Location
from flowlint.rules import rule_fires

SEVERITY_ORDER = ("error", "warning", "note")
NOTABLE_STEP = re.compile(r"^(transformed|sanitized) by `(?P<name>[^`]*)\(\)`(?: \(adds (?P<adds>.*)\))?$")
KIND_RANK = {"origin": 0, "source": 1, "transform": 2, "sanitizer": 2, "guard": 3, "sink": 4}

# --- which findings a flow belongs to ------------------------------------------------------------

SiteKey = tuple


def _site_location(site) -> Location:
    return Location(site.path, site.line, site.column, site.end_line, site.end_column)


def flow_site_key(flow: Flow) -> SiteKey:
    return (flow.label.origin, _site_location(flow.label.site), flow.label.site.symbol,
            _site_location(flow.sink.site), flow.sink.symbol)


def finding_site_key(finding: Finding) -> SiteKey:
    return (finding.origin.id, finding.source.location, finding.source.symbol,
            finding.sink.location, finding.sink.symbol)


def flow_findings(flows: Sequence[Flow], findings: Sequence[Finding], policy: Policy) -> list[tuple[Finding, ...]]:
    """For each flow, the reported findings it is a witness of: same origin, source site and
    sink site, and the finding's rule holds on this flow (flows of one site pair can differ in
    categories and marks). Findings that were filtered out (scope, baseline) flag nothing."""
    by_site: dict[SiteKey, list[Finding]] = {}
    for finding in findings:
        by_site.setdefault(finding_site_key(finding), []).append(finding)
    rules = {rule.id: rule for rule in policy.rules}
    origins = {origin.id: origin for origin in policy.origins}
    out: list[tuple[Finding, ...]] = []
    for flow in flows:
        matched = []
        for finding in by_site.get(flow_site_key(flow), ()):
            rule, origin = rules.get(finding.rule_id), origins.get(flow.label.origin)
            if rule is not None and origin is not None:
                fires = rule_fires(rule, flow, origin)
            else:  # a finding from a rule this policy does not have: match on categories
                fires = bool(set(finding.categories) & flow.label.categories) or not finding.categories
            if fires:
                matched.append(finding)
        out.append(tuple(matched))
    return out


def worst(severities: Iterable[str]) -> str | None:
    present = set(severities)
    return next((s for s in SEVERITY_ORDER if s in present), None)


# --- the graph -------------------------------------------------------------------------------------


def _lawful_text(lawful: object) -> str:
    return str(lawful).lower() if isinstance(lawful, bool) else str(lawful)


def build_flow_graph(flows: Sequence[Flow], matches: Sequence[tuple[Finding, ...]], policy: Policy,
                     setters: dict[str, tuple[str, ...]] | None = None) -> nx.DiGraph:
    """Nodes carry `kind`, `title`, `detail`, `tooltip`, `sort` (and `lawful` for origins,
    `severity` for flagged sinks); edges carry `flows` (count), `severity` (worst finding, or
    None when no rule fires on any flow along it) and `rules`. ``setters`` names, for each mark,
    the guards and sanitizers that can set it (a guard node is titled with them)."""
    origins: dict[str, Origin] = {o.id: o for o in policy.origins}
    graph = nx.DiGraph()
    for flow, found in zip(flows, matches):
        chain = _chain(graph, flow, origins, setters or {})
        severity = worst(f.severity for f in found)
        rules = {f.rule_id for f in found}
        seen: list[str] = []
        for node in chain:  # a loop can pass the same transform twice: keep the first visit
            if node not in seen:
                seen.append(node)
        for u, v in zip(seen, seen[1:]):
            if graph.has_edge(u, v):
                data = graph.edges[u, v]
                data["flows"] += 1
                data["severity"] = worst([s for s in (data["severity"], severity) if s])
                data["rules"] = data["rules"] | rules
            else:
                graph.add_edge(u, v, flows=1, severity=severity, rules=frozenset(rules))
        sink = seen[-1]
        if severity:
            graph.nodes[sink]["severity"] = worst([s for s in (graph.nodes[sink].get("severity"), severity) if s])
    return graph


def build_summary_graph(flows: Sequence[Flow], matches: Sequence[tuple[Finding, ...]], policy: Policy) -> nx.DiGraph:
    """The flow graph reduced to origins -> sink kinds (for a Mermaid diagram of a project whose
    full graph is too large for Mermaid); same node and edge attributes as `build_flow_graph`."""
    origins: dict[str, Origin] = {o.id: o for o in policy.origins}
    graph = nx.DiGraph()
    sites: dict[str, set] = {}
    for flow, found in zip(flows, matches):
        origin = _origin_node(graph, flow.label.origin, origins)
        kind = flow.sink.kind
        sites.setdefault(kind, set()).add((flow.sink.site, flow.sink.symbol))
        sink = _add(graph, f"sinkkind\x1f{kind}", kind="sink", title=kind, detail="", sort=(4, kind), tooltip=kind)
        severity = worst(f.severity for f in found)
        rules = {f.rule_id for f in found}
        if graph.has_edge(origin, sink):
            data = graph.edges[origin, sink]
            data["flows"] += 1
            data["severity"] = worst([x for x in (data["severity"], severity) if x])
            data["rules"] = data["rules"] | rules
        else:
            graph.add_edge(origin, sink, flows=1, severity=severity, rules=frozenset(rules))
        if severity:
            graph.nodes[sink]["severity"] = worst([x for x in (graph.nodes[sink].get("severity"), severity) if x])
    for kind, where in sites.items():
        node = graph.nodes[f"sinkkind\x1f{kind}"]
        node["detail"] = f"{len(where)} sink site{'s' if len(where) != 1 else ''}"
    return graph


def _add(graph: nx.DiGraph, node: str, **attrs: object) -> str:
    if node not in graph:
        graph.add_node(node, **attrs)
    return node


def _where(path: str, line: int, limit: int = 34) -> str:
    """`path:line`, its beginning cut when long (the file name and line are what matter)."""
    text = f"{path}:{line}"
    return text if len(text) <= limit else "…" + text[-(limit - 1):]


def _origin_node(graph: nx.DiGraph, origin_id: str, origins: dict[str, Origin]) -> str:
    origin = origins.get(origin_id)
    provider = origin.provider if origin else origin_id
    lawful = _lawful_text(origin.lawful) if origin else "not in policy"
    collection = origin.collection if origin else "?"
    return _add(graph, f"origin\x1f{origin_id}", kind="origin", title=provider,
                detail=f"{origin_id} · lawful: {lawful}", lawful=lawful, sort=(0, origin_id),
                tooltip=f"Origin {origin_id}: {provider}\ncollection: {collection}\nlawful: {lawful}")


def _chain(graph: nx.DiGraph, flow: Flow, origins: dict[str, Origin], setters: dict[str, tuple[str, ...]]) -> list[str]:
    label, sink = flow.label, flow.sink
    chain = [_origin_node(graph, label.origin, origins)]
    site = label.site
    chain.append(_add(graph, f"source\x1f{site.path}\x1f{site.line}\x1f{site.column}\x1f{site.symbol}",
                      kind="source", title=f"{site.symbol}", detail=_where(site.path, site.line),
                      sort=(1, site.path, site.line, site.column, site.symbol),
                      tooltip=f"Source {site.symbol}\n{site.path}:{site.line}:{site.column}"))
    for step in label.trace:
        match = NOTABLE_STEP.match(step.note) if step.kind == "step" else None
        if not match:
            continue
        kind = "transform" if step.note.startswith("transformed") else "sanitizer"
        verb = "transform" if kind == "transform" else "sanitizer"
        title = f"{verb}: {match.group('name')}()"
        adds = match.group("adds")
        chain.append(_add(graph, f"{kind}\x1f{step.path}\x1f{step.line}\x1f{step.column}\x1f{step.note}",
                          kind=kind, title=title, detail=_where(step.path, step.line),
                          sort=(2, step.path, step.line, step.column, step.note),
                          tooltip=f"{step.note}\n{step.path}:{step.line}:{step.column}" + (f"\nadds {adds}" if adds else "")))
    if label.marks:
        marks = ", ".join(sorted(label.marks))
        by = tuple(dict.fromkeys(name for mark in sorted(label.marks) for name in setters.get(mark, ())))
        title = "guarded: " + " or ".join(re.sub(r"^\w+ |`", "", name).split(" (")[0] for name in by) if by else "guarded / marked"
        chain.append(_add(graph, f"guard\x1f{marks}", kind="guard", title=title, detail=marks, sort=(3, marks),
                          tooltip=f"The data passed a guard or sanitizer that set: {marks}"
                                  + "".join(f"\n- {name}" for name in by)))
    where = sink.site
    purpose = f"\npurpose: {sink.purpose}" if sink.purpose else ""
    chain.append(_add(graph, f"sink\x1f{where.path}\x1f{where.line}\x1f{where.column}\x1f{sink.symbol}\x1f{sink.kind}",
                      kind="sink", title=f"{sink.symbol}", detail=f"{sink.kind} · {_where(where.path, where.line, max(16, DETAIL_CHARS - len(sink.kind) - 3))}",
                      sort=(4, where.path, where.line, where.column, sink.symbol, sink.kind),
                      tooltip=f"Sink {sink.symbol} ({sink.kind}){purpose}\n{where.path}:{where.line}:{where.column}"))
    return chain


# --- layout ----------------------------------------------------------------------------------------

CHAR_WIDTH = 7.2  # 12px monospace
TITLE_CHARS = 42
DETAIL_CHARS = 46
NODE_HEIGHT = 42.0
NODE_PAD = 10.0
COLUMN_GAP = 84.0
ROW_GAP = 14.0
DUMMY_HEIGHT = 6.0
MARGIN = 16.0
SWEEPS = 16
PLACEMENT_ROUNDS = 12


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters (an ellipsis marks a cut)."""
    text = " ".join(visible(text).split())
    if len(text) <= limit:
        return text
    if " " not in text and ("/" in text or "." in text):  # a path or a dotted name: keep its end
        return "…" + text[-(limit - 1):]
    return text[: limit - 1] + "…"


@dataclass
class Box:
    node: str
    layer: int
    x: float = 0.0
    y: float = 0.0  # centre
    width: float = 0.0
    height: float = NODE_HEIGHT
    dummy: bool = False
    column_width: float = 0.0  # the width of the node's column (dummies span it)


@dataclass
class Layout:
    width: float
    height: float
    boxes: dict[str, Box]
    layers: list[list[str]]  # node ids (dummies included) in drawing order, per column
    routes: dict[tuple[str, str], list[tuple[float, float]]] = field(default_factory=dict)  # per graph edge

    def nodes_in_order(self) -> list[str]:
        return [n for layer in self.layers for n in layer if not self.boxes[n].dummy]


def _acyclic_edges(graph: nx.DiGraph) -> list[tuple[str, str, bool]]:
    """Edges as (u, v, reversed) such that the result has no cycle (DFS back edges reversed)."""
    order = sorted(graph.nodes, key=lambda n: graph.nodes[n]["sort"])
    state: dict[str, int] = {}
    back: set[tuple[str, str]] = set()
    for root in order:
        if root in state:
            continue
        stack = [(root, iter(sorted(graph.successors(root), key=lambda n: graph.nodes[n]["sort"])))]
        state[root] = 1
        while stack:
            node, successors = stack[-1]
            nxt = next(successors, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(sorted(graph.successors(nxt), key=lambda n: graph.nodes[n]["sort"]))))
    edges = []
    for u, v in sorted(graph.edges, key=lambda e: (graph.nodes[e[0]]["sort"], graph.nodes[e[1]]["sort"])):
        edges.append((v, u, True) if (u, v) in back else (u, v, False))
    return edges


def _node_width(graph: nx.DiGraph, node: str) -> float:
    data = graph.nodes[node]
    chars = max(len(shorten(data["title"], TITLE_CHARS)), len(shorten(data["detail"], DETAIL_CHARS)))
    return chars * CHAR_WIDTH + 2 * NODE_PAD


def _crossings(upper: list[str], lower: list[str], edges: dict[str, list[str]]) -> int:
    """Edge crossings between two adjacent columns: inversions of the lower ends when the edges
    are sorted by their upper ends (counted with a Fenwick tree, O(E log V))."""
    position = {n: i for i, n in enumerate(lower)}
    pairs = sorted((i, position[v]) for i, u in enumerate(upper) for v in edges.get(u, ()) if v in position)
    tree = [0] * (len(lower) + 1)
    count = seen = 0
    for _, low in pairs:
        # edges already seen whose lower end is strictly to the right of this one cross it
        index, not_right = low + 1, 0
        while index > 0:
            not_right += tree[index]
            index -= index & -index
        count += seen - not_right
        index = low + 1
        while index <= len(lower):
            tree[index] += 1
            index += index & -index
        seen += 1
    return count


def _isotonic(targets: list[float], gaps: list[float]) -> list[float]:
    """Positions closest (least squares) to `targets` with y[i+1] - y[i] >= gaps[i]."""
    offsets = [0.0]
    for gap in gaps:
        offsets.append(offsets[-1] + gap)
    values = [t - o for t, o in zip(targets, offsets)]
    blocks: list[list[float]] = []  # [mean, count]
    for value in values:
        blocks.append([value, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean2, count2 = blocks.pop()
            mean1, count1 = blocks[-1]
            blocks[-1] = [(mean1 * count1 + mean2 * count2) / (count1 + count2), count1 + count2]
    out: list[float] = []
    for mean, count in blocks:
        out.extend([mean] * int(count))
    return [z + o for z, o in zip(out, offsets)]


def layout(graph: nx.DiGraph) -> Layout:
    if graph.number_of_nodes() == 0:
        return Layout(0.0, 0.0, {}, [])
    edges = _acyclic_edges(graph)
    dag = nx.DiGraph()
    dag.add_nodes_from(graph.nodes)
    dag.add_edges_from((u, v) for u, v, _ in edges)
    # 2. longest-path layering; sinks in the last column, origins in the first
    layer: dict[str, int] = {}
    for node in nx.lexicographical_topological_sort(dag, key=lambda n: graph.nodes[n]["sort"]):
        preds = list(dag.predecessors(node))
        layer[node] = 0 if graph.nodes[node]["kind"] == "origin" or not preds else max(layer[p] + 1 for p in preds)
    last = max(layer.values())
    for node in graph.nodes:
        if graph.nodes[node]["kind"] == "sink" and not any(True for _ in dag.successors(node)):
            layer[node] = last
    boxes = {n: Box(n, layer[n], width=_node_width(graph, n)) for n in graph.nodes}
    # 3. dummy nodes on long edges
    down: dict[str, list[str]] = {}
    up: dict[str, list[str]] = {}
    chains: dict[tuple[str, str], list[str]] = {}
    for u, v, _ in edges:
        chain = [u]
        for step in range(layer[u] + 1, layer[v]):
            dummy = f"dummy\x1f{u}\x1f{v}\x1f{step}"
            boxes[dummy] = Box(dummy, step, width=0.0, height=DUMMY_HEIGHT, dummy=True)
            chain.append(dummy)
        chain.append(v)
        chains[(u, v)] = chain
        for a, b in zip(chain, chain[1:]):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
    # 4. ordering: initial order from a DFS over the sorted graph, then barycentre sweeps
    layers: list[list[str]] = [[] for _ in range(last + 1)]
    visited: set[str] = set()

    def visit(node: str) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if current in visited:
                continue
            visited.add(current)
            layers[boxes[current].layer].append(current)
            stack.extend(reversed(down.get(current, [])))

    roots = sorted((n for n in graph.nodes if not up.get(n)), key=lambda n: graph.nodes[n]["sort"])
    for root in roots + sorted(graph.nodes, key=lambda n: graph.nodes[n]["sort"]):
        visit(root)

    def total_crossings(order: list[list[str]]) -> int:
        return sum(_crossings(order[i], order[i + 1], down) for i in range(len(order) - 1))

    best = [list(col) for col in layers]
    best_count = total_crossings(best)
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        indices = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for i in indices:
            reference = layers[i - 1] if downward else layers[i + 1]
            position = {n: p for p, n in enumerate(reference)}
            neighbours = up if downward else down
            keys: dict[str, tuple[float, int]] = {}
            for index, node in enumerate(layers[i]):
                linked = [position[m] for m in neighbours.get(node, []) if m in position]
                keys[node] = (sum(linked) / len(linked) if linked else float(index), index)
            layers[i] = sorted(layers[i], key=keys.__getitem__)
        count = total_crossings(layers)
        if count < best_count:
            best, best_count = [list(col) for col in layers], count
        if best_count == 0:
            break
    layers = best
    # 5. coordinates: columns left to right, then vertical placement
    x = MARGIN
    for column in layers:
        width = max((boxes[n].width for n in column), default=0.0)
        for node in column:
            boxes[node].x = x
            boxes[node].column_width = width
        x += width + COLUMN_GAP
    total_width = x - COLUMN_GAP + MARGIN

    def gaps(column: list[str]) -> list[float]:
        return [(boxes[a].height + boxes[b].height) / 2 + ROW_GAP for a, b in zip(column, column[1:])]

    for column in layers:
        y = 0.0
        for i, node in enumerate(column):
            if i:
                y += (boxes[column[i - 1]].height + boxes[node].height) / 2 + ROW_GAP
            boxes[node].y = y
    for _ in range(PLACEMENT_ROUNDS):
        for column in layers:
            targets = []
            for node in column:
                linked = [boxes[m].y for m in up.get(node, []) + down.get(node, [])]
                targets.append(sum(linked) / len(linked) if linked else boxes[node].y)
            for node, y in zip(column, _isotonic(targets, gaps(column))):
                boxes[node].y = y
    top = min(b.y - b.height / 2 for b in boxes.values())
    for box in boxes.values():
        box.y += MARGIN - top
    total_height = max(b.y + b.height / 2 for b in boxes.values()) + MARGIN
    # edge routes: right side of the tail, through the dummies' columns, left side of the head
    routes: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for u, v, reversed_ in edges:
        points: list[tuple[float, float]] = []
        for node in chains[(u, v)]:
            box = boxes[node]
            if box.dummy:
                points += [(box.x, box.y), (box.x + box.column_width, box.y)]
            elif node == u:
                points.append((box.x + box.width, box.y))
            else:
                points.append((box.x, box.y))
        routes[(v, u) if reversed_ else (u, v)] = list(reversed(points)) if reversed_ else points
    return Layout(total_width, total_height, boxes, layers, routes)


# --- SVG ---------------------------------------------------------------------------------------------

NODE_STYLE = {  # fill, stroke
    "origin:false": ("#fde8e8", "#b91c1c"),
    "origin:unknown": ("#fff4d6", "#b45309"),
    "origin:true": ("#e7f5ea", "#15803d"),
    "origin:other": ("#f3f4f6", "#4b5563"),
    "source": ("#eef2ff", "#4338ca"),
    "transform": ("#f3f4f6", "#4b5563"),
    "sanitizer": ("#ecfdf5", "#047857"),
    "guard": ("#f0f9ff", "#0369a1"),
    "sink:flagged": ("#fee2e2", "#b91c1c"),
    "sink:warning": ("#fff4d6", "#b45309"),
    "sink:note": ("#e0ecff", "#1d4ed8"),
    "sink": ("#f9fafb", "#6b7280"),
}
EDGE_COLOUR = {"error": "#b91c1c", "warning": "#b45309", "note": "#1d4ed8", None: "#9ca3af"}
FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"


def _style_key(data: dict) -> str:
    kind = data["kind"]
    if kind == "origin":
        lawful = data.get("lawful")
        return f"origin:{lawful}" if lawful in ("false", "unknown", "true") else "origin:other"
    if kind == "sink":
        severity = data.get("severity")
        return {"error": "sink:flagged", "warning": "sink:warning", "note": "sink:note"}.get(severity, "sink")
    return kind


def _e(text: str) -> str:
    return html.escape(visible(text), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _path_data(points: list[tuple[float, float]]) -> str:
    (x0, y0), rest = points[0], points[1:]
    parts = [f"M{_num(x0)},{_num(y0)}"]
    for x1, y1 in rest:
        if abs(y1 - y0) < 0.5:
            parts.append(f"L{_num(x1)},{_num(y1)}")
        else:
            mid = (x0 + x1) / 2
            parts.append(f"C{_num(mid)},{_num(y0)} {_num(mid)},{_num(y1)} {_num(x1)},{_num(y1)}")
        x0, y0 = x1, y1
    return " ".join(parts)


def svg(graph: nx.DiGraph, placed: Layout, describe: Callable[[str], str] | None = None, title: str = "Flow graph") -> str:
    """An inline `<svg>` of the laid-out graph (no external references; colours as attributes
    so that it looks the same printed and without the page's CSS)."""
    width, height = _num(placed.width), _num(placed.height)
    out = [f'<svg class="flow-graph" role="img" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="12">',
           f"<title>{_e(title)}</title>",
           "<defs>"]
    for severity, colour in EDGE_COLOUR.items():
        name = severity or "none"
        out.append(f'<marker id="arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
                   f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    out.append("</defs>")
    out.append('<g class="edges" fill="none">')
    for (u, v), points in sorted(placed.routes.items(), key=lambda item: (item[0][0], item[0][1])):
        data = graph.edges[u, v]
        severity = data["severity"]
        colour = EDGE_COLOUR.get(severity, EDGE_COLOUR[None])
        dash = "" if severity else ' stroke-dasharray="5 4"'
        width_attr = "2.2" if severity else "1.4"
        rules = ", ".join(sorted(data["rules"])) or "no rule fires"
        count = data["flows"]
        tip = f"{count} flow{'s' if count != 1 else ''}: {rules}"
        out.append(f'<path class="edge" d="{_path_data(points)}" stroke="{colour}" stroke-width="{width_attr}"{dash} '
                   f'marker-end="url(#arrow-{severity or "none"})"><title>{_e(tip)}</title></path>')
    out.append("</g>")
    out.append('<g class="nodes">')
    for node in placed.nodes_in_order():
        data, box = graph.nodes[node], placed.boxes[node]
        fill, stroke = NODE_STYLE[_style_key(data)]
        left, top = box.x, box.y - box.height / 2
        stroke_width = "2" if data["kind"] in ("origin",) or data.get("severity") else "1"
        tooltip = data["tooltip"] + (f"\n{describe(node)}" if describe else "")
        out.append(f'<g class="node {data["kind"]}"><title>{_e(tooltip)}</title>'
                   f'<rect x="{_num(left)}" y="{_num(top)}" width="{_num(box.width)}" height="{_num(box.height)}" '
                   f'rx="{6 if data["kind"] != "sink" else 2}" fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}"/>'
                   f'<text x="{_num(left + NODE_PAD)}" y="{_num(box.y - 3)}" font-weight="bold" fill="#111827">'
                   f'{_e(shorten(data["title"], TITLE_CHARS))}</text>'
                   f'<text x="{_num(left + NODE_PAD)}" y="{_num(box.y + 13)}" fill="#374151">'
                   f'{_e(shorten(data["detail"], DETAIL_CHARS))}</text></g>')
    out.append("</g></svg>")
    return "\n".join(out)


# --- Mermaid -------------------------------------------------------------------------------------------

_MERMAID_SAFE = re.compile(r"[A-Za-z0-9 _.,:/()@=+\-]")
# GitHub's Mermaid refuses diagrams over 50,000 characters or 500 edges: past these, Markdown
# reports draw `build_summary_graph` instead
MERMAID_MAX_NODES = 150
MERMAID_MAX_EDGES = 300
MERMAID_SHAPES = {  # opening, closing (labels always quoted)
    "origin": ('(["', '"])'),
    "source": ('["', '"]'),
    "transform": ('["', '"]'),
    "sanitizer": ('["', '"]'),
    "guard": ('{{"', '"}}'),
    "sink": ('[("', '")]'),
}
MERMAID_CLASSES = {
    "origin:false": "fill:#fde8e8,stroke:#b91c1c,stroke-width:2px",
    "origin:unknown": "fill:#fff4d6,stroke:#b45309,stroke-width:2px",
    "origin:true": "fill:#e7f5ea,stroke:#15803d",
    "origin:other": "fill:#f3f4f6,stroke:#4b5563",
    "source": "fill:#eef2ff,stroke:#4338ca",
    "transform": "fill:#f3f4f6,stroke:#4b5563",
    "sanitizer": "fill:#ecfdf5,stroke:#047857",
    "guard": "fill:#f0f9ff,stroke:#0369a1",
    "sink:flagged": "fill:#fee2e2,stroke:#b91c1c,stroke-width:2px",
    "sink:warning": "fill:#fff4d6,stroke:#b45309,stroke-width:2px",
    "sink:note": "fill:#e0ecff,stroke:#1d4ed8,stroke-width:2px",
    "sink": "fill:#f9fafb,stroke:#6b7280",
}


def mermaid_text(text: str) -> str:
    """Text for inside a quoted Mermaid label: every character that is not plainly safe is
    written as a Mermaid entity code (`#60;`), so quotes, brackets, `<`, backticks and `#`
    neither end the label nor become markup."""
    return "".join(c if _MERMAID_SAFE.fullmatch(c) else f"#{ord(c)};" for c in text)


def mermaid(graph: nx.DiGraph, placed: Layout) -> str:
    """A `flowchart LR` in Mermaid syntax (without the surrounding code fence)."""
    order = placed.nodes_in_order()
    ids = {node: f"n{i + 1}" for i, node in enumerate(order)}
    lines = ["flowchart LR"]
    classes: dict[str, list[str]] = {}
    for node in order:
        data = graph.nodes[node]
        opening, closing = MERMAID_SHAPES[data["kind"]]
        label = (mermaid_text(shorten(data["title"], TITLE_CHARS)) + "<br/>"
                 + mermaid_text(shorten(data["detail"], DETAIL_CHARS)))
        lines.append(f"  {ids[node]}{opening}{label}{closing}")
        classes.setdefault(_style_key(data).replace(":", "_"), []).append(ids[node])
    styles: dict[str, list[int]] = {}
    rank = {node: i for i, node in enumerate(order)}
    edges = sorted(graph.edges, key=lambda e: (rank[e[0]], rank[e[1]]))
    for index, (u, v) in enumerate(edges):
        severity = graph.edges[u, v]["severity"]
        arrow = "==>" if severity else "-.->"
        lines.append(f"  {ids[u]} {arrow} {ids[v]}")
        styles.setdefault(severity or "none", []).append(index)
    for name, style in MERMAID_CLASSES.items():
        key = name.replace(":", "_")
        if key in classes:
            lines.append(f"  classDef {key} {style}")
            lines.append(f"  class {','.join(classes[key])} {key}")
    for severity, indices in styles.items():
        colour = EDGE_COLOUR.get(None if severity == "none" else severity, EDGE_COLOUR[None])
        lines.append(f"  linkStyle {','.join(map(str, indices))} stroke:{colour}")
    return "\n".join(lines)
