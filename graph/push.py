"""Push the store's named graphs to a team's SPARQL 1.1 server, one graph at a time, so that
readers on the server see each graph old or new, never empty or half-loaded.

For each graph: its N-Triples are PUT (Graph Store HTTP Protocol) into a fresh staging graph
``urn:dprk-kg:staging:<run>/<n>``, the server's triple count of that staging graph is checked
against the number sent, and one ``MOVE SILENT`` puts it in place. The count check matters on
Virtuoso, where a MOVE from a missing graph empties the target, and where ``INSERT DATA`` of a
few thousand triples fails (so nothing is sent as INSERT DATA). Graphs of the project that the
store no longer holds are dropped; graphs outside the project's namespace (the server's own, or
another team's) are never touched.

The run marker graph ``urn:dprk-kg:push`` is dropped first and written last: it names the build
(a digest of every graph pushed), when, and each graph with its triple count and digest. While a
push runs, or after one failed, the server has no marker. A failure stops at that graph, names
it with the server's status and message, leaves that graph's live version as it was, and a
re-run converges (leftover staging graphs are dropped).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DprkKgError, InputError, StoreError
from .remote import MARKER_GRAPH, PROJECT_GRAPHS, Server, shown
from .storage import STAGING

if TYPE_CHECKING:
    import pyoxigraph as ox

Progress = Callable[[str], None]

#: Graphs this large go to a staging graph through the Oxigraph server's bulk loader; below it
#: the loader's fixed cost (about 0.3 s a graph) outweighs what it saves.
BULK_ABOVE = 50_000
#: Graphs new on a server that loads atomically go in requests of at least this many triples
#: (whole graphs), so the server indexes one while the next is read from the store.
LOAD_BATCH = 50_000
_DCT = "http://purl.org/dc/terms/"
_VOID = "http://rdfs.org/ns/void#"
_XSD = "http://www.w3.org/2001/XMLSchema#"


def _quiet(_: str) -> None:
    """Progress sink that prints nothing."""


@dataclass(frozen=True)
class PushedGraph:
    """One graph sent: its IRI, triple count and the digest of its N-Triples."""

    graph: str
    triples: int
    digest: str
    sent: bool = True  # False: the server already held this content (marker digest and count)


@dataclass(frozen=True)
class PushReport:
    """What a push did: the server, the build it now holds, graphs sent and graphs dropped."""

    endpoint: str
    server: str
    build: str
    pushed: list[PushedGraph]
    dropped: list[str]
    seconds: float

    @property
    def triples(self) -> int:
        """Triples the server holds for the graphs pushed, sent or already there."""
        return sum(g.triples for g in self.pushed)

    @property
    def unchanged(self) -> list[PushedGraph]:
        """Graphs the server already held with the same content: not sent again."""
        return [g for g in self.pushed if not g.sent]


def _chosen(names: list[str], wanted: Sequence[str]) -> list[str]:
    """The graphs to push: all of the store's, or those named (IRI or prefixed name)."""
    from .terms import expand

    if not wanted:
        return names
    chosen = []
    for name in wanted:
        iri = expand(name)
        if iri not in names:
            raise InputError(f"--graph {name}: the store has no such graph (list them with `dprk-kg sources`)")
        chosen.append(iri)
    return sorted(set(chosen))


def _name(graph: str) -> str:
    """A graph as shown: its prefixed name, or its IRI in brackets (the ontology graph).

    >>> _name("https://w3id.org/dprk-kg/dataset/mitre-attack"), _name("https://w3id.org/dprk-kg/ns#")
    ('dataset:mitre-attack', '<https://w3id.org/dprk-kg/ns#>')
    """
    from .terms import shorten

    name = shorten(graph)
    return name if name != graph else f"<{graph}>"


def _failed(graphs: list[str], exc: DprkKgError, done: int) -> DprkKgError:
    """The error of one graph (or of one request of several), naming it and what was left, with
    the original exit code."""
    what = f"graph {_name(graphs[0])}" + (f" (and {len(graphs) - 1} more in the same request)" if graphs[1:] else "")
    return type(exc)(
        f"{what}: {exc}; its live version is left as it was "
        f"({done} graph(s) pushed before it); re-run `dprk-kg push` to finish"
    )


def marker_triples(build: str, pushed_at: str, entries: dict[str, tuple[int, str]]) -> bytes:
    """The run marker as N-Triples: build digest, time, and each graph's triples and digest.

    >>> text = marker_triples("b1", "2026-01-01T00:00:00Z", {"https://e.org/g": (3, "d1")}).decode()
    >>> print(text.replace("http://purl.org/dc/terms/", "dct:").replace("http://rdfs.org/ns/void#", "void:")
    ...       .replace("http://www.w3.org/2001/XMLSchema#", "xsd:"), end="")
    <urn:dprk-kg:push> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <void:Dataset> .
    <urn:dprk-kg:push> <dct:identifier> "b1" .
    <urn:dprk-kg:push> <dct:modified> "2026-01-01T00:00:00Z"^^<xsd:dateTime> .
    <urn:dprk-kg:push> <void:triples> "3"^^<xsd:integer> .
    <urn:dprk-kg:push> <dct:hasPart> <https://e.org/g> .
    <https://e.org/g> <void:triples> "3"^^<xsd:integer> .
    <https://e.org/g> <dct:identifier> "d1" .
    """
    import pyoxigraph as ox

    marker = ox.NamedNode(MARKER_GRAPH)
    integer = ox.NamedNode(_XSD + "integer")
    triples = [
        ox.Triple(
            marker, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(_VOID + "Dataset")
        ),
        ox.Triple(marker, ox.NamedNode(_DCT + "identifier"), ox.Literal(build)),
        ox.Triple(
            marker, ox.NamedNode(_DCT + "modified"), ox.Literal(pushed_at, datatype=ox.NamedNode(_XSD + "dateTime"))
        ),
        ox.Triple(
            marker,
            ox.NamedNode(_VOID + "triples"),
            ox.Literal(str(sum(n for n, _ in entries.values())), datatype=integer),
        ),
    ]
    for graph, (count, digest) in sorted(entries.items()):
        node = ox.NamedNode(graph)
        triples += [
            ox.Triple(marker, ox.NamedNode(_DCT + "hasPart"), node),
            ox.Triple(node, ox.NamedNode(_VOID + "triples"), ox.Literal(str(count), datatype=integer)),
            ox.Triple(node, ox.NamedNode(_DCT + "identifier"), ox.Literal(digest)),
        ]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def build_id(entries: dict[str, tuple[int, str]]) -> str:
    """The digest that names a build: every graph's IRI, triple count and content digest.

    >>> build_id({"https://e.org/g": (3, "d1")}) == build_id({"https://e.org/g": (3, "d2")})
    False
    """
    digest = hashlib.sha256()
    for graph, (count, content) in sorted(entries.items()):
        digest.update(f"{graph} {count} {content}\n".encode())
    return digest.hexdigest()


class _Loader:
    """Sends N-Quads requests of graphs new on the server from a second thread with its own
    connection, and counts each request's graphs on the server once it is loaded, so the server
    indexes one request while the next is read from the store. The first failure is kept and
    raised by ``add`` or ``finish``; later requests are not sent."""

    def __init__(self, server: Server):
        import queue
        import threading

        self._server = server.copy()
        self._queue: queue.Queue[tuple[list[tuple[str, int]], bytes] | None] = queue.Queue(maxsize=1)
        self._failure: tuple[list[str], DprkKgError] | None = None
        #: Graphs the server accepted: (IRI, triples sent, triples the server then held).
        self.loaded: list[tuple[str, int, int]] = []
        self._thread = threading.Thread(target=self._run, name="dprk-kg push loader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            graphs, body = item
            if self._failure is not None:
                continue
            try:
                self._server.load_quads(body)
                found = self._server.counts_of([g for g, _ in graphs])
            except DprkKgError as exc:
                self._failure = ([g for g, _ in graphs], exc)
            else:
                self.loaded += [(g, n, found[g]) for g, n in graphs]

    def _check(self) -> None:
        if self._failure is not None:
            graphs, exc = self._failure
            raise _failed(graphs, exc, len(self.loaded))

    def add(self, graphs: list[tuple[str, int]], nquads: bytes) -> None:
        """Queue one request: ``graphs`` (IRI, triples) and their N-Quads."""
        self._check()
        self._queue.put((graphs, nquads))

    def finish(self, server: Server) -> None:
        """Wait for every queued request and raise the first failure; then a graph the server
        holds a different number of triples of than was sent is dropped again (it was not on
        the server before) and named."""
        self._queue.put(None)
        self._thread.join()
        self._server.close()
        self._check()
        wrong = [(g, sent, found) for g, sent, found in self.loaded if found != sent]
        for graph, _, _ in wrong:
            server.update(f"DROP SILENT GRAPH <{graph}>")
        if wrong:
            graph, sent, found = wrong[0]
            error = StoreError(f"the server holds {found:,} of the {sent:,} triples sent; dropped it again")
            raise _failed([graph], error, len(self.loaded) - len(wrong))


def _read(local: ox.Store, graphs: list[str]) -> Iterator[tuple[str, bytes]]:
    """Each graph and its N-Triples, in order, read by two threads a graph or two ahead
    (pyoxigraph lets go of the interpreter while it dumps): reading the store is most of a
    push's own work."""
    import pyoxigraph as ox

    def dump(graph: str) -> bytes:
        return local.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""

    waiting = iter(graphs)
    with ThreadPoolExecutor(2, thread_name_prefix="dprk-kg push reader") as pool:
        ahead = deque((g, pool.submit(dump, g)) for g in islice(waiting, 2))
        while ahead:
            graph, data = ahead.popleft()
            following = next(waiting, None)
            if following is not None:
                ahead.append((following, pool.submit(dump, following)))
            yield graph, data.result()


def _staged(server: Server, graph: str, staging: str, data: bytes, count: int) -> None:
    """Replace a graph through a staging graph: PUT, count check, one MOVE."""
    server.put_graph(staging, data, bulk=count > BULK_ABOVE)
    found = server.count(staging)
    if found != count:
        server.update(f"DROP SILENT GRAPH <{staging}>")
        raise StoreError(f"the server holds {found:,} of the {count:,} triples sent to staging graph <{staging}>")
    server.update(f"MOVE SILENT GRAPH <{staging}> TO <{graph}>")


def push(store_path: Path, server: Server, graphs: Sequence[str] = (), progress: Progress = _quiet) -> PushReport:
    """Push the store's named graphs (all, or those in ``graphs``) to ``server``.

    Returns a PushReport; raises the project's errors, naming the graph, on the first failure.
    """
    import pyoxigraph as ox

    from .storage import ensure_current, open_ox

    started = time.perf_counter()
    ensure_current(store_path, progress)
    local = open_ox(Path(store_path), read_only=True)
    names = sorted(g.value for g in local.named_graphs() if isinstance(g, ox.NamedNode))
    outside = [g for g in names if not g.startswith(PROJECT_GRAPHS)]
    if outside:
        raise InputError(
            f"the store holds graphs outside {PROJECT_GRAPHS}: {', '.join(outside[:3])}; "
            "only the project's graphs are pushed"
        )
    chosen = _chosen(names, graphs)
    progress(f"reading what {shown(server.endpoint)} holds")
    previous = server.marker()
    on_server = server.counts((PROJECT_GRAPHS, STAGING))
    server.update(f"DROP SILENT GRAPH <{MARKER_GRAPH}>")
    for leftover in (g for g in on_server if g.startswith(STAGING)):
        server.update(f"DROP SILENT GRAPH <{leftover}>")
    entries: dict[str, tuple[int, str]] = {}
    if graphs:  # a partial push keeps what the last marker said of the other graphs
        for key, value in previous.items():
            triples, _, content = value.partition(" ")
            if key.startswith(PROJECT_GRAPHS) and key in on_server and key not in chosen:
                entries[key] = (int(triples), content)
    run = uuid.uuid4().hex
    pushed: list[PushedGraph] = []
    loader = _Loader(server) if server.loads_atomically else None
    batch: list[tuple[str, int]] = []
    parts: list[bytes] = []
    for number, (graph, data) in enumerate(_read(local, chosen)):
        count, digest = data.count(b"\n"), hashlib.sha256(data).hexdigest()
        entries[graph] = (count, digest)
        if count and on_server.get(graph) == count and previous.get(graph) == f"{count} {digest}":
            progress(f"unchanged {_name(graph)}: {count:,} triples, already on the server")
            pushed.append(PushedGraph(graph, count, digest, sent=False))
            continue
        progress(f"pushing {_name(graph)}: {count:,} triples")
        pushed.append(PushedGraph(graph, count, digest))
        if loader is not None and count and graph not in on_server:
            # no reader relies on this graph yet: load it under its name, atomically
            parts.append(data.replace(b" .\n", f" <{graph}> .\n".encode()))
            batch.append((graph, count))
            if sum(n for _, n in batch) >= LOAD_BATCH:
                loader.add(batch, b"".join(parts))
                batch, parts = [], []
            continue
        try:
            if count == 0:
                server.update(f"DROP SILENT GRAPH <{graph}>")
            else:
                _staged(server, graph, f"{STAGING}{run}/{number}", data, count)
        except DprkKgError as exc:
            raise _failed([graph], exc, len(pushed) - 1) from None
    if loader is not None:
        if batch:
            loader.add(batch, b"".join(parts))
        loader.finish(server)
    dropped = [] if graphs else sorted(g for g in on_server if g.startswith(PROJECT_GRAPHS) and g not in chosen)
    for graph in dropped:
        progress(f"dropping {_name(graph)}: no longer in the store")
        try:
            server.update(f"DROP SILENT GRAPH <{graph}>")
        except DprkKgError as exc:
            raise _failed([graph], exc, len(pushed)) from None
    build = build_id(entries)
    pushed_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    server.put_graph(MARKER_GRAPH, marker_triples(build, pushed_at, entries))
    return PushReport(server.endpoint, server.product, build, pushed, dropped, time.perf_counter() - started)
