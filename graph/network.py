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
from typing import TYPE_CHECKING

from .reader import Reader
from .terms import PREFIXES

if TYPE_CHECKING:
    import networkx as nx


def project(reader: Reader, keep_records: bool = False, kinds: tuple[str, ...] = ()) -> nx.MultiDiGraph:
    """The store as a typed multigraph of entities (clusters unless ``keep_records``).

    ``kinds`` keeps only nodes of those kinds (and the edges between them).
    """
    import networkx as nx

    entities = reader.entities
    node_of = (lambda iri: iri) if keep_records else (lambda iri: entities.cluster(iri).canonical)
    graph = nx.MultiDiGraph()
    members: dict[str, list[str]] = defaultdict(list)
    for record, _, _, kind in entities.records():
        node = node_of(record)
        members[node].append(record)
    for node in sorted(members):
        kind = entities.kind(node)
        if kinds and kind not in kinds:
            continue
        names = {name for record in members[node] for name in entities.aliases(record)}
        label = entities.label(node)
        graph.add_node(node, kind=kind, label=label, aliases=sorted(names - {label}),
                       records=sorted(members[node]), sanction="")
    edges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in reader.rows("relations"):
        if row["dir"] != "out":
            continue
        s, o = row["focus"] or "", row["other"] or ""
        if entities.is_record(s) and entities.is_record(o):
            s, o = node_of(s), node_of(o)
            if s != o:
                edges[(s, row["relation"] or "", o)].add(row["g"] or "")
    for (s, relation, o), sources in sorted(edges.items()):
        if s in graph and o in graph:
            graph.add_edge(s, o, key=relation, relation=relation, sources=sorted(sources))
    for target, state in sanction_states(reader).items():
        node = node_of(target) if entities.is_record(target) else target
        if node in graph and graph.nodes[node]["sanction"] != "delisted":
            graph.nodes[node]["sanction"] = state
    return graph


def sanction_states(reader: Reader) -> dict[str, str]:
    """``listed`` or ``delisted`` for every sanctioned record, from its latest curated sanction.

    The latest sanction is the one with the greatest listing date (a re-designation supersedes
    the designation before it); it is delisted when any source gives it an end date or the
    status dkg:Delisted. A record only a list snapshot names (no listing date) is ``listed``.
    """
    latest: dict[str, tuple[str, bool]] = {}
    for row in reader.rows("sanction-states"):
        target = row["target"] or ""
        listed = row["listed"] or ""
        delisted = row["end"] is not None or (row["status"] or "").endswith("#Delisted")
        previous = latest.get(target)
        if previous is None or listed > previous[0] or (listed == previous[0] and delisted):
            latest[target] = (listed, delisted)
    return {target: "delisted" if delisted else "listed" for target, (_, delisted) in latest.items()}


def relation_label(iri: str) -> str:
    """A property IRI as the relation words the projection uses (``dkg:controlledBy`` ->
    ``controlled by``).

    >>> relation_label(PREFIXES["org"] + "subOrganizationOf")
    'sub organization of'
    """
    import re

    local = re.split(r"[#/]", iri)[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()
