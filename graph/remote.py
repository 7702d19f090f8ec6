"""A SPARQL 1.1 server over HTTP: the SPARQL Protocol (queries and updates), the Graph Store HTTP
Protocol, Basic and Digest authentication, and the quirks of the servers a team is likely to run.

``Server`` holds the three URLs a server may use (query, update, Graph Store), the credentials
and a client timeout that bounds every request. Every failure (no connection, a wrong URL, an
HTTP 4xx/5xx, a server that does not answer) is one line naming the URL and the status, raised as
the project's errors, never a traceback. The password lives in the ``Credentials`` object only:
it is never shown, logged or put in a URL.

Queries never ask the server for a partial result: a response that says it was cut
(``X-SQL-State``, ``X-SPARQL-MaxRows``) or whose row count equals a known server cap raises
``IncompleteResult`` (``check_complete``). ``remote_query.run_query`` runs ``dprk-kg query`` on
a server.

Known server differences handled here: Virtuoso answers with Digest authentication only and
keeps system graphs beside the data (only graphs under ``PROJECT_GRAPHS`` are listed). The
Oxigraph server takes a whole graph in one request without a transaction
(``no_transaction``), which ``push`` uses for its private staging graphs.

>>> Server("http://127.0.0.1:1/sparql").endpoint
'http://127.0.0.1:1/sparql'
>>> Server("http://bob:secret@127.0.0.1:1/sparql")
Traceback (most recent call last):
...
graph.errors.InputError: http://***@127.0.0.1:1/sparql: a URL must not carry a user or password; ...
"""

from __future__ import annotations

import http.client
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import Message
from urllib.parse import quote, urlencode, urlsplit

from .errors import IncompleteResult, InputError, QueryTimeout, StoreError
from .http_auth import Auth, Credentials, parse_challenges

#: Seconds a request may wait for the server (connect, each read, and the whole answer).
DEFAULT_TIMEOUT = 60.0
#: Graphs whose IRI starts with this belong to the project; all others are the server's own.
PROJECT_GRAPHS = "https://w3id.org/dprk-kg/"
#: The graph ``push`` writes last: which build the server holds.
MARKER_GRAPH = "urn:dprk-kg:push"
#: Row caps that servers apply silently: Virtuoso's ResultSetMaxRows as shipped (10,000).
KNOWN_ROW_CAPS = (10_000,)
#: Bodies larger than this are not sent before the server's authentication challenge is known.
_PROBE_ABOVE = 64 * 1024
JSON = "application/sparql-results+json"
_CUT_HEADERS = ("X-SQL-State", "X-SPARQL-MaxRows")
#: Virtuoso echoes every dataset graph of a query as a header (X-SPARQL-default-graph and
#: X-SPARQL-named-graph), two per project graph; the standard library refuses more than 100.
_MAX_HEADERS = 20_000


@dataclass(frozen=True)
class Response:
    """An HTTP answer: status, headers and the whole body."""

    status: int
    reason: str
    headers: Message
    body: bytes


def shown(url: str) -> str:
    """A URL as it appears in messages: without its query string (it may hold a whole query).

    >>> shown("http://127.0.0.1:8890/sparql-graph-crud-auth?graph=urn:x")
    'http://127.0.0.1:8890/sparql-graph-crud-auth'
    """
    return url.split("?", 1)[0]


def _check_url(url: str, option: str) -> str:
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        hidden = f"{parts.scheme}://***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        raise InputError(
            f"{hidden}{parts.path}: a URL must not carry a user or password; use --user and --password-env"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{option} {url!r}: expected an http:// or https:// URL")
    return url


def _server_message(body: bytes) -> str:
    """The first informative line of an error body (HTML tags and blank lines left out)."""
    text = re.sub(r"<[^>]+>", " ", body.decode("utf-8", "replace"))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    line = next((x for x in lines if x and not x.lower().startswith(("<!doctype", "error "))), "")
    return line if len(line) <= 200 else line[:197] + "..."


class Server:
    """A SPARQL 1.1 server: query ``endpoint``, ``update`` and Graph Store (``gsp``) URLs (both
    default to the endpoint), optional credentials, and a client ``timeout`` in seconds."""

    def __init__(
        self,
        endpoint: str,
        update: str | None = None,
        gsp: str | None = None,
        credentials: Credentials | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ):
        self.endpoint = _check_url(endpoint, "--endpoint")
        self.update_url = _check_url(update or endpoint, "--update")
        self.gsp_url = _check_url(gsp or endpoint, "--gsp")
        self.credentials = credentials
        self.timeout = timeout
        #: The ``Server`` header of the last answer, e.g. ``Oxigraph/0.5.13`` or ``Virtuoso/07...``.
        self.product = ""
        self._connections: dict[tuple[str, str], http.client.HTTPConnection] = {}
        self._auth: dict[tuple[str, str], Auth] = {}

    def close(self) -> None:
        """Close the kept-alive connections."""
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_oxigraph(self) -> bool:
        """True once an answer came from the Oxigraph server."""
        return self.product.lower().startswith("oxigraph")

    @property
    def loads_atomically(self) -> bool:
        """True when the server is known to load a whole N-Quads request atomically: the Oxigraph
        server from 0.5.0 on, whose bulk loader (``no_transaction``) ingests everything it parsed
        in one step at the end, so readers see none of the request's graphs or all of them.

        >>> server = Server("http://127.0.0.1:1/query")
        >>> [setattr(server, "product", p) or server.loads_atomically for p in ("Oxigraph/0.5.13", "Oxigraph/0.4.11")]
        [True, False]
        """
        found = re.match(r"oxigraph/(\d+)\.(\d+)", self.product.lower())
        return found is not None and (int(found.group(1)), int(found.group(2))) >= (0, 5)

    def copy(self) -> Server:
        """The same server with connections of its own, for a second thread."""
        twin = Server(self.endpoint, self.update_url, self.gsp_url, self.credentials, self.timeout)
        twin.product = self.product
        return twin

    # -- HTTP -------------------------------------------------------------------------------

    def _connection(self, origin: tuple[str, str]) -> http.client.HTTPConnection:
        if origin not in self._connections:
            # the standard library's limit is a module setting, with no per-connection knob:
            # raised when a connection is made, not when this module is imported
            http.client._MAXHEADERS = max(http.client._MAXHEADERS, _MAX_HEADERS)  # type: ignore[attr-defined]
            scheme, netloc = origin
            kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            self._connections[origin] = kind(netloc, timeout=self.timeout)
        return self._connections[origin]

    def _exchange(self, method: str, url: str, body: bytes, headers: dict[str, str], retry: bool) -> Response:
        """One request and its whole answer within the timeout; a kept-alive connection that the
        server closed meanwhile is reopened once when ``retry`` (idempotent requests only)."""
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        deadline = time.monotonic() + self.timeout
        for attempt in (1, 2):
            connection = self._connection(origin)
            reused = connection.sock is not None
            try:
                connection.request(method, target, body=body or None, headers=headers)
                answer = connection.getresponse()
                chunks = []
                while chunk := answer.read(1 << 20):
                    chunks.append(chunk)
                    if time.monotonic() > deadline:
                        raise TimeoutError
                if answer.will_close:
                    connection.close()
                self.product = (answer.getheader("Server") or self.product).strip()
                return Response(answer.status, answer.reason, answer.headers, b"".join(chunks))
            except TimeoutError:
                connection.close()
                raise QueryTimeout(
                    f"{shown(url)}: no answer within {self.timeout:g} s (the client timeout, --timeout)"
                ) from None
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                connection.close()
                if not (retry and reused and attempt == 1):
                    raise StoreError(f"{shown(url)}: the server closed the connection ({exc})") from None
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
                raise StoreError(f"{shown(url)}: cannot reach the server: {reason}") from None
        raise AssertionError("unreachable")

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes = b"",
        content_type: str | None = None,
        accept: str | None = None,
        retry: bool = True,
    ) -> Response:
        """Send a request, answering Basic or Digest challenges; an HTTP error status raises
        StoreError with the URL, status and the server's message."""
        parts = urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": "dprk-kg"}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        auth = self._auth.get(origin)
        if self.credentials and auth is None and len(body) > _PROBE_ABOVE:
            self.request("HEAD", url)  # learn the challenge before sending a large body
            auth = self._auth.get(origin)
        sent = False
        for _ in range(3):
            if auth is not None:
                value = auth.header(method, target)
                if value:
                    headers["Authorization"] = value
            answer = self._exchange(method, url, body, headers, retry)
            if answer.status != 401:
                break
            challenges = parse_challenges(answer.headers.get_all("WWW-Authenticate") or [])
            if self.credentials is None:
                raise StoreError(
                    f"{shown(url)}: HTTP 401 {answer.reason}: the server asks for a "
                    "user and password (--user, --password-env)"
                )
            stale = challenges.get("digest", {}).get("stale", "").lower() == "true"
            if sent and not stale:
                raise StoreError(
                    f"{shown(url)}: HTTP 401 {answer.reason}: the server refused user "
                    f"{self.credentials.user!r} with the password in "
                    f"{self.credentials.source or 'the environment'}"
                )
            auth = self._auth.setdefault(origin, Auth(self.credentials))
            if not auth.accept(challenges):
                raise StoreError(
                    f"{shown(url)}: HTTP 401 {answer.reason}: the server asks for an "
                    "authentication scheme other than Basic or Digest"
                )
            sent = True
        if answer.status >= 400 and method != "HEAD":
            message = _server_message(answer.body)
            raise StoreError(
                f"{shown(url)}: HTTP {answer.status} {answer.reason}" + (f": {message}" if message else "")
            )
        return answer

    # -- SPARQL Protocol ----------------------------------------------------------------------

    def query(
        self, text: str, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (), accept: str = JSON
    ) -> Response:
        """POST a query (form-encoded, with the dataset as ``default-graph-uri`` and
        ``named-graph-uri``). No server-side timeout is ever asked for: Virtuoso answers such a
        request with whatever it found in time, a partial result."""
        form = [
            ("query", text),
            *(("default-graph-uri", g) for g in default_graphs),
            *(("named-graph-uri", g) for g in named_graphs),
        ]
        return self.request(
            "POST",
            self.endpoint,
            body=urlencode(form).encode(),
            content_type="application/x-www-form-urlencoded",
            accept=accept,
        )

    def select(self, text: str) -> list[dict[str, str]]:
        """Rows of a SELECT as plain values (IRIs and lexical forms), for the client's own
        bookkeeping queries; a cut result raises IncompleteResult."""
        answer = self.query(text)
        data = load_json(self.endpoint, answer.body)
        check_complete(self.endpoint, answer, len(data.get("results", {}).get("bindings", [])))
        return [{k: v.get("value", "") for k, v in row.items()} for row in data.get("results", {}).get("bindings", [])]

    def update(self, text: str) -> None:
        """POST a SPARQL update. Never retried: an update that may have run is not sent twice."""
        self.request("POST", self.update_url, body=text.encode(), content_type="application/sparql-update", retry=False)

    # -- Graph Store Protocol -----------------------------------------------------------------

    def put_graph(self, graph: str, ntriples: bytes, bulk: bool = False) -> None:
        """Replace ``graph`` with the N-Triples ``ntriples`` (Graph Store ``PUT``). ``bulk`` lets
        the Oxigraph server load it without a transaction (only for a private staging graph)."""
        url = f"{self.gsp_url}{'&' if '?' in self.gsp_url else '?'}graph={quote(graph, safe='')}"
        if bulk and self.is_oxigraph:
            url += "&no_transaction"
        self.request("PUT", url, body=ntriples, content_type="application/n-triples")

    def load_quads(self, nquads: bytes) -> None:
        """Add the N-Quads ``nquads`` to the server's graphs in one request through the Oxigraph
        server's bulk loader (``POST`` to the store, ``no_transaction``); only where
        ``loads_atomically``, and only into graphs no reader relies on yet."""
        url = f"{self.gsp_url}{'&' if '?' in self.gsp_url else '?'}no_transaction"
        self.request("POST", url, body=nquads, content_type="application/n-quads", retry=False)

    # -- the project's graphs on the server ----------------------------------------------------

    def counts(self, prefixes: Sequence[str] = (PROJECT_GRAPHS,)) -> dict[str, int]:
        """The triple count of every non-empty graph on the server whose IRI starts with one of
        ``prefixes``, in one query."""
        test = " || ".join(f'STRSTARTS(STR(?g), "{p}")' for p in prefixes)
        rows = self.select(f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({test}) }} GROUP BY ?g")
        return {r["g"]: int(r["n"]) for r in rows}

    def counts_of(self, graphs: Sequence[str]) -> dict[str, int]:
        """The triple count of each of ``graphs`` on the server (0 for a graph it does not
        hold), in one query."""
        values = " ".join(f"<{_iri(g)}>" for g in graphs)
        rows = self.select(
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
        )
        found = {r["g"]: int(r["n"]) for r in rows}
        return {g: found.get(g, 0) for g in graphs}

    def graphs(self, prefixes: Sequence[str] = (PROJECT_GRAPHS,)) -> list[str]:
        """The non-empty graphs on the server whose IRI starts with one of ``prefixes``
        (the server's own system graphs are never listed), sorted."""
        test = " || ".join(f'STRSTARTS(STR(?g), "{p}")' for p in prefixes)
        rows = self.select(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({test}) }}")
        return sorted(r["g"] for r in rows)

    def marker(self) -> dict[str, str]:
        """The run marker ``push`` wrote last (build, time, version, graph list), or {}.

        Keys: ``build``, ``pushed``, and one key per graph (its IRI) whose value is
        ``"<triples> <digest>"``."""
        return {row["key"]: row["value"] for row in self.select(_MARKER_QUERY)}


_MARKER_QUERY = f"""SELECT ?key ?value WHERE {{ GRAPH <{MARKER_GRAPH}> {{
  {{ <{MARKER_GRAPH}> <http://purl.org/dc/terms/identifier> ?value BIND("build" AS ?key) }}
  UNION {{ <{MARKER_GRAPH}> <http://purl.org/dc/terms/modified> ?value BIND("pushed" AS ?key) }}
  UNION {{ <{MARKER_GRAPH}> <http://purl.org/dc/terms/hasPart> ?part .
          ?part <http://rdfs.org/ns/void#triples> ?n ; <http://purl.org/dc/terms/identifier> ?d
          BIND(STR(?part) AS ?key) BIND(CONCAT(STR(?n), " ", STR(?d)) AS ?value) }}
}} }}"""


def _iri(value: str) -> str:
    """An IRI checked for characters that cannot appear between ``<`` and ``>``."""
    if re.search(r'[<>"{}|^`\\\x00-\x20]', value):
        raise InputError(f"{value!r} is not a valid IRI")
    return value


def load_json(url: str, body: bytes) -> dict:
    try:
        data = json.loads(body)
    except ValueError:
        raise StoreError(
            f"{shown(url)}: the answer is not SPARQL JSON results: {_server_message(body) or 'empty body'}"
        ) from None
    if not isinstance(data, dict):
        raise StoreError(f"{shown(url)}: the answer is not SPARQL JSON results")
    return data


def check_complete(url: str, answer: Response, rows: int) -> None:
    """Raise IncompleteResult when the server says, or its row cap shows, that rows are missing."""
    for name in _CUT_HEADERS:
        value = answer.headers.get(name)
        if value is not None:
            message = answer.headers.get("X-SQL-Message", "")
            raise IncompleteResult(
                f"{shown(url)}: the server cut the result ({name}: {value}"
                + (f", {message}" if message else "")
                + f"; {rows:,} rows came "
                "back); nothing was printed. Narrow the query or page it with "
                "LIMIT/OFFSET"
            )
    if rows in KNOWN_ROW_CAPS:
        raise IncompleteResult(
            f"{shown(url)}: {rows:,} rows came back, exactly the server's usual "
            "row cap, so rows are probably missing; nothing was printed. Narrow "
            "the query or page it with LIMIT/OFFSET"
        )


def open_server(
    endpoint: str, update: str | None, gsp: str | None, user: str | None, password_env: str, timeout: float
) -> Server:
    """A Server from command-line options, the password read from ``password_env``."""
    return Server(endpoint, update, gsp, Credentials.from_env(user, password_env), timeout)
