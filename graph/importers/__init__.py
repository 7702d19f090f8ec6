"""Importers for the public datasets around the curated core: OFAC's SDN list, MITRE ATT&CK,
the MISP threat-actor galaxy and incident tables. Each import is one named graph, described as a
``dkg:SourceDocument`` of kind ``dkg:Dataset``; ``list_sources`` lists them beside the curated
sources.

Layout: ``driver`` (the one import driver and the importer protocol), ``ntriples`` (terms and
the quads buffer), ``dataset`` (the dataset description), ``matchfile`` (the reviewable match
file), ``matching`` (entity and incident matching), ``inputs`` (bounded reading of hostile
files), and one module per format: ``ofac_sdn`` (and ``sdn_diff``), ``attack``, ``misp``,
``incidents`` and ``incident_table``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Dataset
    from rdflib.query import ResultRow


@dataclass(frozen=True)
class SourceRow:
    """One source or dataset in the store."""

    graph: str
    kind: str
    title: str
    version: str
    issued: str
    imported: str
    file: str
    triples: int


def list_sources(store_path: Path, progress: Callable[[str], None] = lambda _: None) -> list[SourceRow]:
    """Every source document and imported dataset in the store, datasets first, by name."""
    from ..storage import open_store
    from ..terms import shorten
    from .ntriples import sparql

    dataset = open_store(store_path, progress)
    try:
        counts = {str(r.g): int(r.n) for r in _select(dataset, sparql("graph-sizes"))}
        rows: dict[str, SourceRow] = {}
        for r in _select(dataset, sparql("sources")):
            graph = str(r.g)
            if graph in rows:
                continue
            kind = shorten(str(r.kind)).removeprefix("dkg:") if r.kind is not None else ""
            rows[graph] = SourceRow(
                shorten(graph),
                kind,
                str(r.title or ""),
                str(r.version or ""),
                str(r.issued or ""),
                str(r.imported or ""),
                str(r.file or ""),
                counts.get(graph, 0),
            )
    finally:
        dataset.close()
    return sorted(rows.values(), key=lambda s: (s.kind != "Dataset", s.graph))


def _select(dataset: Dataset, text: str) -> Iterator[ResultRow]:
    """The rows of a SELECT query (rdflib types a result's items as rows, triples or a boolean)."""
    from rdflib.query import ResultRow

    for row in dataset.query(text):
        if not isinstance(row, ResultRow):
            raise TypeError(f"not a SELECT query: {text[:60]!r}")
        yield row
