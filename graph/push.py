"""Push the store's named graphs to a team's SPARQL 1.1 server so that readers on the server see
each graph old or new, never empty or half-loaded, choosing per graph the cheapest way that
keeps that promise:

* a graph whose content the server already holds (the digest and triple count the last push's
  marker recorded, and the same count on the server now) is not sent again;
* a graph the server does not hold yet, on a server that loads one request atomically (the
  Oxigraph server from 0.5.0: its bulk loader ingests all it parsed in one step at the end), is
  loaded under its own name, several whole graphs a request (``LOAD_BATCH``), each request's
  graphs counted on the server afterwards; a graph whose count differs is dropped again (it was
  not there before). On Oxigraph a ``MOVE`` is a transactional copy, quad by quad, several
  times slower than this load;
* any other graph is PUT (Graph Store HTTP Protocol) into a fresh staging graph
  ``urn:dprk-kg:staging:<run>/<n>``, the server's count of the staging graph is checked against
  the number sent, and one ``MOVE SILENT`` puts it in place. The count check matters on Virtuoso,
  where a PUT is not atomic, a MOVE from a missing graph empties the target, and ``INSERT DATA``
  of a few thousand triples fails (so nothing is sent as INSERT DATA).

The store is read by two threads while other threads send (one request at a time per path: the
server indexes a request while the next graphs are read). Graphs of the project that the store
no longer holds are dropped; graphs outside the project's namespace (the server's own, or
another team's) are never touched.

The run marker graph ``urn:dprk-kg:push`` is dropped first and written last: it names the build
(a digest of every graph pushed), when, and each graph with its triple count and digest. While a
push runs, or after one failed, the server has no marker. A failure stops the push, names the
graph with the server's status and message, leaves its live version as it was, and a re-run
converges (leftover staging graphs are dropped).
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
#: A request (or a few) about some graphs, sent on a connection of its own: returns the triple
#: counts it found on the server, or {} when it checked them itself.
Job = Callable[[Server], dict[str, int]]

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


class _Senders:
    """Requests sent by ``threads`` other threads, each with its own connection to the server,
    while the main thread reads the store. A job is a function of a Server that returns the
    triple counts it found on the server ({} when it checked them itself). The first failure is
    kept with the graphs it concerns; later jobs are skipped; ``add`` and ``check`` raise it."""

    def __init__(self, server: Server, threads: int):
        import queue
        import threading

        self._queue: queue.Queue[tuple[list[str], Job] | None] = queue.Queue()
        self._free = threading.Semaphore(threads)  # a job waits while every thread is busy
        self._lock = threading.Lock()
        self._failure: tuple[list[str], Exception] | None = None
        self._stopped = False
        #: Graphs whose job ended well, and the counts the jobs found on the server.
        self.done: list[str] = []
        self.found: dict[str, int] = {}
        self._threads = [
            threading.Thread(target=self._run, args=(server.copy(),), name="dprk-kg push sender", daemon=True)
            for _ in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def _run(self, server: Server) -> None:
        with server:
            while (item := self._queue.get()) is not None:
                graphs, job = item
                try:
                    if self._failure is None and not self._stopped:
                        found = job(server)
                        with self._lock:
                            self.done += graphs
                            self.found.update(found)
                except Exception as exc:  # kept for the main thread, which raises it (check)
                    with self._lock:
                        self._failure = self._failure or (graphs, exc)
                finally:
                    self._free.release()

    def check(self) -> None:
        """Raise the first failure: the project's errors naming their graphs, others as they are."""
        if self._failure is not None:
            graphs, exc = self._failure
            if isinstance(exc, DprkKgError):
                raise _failed(graphs, exc, len(self.done))
            raise exc

    def add(self, graphs: list[str], job: Job) -> None:
        """Queue a job about ``graphs``, once a thread is free."""
        self.check()
        self._free.acquire()
        self._queue.put((graphs, job))

    def finish(self) -> None:
        """Wait for every queued job (``check`` then says whether one failed)."""
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()

    def abandon(self) -> None:
        """Skip the jobs not started and let the threads end (without waiting for them)."""
        self._stopped = True
        for _ in self._threads:
            self._queue.put(None)


def _drop(graph: str) -> Job:
    """The job that drops a graph the store holds empty."""

    def job(server: Server) -> dict[str, int]:
        server.update(f"DROP SILENT GRAPH <{graph}>")
        return {}

    return job


def _load(graphs: list[str], nquads: bytes) -> Job:
    """The job that loads graphs new on the server in one atomic request, then counts them."""

    def job(server: Server) -> dict[str, int]:
        server.load_quads(nquads)
        return server.counts_of(graphs)

    return job


def _drop_short(server: Server, sent: dict[str, int], found: dict[str, int], done: int) -> None:
    """A graph loaded under its name of which the server holds another number of triples than
    was sent is dropped again (it was not on the server before), and the push stops naming it."""
    wrong = [g for g, n in sent.items() if found.get(g) != n]
    for graph in wrong:
        server.update(f"DROP SILENT GRAPH <{graph}>")
    if wrong:
        graph = wrong[0]
        error = StoreError(
            f"the server holds {found.get(graph, 0):,} of the {sent[graph]:,} triples sent; dropped it again"
        )
        raise _failed([graph], error, done - len(wrong))


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


def _staged(graph: str, staging: str, data: bytes, count: int) -> Job:
    """The job that replaces a graph through a staging graph: PUT, count check, one MOVE."""

    def job(server: Server) -> dict[str, int]:
        server.put_graph(staging, data, bulk=count > BULK_ABOVE)
        found = server.count(staging)
        if found != count:
            server.update(f"DROP SILENT GRAPH <{staging}>")
            raise StoreError(f"the server holds {found:,} of the {count:,} triples sent to staging graph <{staging}>")
        server.update(f"MOVE SILENT GRAPH <{staging}> TO <{graph}>")
        return {}

    return job


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
    direct = server.loads_atomically
    # one staged graph at a time: parallel writes gained nothing clear on Virtuoso and risk its locks
    staging = _Senders(server, 1)
    loading = _Senders(server, 1) if direct else None
    loaded: dict[str, int] = {}  # graphs loaded under their names, with the triples sent
    batch: list[str] = []
    parts: list[bytes] = []
    try:
        for number, (graph, data) in enumerate(_read(local, chosen)):
            count, digest = data.count(b"\n"), hashlib.sha256(data).hexdigest()
            entries[graph] = (count, digest)
            if count and on_server.get(graph) == count and previous.get(graph) == f"{count} {digest}":
                progress(f"unchanged {_name(graph)}: {count:,} triples, already on the server")
                pushed.append(PushedGraph(graph, count, digest, sent=False))
                continue
            progress(f"pushing {_name(graph)}: {count:,} triples")
            pushed.append(PushedGraph(graph, count, digest))
            if count == 0:
                staging.add([graph], _drop(graph))
            elif loading is not None and graph not in on_server:
                # no reader relies on this graph yet: load it under its name, atomically
                parts.append(data.replace(b" .\n", f" <{graph}> .\n".encode()))
                batch.append(graph)
                loaded[graph] = count
                if sum(loaded[g] for g in batch) >= LOAD_BATCH:
                    loading.add(batch, _load(batch, b"".join(parts)))
                    batch, parts = [], []
            else:
                staging.add([graph], _staged(graph, f"{STAGING}{run}/{number}", data, count))
        if loading is not None and batch:
            loading.add(batch, _load(batch, b"".join(parts)))
    except BaseException:
        for senders in (staging, loading):
            if senders is not None:
                senders.abandon()
        raise
    staging.finish()
    if loading is not None:
        loading.finish()
        done = {g: loaded[g] for g in loading.done}
        _drop_short(server, done, loading.found, len(loading.done) + len(staging.done))
        loading.check()
    staging.check()
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
