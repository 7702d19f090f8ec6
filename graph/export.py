"""Deterministic, atomic RDF exports: one writer per format.

``graph.trig`` keeps one named graph per source. ``graph.ttl``, ``graph.nt`` and
``graph.jsonld`` are single graphs that still say where each fact comes from:

- a node whose every triple is stated by the same sources gets ``prov:wasDerivedFrom`` each of
  them (most amounts, attributions, estimates and claims are stated by one source);
- otherwise each of its triples gets an ``rdf:Statement`` node (IRI ``stmt:<hash>``) with
  ``rdf:subject``, ``rdf:predicate``, ``rdf:object`` and ``prov:wasDerivedFrom`` its sources;
- a source document's own description is stated by that document.

Every writer gets its triples in one canonical order (graph, subject, ``rdf:type`` first, then
predicate and object, each compared in N-Triples form) and Oxigraph's serializers keep that
order, so the bytes depend only on the data.

The set of files is replaced as a whole (``write_atomically``): each file is written to a
temporary sibling, the old files are hard-linked aside, and a journal naming every rename is
written before the first rename. Signals wait while the renames run; if the process dies among
them anyway (``kill -9``, power loss), the next writer to the folder finds the journal and puts
the old files back, and removes the temporary files of writers that are gone.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import signal
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .errors import Interrupted, OutputError
from .terms import PREFIXES

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_TYPE = ox.NamedNode(_RDF + "type")
_DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
#: The prefixes written at the top of the Turtle and TriG files, sorted by name.
SORTED_PREFIXES = dict(sorted(PREFIXES.items()))
_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
#: Hidden files of an unfinished set switch: temporary files, hard-linked old files, journals.
#: Every such name carries ``dprk-kg-<pid>``, so a sweep never touches a file it did not write.
TEMP_SUFFIX, BACKUP_SUFFIX, JOURNAL_PREFIX = ".tmp", ".bak", ".dprk-kg-swap."
_LEFT_BY = re.compile(r"^\..+\.dprk-kg-(\d+)\.[^.]+\.(tmp|bak)$|^\.dprk-kg-swap\.(\d+)\.json$")


def serialized(
    data: Iterable[ox.Triple] | Iterable[ox.Quad], fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None
) -> bytes:
    """Oxigraph's serialization of ``data`` in ``fmt``, as bytes."""
    out = ox.serialize(data, format=fmt, prefixes=prefixes)
    assert out is not None, "ox.serialize returns bytes when given no output"
    return out


def _key(triple: ox.Triple | ox.Quad) -> tuple[str, str, bool, str, str]:
    """The canonical order: graph, subject, ``rdf:type`` first, predicate, object."""
    graph = str(triple.graph_name) if isinstance(triple, ox.Quad) else ""
    return graph, str(triple.subject), triple.predicate != _TYPE, str(triple.predicate), str(triple.object)


def canonical(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """Quads, each once, in the canonical order."""
    return sorted(set(quads), key=_key)


def statement_iri(triple: ox.Triple) -> ox.NamedNode:
    """The stable IRI of the statement node for a triple (a digest of its N-Triples form)."""
    key = " ".join(str(term) for term in (triple.subject, triple.predicate, triple.object)).encode("utf-8")
    return ox.NamedNode(f"{PREFIXES['stmt']}{hashlib.sha256(key).hexdigest()[:24]}")


def provenance_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The union of the data graphs, with provenance links as described in the module docstring."""
    sources: dict[ox.Triple, set[Any]] = defaultdict(set)
    for quad in quads:
        sources[ox.Triple(quad.subject, quad.predicate, quad.object)].add(quad.graph_name)
    by_subject: dict[Any, list[tuple[ox.Triple, frozenset[Any]]]] = defaultdict(list)
    for triple, stated_by in sources.items():
        by_subject[triple.subject].append((triple, frozenset(stated_by)))
    out = set(sources)
    for subject, items in by_subject.items():
        source_sets = {graphs for _, graphs in items}
        if len(source_sets) == 1:
            (only,) = source_sets
            out.update(ox.Triple(subject, _DERIVED, g) for g in only if g != subject)
            continue
        for triple, graphs in items:
            node = statement_iri(triple)
            out.update(
                {
                    ox.Triple(node, _TYPE, ox.NamedNode(_RDF + "Statement")),
                    ox.Triple(node, ox.NamedNode(_RDF + "subject"), triple.subject),
                    ox.Triple(node, ox.NamedNode(_RDF + "predicate"), triple.predicate),
                    ox.Triple(node, ox.NamedNode(_RDF + "object"), triple.object),
                }
            )
            out.update(ox.Triple(node, _DERIVED, g) for g in graphs)
    return sorted(out, key=_key)


def _prefixed(data: list[ox.Triple] | list[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    """Turtle or TriG with the project prefixes, declared in name order.

    Oxigraph writes its prefix lines in an order of its own; they are replaced by ours so the
    bytes cannot depend on it.
    """
    body = serialized(data, fmt, SORTED_PREFIXES)
    lines = body.split(b"\n")
    first = next(i for i, line in enumerate(lines) if not line.startswith(b"@prefix "))
    header = "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in SORTED_PREFIXES.items())
    return header.encode("utf-8") + b"\n" + b"\n".join(lines[first:])


def turtle(merged: list[ox.Triple]) -> bytes:
    """Turtle: the merged graph with its provenance links."""
    return _prefixed(merged, ox.RdfFormat.TURTLE)


def ntriples(merged: list[ox.Triple]) -> bytes:
    """N-Triples, one line per triple, sorted."""
    lines = serialized(merged, ox.RdfFormat.N_TRIPLES).splitlines()
    return b"\n".join(sorted(set(lines))) + b"\n"


def trig(quads: list[ox.Quad]) -> bytes:
    """TriG: one named graph per source document or dataset, graphs and triples sorted."""
    return _prefixed(quads, ox.RdfFormat.TRIG)


@functools.lru_cache(maxsize=65536)
def _compact(iri: str) -> str:
    """An IRI as a compact IRI of the project prefixes where one fits (JSON-LD expands it back)."""
    for prefix, namespace in _LONGEST_FIRST:
        local = iri[len(namespace) :]
        if iri.startswith(namespace) and not local.startswith("//"):
            return f"{prefix}:{local}"
    return iri


def _node_id(term: Any) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else _compact(term.value)


def _value(term: Any) -> dict[str, str]:
    if not isinstance(term, ox.Literal):
        return {"@id": _node_id(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
        return {"@value": term.value}
    return {"@value": term.value, "@type": _compact(term.datatype.value)}


def jsonld(merged: list[ox.Triple]) -> bytes:
    """JSON-LD: the Turtle content as compacted node objects with the project prefixes.

    Nodes come in the canonical order, each with ``@id``, ``@type`` and one array per property
    (values in the canonical order), keys sorted.
    """
    nodes: dict[str, dict[str, Any]] = {}
    for triple in merged:
        node = nodes.setdefault(str(triple.subject), {"@id": _node_id(triple.subject)})
        if triple.predicate == _TYPE:
            node.setdefault("@type", []).append(_node_id(triple.object))
        else:
            node.setdefault(_compact(triple.predicate.value), []).append(_value(triple.object))
    document = {"@context": SORTED_PREFIXES, "@graph": list(nodes.values())}
    return (_json(document) + "\n").encode("utf-8")


def _json(value: str | list | dict, indent: str = "") -> str:
    """``value`` (strings, and lists and dicts of them) as ``json.dumps(value, indent=1,
    sort_keys=True, ensure_ascii=False)`` writes it, twice as fast: the standard library
    indents with its pure-Python encoder.

    >>> doc = {"b": [], "a": [{"@value": 'say "hi"\\n', "@language": "en"}, "é"], "c": {}}
    >>> _json(doc) == json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False)
    True
    """
    if isinstance(value, str):
        return encode_basestring(value)
    inner = indent + " "
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = (f"{encode_basestring(key)}: {_json(value[key], inner)}" for key in sorted(value))
        return "{\n" + inner + (",\n" + inner).join(items) + "\n" + indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + inner + (",\n" + inner).join(_json(item, inner) for item in value) + "\n" + indent + "]"
    raise TypeError(f"not a string, list or dict: {value!r}")


#: The single-graph exports, written from the merged graph with provenance links.
MERGED_WRITERS: dict[str, Callable[[list[ox.Triple]], bytes]] = {
    "graph.ttl": turtle,
    "graph.nt": ntriples,
    "graph.jsonld": jsonld,
}
#: The exports that keep one named graph per source, written from the data quads.
DATASET_WRITERS: dict[str, Callable[[list[ox.Quad]], bytes]] = {"graph.trig": trig}


def render_quads(quads: list[ox.Quad]) -> dict[str, bytes]:
    """Every export's bytes, by file name, from the data quads in canonical order."""
    merged = provenance_triples(quads)
    files = {name: writer(merged) for name, writer in MERGED_WRITERS.items()}
    files.update((name, writer(quads)) for name, writer in DATASET_WRITERS.items())
    return dict(sorted(files.items()))


def check_writable(folder: Path) -> None:
    """Fail before any work if ``folder`` cannot be created or written to."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {folder}: {exc.strerror}") from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{folder} is not writable")


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner(name: str) -> int | None:
    """The process that wrote a hidden file of a set switch (``.graph.ttl.dprk-kg-<pid>.<rand>.tmp``,
    ``.dprk-kg-swap.<pid>.json``), or None for any other file."""
    found = _LEFT_BY.match(name)
    if found is None:
        return None
    return int(found.group(1) or found.group(3))


def recover(folder: Path) -> list[str]:
    """Finish what a writer killed in ``folder`` left: put old files back, remove temporary files.

    A journal of a dead writer means it died among its renames: every file it had replaced is
    restored from its hard-linked old copy (or removed, if it was new), so the folder holds the
    old set again. Temporary and old copies of dead writers are then removed. Returns what was
    done, one line per action, for the caller to report.
    """
    folder = Path(folder)
    done: list[str] = []
    if not folder.is_dir():
        return done
    for journal in sorted(folder.glob(f"{JOURNAL_PREFIX}*.json")):
        owner = _owner(journal.name)
        if owner is None or _alive(owner):
            continue
        try:
            entries = json.loads(journal.read_text(encoding="utf-8"))
        except OSError as exc:
            raise OutputError(f"cannot read {journal} (an interrupted export journal): {exc.strerror}") from exc
        except ValueError:
            entries = []  # cut while being written: no rename had started, the old set is in place
        for entry in entries:
            final, temp, backup = (folder / entry[k] if entry[k] else None for k in ("file", "temp", "old"))
            if temp is not None and temp.exists():
                continue  # never renamed: the old file is still in place
            if final is None:
                continue
            if backup is not None and backup.exists():
                os.replace(backup, final)
            elif backup is None:
                final.unlink(missing_ok=True)
            done.append(f"restored {final} from an interrupted write")
        journal.unlink()
    for stale in sorted(folder.iterdir()):
        owner = _owner(stale.name)
        if owner is not None and not stale.name.startswith(JOURNAL_PREFIX) and stale.is_file() and not _alive(owner):
            stale.unlink(missing_ok=True)
            done.append(f"removed {stale}, left by an interrupted write")
    return done


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM while the block runs; a held one is raised after it, as Interrupted.

    The block is the rename phase of a set switch: it takes microseconds and must not be cut.
    """
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        except KeyboardInterrupt:
            raise Interrupted("interrupted after the new files were all in place; they are complete") from None


def write_atomically(files: dict[Path, bytes]) -> None:
    """Replace ``files`` as one set: afterwards all are new, or (on any failure) all are old.

    Every file is written to a temporary sibling first; the old files are hard-linked aside and
    a journal of the renames is written; then the renames run with signals held. If a rename
    fails, those done are undone. A process killed among them leaves the journal, and the next
    writer to the folder (``recover``) restores the old set.
    """
    folders = sorted({path.parent for path in files})
    for folder in folders:
        recover(folder)
    pid = os.getpid()
    entries: list[dict[str, str | None]] = []
    journals: list[Path] = []
    current: Path | None = None
    try:
        for path, data in files.items():
            current = path
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.dprk-kg-{pid}.", suffix=TEMP_SUFFIX)
            entries.append({"file": path.name, "temp": Path(name).name, "old": None, "folder": str(path.parent)})
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(name, 0o644)
        for entry in entries:
            folder = Path(str(entry["folder"]))
            current = folder / str(entry["file"])
            if current.exists():
                backup = folder / f".{entry['file']}.dprk-kg-{pid}.{os.urandom(4).hex()}{BACKUP_SUFFIX}"
                os.link(current, backup)
                entry["old"] = backup.name
        for folder in folders:
            current = folder / f"{JOURNAL_PREFIX}{pid}.json"
            mine = [{k: v for k, v in e.items() if k != "folder"} for e in entries if e["folder"] == str(folder)]
            current.write_text(json.dumps(mine), encoding="utf-8")
            journals.append(current)
        with _signals_deferred():
            _switch(entries)
    except OSError as exc:
        raise OutputError(f"cannot write {exc.filename or current}: {exc.strerror}") from exc
    finally:
        for entry in entries:
            folder = Path(str(entry["folder"]))
            for key in ("temp", "old"):
                if entry[key]:
                    (folder / str(entry[key])).unlink(missing_ok=True)
        for journal in journals:
            journal.unlink(missing_ok=True)


def _switch(entries: list[dict[str, str | None]]) -> None:
    """Rename every temporary file into place; if one rename fails, undo those done, then raise."""
    done: list[dict[str, str | None]] = []
    try:
        for entry in entries:
            folder = Path(str(entry["folder"]))
            os.replace(folder / str(entry["temp"]), folder / str(entry["file"]))
            done.append(entry)
    except OSError:
        for entry in reversed(done):
            folder = Path(str(entry["folder"]))
            if entry["old"]:
                os.replace(folder / str(entry["old"]), folder / str(entry["file"]))
            else:
                (folder / str(entry["file"])).unlink()
        raise


def export_all(quads: list[ox.Quad], folder: Path, extra: dict[str, bytes] | None = None) -> list[Path]:
    """Write every export, and any ``extra`` files, into ``folder`` as one set; return the paths."""
    check_writable(folder)
    files = {folder / name: data for name, data in {**render_quads(quads), **(extra or {})}.items()}
    write_atomically(files)
    return list(files)
