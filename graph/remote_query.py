"""``dprk-kg query --endpoint``: a read-only query run on a SPARQL server as on the local store.

The same safety check (``query.check_safe``), the project prefixes, the union of the project's
graphs on the server as the default graph (the server's own system graphs, the push marker and
staging graphs are left out), ``--param`` bindings, and the same output (``query.serialize_result``).
Nothing partial is printed: a cut result raises ``IncompleteResult``.

Virtuoso's dialect of SPARQL JSON results is read as standard: ``typed-literal`` terms, blank
nodes named ``nodeID://...``, and booleans as integers 0/1 (an ASK comes back as a one-row
``__ASK_RETVAL``).

``RemoteStore`` lets the reading commands (``show``, ``timeline``, ``conflicts``, ``screen``) run
on a server: it answers the few calls they make on a local store (``query``, ``named_graphs``,
``len``) with the same dataset and the same checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .errors import InputError, StoreError
from .remote import JSON, PROJECT_GRAPHS, Server, check_complete, load_json, shown

if TYPE_CHECKING:
    import pyoxigraph as ox

    from .reader import Reader

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


def project_graphs(server: Server) -> tuple[list[str], dict[str, str]]:
    """The project's graphs on the server (the marker's list when a push completed, else the
    graphs found there), and the marker."""
    marker = server.marker()
    if "build" in marker:
        return sorted(k for k in marker if k.startswith(PROJECT_GRAPHS)), marker
    return server.graphs(), marker


def _results(server: Server, sent: str, dataset: list[str], is_graph: bool):
    """Send a prepared query with ``dataset`` as its default and named graphs (none: the
    query's own FROM); the complete answer as pyoxigraph triples or query results
    (IncompleteResult when cut)."""
    import pyoxigraph as ox

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
        return triples
    data = load_json(server.endpoint, answer.body)
    check_complete(server.endpoint, answer, len(data.get("results", {}).get("bindings", [])))
    try:
        return ox.parse_query_results(json.dumps(_normal_results(data)).encode(), format=ox.QueryResultsFormat.JSON)
    except SyntaxError as exc:
        raise StoreError(f"{shown(server.endpoint)}: unreadable SPARQL JSON results: {exc}") from None


def run_query(
    server: Server, text: str, fmt: str = "table", substitutions: Mapping[str, str] | None = None, wide: bool = True
):
    """Run a read-only query on the server and return a ``query.QueryResult`` rendered exactly
    as a local query's (a table cuts long cells only without ``wide``).

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
    graphs = project_graphs(server)[0]
    check_safe(text, lambda: set(graphs))  # FROM may name only the project's graphs on the server
    # a query with FROM keeps its own dataset; no project graph: an empty one, never the whole server
    dataset: list[str] = [] if checked.has_dataset else graphs or [_NO_GRAPH]
    return serialize_result(_results(server, sent, dataset, form is ox.QueryTriples), fmt, wide=wide)


class RemoteStore:
    """The project's graphs on a SPARQL server, read through the part of ``pyoxigraph.Store``
    that the reading commands use, so that ``Reader`` and the entity index run on it unchanged:
    ``query`` (the default graph is the union of the project's graphs, as with
    ``use_default_graph_as_union`` on the store), ``named_graphs`` and ``len``. Read-only; the
    queries are the project's own (``graph/sparql``), sent with the project prefixes."""

    def __init__(self, server: Server):
        self.server = server
        self.graphs, marker = project_graphs(server)
        #: The build the server holds (the push marker's digest of every graph), if known.
        self.build = marker.get("build")
        self._size = sum(int(marker[g].split(" ", 1)[0]) for g in self.graphs) if "build" in marker else None

    def query(
        self, query: str, *, prefixes: Mapping[str, str] | None = None, use_default_graph_as_union: bool = False
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a read-only query on the project's graphs of the server (the default graph is
        always their union)."""
        import pyoxigraph as ox

        head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or {}).items())
        form = type(ox.Store().query(query, prefixes=dict(prefixes or {})))
        return _results(self.server, head + query, self.graphs or [_NO_GRAPH], form is ox.QueryTriples)

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """The project's graphs on the server."""
        import pyoxigraph as ox

        return (ox.NamedNode(g) for g in self.graphs)

    def __len__(self) -> int:
        """Triples in the project's graphs: the marker's total, else counted on the server."""
        if self._size is None:
            self._size = sum(self.server.counts().values())
        return self._size


def _index_folder(server: Server, build: str | None) -> Path | None:
    """Where the entity index of the server's build is kept between commands: a folder per
    endpoint and build in the user's cache folder, the endpoint's older builds removed. None
    without a completed push (then nothing names the server's content) or when the cache folder
    cannot be made (the index is then built in memory, for this command only)."""
    import hashlib
    import shutil

    from .paths import user_cache_dir

    if not build or not re.fullmatch(r"[0-9a-f]{64}", build):  # the server's word: a digest only
        return None
    root = user_cache_dir() / "remote" / hashlib.sha256(server.endpoint.encode()).hexdigest()[:16]
    folder = root / build
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    for older in root.iterdir():
        if older != folder:
            shutil.rmtree(older)
    return folder


def remote_reader(server: Server, command: str) -> Reader:
    """A ``Reader`` of the project's graphs on ``server``: the reading commands run on it as on
    the store. The entity index is built from the server's answers once per pushed build.

    Only the Oxigraph server answers the project's internal queries as the store does (they use
    ``LATERAL``, and rely on its handling of unbound values); any other server is refused with
    an InputError naming it, before the command reads anything."""
    from .reader import Reader

    store = RemoteStore(server)
    if not server.is_oxigraph:
        raise InputError(
            f"{command} --endpoint runs on the Oxigraph server only: its queries use SPARQL that "
            f"{server.product or 'this server'} at {shown(server.endpoint)} does not answer as the store "
            f"does; run `dprk-kg {command}` on the store, or push to an Oxigraph server"
        )
    # RemoteStore answers every call Reader and the entity index make on a pyoxigraph.Store
    return Reader(cast("ox.Store", store), _index_folder(server, store.build))
