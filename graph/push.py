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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import DprkKgError, InputError, StoreError
from .remote import MARKER_GRAPH, PROJECT_GRAPHS, Server, shown
from .storage import STAGING

Progress = Callable[[str], None]

#: Graphs this large go to a staging graph through the Oxigraph server's bulk loader; below it
#: the loader's fixed cost (about 0.3 s a graph) outweighs what it saves.
BULK_ABOVE = 50_000
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
        """Triples sent in all."""
        return sum(g.triples for g in self.pushed)


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


def _failed(graph: str, exc: DprkKgError, done: int) -> DprkKgError:
    """The error of one graph, naming it and what was left, with the original exit code."""
    return type(exc)(
        f"graph {_name(graph)}: {exc}; its live version is left as it was "
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
    on_server = server.graphs((PROJECT_GRAPHS, STAGING))
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
    for number, graph in enumerate(chosen):
        data = local.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""
        count, digest = data.count(b"\n"), hashlib.sha256(data).hexdigest()
        progress(f"pushing {_name(graph)}: {count:,} triples")
        staging = f"{STAGING}{run}/{number}"
        try:
            if count == 0:
                server.update(f"DROP SILENT GRAPH <{graph}>")
            else:
                server.put_graph(staging, data, bulk=count > BULK_ABOVE)
                found = server.count(staging)
                if found != count:
                    server.update(f"DROP SILENT GRAPH <{staging}>")
                    raise StoreError(
                        f"the server holds {found:,} of the {count:,} triples sent to staging graph <{staging}>"
                    )
                server.update(f"MOVE SILENT GRAPH <{staging}> TO <{graph}>")
        except DprkKgError as exc:
            raise _failed(graph, exc, len(pushed)) from None
        entries[graph] = (count, digest)
        pushed.append(PushedGraph(graph, count, digest))
    dropped = [] if graphs else [g for g in on_server if g.startswith(PROJECT_GRAPHS) and g not in chosen]
    for graph in dropped:
        progress(f"dropping {_name(graph)}: no longer in the store")
        try:
            server.update(f"DROP SILENT GRAPH <{graph}>")
        except DprkKgError as exc:
            raise _failed(graph, exc, len(pushed)) from None
    build = build_id(entries)
    pushed_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    server.put_graph(MARKER_GRAPH, marker_triples(build, pushed_at, entries))
    return PushReport(server.endpoint, server.product, build, pushed, dropped, time.perf_counter() - started)
