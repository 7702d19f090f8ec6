"""Whole-store dumps (``dprk-kg dump``) and their restore (``dprk-kg load-dump``).

A dump holds every graph of the store, curated and imported, as N-Quads or TriG. It is sorted
(graphs by IRI, the default graph first; within a graph, triples by their N-Triples line, in
code-point order), so the same store always gives the same bytes, and it streams: a graph's
triples are read from the store one by one and sorted in runs of ``chunk`` lines that are
merged from disk, so memory stays bounded whatever the store's size. The first line, a comment,
records the fingerprint of the curated sources the store was built from; ``load_dump`` restores
it with the quads (blank node labels kept), so a second dump of the restored store is
byte-identical to the first.

>>> import tempfile, io
>>> from graph import store
>>> folder = Path(tempfile.mkdtemp())
>>> store.replace_graphs(folder / "a", b'<https://e.org/s> <https://e.org/p> "o" <https://e.org/g> .\\n',
...                      lambda g: False)
>>> out = io.BytesIO()
>>> dump_store(folder / "a", out).quads
1
>>> print(out.getvalue().decode(), end="")
# dprk-kg dump
<https://e.org/s> <https://e.org/p> "o" <https://e.org/g> .
"""

from __future__ import annotations

import heapq
import itertools
import os
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from . import storage
from . import store as stores
from .errors import InputError, OutputError, StoreError
from .files import regular
from .journal import writing
from .namespace import PREFIXES
from .terms import expand

FORMATS = ("nquads", "trig")
#: Lines sorted in memory at once; longer graphs are sorted in runs merged from disk.
CHUNK_LINES = 200_000
HEADER = b"# dprk-kg dump"
_FINGERPRINT = re.compile(rb"# dprk-kg dump; curated sources fingerprint ([0-9a-f]{64})\n")
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_LITERAL = re.compile(r'("(?:[^"\\]|\\.)*")\^\^<([^>]*)>')
_LOCAL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class DumpReport:
    """What a dump wrote: the file (None for a stream), format, graphs, quads and time."""

    out: Path | None
    fmt: str
    graphs: int
    quads: int
    seconds: float


@dataclass(frozen=True)
class LoadReport:
    """What a restore loaded into the store."""

    file: Path
    store: Path
    graphs: int
    quads: int
    fingerprint: bool
    seconds: float


def _graph_names(db, wanted: Sequence[str] | None) -> list:
    """The graphs to dump, sorted: the default graph first when it holds anything, then the
    named graphs by IRI, without the staging graphs of an interrupted import."""
    import pyoxigraph as ox

    named = sorted(
        (g for g in db.named_graphs() if isinstance(g, ox.NamedNode) and not g.value.startswith(storage.STAGING)),
        key=lambda g: g.value,
    )
    if wanted:
        by_iri = {g.value: g for g in named}
        missing = [w for w in wanted if expand(w) not in by_iri]
        if missing:
            import difflib

            close = difflib.get_close_matches(expand(missing[0]), by_iri, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else "; `dprk-kg sources` lists them"
            raise InputError(f"--graph {missing[0]}: no such graph in the store{hint}")
        return [by_iri[iri] for iri in sorted({expand(w) for w in wanted})]
    default = next(iter(db.quads_for_pattern(None, None, None, ox.DefaultGraph())), None)
    return ([ox.DefaultGraph()] if default is not None else []) + named


def _sorted_lines(lines: Iterator[str], workdir: Path, chunk: int) -> Iterator[str]:
    """``lines`` in code-point order, holding at most ``chunk`` of them in memory: sorted runs
    are written to ``workdir`` and merged."""
    runs: list[Path] = []
    while True:
        batch = list(itertools.islice(lines, chunk))
        if not batch:
            break
        batch.sort()
        if not runs and len(batch) < chunk:
            yield from batch
            return
        run = workdir / f"run-{len(runs)}"
        run.write_text("".join(batch), encoding="utf-8")
        runs.append(run)
        del batch
    with ExitStack() as stack:
        yield from heapq.merge(*(stack.enter_context(open(r, encoding="utf-8", newline="\n")) for r in runs))


def _short(iri: str) -> str:
    """``<iri>`` as a project prefixed name when its local part is plainly safe."""
    value = iri[1:-1]
    for prefix, namespace in _NAMESPACES:
        if value.startswith(namespace) and _LOCAL.fullmatch(value[len(namespace) :]):
            return f"{prefix}:{value[len(namespace) :]}"
    return iri


_NAMESPACES = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def _object(term: str) -> str:
    if term.startswith("<"):
        return _short(term)
    match = _LITERAL.fullmatch(term)
    return f"{match.group(1)}^^{_short('<' + match.group(2) + '>')}" if match else term


def _write_trig_graph(out: BinaryIO, name: str | None, lines: Iterator[str]) -> int:
    """One graph as a TriG block, a subject's triples joined with ``;``; returns the count."""
    count, subject = 0, None
    indent = "    " if name is not None else ""
    if name is not None:
        out.write(f"\n{_short(name)} {{\n".encode())
    for line in lines:
        s, p, o = line[:-3].split(" ", 2)
        p = "a" if p == _RDF_TYPE else _short(p)
        if s == subject:
            text = f" ;\n{indent}    {p} {_object(o)}"
        else:
            text = (" .\n" if subject is not None else "") + f"{indent}{_short(s)} {p} {_object(o)}"
            subject = s
        out.write(text.encode("utf-8"))
        count += 1
    if subject is not None:
        out.write(b" .\n")
    if name is not None:
        out.write(b"}\n")
    return count


def dump_store(
    store_path: Path, out: BinaryIO, fmt: str = "nquads", graphs: Sequence[str] | None = None, chunk: int = CHUNK_LINES
) -> DumpReport:
    """Write the store's graphs (all, or ``graphs``) to ``out``, sorted, in bounded memory."""
    import pyoxigraph as ox

    if fmt not in FORMATS:
        raise InputError(f"unknown dump format {fmt!r}; choose one of {', '.join(FORMATS)}")
    started = time.perf_counter()
    if not Path(store_path).is_dir():
        raise StoreError(f"no store at {store_path}: run `dprk-kg build` first")
    built = storage.built_from(Path(store_path))
    fingerprint = built.fingerprint if built else None
    db = storage.open_ox(store_path, read_only=True)
    names = _graph_names(db, graphs)
    out.write(HEADER + (f"; curated sources fingerprint {fingerprint}".encode() if fingerprint else b"") + b"\n")
    if fmt == "trig":
        out.write("".join(f"@prefix {p}: <{iri}> .\n" for p, iri in sorted(PREFIXES.items())).encode())
    quads = 0
    with tempfile.TemporaryDirectory(prefix="dprk-kg-dump-") as workdir:
        for graph in names:
            triples = (
                f"{q.subject} {q.predicate} {q.object} .\n" for q in db.quads_for_pattern(None, None, None, graph)
            )
            lines = _sorted_lines(triples, Path(workdir), chunk)
            is_named = isinstance(graph, ox.NamedNode)
            if fmt == "trig":
                quads += _write_trig_graph(out, f"<{graph.value}>" if is_named else None, lines)
                continue
            suffix = f" <{graph.value}> .\n" if is_named else " .\n"
            for line in lines:
                out.write((line[:-3] + suffix).encode("utf-8"))
                quads += 1
    del db
    return DumpReport(None, fmt, len(names), quads, time.perf_counter() - started)


@contextmanager
def _atomic(path: Path) -> Iterator[BinaryIO]:
    """A file handle whose content replaces ``path`` only once all of it is written and synced;
    on any failure the temporary file goes and ``path`` is left as it was."""
    path = Path(path)
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(name, 0o644)
        os.replace(name, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from exc
    finally:
        Path(name).unlink(missing_ok=True)


def write_dump(
    store_path: Path, out_path: Path, fmt: str = "nquads", graphs: Sequence[str] | None = None, chunk: int = CHUNK_LINES
) -> DumpReport:
    """Dump the store to ``out_path`` atomically (a crash leaves the old file or the new)."""
    with _atomic(out_path) as handle:
        report = dump_store(store_path, handle, fmt, graphs, chunk)
    return DumpReport(Path(out_path), fmt, report.graphs, report.quads, report.seconds)


def format_of(path: Path) -> str:
    """The dump format a file name says (.nq, .nquads, .trig), else InputError."""
    suffix = Path(path).suffix.lower()
    formats = {".nq": "nquads", ".nquads": "nquads", ".trig": "trig"}
    if suffix not in formats:
        raise InputError("cannot tell the format from the file name; give --format nquads or trig", path)
    return formats[suffix]


def load_dump(store_path: Path, file: Path, fmt: str | None = None, replace: bool = False) -> LoadReport:
    """Restore a dump into the store at ``store_path``, which must be empty (or is replaced
    as a whole with ``replace``, in one transaction: readers see the old store or the new)."""
    import pyoxigraph as ox

    started = time.perf_counter()
    file = regular(Path(file))
    fmt = fmt or format_of(file)
    rdf_format = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}[fmt]
    with open(file, "rb") as handle:
        first = chunk = handle.readline()
        while not chunk.strip():
            chunk = handle.read(1 << 16)
            if not chunk:
                raise InputError("empty file: a dump starts with its header line", file)
        match = _FINGERPRINT.match(first)
    fingerprint = match.group(1).decode() if match else None
    db = storage.open_ox(store_path)
    try:
        if next(iter(db), None) is not None:
            if not replace:
                raise InputError(
                    f"the store at {store_path} is not empty; load-dump restores into an "
                    "empty store: give another --store, or --replace to replace all of it"
                )
        else:
            replace = False
            _load_empty(db, Path(store_path), file, rdf_format, fingerprint)
    finally:
        del db
    if replace:
        _replace(Path(store_path), file, rdf_format, fingerprint)
    db = storage.open_ox(store_path, read_only=True)
    try:
        graphs, quads = sum(1 for _ in db.named_graphs()), len(db)
    finally:
        del db
    return LoadReport(file, Path(store_path), graphs, quads, fingerprint is not None, time.perf_counter() - started)


def _quads(file: Path, rdf_format) -> Iterator:
    """The quads of a dump; a literal holding a terminal control character or a bidi override
    is refused (no dump written by dprk-kg holds one: curated files refuse them, imports escape
    them), so none reaches a terminal through a reading command."""
    import pyoxigraph as ox

    from .render import safe

    for number, quad in enumerate(ox.parse(path=str(file), format=rdf_format), 1):
        if isinstance(quad.object, ox.Literal) and safe(quad.object.value) != quad.object.value:
            shown = safe(quad.object.value)[:60]
            raise InputError(
                f'quad {number:,}: control character in literal "{shown}" (a dump of dprk-kg holds none)', file
            )
        yield quad


def _load_empty(db, store_path: Path, file: Path, rdf_format, fingerprint: str | None) -> None:
    """Stream the dump into an empty store, keeping blank node labels, as a marked write: on
    failure the store is emptied again (by the next command after a crash). The fingerprint is
    written last, so an interrupted load reads as stale."""
    storage.write_stamp(store_path, None)
    try:
        with writing(store_path, db):
            db.bulk_extend(_quads(file, rdf_format))
    except SyntaxError as exc:
        raise InputError(f"not a valid dump: {exc}", file) from None
    if fingerprint:
        storage.write_stamp(store_path, storage.stamp_text(fingerprint))


def _replace(store_path: Path, file: Path, rdf_format, fingerprint: str | None) -> None:
    """Replace every graph of a non-empty store with the dump's, in one transaction."""
    import pyoxigraph as ox

    if fingerprint is None:
        storage.write_stamp(store_path, None)
    try:
        nquads = ox.serialize(_quads(file, rdf_format), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        raise InputError(f"not a valid dump: {exc}", file) from None
    stores.replace_graphs(
        store_path, nquads or b"", lambda g: True, storage.stamp_text(fingerprint) if fingerprint else None
    )
