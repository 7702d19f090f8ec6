"""``dprk-kg serve``: a read-only SPARQL 1.1 Protocol endpoint over the store, on loopback.

Every query goes through the same guard and runner as ``dprk-kg query`` (``query.check_safe``,
then ``query.run_query``, which runs it in a forked child that opens the store read-only and is
killed at the time limit), so a request sees the store as it was when its query started (old or
new across a rebuild, never a mix), a stuck query holds only its own thread, and an answer is
sent only once complete. Requests are served in threads; at most ``workers`` queries run at once.

The server refuses what a browser page elsewhere could abuse: a ``Host`` other than the one it
is bound to (DNS rebinding), cross-origin reads unless ``--cors`` names the origin, and anything
that writes. ``/`` is a small start page (files in ``graph/static``) with the named queries.
"""

from __future__ import annotations

import html
import ipaddress
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from . import protocol, query
from .errors import DprkKgError, InputError, QueryTimeout, ResultTooLarge, StoreError
from .namespace import PREFIXES

#: Largest request body accepted (a query, or a form holding one).
MAX_BODY = 1 << 20
#: Default cap on one answer; a larger result is an error, never truncated.
MAX_RESULT = 64 << 20
#: Runs of a query whose store changed under it (a concurrent rebuild or import) before giving
#: up, the n-th retry after a pause of RETRY_PAUSE * 2**n seconds (1.5 s in all).
STORE_ATTEMPTS = 5
RETRY_PAUSE = 0.1
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
#: The start page's policy: nothing but this server's own script, style and endpoint.
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_STATIC = {"/serve.css": "text/css; charset=utf-8", "/serve.js": "text/javascript; charset=utf-8"}
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.\-]+(:\d{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?")
_ENDPOINTS = ("/sparql", "/sparql/")


@dataclass(frozen=True)
class ServeOptions:
    """How to serve: the store, where to listen, and the limits of each query."""

    store: Path
    host: str = "127.0.0.1"
    port: int = 7878
    timeout: float = query.DEFAULT_TIMEOUT
    cors: str | None = None
    allow_remote: bool = False
    #: Extra names clients may use in the Host header (with --allow-remote, the server's DNS name).
    names: tuple[str, ...] = ()
    #: Folder of HTML views (``dprk-kg viz`` and ``build`` output) linked from the start page.
    views: Path | None = None
    max_result: int = MAX_RESULT
    workers: int = 4
    log: Callable[[str], None] | None = None


def is_loopback(host: str) -> bool:
    """Whether ``host`` only reaches this machine.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_options(options: ServeOptions) -> list[str]:
    """Refuse unsafe or malformed options (InputError); return the warnings to print.

    A host other than loopback needs ``allow_remote``; the warning says what that exposes.
    """
    warnings = []
    if not is_loopback(options.host):
        if not options.allow_remote:
            raise InputError(
                f"--host {options.host} would serve the store to the network; "
                "add --allow-remote if that is what you want (the default "
                "127.0.0.1 serves this machine only)"
            )
        warnings.append(
            f"serving on {options.host}: anyone who can reach port {options.port} "
            "can read every graph in the store, curated and imported; there is no "
            "authentication, so use a firewall or an authenticating proxy"
        )
        if options.host in ("0.0.0.0", "::") and not options.names:
            warnings.append(
                "clients must send a Host header this server knows: add "
                "--hostname NAME for the name or address they use"
            )
    if options.cors is not None and not _ORIGIN.fullmatch(options.cors):
        raise InputError(
            f"--cors {options.cors!r}: give one origin, scheme://host[:port] "
            "(for example http://localhost:3000), never * or a path"
        )
    return warnings


def allowed_hosts(options: ServeOptions, port: int) -> frozenset[str]:
    """The Host header values the server answers: its bound host and given names, with the
    port (and without it on port 80), plus the loopback names when bound to loopback.

    >>> sorted(allowed_hosts(ServeOptions(Path("s")), 7878))
    ['127.0.0.1:7878', '[::1]:7878', 'localhost:7878']
    """
    names = {options.host, *options.names}
    if is_loopback(options.host):
        names.update(LOOPBACK_NAMES)
    names.discard("0.0.0.0")
    names.discard("::")
    shown = {f"[{n}]" if ":" in n else n for n in (n.lower() for n in names)}
    return frozenset({f"{n}:{port}" for n in shown} | (shown if port == 80 else set()))


class Endpoint(ThreadingHTTPServer):
    """The HTTP server: its options, the Host values it accepts and its query slots."""

    daemon_threads = True

    def __init__(self, options: ServeOptions):
        self.options = options
        self.slots = threading.BoundedSemaphore(options.workers)
        try:
            super().__init__((options.host, options.port), Handler)
        except OSError as exc:
            raise InputError(f"cannot listen on {options.host}:{options.port}: {exc.strerror}") from exc
        self.hosts = allowed_hosts(options, self.server_address[1])

    @property
    def url(self) -> str:
        """The start page's address."""
        host = self.options.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.server_address[1]}/"


def make_server(options: ServeOptions) -> Endpoint:
    """Check the options and bind the server (port 0 picks a free one); it serves once
    ``serve_forever`` runs, and stops with ``shutdown``."""
    check_options(options)
    if not Path(options.store).is_dir():
        raise StoreError(f"no store at {options.store}: run `dprk-kg build` first")
    return Endpoint(options)


def _static(name: str) -> bytes:
    return resources.files("graph").joinpath("static", name).read_bytes()


def _views(folder: Path | None) -> list[str]:
    """The HTML views in ``folder``, by file name."""
    if folder is None or not Path(folder).is_dir():
        return []
    return sorted(p.name for p in Path(folder).glob("*.html") if p.is_file())


def _fill(name: str, **values: str) -> str:
    """The template ``graph/static/<name>`` with each ``@@KEY@@`` replaced by ``values[KEY]``
    (already escaped), in one pass: a value is never read as a template itself."""
    template = _static(name).decode("utf-8")
    return re.sub(r"@@([A-Z]+)@@", lambda m: values[m.group(1)], template).strip("\n")


def start_page(options: ServeOptions) -> bytes:
    """The start page: the templates of ``graph/static/`` with every value escaped."""
    named = "".join(
        _fill(
            "named-query.html",
            HREF=quote(q.name),
            NAME=html.escape(q.name),
            TITLE=html.escape(q.title),
            DESCRIPTION=html.escape(q.description),
        )
        for q in query.named_queries()
    )
    views = _views(options.views)
    if views:
        items = "".join(_fill("view-link.html", HREF=quote(v), NAME=html.escape(v)) for v in views)
        shown = _fill("view-list.html", ITEMS=items)
    else:
        where = html.escape(str(options.views)) if options.views else "no folder was given (--views)"
        shown = _fill("no-views.html", WHERE=where)
    page = _fill(
        "index.html",
        STORE=html.escape(str(options.store)),
        ENDPOINT="/sparql",
        TIMEOUT=f"{options.timeout:g}",
        PREFIXES=", ".join(_fill("prefix.html", PREFIX=html.escape(p)) for p in sorted(PREFIXES)),
        QUERIES=named,
        VIEWS=shown,
    )
    return (page + "\n").encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    """One request: check the Host, route by path, answer with a complete body or an error."""

    server: Endpoint

    def version_string(self) -> str:
        """The Server header: the program, no versions."""
        return "dprk-kg"

    def log_message(self, format: str, *args) -> None:
        if self.server.options.log is not None:
            self.server.options.log(f"{self.address_string()} {format % args}")

    # -- answers -------------------------------------------------------------------------

    def _cors_headers(self) -> None:
        origin = self.server.options.cors
        if origin is not None and self.headers.get("Origin") == origin:
            self.send_header("Access-Control-Allow-Origin", origin)
        if origin is not None:
            self.send_header("Vary", "Origin")

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self._cors_headers()
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, f"Error: {message}\n".encode(), "text/plain; charset=utf-8", headers)

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        if host in self.server.hosts:
            return True
        self._error(
            403,
            f"Host {host or '(none)'!r} is refused: this server answers only "
            f"requests addressed to {', '.join(sorted(self.server.hosts))}",
        )
        return False

    # -- methods ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        if not self._host_ok():
            return
        path = unquote(urlsplit(self.path).path)
        if path in _ENDPOINTS:
            self._query()
        elif path == "/":
            self._send(
                200, start_page(self.server.options), "text/html; charset=utf-8", {"Content-Security-Policy": PAGE_CSP}
            )
        elif path in _STATIC:
            self._send(200, _static(path[1:]), _STATIC[path])
        elif path.startswith("/queries/") and path.endswith(".rq"):
            self._named_query(path[len("/queries/") : -len(".rq")])
        elif path.startswith("/views/"):
            self._view(path[len("/views/") :])
        else:
            self._error(404, f"nothing at {path}: the endpoint is /sparql, the start page /")

    def do_POST(self) -> None:
        if not self._host_ok():
            return
        if urlsplit(self.path).path in _ENDPOINTS:
            self._query()
        else:
            self._error(405, "this server is read-only: only /sparql takes POST, for queries", {"Allow": "GET"})

    def _refuse_write(self) -> None:
        if self._host_ok():
            self._error(
                405,
                f"{self.command} is refused: this server is read-only (no updates, no Graph Store writes)",
                {"Allow": "GET, POST, OPTIONS"},
            )

    do_PUT = do_DELETE = do_PATCH = _refuse_write

    def do_OPTIONS(self) -> None:
        if not self._host_ok():
            return
        headers = {"Allow": "GET, POST, OPTIONS"}
        if self.server.options.cors is not None and self.headers.get("Origin") == self.server.options.cors:
            headers.update(
                {
                    "Access-Control-Allow-Methods": "GET, POST",
                    "Access-Control-Allow-Headers": "Content-Type, Accept",
                    "Access-Control-Max-Age": "600",
                }
            )
        self._send(204, b"", "text/plain; charset=utf-8", headers)

    # -- routes ----------------------------------------------------------------------------

    def _named_query(self, name: str) -> None:
        found = {q.name: q for q in query.named_queries()}.get(name)
        if found is None:
            self._error(404, f"no named query {name!r}")
        else:
            self._send(200, found.text.encode("utf-8"), "application/sparql-query; charset=utf-8")

    def _view(self, name: str) -> None:
        folder = self.server.options.views
        if folder is None or name not in _views(folder):
            self._error(404, f"no view {name!r}")
            return
        data = (Path(folder) / name).read_bytes()
        self._send(200, data, "text/html; charset=utf-8", {"Content-Security-Policy": "frame-ancestors 'none'"})

    def _body(self) -> bytes:
        if self.command != "POST":
            return b""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise protocol.ProtocolError(411, "send the body with a Content-Length, not chunked")
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit():
            raise protocol.ProtocolError(411, "a POST needs a Content-Length")
        if int(length) > MAX_BODY:
            raise protocol.ProtocolError(413, f"the request body is over {MAX_BODY:,} bytes")
        return self.rfile.read(int(length))

    def _query(self) -> None:
        """Parse, check, run and answer one query; every failure is one plain-text error."""
        try:
            status, body, content_type = self._answer()
        except protocol.ProtocolError as exc:
            headers = {"Allow": "GET, POST, OPTIONS"} if exc.status == 405 else None
            self._error(exc.status, str(exc), headers)
        except QueryTimeout as exc:
            self._error(503, str(exc))
        except ResultTooLarge as exc:
            self._error(507, str(exc))
        except InputError as exc:
            self._error(400, str(exc))
        except DprkKgError as exc:
            self._error(503, str(exc))
        except Exception as exc:
            self._error(500, f"the server failed: {type(exc).__name__}")
            raise
        else:
            self._send(status, body, content_type)

    def _answer(self) -> tuple[int, bytes, str]:
        options = self.server.options
        request = protocol.parse_request(
            self.command, urlsplit(self.path).query, self.headers.get("Content-Type"), self._body()
        )
        accept = self.headers.get("Accept")
        results_fmt = protocol.negotiate(accept, protocol.RESULT_TYPES)
        graph_fmt = protocol.negotiate(accept, protocol.GRAPH_TYPES)
        if results_fmt is None and graph_fmt is None:
            raise protocol.ProtocolError(406, self._not_acceptable(accept))
        try:
            query.check_safe(request.text)
        except InputError as exc:
            raise protocol.ProtocolError(403, str(exc)) from None
        if not self.server.slots.acquire(timeout=options.timeout):
            raise protocol.ProtocolError(
                503, f"all {options.workers} query slots stayed busy for {options.timeout:g} s; try again"
            )
        try:
            result = self._run(request, results_fmt or "json", graph_fmt or "turtle")
        finally:
            self.server.slots.release()
        fmt = graph_fmt if result.kind == "graph" else results_fmt
        if fmt is None:
            raise protocol.ProtocolError(406, self._not_acceptable(accept))
        return 200, result.data, protocol.CONTENT_TYPES[fmt]

    def _run(self, request: protocol.QueryRequest, results_fmt: str, graph_fmt: str) -> query.QueryResult:
        """Run the query; if the store's files changed under it (a rebuild or an import deleted
        a file its read-only view still listed), run it again on the store as it now is."""
        options = self.server.options
        attempt = 1
        while True:
            try:
                return query.run_query(
                    options.store,
                    request.text,
                    results_fmt,
                    options.timeout,
                    graph_fmt=graph_fmt,
                    dataset=request.dataset,
                    max_bytes=options.max_result,
                )
            except StoreError as exc:
                if attempt == STORE_ATTEMPTS:
                    raise
                self.log_message("store changed while reading (%s); running the query again", exc)
                time.sleep(RETRY_PAUSE * 2 ** (attempt - 1))
                attempt += 1

    @staticmethod
    def _not_acceptable(accept: str | None) -> str:
        return (
            f"cannot answer in {accept!r}: SELECT and ASK answer in "
            f"{', '.join(dict.fromkeys(protocol.RESULT_TYPES))}; CONSTRUCT and DESCRIBE in "
            f"{', '.join(protocol.GRAPH_TYPES)}"
        )


def serve(options: ServeOptions, started: Callable[[str], None]) -> None:
    """Serve until interrupted: bind, call ``started`` with the start page's address, loop."""
    server = make_server(options)
    started(server.url)
    try:
        server.serve_forever()
    finally:
        server.server_close()
