"""Offline, interactive HTML views of the graph: one self-contained page per view.

The page draws ``graph.network.project(dataset)`` with vis-network, inlined from the installed
pyvis package (no CDN, no Bootstrap, no fonts, no request of any kind; a Content-Security-Policy
with script hashes forbids the rest). Positions are computed here with a networkx layout, physics
is off, so the page is interactive as soon as it is drawn. All data travels as one JSON block and
is only ever put in the page as DOM text, so HTML or script in labels shows as text.

The same graph gives the same bytes: everything is sorted, the layout has a fixed seed, and the
date in the caption is the newest source date, not the build time.

>>> from graph.build import load_dataset
>>> view = render(load_dataset())
>>> view.html.startswith(b"<!DOCTYPE html>") and view.nodes > 0
True
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from rdflib import Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, RDF, RDFS, SDO, SKOS

from . import export
from .errors import InputError, OutputError
from .namespace import DKG, ONTOLOGY_GRAPH, PREFIXES, SRC, bind_prefixes
from .network import project, relation_label

Progress = Callable[[str], None]

#: Most nodes a view draws; past it the most central ones are kept and the page says so.
MAX_NODES = 5000
#: Nodes placed by the force layout; the others are set in rings around their neighbours.
CORE_NODES = 400
LAYOUT_SEED = 42
SPACING = 70
MAX_FACTS = 30

#: Look of each node kind: vis-network shape, colour, and the legend symbol of that shape.
STYLES: dict[str, tuple[str, str, str]] = {
    "state": ("star", "#c0392b", "\u2605"),
    "government body": ("hexagon", "#2c7fb8", "\u2b22"),
    "group": ("diamond", "#e6550d", "\u25c6"),
    "person": ("dot", "#31a354", "\u25cf"),
    "mixer": ("triangle", "#756bb1", "\u25b2"),
    "exchange": ("square", "#8c6d31", "\u25a0"),
    "service": ("triangleDown", "#d6616b", "\u25bc"),
    "company": ("square", "#7b4173", "\u25a0"),
    "incident": ("dot", "#fd8d3c", "\u25cf"),
    "sanction": ("hexagon", "#a50f15", "\u2b22"),
    "address": ("dot", "#969696", "\u25cf"),
    "designated party": ("diamond", "#ad494a", "\u25c6"),
    "software": ("square", "#17becf", "\u25a0"),
    "campaign": ("triangle", "#bcbd22", "\u25b2"),
    "technique": ("triangleDown", "#5ab4ac", "\u25bc"),
    "source": ("square", "#6baed6", "\u25a0"),
    "other": ("dot", "#bdbdbd", "\u25cf"),
}
KIND_NAMES = [kind for kind in STYLES]

_VIS_JS = ("lib", "vis-9.1.2", "vis-network.min.js")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def _quiet(_: str) -> None:
    """The default progress callback: say nothing."""


@dataclass
class ViewOptions:
    """What part of the graph a view shows; the defaults show all of it."""

    focus: str | None = None
    depth: int = 2
    types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: str | None = None
    max_nodes: int = MAX_NODES
    title: str = "dprk-kg graph"


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


@dataclass
class _Source:
    name: str
    urls: list[str]
    publishers: list[str]
    issued: str


@dataclass
class _Facts:
    """Everything the page tells about nodes, read from one pass over the dataset's quads."""

    labels: dict[str, str] = field(default_factory=dict)
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    stated_by: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    values: dict[str, dict[str, set[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    literals: dict[str, dict[tuple[str, str], set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    links: dict[str, dict[tuple[str, str], set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))


def curie(iri: str) -> str:
    """An IRI shortened with the project prefixes, or the IRI itself.

    >>> curie("https://w3id.org/dprk-kg/id/lazarus-group")
    'kg:lazarus-group'
    """
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def check_date(value: str) -> str:
    """Accept ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a real date); raise InputError otherwise.

    >>> check_date("2023-09")
    '2023-09'
    >>> check_date("2023-02-30")
    Traceback (most recent call last):
    ...
    graph.errors.InputError: --since: '2023-02-30' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)
    """
    message = f"--since: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
    if not _DATE.match(value):
        raise InputError(message)
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        date(parts[0], parts[1], parts[2])
    except ValueError as exc:
        raise InputError(message) from exc
    return value


def on_or_after(issued: str, since: str) -> bool:
    """Whether a source date (possibly only a year or month) reaches ``since``.

    A source dated only ``2023`` counts for ``--since 2023-06-01``: its period overlaps.

    >>> on_or_after("2023", "2023-06-01"), on_or_after("2022-12-31", "2023")
    (True, False)
    """
    width = min(len(issued), len(since))
    return bool(issued) and issued[:width] >= since[:width]


def load_file(path: Path) -> Dataset:
    """Read any RDF file ``graph.parse`` reads into an in-memory dataset for drawing.

    Triples outside a named graph go to ``src:<file stem>`` when the file describes that source
    document (as a curated source file does), otherwise to a graph named after the file.
    """
    from .parse import parse_into

    dataset = Dataset(default_union=True)
    bind_prefixes(dataset)
    stem_graph = SRC[Path(path).stem]
    parse_into(dataset, Path(path), stem_graph)
    graph = dataset.graph(stem_graph)
    if len(graph) and (stem_graph, RDF.type, DKG.SourceDocument) not in graph:
        file_graph = dataset.graph(URIRef(Path(path).resolve().as_uri()))
        file_graph += graph
        dataset.remove_graph(graph)
    return dataset


def _reader(dataset: Dataset):
    """The dataset in an in-memory Oxigraph store, read the way every command reads the store."""
    import pyoxigraph as ox

    from .reader import Reader

    store = ox.Store()
    store.load(dataset.serialize(format="nquads", encoding="utf-8"), format=ox.RdfFormat.N_QUADS)
    return Reader(store)


def _read_facts(dataset: Dataset) -> _Facts:
    """One pass over every data quad (the ontology graph left out)."""
    facts = _Facts()
    skip = {str(ONTOLOGY_GRAPH), str(DATASET_DEFAULT_GRAPH_ID)}
    for row in dataset.query(_QUADS):
        graph = str(row.g)
        if graph in skip:
            continue
        s, p, o = str(row.s), row.p, row.o
        facts.stated_by[s].add(graph)
        if p == RDFS.label:
            if s not in facts.labels or str(o) < facts.labels[s]:
                facts.labels[s] = str(o)
        elif p == RDF.type:
            facts.types[s].add(str(o))
        elif isinstance(o, Literal):
            facts.values[s][str(p)].add(str(o))
            if p != SKOS.altLabel:
                facts.literals[s][(str(p), str(o))].add(graph)
        else:
            facts.links[s][(str(p), str(o))].add(graph)
    return facts


def _sources(facts: _Facts, graphs: Iterable[str]) -> dict[str, _Source]:
    """Title, URLs, publishers and date of each source (named graph) from its description."""
    out = {}
    for graph in sorted(set(graphs)):
        values = facts.values.get(graph, {})
        publishers = sorted({facts.labels.get(o, curie(o)) for (p, o) in facts.links.get(graph, {})
                             if p == str(DCTERMS.publisher)})
        if graph.startswith("file:"):
            name = graph.rsplit("/", 1)[-1]
        else:
            name = min(values.get(str(DCTERMS.title), ()), default="") or facts.labels.get(graph, curie(graph))
        out[graph] = _Source(
            name=name,
            urls=sorted(u for u in values.get(str(SDO.url), ()) if u.startswith(("https://", "http://"))),
            publishers=publishers,
            issued=min(values.get(str(DCTERMS.issued), ()), default=""),
        )
    return out


def _entities(dataset: Dataset, facts: _Facts) -> tuple[dict[str, dict], dict[tuple[str, str, str], set[str]]]:
    """Nodes and edges to draw: the typed projection, plus any other IRI the data links.

    "Other" nodes make files outside the dprk-kg vocabulary drawable; the vocabulary's own
    n-ary and value nodes (attributions, amounts, claims) and statement nodes stay folded away.
    """
    projected = project(_reader(dataset), keep_records=True)
    nodes = {node: dict(attrs) for node, attrs in projected.nodes(data=True)}
    for node, attrs in nodes.items():
        titles = facts.values.get(node, {}).get(str(DCTERMS.title))
        if node not in facts.labels and titles:
            attrs["label"] = min(titles)
    edges: dict[tuple[str, str, str], set[str]] = {}
    for s, o, attrs in projected.edges(data=True):
        edges[(s, attrs["relation"], o)] = set(attrs["sources"])
    folded = (str(DKG), str(SDO.MonetaryAmount), str(RDF.Statement))
    others = {s for s in facts.stated_by if s not in nodes
              and s.startswith(("http://", "https://", "urn:", "mailto:"))
              and not any(t.startswith(folded) for t in facts.types.get(s, ()))}
    for node in sorted(others):
        nodes[node] = {"kind": "other", "label": facts.labels.get(node, curie(node)),
                       "aliases": sorted(facts.values.get(node, {}).get(str(SKOS.altLabel), ())),
                       "sanction": ""}
    for s in sorted(facts.links):
        for (p, o), graphs in facts.links[s].items():
            if (s in others or o in others) and s in nodes and o in nodes and s != o:
                edges.setdefault((s, relation_label(p), o), set()).update(graphs)
    return nodes, edges


def _fact_rows(node: str, facts: _Facts, nodes: dict[str, dict], keep: Callable[[str], bool]) -> list:
    """Key facts of a node, ``[property, value, [graphs]]``: its literals, and the values, amounts
    and labels of the non-entity nodes it points at (entities are edges already)."""
    rows: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (p, value), graphs in facts.literals.get(node, {}).items():
        rows[(relation_label(p), value)] |= graphs
    for (p, o), graphs in facts.links.get(node, {}).items():
        if o in nodes:
            continue
        values = facts.values.get(o, {})
        amount = values.get(str(SDO.value))
        if amount:
            currency = " ".join(sorted(values.get(str(SDO.currency), ())))
            text = " / ".join(sorted(f"{v} {currency}".strip() for v in amount))
            if o in facts.labels:
                text += f" ({facts.labels[o]})"
        else:
            text = facts.labels.get(o, curie(o))
        rows[(relation_label(p), text)] |= graphs
    kept = [(p, v, sorted(g for g in graphs if keep(g))) for (p, v), graphs in sorted(rows.items())]
    return [row for row in kept if row[2]][:MAX_FACTS]


def _degree(nodes: Iterable[str], edges: Iterable[tuple[str, str, str]]) -> dict[str, int]:
    """Distinct neighbours of each node: the centrality that sizes nodes and picks what to keep."""
    neighbours: dict[str, set[str]] = {n: set() for n in nodes}
    for s, _, o in edges:
        if s != o:
            neighbours[s].add(o)
            neighbours[o].add(s)
    return {n: len(ns) for n, ns in neighbours.items()}


def _match(name: str, nodes: dict[str, dict]) -> str:
    """The node ``--focus NAME`` means: by label, alias, IRI or CURIE, exactly, else by the start
    of a label or alias, else by part of one; more than one match at the first level that has
    any is an error that lists them."""
    wanted = name.strip().casefold()

    def keys(node: str) -> list[str]:
        attrs = nodes[node]
        return [k.casefold() for k in (attrs["label"], *attrs["aliases"], node, curie(node),
                                        node.rsplit("/", 1)[-1])]

    exact = sorted(n for n in nodes if wanted in keys(n))
    prefix = sorted(n for n in nodes if any(k.startswith(wanted) for k in keys(n)[:-3]))
    partial = sorted(n for n in nodes if any(wanted in k for k in keys(n)[:-3]))
    for candidates in (exact, prefix, partial):
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            listed = "; ".join(f"{nodes[n]['label']} ({curie(n)})" for n in candidates[:8])
            more = f" and {len(candidates) - 8} more" if len(candidates) > 8 else ""
            raise InputError(f"--focus {name!r} matches {len(candidates)} entities: {listed}{more}; "
                             "give the IRI or CURIE")
    raise InputError(f"--focus {name!r} matches no entity in the view (try a label, alias or CURIE)")


def _source_filter(options: ViewOptions, sources: dict[str, _Source]) -> set[str] | None:
    """The graphs a view keeps under ``--source`` and ``--since``, or None for all of them."""
    if not options.sources and not options.since:
        return None
    keep = set(sources)
    if options.sources:
        chosen = set()
        for wanted in options.sources:
            w = wanted.strip()
            hits = {g for g in sources if w in (g, curie(g), g.rsplit("/", 1)[-1], g.rsplit("/", 1)[-1] + ".ttl")}
            if not hits:
                import difflib
                names = [g.rsplit("/", 1)[-1] for g in sources]
                close = difflib.get_close_matches(w.rsplit(":", 1)[-1].removesuffix(".ttl"), names, n=3)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise InputError(f"--source {wanted!r} is not a source of this graph{hint}")
            chosen |= hits
        keep &= chosen
    if options.since:
        since = check_date(options.since)
        keep = {g for g in keep if on_or_after(sources[g].issued, since)}
    return keep


def layout(nodes: list[str], edges: Iterable[tuple[str, str, str]], rank: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Pixel positions: a seeded spring layout of each component's most central nodes, the rest
    in rings around their most central placed neighbour, components packed in rows.

    Fast at thousands of nodes (the force layout never sees more than ``CORE_NODES``) and
    deterministic for the same graph.

    >>> layout(["a", "b", "c"], [("a", "r", "b")], {"a": 1, "b": 1, "c": 0})
    {'a': (...), 'b': (...), 'c': (...)}
    """
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_edges_from(sorted({tuple(sorted((s, o))) for s, _, o in edges if s != o}))
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    placed = [_component_layout(graph, sorted(c), rank) for c in components]
    return _pack(placed)


def _component_layout(graph, members: list[str], rank: dict[str, int]) -> dict[str, tuple[float, float]]:
    import networkx as nx

    if len(members) == 1:
        return {members[0]: (0.0, 0.0)}
    order = sorted(members, key=lambda n: (-rank[n], n))
    core = sorted(order[:CORE_NODES])
    sub = nx.Graph()
    sub.add_nodes_from(core)
    sub.add_edges_from(sorted(e for e in graph.subgraph(core).edges()))
    scale = SPACING * math.sqrt(len(core)) * (1.4 if len(core) > 10 else 0.5)
    spring = nx.spring_layout(sub, seed=LAYOUT_SEED, scale=scale)
    pos = {n: (float(spring[n][0]), float(spring[n][1])) for n in core}
    cx = sum(x for x, _ in pos.values()) / len(pos)
    cy = sum(y for _, y in pos.values()) / len(pos)
    pending = set(order[CORE_NODES:])
    while pending:
        children: dict[str, list[str]] = defaultdict(list)
        for node in sorted(pending):
            placed_near = [m for m in graph[node] if m in pos]
            if placed_near:
                children[max(placed_near, key=lambda m: (rank[m], m))].append(node)
        for parent in sorted(children, key=lambda n: (-rank[n], n)):
            px, py = pos[parent]
            outward = math.atan2(py - cy, px - cx)
            kids = sorted(children[parent], key=lambda n: (-rank[n], n))
            index, ring = 0, 1
            while index < len(kids):
                radius = SPACING * (0.6 + 0.7 * ring)
                capacity = max(6, int(2 * math.pi * radius / (SPACING * 0.55)))
                batch = kids[index:index + capacity]
                for i, kid in enumerate(batch):
                    angle = outward + 2 * math.pi * i / len(batch)
                    pos[kid] = (px + radius * math.cos(angle), py + radius * math.sin(angle))
                index += len(batch)
                ring += 1
            pending -= set(kids)
    return pos


def _pack(components: list[dict[str, tuple[float, float]]]) -> dict[str, tuple[int, int]]:
    """Place component layouts left to right in rows about as wide as the whole is tall."""
    boxes = []
    for pos in components:
        xs, ys = [x for x, _ in pos.values()], [y for _, y in pos.values()]
        boxes.append((min(xs), min(ys), max(xs) - min(xs) + SPACING, max(ys) - min(ys) + SPACING))
    area = sum(w * h for _, _, w, h in boxes)
    width = max([math.sqrt(area) * 1.3] + [w for _, _, w, _ in boxes])
    out: dict[str, tuple[int, int]] = {}
    x = y = row = 0.0
    for pos, (left, top, w, h) in zip(components, boxes):
        if x and x + w > width:
            x, y, row = 0.0, y + row, 0.0
        for node, (nx_, ny) in pos.items():
            out[node] = (round(x + nx_ - left), round(y + ny - top))
        x, row = x + w, max(row, h)
    return out


def _json_for_script(value) -> str:
    """JSON that cannot end its ``<script>`` block or be read as HTML: ``< > &`` and the JS line
    separators are escaped.

    >>> _json_for_script({"l": "</script><b>&"})
    '{"l":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def _vis_js() -> str:
    """vis-network's script, read from the installed pyvis package."""
    script = resources.files("pyvis").joinpath(*_VIS_JS).read_text(encoding="utf-8")
    if re.search(r"</script|<!--", script, re.IGNORECASE):
        raise OutputError("the vis-network script in the pyvis package cannot be inlined safely")
    return script


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def render(dataset: Dataset, options: ViewOptions | None = None, progress: Progress = _quiet) -> View:
    """Build the HTML page of a view of ``dataset`` (see ``ViewOptions``)."""
    options = options or ViewOptions()
    unknown = [t for t in options.types if t.casefold() not in KIND_NAMES]
    if unknown:
        raise InputError(f"--type {unknown[0]!r} is not a node type; use one of: {', '.join(KIND_NAMES)}")
    if options.since:
        check_date(options.since)
    progress("reading the graph")
    facts = _read_facts(dataset)
    nodes, edges = _entities(dataset, facts)
    sources = _sources(facts, {g for gs in facts.stated_by.values() for g in gs})
    kept_sources = _source_filter(options, sources)
    keep = (lambda g: True) if kept_sources is None else (lambda g: g in kept_sources)

    edges = {key: {g for g in graphs if keep(g)} for key, graphs in edges.items()}
    edges = {key: graphs for key, graphs in edges.items() if graphs}
    chosen = set(nodes)
    if kept_sources is not None:
        chosen = {n for n in nodes if any(keep(g) for g in facts.stated_by.get(n, ()))}
        chosen |= {n for s, _, o in edges for n in (s, o)}
    if options.types:
        wanted = {t.casefold() for t in options.types}
        chosen = {n for n in chosen if nodes[n]["kind"] in wanted}
    edges = {k: g for k, g in edges.items() if k[0] in chosen and k[2] in chosen}
    notes: list[str] = []
    focus = None
    if options.focus:
        import networkx as nx

        focus = _match(options.focus, {n: nodes[n] for n in chosen})
        ego = nx.Graph()
        ego.add_nodes_from(sorted(chosen))
        ego.add_edges_from(sorted((s, o) for s, _, o in edges))
        chosen = set(nx.single_source_shortest_path_length(ego, focus, cutoff=options.depth))
        edges = {k: g for k, g in edges.items() if k[0] in chosen and k[2] in chosen}
    rank = _degree(chosen, edges)
    omitted = 0
    if len(chosen) > options.max_nodes:
        order = sorted(chosen, key=lambda n: (n != focus, -rank[n], n))
        omitted = len(chosen) - options.max_nodes
        chosen = set(order[:options.max_nodes])
        edges = {k: g for k, g in edges.items() if k[0] in chosen and k[2] in chosen}
        notes.append(f"Showing the {options.max_nodes:,} most connected of {len(order):,} entities: "
                     f"{omitted:,} less connected ones are left out. Narrow the view with --focus, "
                     "--type or --source, or raise --max-nodes.")
    progress(f"laying out {len(chosen):,} nodes and {len(edges):,} edges")
    ordered = sorted(chosen)
    positions = layout(ordered, edges, rank)
    data, used = _page_data(ordered, edges, nodes, facts, sources, rank, positions, keep)
    caption = _caption(options, nodes, focus, len(ordered), len(edges), used, sources)
    page = _page(options.title, caption, notes, data)
    return View(html=page, nodes=len(ordered), edges=len(edges), sources=len(used), omitted=omitted,
                caption=caption, notes=notes)


def _page_data(ordered, edges, nodes, facts, sources, rank, positions, keep) -> tuple[dict, list[str]]:
    """The JSON the page script reads: kinds, sources, nodes and edges, all by index."""
    index = {n: i for i, n in enumerate(ordered)}
    top = max(rank.values(), default=0) or 1
    node_rows, used = [], set()
    for n in ordered:
        attrs = nodes[n]
        stated = sorted(g for g in facts.stated_by.get(n, ()) if keep(g))
        rows = _fact_rows(n, facts, nodes, keep)
        used.update(stated)
        node_rows.append({"i": n, "l": attrs["label"], "k": KIND_NAMES.index(attrs["kind"]),
                          "a": attrs["aliases"], "sc": attrs["sanction"], "s": stated, "f": rows,
                          "x": positions[n][0], "y": positions[n][1],
                          "z": round(10 + 30 * math.sqrt(rank[n] / top), 1)})
    pair_count: dict[frozenset, int] = defaultdict(int)
    edge_rows = []
    for (s, relation, o), graphs in sorted(edges.items()):
        pair = frozenset((s, o))
        k = pair_count[pair]
        pair_count[pair] += 1
        curve = 0 if k == 0 else (0.15 * ((k + 1) // 2)) * (1 if k % 2 else -1)
        used.update(graphs)
        edge_rows.append({"f": index[s], "t": index[o], "r": relation, "s": sorted(graphs), "c": curve})
    used_sorted = sorted(used)
    source_index = {g: i for i, g in enumerate(used_sorted)}
    for row in node_rows:
        row["s"] = [source_index[g] for g in row["s"]]
        row["f"] = [[p, v, [source_index[g] for g in gs if g in source_index]] for p, v, gs in row["f"]]
    for row in edge_rows:
        row["s"] = [source_index[g] for g in row["s"]]
    counts = defaultdict(int)
    for n in ordered:
        counts[nodes[n]["kind"]] += 1
    data = {
        "kinds": [{"n": k, "shape": STYLES[k][0], "color": STYLES[k][1], "sym": STYLES[k][2],
                   "count": counts[k]} for k in KIND_NAMES],
        "sources": [{"i": g, "n": sources[g].name, "u": sources[g].urls, "p": sources[g].publishers,
                     "d": sources[g].issued} for g in used_sorted],
        "nodes": node_rows,
        "edges": edge_rows,
    }
    return data, used_sorted


def _caption(options, nodes, focus, n_nodes, n_edges, used, sources) -> str:
    parts = [f"{n_nodes:,} entities and {n_edges:,} relations, stated by {len(used):,} sources"]
    if focus:
        parts.append(f"within {options.depth} steps of {nodes[focus]['label']}")
    if options.types:
        parts.append("types: " + ", ".join(sorted(t.casefold() for t in options.types)))
    if options.sources:
        parts.append("sources: " + ", ".join(sorted(options.sources)))
    if options.since:
        parts.append(f"only sources issued on or after {options.since} (undated ones left out)")
    newest = max((sources[g].issued for g in used), default="")
    dated = (f"Data as of {newest}, the newest source date (the page carries no build time, "
             "so rebuilding it gives the same file).") if newest else "No source in this view is dated."
    return "; ".join(parts) + ". " + dated


def _page(title: str, caption: str, notes: list[str], data: dict) -> bytes:
    """Fill the template: escaped text, the data block, the inlined scripts and their CSP hashes."""
    vis = _vis_js()
    csp = (f"default-src 'none'; script-src {_csp_hash(vis)} {_csp_hash(_APP_JS)}; "
           "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
    values = {
        "CSP": html.escape(csp),
        "TITLE": html.escape(title),
        "CAPTION": html.escape(caption),
        "NOTES": "".join(f'<p class="note" role="status">{html.escape(n)}</p>' for n in notes),
        "CSS": _CSS,
        "DATA": _json_for_script(data),
        "VIS": vis,
        "APP": _APP_JS,
    }
    page = re.sub(r"@@([A-Z]+)@@", lambda m: values[m.group(1)], _TEMPLATE)
    return page.encode("utf-8")


def write_view(dataset: Dataset, out: Path, options: ViewOptions | None = None,
               progress: Progress = _quiet) -> View:
    """Render a view and write it to ``out`` atomically."""
    out = Path(out)
    export.check_writable(out.parent)
    view = render(dataset, options, progress)
    export.write_atomically({out: view.html})
    return view


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@@CSP@@">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>@@TITLE@@</title>
<style>@@CSS@@</style>
</head>
<body>
<header>
<h1>@@TITLE@@</h1>
<p class="caption">@@CAPTION@@</p>
@@NOTES@@
</header>
<main>
<div id="net" aria-label="graph drawing"></div>
<aside>
<form id="search-form" autocomplete="off">
<input id="search" type="search" list="names" placeholder="Find by name or alias" aria-label="Find an entity by name or alias">
<button type="submit">Find</button>
<datalist id="names"></datalist>
</form>
<p id="search-status" role="status"></p>
<fieldset id="legend"><legend>Node types (untick to hide)</legend></fieldset>
<div class="marks"><span class="ring listed"></span> sanctioned, listed <span class="ring delisted"></span> sanctioned, since delisted</div>
<section id="details" aria-live="polite"><p class="hint">Hover over or click a node or edge to see its facts and sources.</p></section>
</aside>
</main>
<div id="tip" hidden></div>
<script type="application/json" id="dprk-kg-data">@@DATA@@</script>
<script>@@VIS@@</script>
<script>@@APP@@</script>
</body>
</html>
"""

_CSS = """
html,body{height:100%;margin:0}
body{display:flex;flex-direction:column;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222}
header{padding:6px 12px;border-bottom:1px solid #ddd}
h1{font-size:17px;margin:0}
.caption{margin:2px 0;color:#555}
.note{margin:4px 0;padding:4px 8px;background:#fff3cd;border:1px solid #e0c46c;border-radius:3px}
main{flex:1;display:flex;min-height:0}
#net{flex:1;min-width:0;background:#fcfcfc}
aside{width:330px;overflow:auto;padding:8px 10px;border-left:1px solid #ddd}
#search-form{display:flex;gap:4px}
#search{flex:1}
#search-status{min-height:1.2em;margin:4px 0;color:#555}
fieldset{border:1px solid #ddd;padding:4px 8px;margin:0 0 6px}
fieldset label{display:block;white-space:nowrap}
.sym{display:inline-block;width:1.2em;text-align:center}
.count{color:#777}
.marks{margin:4px 0 8px;color:#444}
.ring{display:inline-block;width:11px;height:11px;border-radius:50%;vertical-align:middle;background:#eee}
.ring.listed{border:3px solid #b30000}
.ring.delisted{border:3px dashed #444}
#details h2,#tip h2{font-size:15px;margin:4px 0}
#details ul,#tip ul{margin:2px 0;padding-left:18px}
.kind{color:#555}
.iri{color:#777;font-size:12px;word-break:break-all}
.by{color:#777}
#tip{position:fixed;z-index:10;max-width:360px;max-height:60vh;overflow:hidden;background:#fff;border:1px solid #999;border-radius:4px;padding:6px 8px;box-shadow:0 2px 6px rgba(0,0,0,.2);pointer-events:none;font-size:13px}
a{word-break:break-all}
"""

_APP_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dprk-kg-data").textContent);
  var kinds = data.kinds, sources = data.sources, info = data.nodes, links = data.edges;
  var hiddenKinds = {};

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function nodeItem(n, i) {
    var k = kinds[n.k];
    var item = {id: i, label: n.l, x: n.x, y: n.y, size: n.z, shape: k.shape, borderWidth: 1,
                color: {background: k.color, border: k.color,
                        highlight: {background: k.color, border: "#000"},
                        hover: {background: k.color, border: "#000"}}};
    if (n.sc === "listed") {
      item.color.border = "#b30000"; item.borderWidth = 4;
    } else if (n.sc === "delisted") {
      item.color.border = "#444"; item.borderWidth = 3; item.shapeProperties = {borderDashes: [4, 3]};
    }
    return item;
  }

  var nodes = new vis.DataSet(info.map(nodeItem));
  var edges = new vis.DataSet(links.map(function (e, i) {
    var smooth = e.c ? {enabled: true, type: e.c > 0 ? "curvedCW" : "curvedCCW", roundness: Math.abs(e.c)} : false;
    return {id: i, from: e.f, to: e.t, label: e.r, smooth: smooth};
  }));
  var big = info.length > 1000;
  var network = new vis.Network(document.getElementById("net"), {nodes: nodes, edges: edges}, {
    physics: {enabled: false},
    layout: {improvedLayout: false},
    interaction: {hover: true, tooltipDelay: 100, hideEdgesOnDrag: big, hideEdgesOnZoom: big},
    nodes: {font: {size: 13, face: "system-ui, sans-serif"}},
    edges: {arrows: {to: {enabled: true, scaleFactor: 0.5}}, color: {color: "#9aa4ad", highlight: "#333", hover: "#333"},
            font: {size: 10, align: "middle", color: "#555"}, width: 1}
  });
  network.once("afterDrawing", function () {
    window.dprkKgReadyAt = performance.now();
    document.documentElement.setAttribute("data-ready", "1");
  });

  function sourceList(indexes) {
    var ul = el("ul", null, "sources");
    indexes.forEach(function (i) {
      var s = sources[i], li = el("li");
      li.appendChild(el("span", s.n, "src-name"));
      var meta = [s.p.join(", "), s.d].filter(function (x) { return x; }).join(", ");
      if (meta) li.appendChild(el("span", " (" + meta + ")", "by"));
      s.u.forEach(function (u) {
        if (!/^https?:\/\//i.test(u)) return;
        var a = el("a", u);
        a.href = u; a.target = "_blank"; a.rel = "noopener noreferrer";
        li.appendChild(el("br"));
        li.appendChild(a);
      });
      ul.appendChild(li);
    });
    return ul;
  }

  function nodeDetails(i) {
    var n = info[i], box = document.createDocumentFragment();
    box.appendChild(el("h2", n.l));
    box.appendChild(el("div", kinds[n.k].n, "kind"));
    box.appendChild(el("div", n.i, "iri"));
    if (n.a.length) box.appendChild(el("div", "Also known as: " + n.a.join("; ")));
    if (n.sc === "listed") box.appendChild(el("div", "Sanctioned: listed"));
    if (n.sc === "delisted") box.appendChild(el("div", "Sanctioned, since delisted"));
    if (n.f.length) {
      var ul = el("ul", null, "facts");
      n.f.forEach(function (f) {
        var li = el("li", f[0] + ": " + f[1]);
        li.appendChild(el("span", " \u2014 " + f[2].map(function (s) { return sources[s].n; }).join("; "), "by"));
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    box.appendChild(el("div", "Stated by " + n.s.length + " source" + (n.s.length === 1 ? "" : "s") + ":"));
    box.appendChild(sourceList(n.s));
    return box;
  }

  function edgeDetails(i) {
    var e = links[i], box = document.createDocumentFragment();
    box.appendChild(el("h2", info[e.f].l + " \u2192 " + e.r + " \u2192 " + info[e.t].l));
    box.appendChild(el("div", "Stated by " + e.s.length + " source" + (e.s.length === 1 ? "" : "s") + ":"));
    box.appendChild(sourceList(e.s));
    return box;
  }

  var tip = document.getElementById("tip"), details = document.getElementById("details");
  function showTip(content, pointer) {
    tip.replaceChildren(content);
    var r = document.getElementById("net").getBoundingClientRect();
    tip.style.left = Math.min(r.left + pointer.x + 14, window.innerWidth - 370) + "px";
    tip.style.top = (r.top + pointer.y + 14) + "px";
    tip.hidden = false;
  }
  function hideTip() { tip.hidden = true; }
  network.on("hoverNode", function (p) { showTip(nodeDetails(p.node), p.pointer.DOM); });
  network.on("hoverEdge", function (p) { showTip(edgeDetails(p.edge), p.pointer.DOM); });
  network.on("blurNode", hideTip);
  network.on("blurEdge", hideTip);
  network.on("dragStart", hideTip);
  network.on("zoom", hideTip);
  function pinNode(i) { details.replaceChildren(nodeDetails(i)); }
  network.on("click", function (p) {
    if (p.nodes.length) pinNode(p.nodes[0]);
    else if (p.edges.length) details.replaceChildren(edgeDetails(p.edges[0]));
  });

  var legend = document.getElementById("legend");
  kinds.forEach(function (k, ki) {
    if (!k.count) return;
    var label = el("label"), box = el("input"), sym = el("span", k.sym, "sym");
    box.type = "checkbox"; box.checked = true; box.value = k.n;
    sym.style.color = k.color;
    label.appendChild(box); label.appendChild(sym);
    label.appendChild(document.createTextNode(" " + k.n + " "));
    label.appendChild(el("span", "(" + k.count + ")", "count"));
    box.addEventListener("change", function () { setKind(ki, box.checked); });
    legend.appendChild(label);
  });
  function setKind(ki, visible) {
    hiddenKinds[ki] = !visible;
    var changes = [];
    info.forEach(function (n, i) { if (n.k === ki) changes.push({id: i, hidden: !visible}); });
    nodes.update(changes);
    legend.querySelectorAll("input")[kinds.filter(function (k, j) { return k.count && j < ki; }).length].checked = visible;
  }

  var names = [];
  info.forEach(function (n, i) {
    names.push([n.l.toLowerCase(), i]);
    n.a.forEach(function (a) { names.push([a.toLowerCase(), i]); });
  });
  function find(query) {
    var q = query.trim().toLowerCase(), best = -1, bestScore = null;
    if (!q) return -1;
    names.forEach(function (pair) {
      var name = pair[0], i = pair[1], tier;
      if (name === q) tier = 0; else if (name.indexOf(q) === 0) tier = 1; else if (name.indexOf(q) >= 0) tier = 2; else return;
      var score = [tier, -info[i].z, i];
      if (bestScore === null || score[0] < bestScore[0] || (score[0] === bestScore[0] &&
          (score[1] < bestScore[1] || (score[1] === bestScore[1] && score[2] < bestScore[2])))) {
        best = i; bestScore = score;
      }
    });
    return best;
  }
  var search = document.getElementById("search"), status = document.getElementById("search-status");
  search.addEventListener("focus", function fill() {
    search.removeEventListener("focus", fill);
    var list = document.getElementById("names"), seen = {};
    info.forEach(function (n) {
      [n.l].concat(n.a).forEach(function (name) {
        if (seen[name]) return;
        seen[name] = true;
        var option = el("option"); option.value = name; list.appendChild(option);
      });
    });
  });
  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var i = find(search.value);
    if (i < 0) { status.textContent = "Nothing in this view is named \u201c" + search.value + "\u201d."; return; }
    if (hiddenKinds[info[i].k]) setKind(info[i].k, true);
    network.selectNodes([i]);
    network.focus(i, {scale: 1.3, animation: false});
    pinNode(i);
    status.textContent = "Found " + info[i].l + " (" + kinds[info[i].k].n + ").";
  });

  window.dprkKg = {network: network, nodes: nodes, edges: edges, find: find};
})();
"""
