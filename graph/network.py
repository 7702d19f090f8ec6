"""A typed NetworkX projection of the store, for analysis, paths and network exports.

Nodes are entities (``graph.entities``): by default one node per cluster, so the curated Lazarus
Group and its confirmed ATT&CK, MISP and SDN records are one node (``records`` lists them);
``keep_records=True`` keeps every record apart. Each node has a ``kind`` (``ontology/kinds.toml``),
a ``label``, its ``aliases`` and its ``sanction`` state. Edges come from ``sparql/relations.rq``,
the one definition of relations (n-ary facts folded into edges), each with its ``relation`` label
and the ``sources`` that state it; a relation stated by several sources is one edge.

>>> import pyoxigraph as ox
>>> from graph.reader import Reader
>>> db = ox.Store()
>>> db.load(b\'\'\'@prefix dkg: <https://w3id.org/dprk-kg/ns#> . @prefix kg: <https://w3id.org/dprk-kg/id/> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... kg:dprk a dkg:State ; rdfs:label "North Korea" .
... kg:lazarus a dkg:ThreatGroup ; rdfs:label "Lazarus Group" ; dkg:controlledBy kg:dprk .\'\'\',
...     format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("https://w3id.org/dprk-kg/source/s"))
>>> g = project(Reader(db))
>>> sorted(g.nodes[n]["kind"] for n in g), [d["relation"] for _, _, d in g.edges(data=True)]
(['group', 'state'], ['controlled by'])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .reader import Reader
from .terms import shorten

if TYPE_CHECKING:
    import networkx as nx


def project(reader: Reader, keep_records: bool = False, kinds: tuple[str, ...] = ()) -> nx.MultiDiGraph:
    """The store as a typed multigraph of entities (clusters unless ``keep_records``).

    ``kinds`` keeps only nodes of those kinds (and the edges between them).
    """
    import networkx as nx

    records = {iri: (canonical, label, kind) for iri, canonical, label, kind in reader.entities.records()}
    aliases = reader.entities.all_aliases()

    def node_of(iri: str) -> str:
        return iri if keep_records else records[iri][0]

    graph = nx.MultiDiGraph()
    members: dict[str, list[str]] = defaultdict(list)
    for record in records:
        members[node_of(record)].append(record)
    for node in sorted(members):
        _, label, kind = records[node] if node in records else ("", shorten(node), "other")
        if kinds and kind not in kinds:
            continue
        names = {name for record in members[node] for name in aliases.get(record, ())}
        graph.add_node(
            node, kind=kind, label=label, aliases=sorted(names - {label}), records=sorted(members[node]), sanction=""
        )
    edges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in reader.rows("relations"):
        s, o = row["source"] or "", row["target"] or ""
        if s in records and o in records:
            s, o = node_of(s), node_of(o)
            if s != o:
                edges[(s, row["relation"] or "", o)].add(row["g"] or "")
    for (s, relation, o), sources in sorted(edges.items()):
        if s in graph and o in graph:
            graph.add_edge(s, o, key=relation, relation=relation, sources=sorted(sources))
    _mark_sanctions(graph, sanction_states(reader))
    return graph


class Relations:
    """The relations of entities, read from the store one entity at a time (``relations.rq``
    bound to each of its records) and kept: canonical -> {(other, relation, forward): sources}."""

    def __init__(self, reader: Reader, keep_records: bool = False):
        self.reader = reader
        self.keep_records = keep_records
        self.cache: dict[str, dict[tuple[str, str, bool], set[str]]] = {}

    def node(self, iri: str) -> str:
        """The node a record is drawn as: itself, or its cluster's canonical record."""
        return iri if self.keep_records else self.reader.entities.cluster(iri).canonical

    def __call__(self, node: str) -> dict[tuple[str, str, bool], set[str]]:
        if node not in self.cache:
            entities = self.reader.entities
            found: dict[tuple[str, str, bool], set[str]] = defaultdict(set)
            members = (node,) if self.keep_records else entities.cluster(node).members
            for forward, bound, far in ((True, "source", "target"), (False, "target", "source")):
                for row in self.reader.rows("relations", **{bound: members}):
                    other = row[far] or ""
                    if not entities.is_record(other):
                        continue
                    other = self.node(other)
                    if other != node:
                        found[(other, row["relation"] or "", forward)].add(row["g"] or "")
            self.cache[node] = found
        return self.cache[node]


def neighbourhood(
    reader: Reader, focus: str, depth: int, keep_records: bool = False, kinds: tuple[str, ...] = (), hub: int = 400
) -> nx.MultiDiGraph:
    """The entities within ``depth`` relations of ``focus`` (a record), read entity by entity.

    Only what the view needs is read. A hub with more than ``hub`` relations (OFAC as the
    authority of every SDN entry) is drawn but not expanded further, and the graph's
    ``skipped_hubs`` attribute names it.
    """
    import networkx as nx

    entities = reader.entities
    relations = Relations(reader, keep_records)
    start = relations.node(focus)
    seen, frontier, skipped = {start}, [start], []
    edges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for _ in range(depth):
        following = []
        for node in frontier:
            around = relations(node)
            if node != start and len(around) > hub:
                skipped.append(node)
                continue
            for (other, relation, forward), sources in around.items():
                s, o = (node, other) if forward else (other, node)
                edges[(s, relation, o)] |= sources
                if other not in seen:
                    seen.add(other)
                    following.append(other)
        frontier = following
    graph = nx.MultiDiGraph(skipped_hubs=sorted(skipped))
    for node in sorted(seen):
        kind = entities.kind(node)
        if kinds and kind not in kinds and node != start:
            continue
        members = (node,) if keep_records else entities.cluster(node).members
        names = {n for m in members for n in entities.aliases(m)}
        graph.add_node(
            node,
            kind=kind,
            label=entities.label(node),
            aliases=sorted(names - {entities.label(node)}),
            records=list(members),
            sanction="",
        )
    for (s, relation, o), sources in sorted(edges.items()):
        if s in graph and o in graph:
            graph.add_edge(s, o, key=relation, relation=relation, sources=sorted(sources))
    _mark_sanctions(graph, sanction_states(reader, [m for n in graph for m in graph.nodes[n]["records"]]))
    return graph


def _mark_sanctions(graph: nx.MultiDiGraph, states: dict[str, str]) -> None:
    """Each node's sanction mark: delisted when any of its records is, else its first state."""
    for node in graph:
        found = [states[m] for m in graph.nodes[node]["records"] if m in states]
        graph.nodes[node]["sanction"] = "delisted" if "delisted" in found else (found[0] if found else "")


def sanction_states(reader: Reader, records: Sequence[str] | None = None) -> dict[str, str]:
    """``listed`` or ``delisted`` for every sanctioned record (or those of ``records``), from its
    latest sanction.

    The latest sanction is the one with the greatest listing date (a re-designation supersedes
    the designation before it); it is delisted when any source gives it an end date or the
    status dkg:Delisted. A record only a list snapshot names (no listing date) is ``listed``.
    """
    listed: dict[str, str] = defaultdict(str)
    ended: set[str] = set()
    targets: dict[str, set[str]] = defaultdict(set)
    for row in reader.rows("sanction-states", **({} if records is None else {"target": records})):
        sanction = row["sanction"] or ""
        targets[row["target"] or ""].add(sanction)
        listed[sanction] = max(listed[sanction], row["listed"] or "")
        if row["ended"] is not None:
            ended.add(sanction)
    states = {}
    for target, sanctions in targets.items():
        latest = max(listed[s] for s in sanctions)
        delisted = any(s in ended for s in sanctions if listed[s] == latest)
        states[target] = "delisted" if delisted else "listed"
    return states


def relation_label(iri: str) -> str:
    """A property IRI as the relation words the projection uses (``dkg:controlledBy`` ->
    ``controlled by``).

    >>> relation_label("http://www.w3.org/ns/org#subOrganizationOf")
    'sub organization of'
    """
    import re

    local = re.split(r"[#/]", iri)[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()
