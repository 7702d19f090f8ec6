"""The graph page: a selection laid out, its panels read, written as the page's JSON block.

See ``page`` for the shape of the JSON block.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..kinds import table
from ..terms import shorten
from . import panel
from .layout import layout, rings
from .page import assemble, asset, vis_js
from .reading import ViewReader
from .selection import NOT_DRAWN, Edge, Selection, ViewOptions

STATES = "states"


@dataclass
class View:
    """A rendered page and what it shows, for the CLI summary."""

    html: bytes
    nodes: int
    edges: int
    sources: int
    omitted: int
    caption: str
    notes: list[str] = field(default_factory=list)


class _Sources:
    """Source graphs by first use: the page's ``sources`` list and its indexes."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def refs(self, graphs) -> list[str]:
        self.used.update(graphs)
        return sorted(graphs)


def render(reader: ViewReader, selection: Selection, options: ViewOptions) -> View:
    """The page of a selection (see ``selection.select``)."""
    kinds = table()
    names = [k for k in kinds.kinds if k not in NOT_DRAWN or (k == "source" and options.draw_sources)]
    lists = panel.snapshots(reader, options.as_of)
    used = _Sources()
    nodes: dict[str, dict] = {}
    node_graphs: dict[str, set[str]] = {}
    for node in selection.nodes:
        members = selection.members[node]
        records = panel.records(reader, members, selection.keep)
        sanction = panel.sanction(reader, members, selection.keep, options.as_of, lists)
        graphs = {g for r in records for g in r.graphs} | {g for r in records for row in r.rows for g in row.graphs}
        node_graphs[node] = graphs
        nodes[node] = {
            "id": shorten(node),
            "label": reader.label(node) if not options.records else _record_label(reader, node),
            "kind": names.index(reader.kind(node) or "other"),
            "names": sorted(
                {
                    (name, fld, 0 if fld in ("name", "address") else 1)
                    for name, fld, _, g in reader.entities.names_of(members)
                    if selection.keep(g)
                }
            ),
            "sanction": {"state": sanction.state, "history": [_fact(r, used) for r in sanction.history]},
            "records": [
                {
                    "id": shorten(r.iri),
                    "kind": r.kind,
                    "sources": used.refs(r.graphs),
                    "facts": [_fact(row, used) for row in r.rows],
                    "more": r.more,
                }
                for r in records
            ],
        }
    edges: dict[tuple[str, str, str], Edge] = dict(selection.edges)
    edge_facts = {key: panel.folded_rows(reader, edge.via, selection.keep) for key, edge in edges.items()}
    if options.draw_sources:
        _source_nodes(reader, nodes, node_graphs, edges, edge_facts, names)
    ordered = sorted(nodes)
    degree = Counter(n for s, _, o in edges for n in (s, o) if s != o)
    if selection.focus:
        positions = rings(ordered, edges, selection.distance, degree)
    else:
        positions = layout(ordered, edges, {n: degree[n] for n in ordered})
    top = max(degree.values(), default=0) or 1
    for n in ordered:
        nodes[n].update(x=positions[n][0], y=positions[n][1], size=round(10 + 30 * math.sqrt(degree[n] / top), 1))
    index = {n: i for i, n in enumerate(ordered)}
    edge_rows = []
    pair_count: dict[frozenset, int] = defaultdict(int)
    for (s, relation, o), edge in sorted(edges.items()):
        k = pair_count[frozenset((s, o))]
        pair_count[frozenset((s, o))] += 1
        curve = 0 if k == 0 else (0.15 * ((k + 1) // 2)) * (1 if k % 2 else -1)
        edge_rows.append(
            {
                "from": index[s],
                "to": index[o],
                "relation": relation,
                "curve": curve,
                "sources": used.refs(edge.graphs),
                "facts": [_fact(row, used) for row in edge_facts[(s, relation, o)]],
            }
        )
    sources = sorted(used.used)
    position = {g: i for i, g in enumerate(sources)}
    node_rows = [nodes[n] for n in ordered]
    _index_sources(node_rows, edge_rows, position)
    counts = Counter(row["kind"] for row in node_rows)
    data = {
        "kinds": [
            {
                "name": k,
                "shape": kinds.kinds[k].shape,
                "colour": kinds.kinds[k].colour,
                "symbol": kinds.kinds[k].symbol,
                "count": counts[i],
            }
            for i, k in enumerate(names)
        ],
        "sources": [panel.source_json(reader, g) for g in sources],
        "nodes": node_rows,
        "edges": edge_rows,
    }
    caption = _caption(reader, options, selection, len(ordered), len(edge_rows), sources)
    html = assemble(
        "graph.html",
        options.title,
        caption,
        selection.notes,
        data,
        {"VIS": vis_js(), "APP": asset("graph.js")},
        "graph.css",
    )
    return View(html, len(ordered), len(edge_rows), len(sources), selection.omitted, caption, selection.notes)


def _record_label(reader: ViewReader, record: str) -> str:
    names = [n for n, fld, _, _ in reader.entities.names_of([record]) if fld == "name"]
    return min(names, default=shorten(record))


def _fact(row: panel.Row, used: _Sources) -> list:
    return [row.prop, row.value, used.refs(row.graphs)]


def _index_sources(node_rows: list[dict], edge_rows: list[dict], position: dict[str, int]) -> None:
    """Replace source graphs by their index in the page's ``sources`` list."""

    def fix(facts: list) -> list:
        return [[p, v, [position[g] for g in gs]] for p, v, gs in facts]

    for row in node_rows:
        row["sanction"]["history"] = fix(row["sanction"]["history"])
        for record in row["records"]:
            record["sources"] = [position[g] for g in record["sources"]]
            record["facts"] = fix(record["facts"])
    for row in edge_rows:
        row["sources"] = [position[g] for g in row["sources"]]
        row["facts"] = fix(row["facts"])


def _source_nodes(
    reader: ViewReader, nodes: dict, node_graphs: dict, edges: dict, edge_facts: dict, names: list[str]
) -> None:
    """With ``--sources``: each source as a node, with a ``states`` edge to each node it states
    facts about."""
    for node, graphs in sorted(node_graphs.items()):
        for graph in sorted(graphs):
            if graph not in nodes:
                source = reader.sources.get(graph)
                nodes[graph] = {
                    "id": shorten(graph),
                    "label": source.name if source else shorten(graph),
                    "kind": names.index("source"),
                    "names": [],
                    "records": [],
                    "sanction": {"state": "", "history": []},
                }
            edges[(graph, STATES, node)] = Edge({graph})
            edge_facts[(graph, STATES, node)] = []


def _caption(
    reader: ViewReader, options: ViewOptions, selection: Selection, n_nodes: int, n_edges: int, sources: list[str]
) -> str:
    parts = [f"{n_nodes:,} entities and {n_edges:,} relations, stated by {len(sources):,} sources"]
    if selection.focus:
        parts.append(f"within {options.depth} steps of {reader.label(selection.focus)}")
    if options.types:
        parts.append("types: " + ", ".join(sorted(t.casefold() for t in options.types)))
    if options.sources:
        parts.append("sources: " + ", ".join(sorted(options.sources)))
    if options.since or options.until:
        parts.append(
            f"only sources issued from {options.since or 'the first'} to {options.until or 'the last'} "
            "(undated ones left out)"
        )
    if options.as_of:
        parts.append(f"as of {options.as_of}: sources issued after it left out, sanctions in their state on it")
    dates = [reader.sources[g].date for g in sources if g in reader.sources and reader.sources[g].date]
    newest = max(dates, default="")
    dated = (
        (
            f"Data as of {newest}, the newest source date (the page carries no build time, "
            "so rebuilding it gives the same file)."
        )
        if newest
        else "No source in this view is dated."
    )
    return "; ".join(parts) + ". " + dated
