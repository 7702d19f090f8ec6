"""Build the curated graph: parse, validate, export, and refresh the embedded store.

Each file in ``sources/`` is the named graph of the source document it describes
(``sources/fbi-2022-04-14-ronin.ttl`` is graph ``src:fbi-2022-04-14-ronin``), so every fact is
traceable to the documents that state it.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset
from rdflib.namespace import RDF

from . import export, paths, store
from .conflicts import facets, find_conflicts
from .errors import InputError, ValidationFailed
from .namespace import DKG, ONTOLOGY_GRAPH, SRC, bind_prefixes
from .parse import parse_into
from .validate import shorten, validate
from .views import export_pages

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    """The default progress callback: say nothing."""


def source_files(folder: Path = paths.SOURCES_DIR) -> list[Path]:
    """The curated source files, sorted by name."""
    if not folder.is_dir():
        raise InputError("no sources folder", folder)
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise InputError("no .ttl files in the sources folder", folder)
    return files


def input_files(folder: Path = paths.SOURCES_DIR) -> list[Path]:
    """Every file the curated graph is built from: the ontology, the shapes and the sources."""
    return [paths.ONTOLOGY_FILE, paths.SHAPES_FILE, *source_files(folder)]


def graph_file(graph_iri: str, folder: Path = paths.SOURCES_DIR) -> str:
    """The file a curated graph came from, for messages; other graphs are named by IRI."""
    if graph_iri.startswith(str(SRC)):
        return shown(folder / f"{graph_iri[len(str(SRC)):]}.ttl")
    return shorten(graph_iri)


def shown(path: Path) -> str:
    """A path as a user would type it: relative to the working folder when inside it."""
    path = Path(path).absolute()
    return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)


def load_dataset(folder: Path = paths.SOURCES_DIR) -> Dataset:
    """Parse every curated file into its own named graph (without the ontology).

    Example:
        >>> ds = load_dataset()
        >>> any(str(g.identifier).startswith(str(SRC)) for g in ds.graphs())
        True
    """
    return load_files(source_files(folder))


def load_files(files: list[Path]) -> Dataset:
    """Parse source files, each into the named graph ``src:<file stem>`` it must describe."""
    dataset = Dataset()
    bind_prefixes(dataset)
    for path in files:
        path = Path(path)
        graph_iri = SRC[path.stem]
        parse_into(dataset, path, graph_iri)
        if (graph_iri, RDF.type, DKG.SourceDocument) not in dataset.graph(graph_iri):
            raise InputError(f"does not describe src:{path.stem} as a dkg:SourceDocument", path)
    return dataset


def _is_curated(graph_iri: str) -> bool:
    return graph_iri.startswith(str(SRC)) or graph_iri == str(ONTOLOGY_GRAPH)


def write_store(dataset: Dataset, store_path: Path, folder: Path = paths.SOURCES_DIR) -> None:
    """Replace the curated graphs and the ontology in the store; imported graphs stay."""
    ontology = Dataset()
    parse_into(ontology, paths.ONTOLOGY_FILE, ONTOLOGY_GRAPH)
    nquads = b"".join(d.serialize(format="nquads", encoding="utf-8") for d in (dataset, ontology))
    store.replace_graphs(store_path, nquads, _is_curated, store.fingerprint(input_files(folder)))


def checked_dataset(folder: Path = paths.SOURCES_DIR) -> Dataset:
    """Load the curated files and validate them; raise ``ValidationFailed`` on any violation."""
    dataset = load_dataset(folder)
    violations = validate(dataset)
    if violations:
        raise ValidationFailed(violations)
    return dataset


def refresh_store(store_path: Path = paths.DEFAULT_STORE, progress: Progress = _quiet,
                  folder: Path = paths.SOURCES_DIR) -> None:
    """Rebuild the store's curated part if the ontology or the sources changed since it was written."""
    if store.stored_fingerprint(store_path) != store.fingerprint(input_files(folder)):
        progress(f"curated data changed since the store at {store_path} was built; rebuilding it")
        write_store(checked_dataset(folder), store_path, folder)


def open_current(store_path: Path = paths.DEFAULT_STORE, progress: Progress = _quiet,
                 folder: Path = paths.SOURCES_DIR) -> Dataset:
    """Open the store, first rebuilding (or creating) its curated part if the data changed."""
    refresh_store(store_path, progress, folder)
    return store.open_dataset(store_path)


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


def entity_counts(dataset: Dataset) -> dict[str, int]:
    """Distinct typed nodes per class, most common first."""
    counts: Counter[str] = Counter()
    seen = set()
    for graph in dataset.graphs():
        for node, _, cls in graph.triples((None, RDF.type, None)):
            if (node, cls) not in seen:
                seen.add((node, cls))
                counts[shorten(str(cls))] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def build(out_dir: Path = paths.DEFAULT_EXPORTS, store_path: Path = paths.DEFAULT_STORE,
          folder: Path = paths.SOURCES_DIR, progress: Progress = _quiet) -> BuildReport:
    """Parse, validate and export the curated graph, and refresh the store.

    Nothing is written unless everything parsed and validated; exports are replaced atomically.
    """
    started = time.perf_counter()
    export.check_writable(out_dir)
    progress(f"reading {len(source_files(folder))} source files from {shown(folder)}")
    dataset = load_dataset(folder)
    progress("validating against the SHACL shapes")
    violations = validate(dataset)
    if violations:
        raise ValidationFailed(violations)
    progress("drawing the graph and timeline pages")
    pages = export_pages(dataset.serialize(format="nquads", encoding="utf-8"))
    progress(f"writing exports to {out_dir}")
    files = export.export_all(dataset, out_dir, pages)
    progress(f"writing the store at {store_path}")
    write_store(dataset, store_path, folder)
    graphs = export.data_graphs(dataset)
    stored = store.open_dataset(store_path, read_only=True)
    conflict_count = len(find_conflicts(facets(stored)))
    return BuildReport(
        entities=entity_counts(dataset),
        sources=len({s for g in graphs for s in g.subjects(RDF.type, DKG.SourceDocument)}),
        facts=len({triple for graph in graphs for triple in graph}),
        conflicts=conflict_count,
        files=files,
        store=store_path,
        seconds=time.perf_counter() - started,
    )
