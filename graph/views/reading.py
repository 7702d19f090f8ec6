"""What a view reads from a store, as typed values, and nothing more: a thin layer over the one
``graph.reader.Reader`` (its store, its entity index and the internal queries), not a second
reader.

A view never loads the whole store into Python: the edges between entities come from the entity
index (which reads them once per store state with ``view-direct.rq`` and ``view-folded.rq``), and
the facts of a node are read only for the nodes the view draws. Names and clusters come from
``graph.entities`` (one node per entity, however many records the datasets hold).

A FILE argument (any RDF file) is parsed strictly by ``graph.parse`` and loaded into an in-memory
store, so files and the store are drawn by the same code.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pyoxigraph as ox

from .. import sparql
from ..entities import Entities
from ..kinds import table
from ..reader import Reader
from ..terms import PREFIXES, shorten

ONTOLOGY = "https://w3id.org/dprk-kg/ns#"
RDF_TYPE = PREFIXES["rdf"] + "type"
LABEL = PREFIXES["rdfs"] + "label"
DKG = PREFIXES["dkg"]
SRC = PREFIXES["src"]
DATASET = PREFIXES["dataset"]
_LABELS = (LABEL, PREFIXES["skos"] + "prefLabel", PREFIXES["dcterms"] + "title", PREFIXES["schema"] + "name")
#: Relations drawn as edges between entities, property IRI -> relation words: the direct relations
#: of ``relations.rq`` (its VALUES table; the entity index reads them). All but
#: ``dcterms:publisher``: a source document is no node of a view, its publisher a fact of a panel.
_PUBLISHER = PREFIXES["dcterms"] + "publisher"
RELATIONS: dict[str, str] = {prop: relation for prop, relation in sparql.values("relations") if prop != _PUBLISHER}


@dataclass(frozen=True)
class Source:
    """A named graph as the page names it: title, publisher, date, links, and whether it is an
    imported dataset (rather than a curated source document)."""

    graph: str
    name: str
    publisher: str
    date: str
    urls: tuple[str, ...]
    dataset: bool


class Link(NamedTuple):
    """One relation between two records as a graph states it; ``via`` is the n-ary node
    (attribution, laundering, estimate) it was folded from, or empty."""

    subject: str
    relation: str
    object: str
    graph: str
    via: str = ""


class Fact(NamedTuple):
    """One statement about a node: property IRI, the value (an IRI or a literal's text),
    whether the value is an IRI, and the graph that states it."""

    prop: str
    value: str
    is_iri: bool
    graph: str


class ViewReader:
    """Read access to one store for the views: sources, relations, facts, names, on top of
    ``reader`` (a ``graph.reader.Reader``, whose store and entity index it uses)."""

    def __init__(self, reader: Reader, open_world: bool = False):
        self.reader = reader
        self.store = reader.store
        #: A file view also draws nodes outside the vocabulary (kind ``other``) and their links.
        self.open_world = open_world
        self._labels: dict[str, str] = {}
        self._kinds: dict[str, str | None] = {}
        self._canonical: dict[str, str] = {}
        self._said: dict[str, list[Fact]] = {}

    @property
    def entities(self) -> Entities:
        """The names and clusters of the store (``graph.entities``)."""
        return self.reader.entities

    @classmethod
    def of_file(cls, path: Path) -> ViewReader:
        """Any RDF file ``graph.parse`` reads, in an in-memory store. Triples outside a named
        graph go to ``src:<file stem>`` when the file describes that source document (as a
        curated source file does), otherwise to a graph named after the file."""
        return cls(Reader.of_nquads(file_nquads(Path(path))), open_world=True)

    # ------------------------------------------------------------------ records

    def kind(self, iri: str) -> str | None:
        """The kind of a record, or None when the node is no entity (memoized)."""
        if iri not in self._kinds:
            kind = self.entities.kind(iri)  # "other" only for a node that is no record
            if kind != "other":
                self._kinds[iri] = kind
            else:
                self._kinds[iri] = "other" if self.open_world and self._outside(iri) else None
        return self._kinds[iri]

    def _outside(self, iri: str) -> bool:
        """Whether a node is outside the vocabulary: not a graph, no class the kinds know."""
        if iri in self.sources or iri == ONTOLOGY:
            return False
        kinds = table()
        types = {
            _value(q.object)
            for q in self.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(RDF_TYPE), None, None)
        }
        return kinds.kind_of(types) is None and not kinds.is_folded(types) and not any(t.startswith(DKG) for t in types)

    def canonical(self, iri: str) -> str:
        """The canonical record of a record's cluster (itself when no match joins it; memoized)."""
        if iri not in self._canonical:
            self._learn([iri])
        return self._canonical[iri]

    def _learn(self, iris: Iterable[str]) -> None:
        """Look the kinds and clusters of many nodes up at once, so ``kind`` and ``canonical``
        answer from memory. A node that is no record is its own canonical node and, outside a
        file view, of no kind (a file view still asks ``_outside`` for it)."""
        wanted = [iri for iri in iris if iri not in self._canonical]
        records = self.entities.records_of(wanted)
        for iri in wanted:
            if iri in records:
                self._kinds[iri], self._canonical[iri] = records[iri]
            else:
                self._canonical[iri] = iri
                if not self.open_world:
                    self._kinds[iri] = None

    # ------------------------------------------------------------------ queries

    @functools.cached_property
    def sources(self) -> dict[str, Source]:
        """Every graph of the store as a source, described where it describes itself."""
        rows: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in self.reader.rows("view-sources"):
            entry = rows[row["g"] or ""]
            for key in ("title", "label", "publisher", "issued", "url", "kind"):
                value = row[key]
                if value is not None:
                    entry[key].add(value)
        found = {}
        for graph in sorted(g.value for g in self.store.named_graphs()):
            if graph == ONTOLOGY:
                continue
            entry = rows.get(graph, {})
            name = min(entry.get("title", ()) or entry.get("label", ()), default="")
            if not name:
                name = graph.rsplit("/", 1)[-1] if graph.startswith("file:") else shorten(graph)
            urls = tuple(sorted(u for u in entry.get("url", ()) if u.startswith(("https://", "http://"))))
            found[graph] = Source(
                graph,
                name,
                ", ".join(sorted(self.label(p) for p in entry.get("publisher", ()))),
                min(entry.get("issued", ()), default=""),
                urls,
                DKG + "Dataset" in entry.get("kind", ()) or graph.startswith(DATASET),
            )
        return found

    @functools.cached_property
    def links(self) -> list[Link]:
        """Every relation between two entity records, direct or folded from an n-ary node (from
        the entity index, which reads them once per store state); a file view adds the links
        that reach nodes outside the vocabulary."""
        from ..network import relation_label

        found = [Link(*row) for row in self.entities.relations(leave_out=[_PUBLISHER])]
        self._learn(end for link in found for end in (link.subject, link.object))
        if self.open_world:
            for r in _strings(self.reader.rows("view-any-links")):
                ends = (self.kind(r["s"]), self.kind(r["o"]))
                if "other" in ends and None not in ends:  # a link that reaches outside the vocabulary
                    found.append(Link(r["s"], RELATIONS.get(r["p"]) or relation_label(r["p"]), r["o"], r["g"]))
        return found

    @functools.cached_property
    def curated(self) -> frozenset[str]:
        """Records typed by a curated source (the core every view starts from)."""
        found: set[str] = set()
        for graph in self.store.named_graphs():
            if graph.value.startswith(SRC):
                found.update(
                    q.subject.value
                    for q in self.store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, graph)
                    if isinstance(q.subject, ox.NamedNode)
                )
        self._learn(found)
        return frozenset(n for n in found if self.kind(n))

    @functools.cached_property
    def publishers(self) -> frozenset[str]:
        """Records that publish a source (named in the panels with each source they publish)."""
        return frozenset(
            q.object.value
            for q in self.store.quads_for_pattern(None, ox.NamedNode(PREFIXES["dcterms"] + "publisher"), None, None)
            if isinstance(q.object, ox.NamedNode)
        )

    @functools.cached_property
    def dprk_targets(self) -> frozenset[str]:
        """Records designated under a DPRK sanctions program."""
        return frozenset(r["target"] for r in _strings(self.reader.rows("view-dprk-targets")))

    def kind_counts(self) -> dict[str, int]:
        """Records per node kind in the whole store (a record of several classes counts once
        per class, so this is an upper bound used only to say what a view left out)."""
        kinds = table()
        counts: dict[str, int] = defaultdict(int)
        for row in _strings(self.reader.rows("view-type-counts")):
            kind = kinds.kind_of({row["type"]})
            if kind is not None and not kinds.is_folded({row["type"]}):
                counts[kind] += int(row["count"])
        return dict(counts)

    def records_of_kinds(self, kinds: set[str]) -> set[str]:
        """Every record of these kinds (for views that also draw isolated nodes)."""
        found: set[str] = set()
        for name in sorted(kinds):
            for cls in table().kinds[name].classes:
                found.update(r["node"] for r in _strings(self.reader.rows("view-typed", type=cls)))
        self._learn(found)
        return {n for n in found if self.kind(n) in kinds}

    def subjects_in(self, graphs: set[str]) -> set[str]:
        """Records that the given graphs state something about (``view-subjects.rq``)."""
        if not graphs:
            return set()
        found = {r["s"] for r in _strings(self.reader.rows("view-subjects", g=sorted(graphs)))}
        self._learn(found)
        return {n for n in found if self.kind(n)}

    # ------------------------------------------------------------------ nodes

    def _statements(self, node: str) -> list[Fact]:
        """Every statement about ``node`` in any graph (the ontology's, and the default graph as
        ``""``, too), read once: its facts, values and names all come from this one lookup."""
        if node not in self._said:
            self._said[node] = [
                Fact(p.value, _value(o), isinstance(o, ox.NamedNode), g.value if isinstance(g, ox.NamedNode) else "")
                for _, p, o, g in self.store.quads_for_pattern(ox.NamedNode(node), None, None, None)
            ]
        return self._said[node]

    def facts(self, node: str) -> list[Fact]:
        """Everything stated about ``node``, in any named graph but the ontology's, sorted."""
        found = [f for f in self._statements(node) if f.graph and f.graph != ONTOLOGY]
        return sorted(found, key=lambda f: (f.prop, f.value, f.graph))

    def pointing(self, prop: str, node: str) -> list[tuple[str, str]]:
        """(subject, graph) of every ``subject prop node`` statement, sorted."""
        return sorted(
            {
                (q.subject.value, q.graph_name.value)
                for q in self.store.quads_for_pattern(None, ox.NamedNode(prop), ox.NamedNode(node), None)
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.graph_name, ox.NamedNode)
            }
        )

    def label(self, iri: str) -> str:
        """A node's name: its cluster's label for a record, else its first label, else a CURIE."""
        if iri not in self._labels:
            if self.kind(iri) not in (None, "other"):
                self._labels[iri] = self.entities.cluster(self.canonical(iri)).label
            else:
                names = sorted(f.value for f in self._statements(iri) if f.prop in _LABELS)
                self._labels[iri] = names[0] if names else shorten(iri)
        return self._labels[iri]

    def values(self, node: str, prop: str) -> list[str]:
        """The values of one property of a node, sorted, without duplicates."""
        return sorted({f.value for f in self._statements(node) if f.prop == prop})


def _strings(rows: list[dict[str, str | None]]) -> list[dict[str, str]]:
    """Rows of a query whose every variable is bound (as its patterns require), typed so."""
    return [{k: v or "" for k, v in row.items()} for row in rows]


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term's value; a quoted (RDF-star) triple has none."""
    if isinstance(term, ox.Triple):
        raise TypeError(f"a quoted triple where a term was expected: {term}")
    return term.value


def file_nquads(path: Path) -> bytes:
    """A file parsed strictly and written as N-Quads (see ``ViewReader.of_file``)."""
    from ..export import serialized
    from ..parse import named_quads

    stem_graph = ox.NamedNode(SRC + path.stem)
    quads = named_quads(path, stem_graph)
    stated = [q for q in quads if q.graph_name == stem_graph]
    describes = ox.Quad(stem_graph, ox.NamedNode(RDF_TYPE), ox.NamedNode(DKG + "SourceDocument"), stem_graph)
    if stated and describes not in stated:
        graph = ox.NamedNode(path.resolve().as_uri())
        quads = [ox.Quad(q.subject, q.predicate, q.object, graph) if q.graph_name == stem_graph else q for q in quads]
    return serialized(quads, ox.RdfFormat.N_QUADS)
