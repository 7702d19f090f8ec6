"""What the STIX export reads from the store: the statements it maps, grouped by node, and the
source documents (one per named graph) with the date each counts from.

``read`` takes every statement of the properties the mapping uses (``mapping.toml`` [read]), with
the graph that states it; graphs issued after ``--as-of`` are left out here, so no later step
sees them.

A graph's date is its document's ``dcterms:issued``; else the earliest date of another document
it describes (the original it quotes, or the copy it was read in); else the latest date it
states (a document is not older than what it reports). A graph with none of these is undated:
it still counts, except under ``--as-of``, where only sources known to be issued by then count.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import sparql
from ..terms import PREFIXES, expand, on_or_before

if TYPE_CHECKING:
    import pyoxigraph as ox

RDF_TYPE = PREFIXES["rdf"] + "type"
LABEL = PREFIXES["rdfs"] + "label"
DKG = PREFIXES["dkg"]
DCT = PREFIXES["dcterms"]
SDO = PREFIXES["schema"]
SOURCE_DOCUMENT = DKG + "SourceDocument"
ONTOLOGY = DKG

#: A node's statements: property IRI -> [(value, graph)], in store order.
Props = dict[str, list[tuple[str, str]]]


@dataclass
class Source:
    """One named graph as the document (or dataset) that states its facts."""

    graph: str
    title: str
    date: str | None
    dated_by: str
    publisher: str | None
    kind: str | None
    #: (label, url) of every document the graph describes that has a URL: the source and its copies.
    urls: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Facts:
    """The statements the export maps, by subject, and the sources that state them."""

    nodes: dict[str, Props]
    sources: dict[str, Source]
    _graphs: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def values(self, node: str, prop: str) -> list[str]:
        """The distinct values of ``prop`` on ``node``, sorted."""
        return sorted({value for value, _ in self.nodes.get(node, {}).get(_full(prop), ())})

    def value(self, node: str, prop: str) -> str | None:
        """The first (sorted) value of ``prop`` on ``node``, or None."""
        found = self.values(node, prop)
        return found[0] if found else None

    def graphs(self, node: str) -> list[str]:
        """The graphs that state anything about ``node``, sorted (computed once per node)."""
        if node not in self._graphs:
            self._graphs[node] = sorted({g for pairs in self.nodes.get(node, {}).values() for _, g in pairs})
        return self._graphs[node]

    def typed(self, cls: str) -> list[str]:
        """Every node typed ``cls`` (a full IRI), sorted."""
        return sorted(self.types.get(cls, ()))

    @functools.cached_property
    def types(self) -> dict[str, set[str]]:
        """Class IRI -> the nodes typed with it."""
        found: dict[str, set[str]] = defaultdict(set)
        for node, props in self.nodes.items():
            for cls, _ in props.get(RDF_TYPE, ()):
                found[cls].add(node)
        return found


@functools.lru_cache(maxsize=256)
def _full(prop: str) -> str:
    return expand(prop)


def read(ox_store: ox.Store, properties: list[str], as_of: str | None = None) -> Facts:
    """Every statement of ``properties`` (CURIEs) in the store, without the ontology graph and
    the graphs ``as_of`` excludes. Read property by property (the store's index answers each)
    as SPARQL results in TSV, which pyoxigraph writes in Rust without holding the interpreter:
    two threads write the next properties' results while this one splits and unquotes the
    last (``_tsv``), twice as fast as a Python object per term."""
    from concurrent.futures import Future, ThreadPoolExecutor

    nodes: dict[str, Props] = {}
    waiting = list(dict.fromkeys(expand(prop) for prop in properties))  # each property once
    with ThreadPoolExecutor(max_workers=2) as pool:
        pending: list[tuple[str, Future[bytes]]] = []
        while waiting or pending:
            while waiting and len(pending) < 3:  # this one and the two being written
                iri = waiting.pop(0)
                pending.append((iri, pool.submit(_tsv, ox_store, iri)))
            iri, result = pending.pop(0)
            _add(nodes, iri, result.result())
    sources = _sources(ox_store, nodes)
    if as_of:
        dropped = {g for g, source in sources.items() if source.date is None or not on_or_before(source.date, as_of)}
        if dropped:
            nodes = _without(nodes, dropped)
            sources = {g: s for g, s in sources.items() if g not in dropped}
    return Facts(nodes, sources)


def _tsv(ox_store: ox.Store, iri: str) -> bytes:
    """The statements of property ``iri`` in named graphs as SPARQL TSV results (s, o, g)."""
    import pyoxigraph as ox

    stated_outside = next(ox_store.quads_for_pattern(None, ox.NamedNode(iri), None, ox.DefaultGraph()), None)
    if stated_outside is not None:
        raise TypeError(f"the STIX export reads named graphs of plain statements, not: {stated_outside}")
    result = ox_store.query(sparql.bind(sparql.load("stix-statements"), {"p": iri}))
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"stix-statements is a SELECT query, it answered {type(result).__name__}")
    return result.serialize(format=ox.QueryResultsFormat.TSV) or b""  # no output file: the bytes


def _add(nodes: dict[str, Props], iri: str, tsv: bytes) -> None:
    """The statements of ``iri`` (TSV results of ``_tsv``) added to ``nodes``, but the ontology's."""
    stated: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    for line in tsv.decode().split("\n")[1:]:
        if not line:
            continue
        subject, value, graph = line.split("\t")
        # The usual terms inline (an IRI, a plain literal with no escape), the rest by _value.
        graph = graph[1:-1] if graph[0] == "<" else _value(graph)
        if graph == ONTOLOGY:
            continue
        subject = subject[1:-1] if subject[0] == "<" and subject[1] != "<" else _value(subject)
        if (value[0] == "<" and value[1] != "<") or (value[0] == '"' and value[-1] == '"' and "\\" not in value):
            value = value[1:-1]
        else:
            value = _value(value)
        stated[subject].append((value, graph))
    for subject, pairs in stated.items():
        props = nodes.get(subject)
        if props is None:
            props = nodes[subject] = {}
        props[iri] = pairs


#: The escapes of pyoxigraph's TSV results inside a quoted literal.
_UNESCAPE = {"t": "\t", "n": "\n", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPED = re.compile(r"\\(.)")


def _unescape(escape: re.Match[str]) -> str:
    if escape.group(1) not in _UNESCAPE:
        raise ValueError(f"an escape pyoxigraph's TSV results do not write: {escape.group(0)!r}")
    return _UNESCAPE[escape.group(1)]


def _value(term: str) -> str:
    """A term of SPARQL TSV results as its value (what pyoxigraph's ``.value`` gives): an IRI
    without its brackets, a blank node without ``_:``, a literal's lexical form without quotes,
    escapes, language or datatype (a bare number or boolean is its lexical form)."""
    first = term[0]
    if first == "<":
        if term.startswith("<<"):
            raise TypeError(f"the STIX export reads plain statements, not a quoted triple: {term}")
        return term[1:-1]
    if first == '"':
        text = term[1 : term.rindex('"')]
        return _ESCAPED.sub(_unescape, text) if "\\" in text else text
    if term.startswith("_:"):
        return term[2:]
    return term


def _without(nodes: dict[str, Props], dropped: set[str]) -> dict[str, Props]:
    kept: dict[str, Props] = {}
    for node, props in nodes.items():
        left = {p: [(v, g) for v, g in pairs if g not in dropped] for p, pairs in props.items()}
        left = {p: pairs for p, pairs in left.items() if pairs}
        if left:
            kept[node] = left
    return kept


def _first(props: Props, prop: str, graph: str) -> str | None:
    found = sorted(v for v, g in props.get(prop, ()) if g == graph)
    return found[0] if found else None


def _sources(ox_store: ox.Store, nodes: dict[str, Props]) -> dict[str, Source]:
    """One Source per graph that states anything, with its date as the module docstring says."""
    import pyoxigraph as ox

    described: dict[str, list[str]] = defaultdict(list)
    graphs: set[str] = set()
    for node, props in nodes.items():
        for value, graph in props.get(RDF_TYPE, ()):
            graphs.add(graph)
            if value == SOURCE_DOCUMENT:
                described[graph].append(node)
    sources = {}
    for graph in sorted(graphs):
        docs = sorted(set(described.get(graph, [])), key=lambda d: (d != graph, d))
        main = nodes.get(graph, {})
        title = _first(main, DCT + "title", graph) or _first(main, LABEL, graph) or graph
        date, dated_by = _first(main, DCT + "issued", graph), "issued"
        if date is None:
            others = [d for d in (_first(nodes[doc], DCT + "issued", graph) for doc in docs) if d]
            date, dated_by = (min(others), "issued (copy or original)") if others else (None, "")
        if date is None:
            result = ox_store.query(
                sparql.load("stix-latest-date"),
                prefixes=PREFIXES,
                substitutions={ox.Variable("g"): ox.NamedNode(graph)},
            )
            if not isinstance(result, ox.QuerySolutions):
                raise TypeError(f"stix-latest-date is a SELECT query, it answered {type(result).__name__}")
            rows = list(result)
            latest = rows[0]["latest"] if rows else None
            if latest is not None:
                if isinstance(latest, ox.Triple):
                    raise TypeError(f"stix-latest-date answered a quoted triple: {latest}")
                date, dated_by = latest.value, "latest date stated"
        urls = []
        for doc in docs:
            url = _first(nodes[doc], SDO + "url", graph)
            if url:
                label = _first(nodes[doc], DCT + "title", graph) or _first(nodes[doc], LABEL, graph) or doc
                urls.append((label, url))
        sources[graph] = Source(
            graph,
            title,
            date,
            dated_by,
            _first(main, DCT + "publisher", graph),
            _first(main, DKG + "documentKind", graph),
            urls,
        )
    return sources
