"""The SPARQL 1.1 Protocol, read-only: what a request asks for, and in which format to answer.

Pure functions over the parts of an HTTP request (method, query string, headers, body), so the
server in ``graph.serve`` stays thin and the rules can be read and tested here. Anything that
is not a well-formed query request raises ``ProtocolError`` with the HTTP status to answer.

>>> parse_request("GET", "query=ASK%20%7B%7D", None, b"").text
'ASK {}'
>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_TYPES)
'xml'
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs

from .errors import InputError
from .query import QueryDataset

#: SELECT and ASK result formats by media type, the default first (``*/*`` picks it).
RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
#: CONSTRUCT and DESCRIBE result formats by media type, the default first.
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/n-quads": "nquads",
    "application/ld+json": "jsonld",
}
#: The media type sent for each format (aliases such as application/json answer the standard one).
CONTENT_TYPES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "jsonld": "application/ld+json",
}

_FORM = "application/x-www-form-urlencoded"
_DIRECT = "application/sparql-query"
_UPDATE = "application/sparql-update"
READ_ONLY = "updates are refused: this endpoint only reads the store; it never updates it or loads files"


class ProtocolError(InputError):
    """A request the endpoint refuses, with the HTTP status that says why."""

    def __init__(self, status: int, message: str):
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class QueryRequest:
    """A query request: the query text and the dataset the protocol parameters chose."""

    text: str
    dataset: QueryDataset


def media_type(header: str | None) -> tuple[str, dict[str, str]]:
    """A Content-Type header as its lower-cased media type and parameters.

    >>> media_type('application/sparql-query; charset="UTF-8"')
    ('application/sparql-query', {'charset': 'utf-8'})
    """
    if not header:
        return "", {}
    kind, *params = header.split(";")
    parsed = {}
    for param in params:
        name, _, value = param.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"').lower()
    return kind.strip().lower(), parsed


def _utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the {what} is not valid UTF-8 (byte {exc.start}); send UTF-8 only") from None


def _fields(text: str, what: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, strict_parsing=False, errors="strict")
    except UnicodeDecodeError:
        raise ProtocolError(
            400, f"the {what} holds percent-encoded bytes that are not UTF-8; send UTF-8 only"
        ) from None


def parse_request(method: str, query_string: str, content_type: str | None, body: bytes) -> QueryRequest:
    """The query request in an HTTP request to the endpoint, or ProtocolError.

    GET carries ``query`` in the query string; POST carries it as a form field
    (application/x-www-form-urlencoded) or as the whole body (application/sparql-query), in
    UTF-8. ``default-graph-uri`` and ``named-graph-uri`` may repeat. Updates get 403.

    >>> parse_request("POST", "named-graph-uri=http%3A%2F%2Fe.org%2Fg", "application/sparql-query",
    ...               b"ASK {}").dataset
    QueryDataset(default=(), named=('http://e.org/g',))
    >>> parse_request("GET", "update=CLEAR%20ALL", None, b"")
    Traceback (most recent call last):
    ...
    graph.protocol.ProtocolError: updates are refused: ...
    """
    params = _fields(query_string, "query string")
    kind, options = media_type(content_type)
    if method == "POST":
        if kind == _UPDATE:
            raise ProtocolError(403, READ_ONLY)
        if kind not in (_FORM, _DIRECT):
            shown = f"Content-Type {kind}" if kind else "no Content-Type"
            raise ProtocolError(
                415,
                f"a POST with {shown} is not a query: send {_FORM} (query=...) or {_DIRECT} (the query as the body)",
            )
        if options.get("charset", "utf-8") != "utf-8":
            raise ProtocolError(415, f"charset {options['charset']} is refused: send UTF-8 only")
        if kind == _FORM:
            for name, values in _fields(_utf8(body, "form body"), "form body").items():
                params.setdefault(name, []).extend(values)
        else:
            if "query" in params:
                raise ProtocolError(400, "the query is both in the body and in the query string; send it once")
            params["query"] = [_utf8(body, "query")]
    elif method != "GET":
        raise ProtocolError(405, f"{method} is not allowed: query with GET or POST")
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise ProtocolError(403, READ_ONLY)
    queries = params.get("query", [])
    if len(queries) != 1:
        raise ProtocolError(
            400,
            "give exactly one query parameter"
            if queries
            else "no query: send one as ?query=... (GET), a form field or the body (POST)",
        )
    dataset = QueryDataset(tuple(params.get("default-graph-uri", ())), tuple(params.get("named-graph-uri", ())))
    return QueryRequest(queries[0], dataset)


def _accepted(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values; a malformed q counts as 0."""
    ranges = []
    for item in accept.split(","):
        kind, options = media_type(item)
        if not kind:
            continue
        try:
            q = float(options.get("q", "1"))
        except ValueError:
            q = 0.0
        ranges.append((kind, q if 0 <= q <= 1 else 0.0))
    return ranges


def _quality(kind: str, ranges: list[tuple[str, float]]) -> float:
    """The q-value of ``kind``: that of the most specific range matching it (exact, type/*, */*)."""
    major = kind.split("/")[0]
    best = (-1, 0.0)
    for candidate, q in ranges:
        rank = 2 if candidate == kind else 1 if candidate == f"{major}/*" else 0 if candidate == "*/*" else -1
        if rank > best[0]:
            best = (rank, q)
    return best[1]


def negotiate(accept: str | None, offers: dict[str, str]) -> str | None:
    """The format to answer in: the offered media type the Accept header rates highest (ties
    go to the earlier offer), or None when it accepts none of them. No header accepts all.

    >>> negotiate(None, GRAPH_TYPES)
    'turtle'
    >>> negotiate("application/n-triples;q=0.9, text/*;q=0.2", GRAPH_TYPES)
    'ntriples'
    >>> negotiate("text/html", RESULT_TYPES) is None
    True
    """
    ranges = _accepted(accept) if accept and accept.strip() else [("*/*", 1.0)]
    best, chosen = 0.0, None
    for kind, fmt in offers.items():
        q = _quality(kind, ranges)
        if q > best:
            best, chosen = q, fmt
    return chosen
