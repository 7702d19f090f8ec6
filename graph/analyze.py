"""Network analysis on the typed projection (``graph.network.project``).

``analyze`` ranks the most central actors and services, counts connected components, finds
communities, and finds the bridge nodes whose removal cuts actors off from services they could
reach. ``explain`` finds the shortest chain of relations between two entities, with the sources
of each hop. Results are deterministic: ties break on node IRIs, sampling uses a fixed seed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .errors import InputError
from .validate import shorten

if TYPE_CHECKING:
    import networkx as nx

ACTOR_KINDS = frozenset({"state", "group", "person", "designated party"})
SERVICE_KINDS = frozenset({"mixer", "exchange", "service"})
FOCUS_KINDS = ACTOR_KINDS | SERVICE_KINDS
#: Nodes a path may not pass through: documents link everything they mention.
NO_PATH_KINDS = frozenset({"source"})
#: Betweenness is exact up to this many nodes, then estimated from sampled sources.
BETWEENNESS_SAMPLE = 300
#: Sampled sources times (nodes + edges) stays near this budget, so large graphs stay fast.
BETWEENNESS_WORK = 2_000_000
#: The fewest sources a sample uses, however large the graph.
BETWEENNESS_MIN_SAMPLE = 32


def betweenness_sample(nodes: int, edges: int) -> int | None:
    """How many sources to sample for betweenness: None (exact) on small graphs.

    >>> betweenness_sample(200, 300), betweenness_sample(7_000, 9_000), betweenness_sample(70_000, 90_000)
    (None, 125, 32)
    """
    if nodes <= BETWEENNESS_SAMPLE:
        return None
    return max(BETWEENNESS_MIN_SAMPLE, min(BETWEENNESS_SAMPLE, BETWEENNESS_WORK // (nodes + edges)))


@dataclass
class Analysis:
    """What ``analyze`` found, ready to print or to serialize as JSON."""

    nodes: int
    edges: int
    central: list[dict] = field(default_factory=list)
    components: list[dict] = field(default_factory=list)
    communities: list[dict] = field(default_factory=list)
    bridges: list[dict] = field(default_factory=list)


def _simple(graph: nx.MultiDiGraph) -> nx.Graph:
    """The undirected simple graph of entity relations, without source documents."""
    import networkx as nx

    simple = nx.Graph()
    keep = [n for n, d in graph.nodes(data=True) if d["kind"] not in NO_PATH_KINDS]
    simple.add_nodes_from(keep)
    simple.add_edges_from((u, v) for u, v in graph.edges() if u in simple and v in simple and u != v)
    return simple


def _node(graph: nx.MultiDiGraph, node: str) -> dict:
    data = graph.nodes[node]
    return {"id": shorten(node), "label": data["label"], "kind": data["kind"]}


def analyze(graph: nx.MultiDiGraph, top: int = 10, progress: Callable[[str], None] = lambda _: None) -> Analysis:
    """Centrality, components, communities and actor-service bridges of the projection."""
    import networkx as nx

    simple = _simple(graph)
    result = Analysis(simple.number_of_nodes(), simple.number_of_edges())
    focus = [n for n in simple if graph.nodes[n]["kind"] in FOCUS_KINDS]
    progress(f"centrality on {result.nodes:,} nodes and {result.edges:,} edges")
    degree = nx.degree_centrality(simple) if len(simple) > 1 else {n: 0.0 for n in simple}
    sample = betweenness_sample(simple.number_of_nodes(), simple.number_of_edges())
    between = nx.betweenness_centrality(simple, k=sample, seed=0)
    ranked = sorted(focus, key=lambda n: (-between[n], -degree[n], n))[:top]
    result.central = [
        {**_node(graph, n), "betweenness": round(between[n], 6), "degree": simple.degree(n)} for n in ranked
    ]
    progress("connected components")
    components = sorted((sorted(c) for c in nx.connected_components(simple)), key=lambda c: (-len(c), c))
    result.components = [
        {
            "size": len(c),
            "actors": sum(graph.nodes[n]["kind"] in ACTOR_KINDS for n in c),
            "services": sum(graph.nodes[n]["kind"] in SERVICE_KINDS for n in c),
            "example": _node(graph, max(c, key=lambda n: (simple.degree(n), n)))["label"],
        }
        for c in components[:top]
    ]
    progress("communities (Louvain, seed 0)")
    communities = nx.community.louvain_communities(simple, seed=0) if result.edges else []
    communities = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c))
    result.communities = [
        {
            "size": len(c),
            "members": [graph.nodes[n]["label"] for n in sorted(c, key=lambda n: (-simple.degree(n), n))[:5]],
        }
        for c in communities[:top]
        if len(c) > 1
    ]
    progress("bridge nodes between actors and services")
    result.bridges = [{**_node(graph, n), "cut_pairs": pairs} for n, pairs in _bridges(simple, graph)[:top]]
    return result


def _bridges(simple: nx.Graph, graph: nx.MultiDiGraph) -> list[tuple[str, int]]:
    """Articulation points and how many (actor, service) pairs each one's removal separates.

    One depth-first pass (Tarjan's low links) counts actors and services below each child that
    the node cuts off; pairs split between those pieces and the rest of the component count.
    """
    is_actor = {n: graph.nodes[n]["kind"] in ACTOR_KINDS for n in simple}
    is_service = {n: graph.nodes[n]["kind"] in SERVICE_KINDS for n in simple}
    disc: dict[str, int] = {}
    low: dict[str, int] = {}
    below: dict[str, tuple[int, int]] = {}
    pieces: dict[str, list[tuple[int, int]]] = {}
    found: list[tuple[str, int]] = []
    for root in sorted(simple):
        if root in disc:
            continue
        stack = [(root, None, iter(sorted(simple[root])))]
        members = [root]
        disc[root] = low[root] = len(disc)
        below[root] = (int(is_actor[root]), int(is_service[root]))
        pieces[root] = []
        while stack:
            node, parent, children = stack[-1]
            child = next(children, None)
            if child is not None:
                if child not in disc:
                    disc[child] = low[child] = len(disc)
                    members.append(child)
                    below[child] = (int(is_actor[child]), int(is_service[child]))
                    pieces[child] = []
                    stack.append((child, node, iter(sorted(simple[child]))))
                elif child != parent:
                    low[node] = min(low[node], disc[child])
                continue
            stack.pop()
            if parent is not None:
                low[parent] = min(low[parent], low[node])
                a, s = below[node]
                below[parent] = (below[parent][0] + a, below[parent][1] + s)
                if low[node] >= disc[parent]:
                    pieces[parent].append((a, s))
        total = below[root]
        for node in members:
            cut = pieces[node]
            if not cut or (node == root and len(cut) < 2):
                continue
            inside = (sum(a for a, _ in cut), sum(s for _, s in cut))
            own = (int(is_actor[node]), int(is_service[node]))
            rest = (total[0] - inside[0] - own[0], total[1] - inside[1] - own[1])
            parts = cut + ([rest] if node != root else [])
            actors, services = sum(a for a, _ in parts), sum(s for _, s in parts)
            pairs = sum(a * (services - s) for a, s in parts)
            if pairs and actors and services:
                found.append((node, pairs))
        pieces = {}
    return sorted(found, key=lambda kv: (-kv[1], kv[0]))


@dataclass(frozen=True)
class Hop:
    """One step of an explanation: ``start -relation-> end`` (or reversed) and its sources."""

    start: str
    relation: str
    end: str
    forward: bool
    sources: tuple[str, ...]


def explain(graph: nx.MultiDiGraph, a: str, b: str) -> list[Hop]:
    """The shortest chain of relations from ``a`` to ``b``, ignoring edge direction.

    Each hop keeps the relation's direction as stated and every source that states it; an
    InputError says so when the two are not connected.
    """
    import networkx as nx

    simple = _simple(graph)
    for node in (a, b):
        if node not in simple:
            raise InputError(
                f"{shorten(node)} is not an entity of the network (it is a source, an "
                "amount or a claim); try `dprk-kg show` on it"
            )
    try:
        path = nx.shortest_path(simple, a, b)
    except nx.NetworkXNoPath:
        raise InputError(f"no chain of relations links {shorten(a)} and {shorten(b)}") from None
    hops = []
    for start, end in itertools.pairwise(path):
        options = [(True, d) for d in graph.get_edge_data(start, end, default={}).values()]
        options += [(False, d) for d in graph.get_edge_data(end, start, default={}).values()]
        forward, data = min(options, key=lambda o: (-len(o[1]["sources"]), o[1]["relation"], not o[0]))
        hops.append(Hop(start, data["relation"], end, forward, tuple(shorten(s) for s in data["sources"])))
    return hops


def render_explain(graph: nx.MultiDiGraph, hops: list[Hop]) -> str:
    """The chain as text, one hop per line, each with its sources."""
    label = lambda n: f"{graph.nodes[n]['label']} ({shorten(n)})"  # noqa: E731
    lines = [" ... ".join([graph.nodes[hops[0].start]["label"], *(graph.nodes[h.end]["label"] for h in hops)])]
    for i, hop in enumerate(hops, 1):
        arrow = f"-{hop.relation}->" if hop.forward else f"<-{hop.relation}-"
        lines.append(f"{i}. {label(hop.start)} {arrow} {label(hop.end)}")
        lines.append(f"   sources: {', '.join(hop.sources)}")
    return "\n".join(lines) + "\n"
