"""The one import driver every dataset goes through, and the protocol an importer follows.

An importer ``read``s its whole file (or folder) into a parsed form, ``describe``s it as a
dataset, and turns it ``to_quads``: plain N-Quads text plus the entities and incidents to match,
counts and skipped records. ``run_import`` then matches them against the curated graph and the
other imported datasets, describes the dataset, and writes its named graph with its description
(``write_graph``: a crash leaves the old graph or the new one), then the match file. A file that
fails to parse leaves the store and the match file untouched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from .. import storage, store
from ..terms import shorten
from .dataset import DatasetInfo, describe
from .matchfile import MATCH_FILE, read_matches, render_matches
from .matching import CuratedIndex, IncidentIndex, link
from .ntriples import Quads, Skipped

Progress = Callable[[str], None]


@dataclass
class Parsed:
    """What an importer read: the file (or folder) and the files in it, and what it left out."""

    path: Path
    files: list[Path] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Importer(Protocol):
    """How a dataset format is imported: read it, describe it, convert it."""

    def read(self, path: Path) -> Any:
        """Parse the whole input; a file that is not of this format is an ``InputError``."""

    def describe(self, parsed: Any) -> DatasetInfo:
        """The dataset's description: name (its graph), title, version, date."""

    def to_quads(self, parsed: Any, info: DatasetInfo) -> Quads:
        """The dataset's graph as N-Quads, with counts, skipped records, entities, incidents."""


@dataclass
class ImportReport:
    """What an import did, for the summary the CLI prints (``as_json`` for scripts)."""

    graph: str
    file: Path
    files: list[Path] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    matches: dict[str, int] = field(default_factory=dict)
    triples: int = 0
    seconds: float = 0.0
    match_file: Path | None = None

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready data with snake_case keys (documented in the README)."""
        return {
            "graph": shorten(self.graph),
            "file": str(self.file),
            "files": [str(f) for f in self.files],
            "counts": dict(self.counts),
            "triples": self.triples,
            "matches": dict(self.matches),
            "skipped": [asdict(s) for s in self.skipped],
            "warnings": list(self.warnings),
            "match_file": str(self.match_file) if self.match_file else None,
            "seconds": round(self.seconds, 3),
        }


def run_import(
    importer: Importer,
    path: Path,
    store_path: Path,
    match_file: Path | None = None,
    progress: Progress = lambda _: None,
) -> ImportReport:
    """Import ``path`` with ``importer`` into its own named graph of the store."""
    started = time.perf_counter()
    path = Path(path)
    match_file = Path(match_file) if match_file is not None else MATCH_FILE
    progress(f"reading {path}")
    parsed = importer.read(path)
    info = importer.describe(parsed)
    quads = importer.to_quads(parsed, info)
    report = ImportReport(
        info.graph,
        path,
        list(parsed.files),
        quads.counts,
        [*parsed.skipped, *quads.skipped],
        list(parsed.warnings),
        match_file=match_file,
    )
    report.seconds = time.perf_counter() - started
    return commit(quads, info, report, store_path, match_file, progress)


def commit(
    quads: Quads,
    info: DatasetInfo,
    report: ImportReport,
    store_path: Path,
    match_file: Path,
    progress: Progress = lambda _: None,
) -> ImportReport:
    """Link, describe and write the parsed graph: replace its named graph, then the match file."""
    from .. import export
    from ..storage import refresh_store

    started = time.perf_counter()
    existing = read_matches(match_file)
    if match_file.parent.exists():
        export.check_writable(match_file.parent)
    refresh_store(store_path, progress)
    ox_store = storage.open_ox(store_path)
    try:
        index = CuratedIndex.from_store(ox_store)
        incidents = IncidentIndex.from_store(ox_store, info.graph, existing)
    finally:
        del ox_store
    progress(f"linking {len(quads.entities):,} entities and {len(quads.incidents):,} incidents")
    rows, report.matches = link(quads, index, incidents, existing)
    description = Quads(info.graph, info.file)
    describe(description, info, datetime.now(UTC))
    quads.lines = list(dict.fromkeys(quads.lines))
    report.triples = len(quads) + len(description)
    progress(f"writing {report.triples:,} triples into graph {shorten(info.graph)} of {store_path}")
    write_graph(store_path, info.graph, quads.lines, description)
    match_file.parent.mkdir(parents=True, exist_ok=True)
    new = render_matches(rows)
    if not match_file.exists() or match_file.read_bytes() != new:
        export.write_atomically({match_file: new})
    report.seconds += time.perf_counter() - started
    return report


def write_graph(store_path: Path, graph: str, lines: list[str], description: Quads) -> None:
    """Write a dataset's graph with its description (``store.replace_graphs``): a new graph is
    bulk-loaded, one the store holds already gets only what changed, in one transaction;
    readers see the old graph or the new one, and a crash leaves one of them."""
    data = "".join(lines).encode("utf-8") + "".join(description.lines).encode("utf-8")
    store.replace_graphs(store_path, data, lambda g: g == graph)
