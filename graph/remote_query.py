"""``dprk-kg query --endpoint``: a read-only query run on a SPARQL server as on the local store.

The same safety check (``query.check_safe``), the project prefixes, the union of the project's
graphs on the server as the default graph (the server's own system graphs, the push marker and
staging graphs are left out), ``--param`` bindings, and the same output (``query.serialize_result``).
Nothing partial is printed: a cut result raises ``IncompleteResult``.

Virtuoso's dialect of SPARQL JSON results is read as standard: ``typed-literal`` terms, blank
nodes named ``nodeID://...``, and booleans as integers 0/1 (an ASK comes back as a one-row
``__ASK_RETVAL``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from .errors import InputError, StoreError
from .remote import JSON, PROJECT_GRAPHS, Server, check_complete, load_json, shown

#: A graph no server holds: the dataset of a query when the server has no project graph, so
#: that the server's whole store (system graphs included) is never the default graph.
_NO_GRAPH = "urn:dprk-kg:no-graph"


def _normal_results(data: dict) -> dict:
    """SPARQL JSON results with Virtuoso's dialect made standard: ``typed-literal`` as
    ``literal``, ``nodeID://`` blank nodes as plain labels, an ASK answered as ``__ASK_RETVAL``
    rows (one row 1 for true; one row 0, or none, for false) as a boolean.

    >>> _normal_results({"head": {"vars": ["__ASK_RETVAL"]}, "results": {"bindings": [
    ...     {"__ASK_RETVAL": {"type": "typed-literal", "value": "0"}}]}})
    {'head': {}, 'boolean': False}
    """
    variables = data.get("head", {}).get("vars", [])
    rows = data.get("results", {}).get("bindings", [])
    if variables == ["__ASK_RETVAL"]:  # a false ASK may come back with no row at all
        return {"head": {}, "boolean": any(r["__ASK_RETVAL"]["value"] in ("1", "true") for r in rows)}
    if "boolean" in data:
        return {"head": {}, "boolean": data["boolean"] in (True, 1, "1", "true")}
    for row in rows:
        for term in row.values():
            if term.get("type") == "typed-literal":
                term["type"] = "literal"
            elif term.get("type") == "bnode":
                term["value"] = re.sub(r"[^A-Za-z0-9_]", "", term["value"]) or "b"
    return {"head": {"vars": variables}, "results": {"bindings": rows}}


def _prepared(text: str, substitutions: Mapping[str, str]) -> tuple[str, type]:
    """The query as sent (project prefixes declared, ``--param`` values as a trailing VALUES
    clause) and its result class, found by running it on an empty in-memory store: a syntax
    error or a --param the query does not select is reported before anything is sent."""
    import pyoxigraph as ox

    from .namespace import PREFIXES
    from .query import _term

    terms = {name: _term(value) for name, value in substitutions.items()}
    try:
        form = type(
            ox.Store().query(
                text,
                prefixes=PREFIXES,
                use_default_graph_as_union=True,
                substitutions={ox.Variable(k): v for k, v in terms.items()} or None,
            )
        )
    except SyntaxError as exc:
        raise InputError(f"query: {' '.join(str(exc).split())}") from None
    except RuntimeError as exc:
        raise InputError(f"--param can only bind a variable the query selects: {exc}") from None
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
    values = ""
    if terms:
        names = " ".join(f"?{k}" for k in terms)
        values = f"\nVALUES ({names}) {{ ({' '.join(str(t) for t in terms.values())}) }}"
    return head + text + values, form


def run_query(server: Server, text: str, fmt: str = "table", substitutions: Mapping[str, str] | None = None):
    """Run a read-only query on the server and return a ``query.QueryResult`` rendered exactly
    as a local query's.

    The default graph is the union of the project's graphs on the server and ``GRAPH ?g`` ranges
    over them only (the marker's list when a push completed, else the graphs found); FROM may
    name only those graphs. A cut result raises IncompleteResult.
    """
    import pyoxigraph as ox

    from .query import FORMATS, check_safe, serialize_result

    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    checked = check_safe(text)
    sent, form = _prepared(text, dict(substitutions or {}))
    marker = server.marker()
    graphs = sorted(k for k in marker if k.startswith(PROJECT_GRAPHS)) if "build" in marker else server.graphs()
    check_safe(text, lambda: set(graphs))  # FROM may name only the project's graphs on the server
    graphs = graphs or [_NO_GRAPH]  # an empty dataset, never the server's whole store
    dataset: list[str] = [] if checked.has_dataset else graphs  # a query with FROM keeps its own
    is_graph = form is ox.QueryTriples
    answer = server.query(
        sent, dataset, dataset, accept="application/n-triples, text/turtle;q=0.8" if is_graph else JSON
    )
    if is_graph:
        media = (answer.headers.get_content_type() or "").lower()
        rdf_format = ox.RdfFormat.TURTLE if "turtle" in media else ox.RdfFormat.N_TRIPLES
        try:
            triples = list(ox.parse(answer.body, format=rdf_format))
        except SyntaxError as exc:
            raise StoreError(f"{shown(server.endpoint)}: unreadable {media} answer: {exc}") from None
        check_complete(server.endpoint, answer, len(triples))
        return serialize_result(triples, fmt)
    data = load_json(server.endpoint, answer.body)
    rows = data.get("results", {}).get("bindings", [])
    check_complete(server.endpoint, answer, len(rows))
    try:
        result = ox.parse_query_results(json.dumps(_normal_results(data)).encode(), format=ox.QueryResultsFormat.JSON)
    except SyntaxError as exc:
        raise StoreError(f"{shown(server.endpoint)}: unreadable SPARQL JSON results: {exc}") from None
    return serialize_result(result, fmt)
