"""A query's result as the caller asked for it: a table (``graph.render``), a SPARQL results
format, or an RDF serialization; the one serializer of local and remote queries.

>>> import pyoxigraph as ox
>>> store = ox.Store()
>>> x, p = ox.NamedNode("https://w3id.org/dprk-kg/id/x"), ox.NamedNode("http://e.org/p")
>>> store.add(ox.Quad(x, p, ox.Literal("a  b")))
>>> print(serialize_result(store.query("SELECT ?s ?o { ?s ?p ?o }"), "table").data.decode(), end="")
s     o
----  ---
kg:x  a b
"""

from __future__ import annotations

from dataclasses import dataclass

from ..terms import PREFIXES, shorten_text

FORMATS = ("table", "csv", "tsv", "json", "xml")
#: Serializations of CONSTRUCT and DESCRIBE results.
GRAPH_FORMATS = ("turtle", "ntriples", "nquads", "jsonld")


@dataclass(frozen=True)
class QueryResult:
    """A query's result and what the CLI needs to report it.

    ``data`` holds the serialized result, or is empty when it was streamed to an output.
    ``count`` is the rows, triples, or 1/0 for ASK; None for a JSON result with rows (JSON does
    not tell its row count without parsing it back). Table cells are shortened with the project
    prefixes and laid out by ``graph.render.render_table``.
    """

    data: bytes
    kind: str  # "select", "ask" or "graph"
    count: int | None
    truth: bool | None = None


def _cell(term) -> str:
    """A term as a table cell: IRIs (and IRIs inside literals) as CURIEs, a blank node as _:id."""
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return shorten_text(term.value)
    return str(term)


def serialize_result(result, fmt: str, graph_fmt: str = "turtle", wide: bool = True) -> QueryResult:
    """A complete query result, serialized in ``fmt``: ``result`` is a pyoxigraph
    ``QueryBoolean`` or ``QuerySolutions`` (from a store or parsed from a server's answer), or
    triples (a ``QueryTriples`` or a list of them), serialized in ``graph_fmt``. A table keeps
    every cell whole unless ``wide`` is off (for a terminal: ``graph.render.render_table``).
    """
    import csv
    import io

    import pyoxigraph as ox

    from ..render import render_table

    if isinstance(result, ox.QueryBoolean):
        truth = bool(result)
        data = (
            result.serialize(format=results_format(fmt)) or b""
            if fmt in ("json", "xml")
            else f"{str(truth).lower()}\n".encode()
        )
        return QueryResult(data, "ask", int(truth), truth)
    if not isinstance(result, ox.QuerySolutions):
        triples = sorted(result, key=str)
        serialized = ox.serialize(triples, format=graph_format(graph_fmt), prefixes=PREFIXES)
        return QueryResult(serialized or b"", "graph", len(triples))
    if fmt != "table":
        data = result.serialize(format=results_format(fmt)) or b""
        if fmt == "tsv" or (fmt == "csv" and b'"' not in data):  # one line per row
            count = data.count(b"\n") - 1
        elif fmt == "csv":  # quoted values may hold newlines; CSV cannot be parsed back to terms
            count = len(list(csv.reader(io.StringIO(data.decode("utf-8"))))) - 1
        else:
            parsed = ox.parse_query_results(data, format=results_format(fmt))
            count = len(list(parsed)) if isinstance(parsed, ox.QuerySolutions) else 1
        return QueryResult(data, "select", count)
    names = [v.value for v in result.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in result]
    return QueryResult(render_table(names, rows, wide=wide).encode(), "select", len(rows))


def results_format(fmt: str):
    """The pyoxigraph format of a SPARQL results format name."""
    import pyoxigraph as ox

    return {
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
    }[fmt]


def graph_format(fmt: str):
    """The pyoxigraph format of a graph format name (``GRAPH_FORMATS``)."""
    import pyoxigraph as ox

    return {
        "turtle": ox.RdfFormat.TURTLE,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "jsonld": ox.RdfFormat.JSON_LD,
    }[fmt]


def param_term(value: str):
    """A ``--param`` value as an RDF term: ``<iri>`` or a known ``prefix:name`` is an IRI,
    anything else a plain string."""
    import pyoxigraph as ox

    if value.startswith("<") and value.endswith(">"):
        return ox.NamedNode(value[1:-1])
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and " " not in value:
        return ox.NamedNode(PREFIXES[prefix] + local)
    return ox.Literal(value)
