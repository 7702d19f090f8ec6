"""Build the curated graph: parse, validate, export, and refresh the embedded store.

Each file in ``sources/`` is the named graph of the source document it describes
(``sources/fbi-2022-04-14-ronin.ttl`` is graph ``src:fbi-2022-04-14-ronin``), so every fact is
traceable to the documents that state it.

A build parses, validates (``graph.validate``), writes the store, then switches the five exports
as one set (``graph.export.write_atomically``). It records what it was made from (the input
files, the package's code, the library versions) and the digest of every file it wrote in
``dprk-kg.build.json`` in the store folder; the next build from the same inputs into the same
folders, with the store and every export still as written, returns that report without redoing
anything.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import export, paths, storage, store
from .conflicts import facets, find_conflicts
from .errors import InputError, ValidationFailed
from .namespace import ONTOLOGY_GRAPH, SRC
from .parse import iter_quads, named_quads
from .reader import Reader
from .storage import input_files, source_files
from .terms import PREFIXES, shorten
from .validate import validate_ox

if TYPE_CHECKING:
    from rdflib import Dataset

Progress = Callable[[str], None]
#: The build cache in the store folder: what the last build was made from and what it wrote.
BUILD_MANIFEST = "dprk-kg.build-cache.json"
_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_SOURCE_DOCUMENT = ox.NamedNode(PREFIXES["dkg"] + "SourceDocument")
_ONTOLOGY = ox.NamedNode(str(ONTOLOGY_GRAPH))


def _quiet(_: str) -> None:
    """The default progress callback: say nothing."""


def graph_file(graph_iri: str, folder: Path = paths.SOURCES_DIR) -> str:
    """The file a curated graph came from, for messages; other graphs are named by IRI."""
    if graph_iri.startswith(str(SRC)):
        return shown(folder / f"{graph_iri[len(str(SRC)) :]}.ttl")
    return shorten(graph_iri)


def shown(path: Path) -> str:
    """A path as a user would type it: relative to the working folder when inside it."""
    path = Path(path).absolute()
    return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)


def load_quads(folder: Path = paths.SOURCES_DIR) -> list[ox.Quad]:
    """Every curated file's quads, each file in its own named graph (without the ontology).

    Example:
        >>> quads = load_quads()
        >>> any(q.graph_name.value.startswith(str(SRC)) for q in quads)
        True
    """
    return load_files(source_files(folder))


def load_files(files: list[Path]) -> list[ox.Quad]:
    """Parse source files, each into the named graph ``src:<file stem>`` it must describe: their
    quads, each once, in the canonical order (``export.canonical``)."""
    quads: set[ox.Quad] = set()
    for path in files:
        path = Path(path)
        graph = ox.NamedNode(f"{SRC}{path.stem}")
        found = named_quads(path, graph)
        if ox.Quad(graph, _TYPE, _SOURCE_DOCUMENT, graph) not in found:
            raise InputError(f"does not describe src:{path.stem} as a dkg:SourceDocument", path)
        quads.update(q for q in found if q.graph_name != _ONTOLOGY)
    return export.canonical(quads)


def load_dataset(folder: Path = paths.SOURCES_DIR) -> Dataset:
    """The curated quads (``load_quads``) as an rdflib Dataset, one named graph per file, for
    code that asks rdflib's API or SPARQL engine (the curated-claims tests)."""
    from rdflib import Dataset

    from .namespace import bind_prefixes

    dataset = Dataset()
    bind_prefixes(dataset)
    dataset.parse(data=export.serialized(load_quads(folder), ox.RdfFormat.N_QUADS), format="nquads")
    return dataset


def _is_curated(graph_iri: str) -> bool:
    return graph_iri.startswith(str(SRC)) or graph_iri == str(ONTOLOGY_GRAPH)


def write_store(quads: list[ox.Quad], store_path: Path, folder: Path = paths.SOURCES_DIR) -> None:
    """Replace the curated graphs and the ontology in the store with ``quads`` (``load_quads``)
    and the ontology; imported graphs stay."""
    ontology = [ox.Quad(q.subject, q.predicate, q.object, _ONTOLOGY) for q in iter_quads(paths.ONTOLOGY_FILE)]
    nquads = export.serialized([*quads, *ontology], ox.RdfFormat.N_QUADS)
    store.replace_graphs(store_path, nquads, _is_curated, storage.stamp(folder))


def memory_store(quads: list[ox.Quad]) -> ox.Store:
    """An in-memory store holding ``quads``: what the build validates and draws."""
    memory = ox.Store()
    memory.extend(quads)
    return memory


def checked_dataset(folder: Path = paths.SOURCES_DIR) -> list[ox.Quad]:
    """The curated quads (``load_quads``), validated; raise ``ValidationFailed`` on any violation."""
    quads = load_quads(folder)
    violations = validate_ox(memory_store(quads))
    if violations:
        raise ValidationFailed(violations)
    return quads


@dataclass
class BuildReport:
    """What a build produced, for the summary the CLI prints."""

    entities: dict[str, int]
    sources: int
    facts: int
    conflicts: int
    files: list[Path]
    store: Path
    seconds: float
    #: True when nothing had changed since the last build, so nothing was rewritten.
    unchanged: bool = False


def entity_counts(quads: list[ox.Quad]) -> dict[str, int]:
    """Distinct typed nodes per class, most common first."""
    counts: Counter[str] = Counter()
    for _, cls in {(q.subject, q.object) for q in quads if q.predicate == _TYPE}:
        if isinstance(cls, ox.NamedNode):
            counts[shorten(cls.value)] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def code_fingerprint() -> str:
    """A digest of the package's code and the versions of the libraries that shape the exports.

    With the input fingerprint it keys the build cache: a change of code or of a dependency
    rebuilds everything, as a change of data does.
    """
    from importlib.metadata import version

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".html", ".css", ".js", ".rq", ".toml"}:
            digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in ("pyoxigraph", "rdflib", "shacl", "pyvis", "networkx"):
        digest.update(f"{name}={version(name)}\0".encode())
    return digest.hexdigest()


def _cached(manifest: Path, key: str, out_dir: Path, store_path: Path, inputs: str) -> BuildReport | None:
    """The last build's report, if it was built from the same inputs and code into the same
    folders, the store still holds that curated data and every export is as it was written."""
    try:
        saved = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        saved.get("key") != key
        or saved.get("out") != str(out_dir.resolve())
        or getattr(storage.built_from(store_path), "fingerprint", None) != inputs
    ):
        return None
    for name, digest in saved["files"]:
        path = out_dir / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            return None
    report = saved["report"]
    return BuildReport(
        entities=dict(report["entities"]),
        sources=report["sources"],
        facts=report["facts"],
        conflicts=report["conflicts"],
        files=[out_dir / name for name, _ in saved["files"]],
        store=store_path,
        seconds=0.0,
        unchanged=True,
    )


def _remember(manifest: Path, key: str, out_dir: Path, files: dict[str, bytes], report: BuildReport) -> None:
    """Record what this build wrote, for the next one to tell whether anything changed."""
    record = {
        "key": key,
        "out": str(out_dir.resolve()),
        "files": [[name, hashlib.sha256(data).hexdigest()] for name, data in files.items()],
        "report": {
            "entities": list(report.entities.items()),
            "sources": report.sources,
            "facts": report.facts,
            "conflicts": report.conflicts,
        },
    }
    export.write_atomically({manifest: (json.dumps(record, indent=1, sort_keys=True) + "\n").encode()})


def _write_and_count(quads: list[ox.Quad], store_path: Path, folder: Path) -> int:
    """Write the store, then count the facts on which its sources disagree (building, on the
    way, the entity index that the next command to read the store needs)."""
    write_store(quads, store_path, folder)
    stored = Reader(storage.open_ox(store_path, read_only=True), store_path)
    return len(find_conflicts(facets(stored)))


def build(
    out_dir: Path = paths.DEFAULT_EXPORTS,
    store_path: Path = paths.DEFAULT_STORE,
    folder: Path = paths.SOURCES_DIR,
    progress: Progress = _quiet,
) -> BuildReport:
    """Parse, validate and export the curated graph, and refresh the store.

    Nothing is written unless everything parsed and validated. The store is written (by a second
    thread, while the pages are drawn) before the exports, which are switched last, as one set
    (``export.write_atomically``), so an interrupted build leaves the previous exports. When the
    inputs, the code and the written files are those of the last build into the same folders,
    nothing is parsed or rewritten and its report is returned.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    export.check_writable(out_dir)
    storage.prepare_build(store_path, progress)
    for line in export.recover(out_dir):
        progress(line)
    inputs = storage.fingerprint(input_files(folder))
    key = hashlib.sha256(f"{inputs} {code_fingerprint()}".encode()).hexdigest()
    manifest = Path(store_path) / BUILD_MANIFEST
    cached = _cached(manifest, key, out_dir, Path(store_path), inputs)
    if cached is not None:
        progress(f"nothing changed since the last build into {shown(out_dir)}; exports and store are current")
        cached.seconds = time.perf_counter() - started
        return cached
    progress(f"reading {len(source_files(folder))} source files from {shown(folder)}")
    quads = load_quads(folder)
    progress("validating against the SHACL shapes")
    memory = memory_store(quads)
    violations = validate_ox(memory)
    if violations:
        raise ValidationFailed(violations)
    from concurrent.futures import ThreadPoolExecutor

    from .views import export_pages

    progress("drawing the graph and timeline pages")
    progress(f"writing the store at {store_path}")
    # The store is written by a second thread while this one draws: Oxigraph, RocksDB and SQLite
    # do most of that work without holding the interpreter, so the two share the machine's cores.
    with ThreadPoolExecutor(max_workers=1) as writer:
        stored = writer.submit(_write_and_count, quads, Path(store_path), folder)
        files = {**export.render_quads(quads), **export_pages(memory)}
        conflicts = stored.result()
    report = BuildReport(
        entities=entity_counts(quads),
        sources=len({q.subject for q in quads if q.predicate == _TYPE and q.object == _SOURCE_DOCUMENT}),
        facts=len({(q.subject, q.predicate, q.object) for q in quads}),
        conflicts=conflicts,
        files=[out_dir / name for name in files],
        store=store_path,
        seconds=0.0,
    )
    _remember(manifest, key, out_dir, files, report)  # before the switch: a cut one fails its hash check
    progress(f"writing exports to {out_dir}")
    export.write_atomically({out_dir / name: data for name, data in files.items()})
    report.seconds = time.perf_counter() - started
    return report
