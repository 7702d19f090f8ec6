"""A typed NetworkX projection of the RDF graph, for analysis, paths and drawing.

Entities (actors, services, incidents, sanctions, addresses, ...) become nodes with a ``kind``,
a ``label`` and their ``aliases``. Relations become edges with a ``relation`` label and the
``sources`` (named graphs) that state them. N-ary fact nodes are folded into edges: an
attribution becomes ``incident -attributed to-> actor``, a laundering ``incident or actor
-laundered through-> service``, a theft estimate ``estimator -estimated thefts of-> actor``.
Amounts, claims and matches stay out of the projection; their facts are reached from the nodes.

>>> from graph.build import load_dataset
>>> g = project(load_dataset())
>>> g.nodes["https://w3id.org/dprk-kg/id/dprk"]["kind"]
'state'
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from rdflib import Dataset

if TYPE_CHECKING:
    import networkx as nx

#: Node kind of each class, most specific first: a node takes the first kind that matches.
KINDS: list[tuple[str, str]] = [
    ("dkg:State", "state"),
    ("dkg:GovernmentBody", "government body"),
    ("dkg:ThreatGroup", "group"),
    ("schema:Person", "person"),
    ("dkg:Mixer", "mixer"),
    ("dkg:Exchange", "exchange"),
    ("dkg:Bridge", "service"),
    ("dkg:Wallet", "service"),
    ("dkg:Protocol", "service"),
    ("dkg:Service", "service"),
    ("dkg:Company", "company"),
    ("dkg:Incident", "incident"),
    ("dkg:Sanction", "sanction"),
    ("dkg:CryptoAddress", "address"),
    ("dkg:DesignatedParty", "designated party"),
    ("dkg:Software", "software"),
    ("dkg:Campaign", "campaign"),
    ("dkg:AttackTechnique", "technique"),
    ("dkg:SourceDocument", "source"),
]

#: Properties drawn as direct edges between entities.
EDGE_PROPERTIES = (
    "org:subOrganizationOf org:memberOf dkg:controlledBy dkg:affiliatedWith dkg:victim "
    "dkg:holder dkg:listedUnder dkg:linkedIncident dkg:uses skos:closeMatch "
    "dkg:sanctionTarget dkg:authority dcterms:publisher"
).split()

_NODES = """
SELECT ?node ?type ?label ?alias WHERE {
  VALUES ?type { %s }
  ?node a ?type .
  OPTIONAL { ?node rdfs:label ?label }
  OPTIONAL { ?node skos:altLabel ?alias }
}"""

_DIRECT = """
SELECT ?s ?p ?o ?g WHERE {
  VALUES ?p { %s }
  GRAPH ?g { ?s ?p ?o }
}"""

_FOLDED = """
SELECT ?s ?relation ?o ?g WHERE {
  {
    GRAPH ?g { ?a a dkg:Attribution ; dkg:attributedIncident ?s ; dkg:attributedTo ?o }
    BIND("attributed to" AS ?relation)
  } UNION {
    GRAPH ?g { ?l a dkg:Laundering ; dkg:launderedThrough ?o .
               OPTIONAL { ?l dkg:proceedsOf ?incident } OPTIONAL { ?l dkg:launderedFor ?actor } }
    BIND(COALESCE(?incident, ?actor) AS ?s)
    FILTER(BOUND(?s))
    BIND("laundered through" AS ?relation)
  } UNION {
    GRAPH ?g { ?e a dkg:TheftEstimate ; dkg:estimatedBy ?s ; dkg:estimateOf ?o }
    BIND("estimated thefts of" AS ?relation)
  }
}"""

_SANCTION_STATE = """
SELECT ?target ?sanction ?listed ?end ?status WHERE {
  ?sanction a dkg:Sanction ; dkg:sanctionTarget ?target .
  OPTIONAL { ?sanction dkg:listingDate ?listed }
  OPTIONAL { ?sanction dkg:endDate ?end }
  OPTIONAL { ?sanction dkg:status ?status }
}"""


def relation_label(iri: str) -> str:
    """A property IRI as words: ``...#subOrganizationOf`` becomes ``sub organization of``."""
    local = re.split(r"[#/]", iri)[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower()


def _expand(curie: str) -> str:
    from .namespace import PREFIXES

    prefix, local = curie.split(":", 1)
    return f"<{PREFIXES[prefix]}{local}>"


def project(dataset: Dataset) -> nx.MultiDiGraph:
    """Project the dataset (store or in-memory) onto a typed NetworkX multigraph."""
    import networkx as nx

    kind_of = {_expand(curie)[1:-1]: kind for curie, kind in KINDS}
    rank = {cls: i for i, (cls, _) in enumerate((_expand(c)[1:-1], k) for c, k in KINDS)}
    graph = nx.MultiDiGraph()
    labels: dict[str, str] = {}
    best: dict[str, str] = {}
    aliases: dict[str, set[str]] = defaultdict(set)
    union = dataset if dataset.default_union else _union_view(dataset)
    for row in union.query(_NODES % " ".join(_expand(c) for c, _ in KINDS)):
        node, cls = str(row.node), str(row.type)
        if node not in best or rank[cls] < rank[best[node]]:
            best[node] = cls
        if row.label is not None and (node not in labels or str(row.label) < labels[node]):
            labels[node] = str(row.label)
        if row.alias is not None:
            aliases[node].add(str(row.alias))
    for node in sorted(best):
        graph.add_node(node, kind=kind_of[best[node]], label=labels.get(node, node.rsplit("/", 1)[-1]),
                       aliases=sorted(aliases[node] - {labels.get(node)}), sanction="")
    edges: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in union.query(_DIRECT % " ".join(_expand(c) for c in EDGE_PROPERTIES)):
        edges[(str(row.s), relation_label(str(row.p)), str(row.o))].add(str(row.g))
    for row in union.query(_FOLDED):
        edges[(str(row.s), str(row.relation), str(row.o))].add(str(row.g))
    for (s, relation, o), sources in sorted(edges.items()):
        if s in best and o in best:
            graph.add_edge(s, o, key=relation, relation=relation, sources=sorted(sources))
    for target, state in sanction_states(union).items():
        if target in graph:
            graph.nodes[target]["sanction"] = state
    return graph


def sanction_states(dataset: Dataset) -> dict[str, str]:
    """``listed`` or ``delisted`` for every sanctioned target, from its latest sanction.

    The latest sanction is the one with the greatest listing date (a re-designation supersedes
    the designation before it); it is delisted when any source gives it an end date or the
    status dkg:Delisted.
    """
    latest: dict[str, tuple[str, bool]] = {}
    for row in dataset.query(_SANCTION_STATE):
        target = str(row.target)
        listed = str(row.listed or "")
        delisted = row.end is not None or str(row.status).endswith("#Delisted")
        previous = latest.get(target)
        if previous is None or listed > previous[0] or (listed == previous[0] and delisted):
            latest[target] = (listed, delisted)
    return {target: "delisted" if delisted else "listed" for target, (_, delisted) in latest.items()}


def _union_view(dataset: Dataset) -> Dataset:
    """An in-memory dataset whose default graph is the union of the given one's graphs."""
    union = Dataset(default_union=True)
    for graph in dataset.graphs():
        target = union.graph(graph.identifier)
        target += graph
    for prefix, namespace in dataset.namespaces():
        union.bind(prefix, namespace)
    return union
