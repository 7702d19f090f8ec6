"""Network analysis on the typed projection (``graph.network.project``).

``analyze`` ranks the most central actors and services, counts connected components, finds
communities, and finds the bridge nodes whose removal cuts actors off from services they could
reach (``graph.explain`` finds chains between two entities). Results are deterministic: ties
break on node IRIs, sampling uses a fixed seed. Which kinds are actors and services is data
(``ontology/kinds.toml``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .kinds import table
from .terms import shorten

if TYPE_CHECKING:
    import networkx as nx

ACTOR_KINDS = table().with_role("actor")
SERVICE_KINDS = table().with_role("service")
FOCUS_KINDS = ACTOR_KINDS | SERVICE_KINDS
#: Nodes a path may not pass through: documents link everything they mention.
NO_PATH_KINDS = frozenset(k.name for k in table().kinds.values() if not k.path)
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
