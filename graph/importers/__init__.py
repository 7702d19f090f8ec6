"""Importers for the public datasets around the curated core: OFAC's SDN list, MITRE ATT&CK,
the MISP threat-actor galaxy and incident tables. Each import is one named graph, described as a
``dkg:SourceDocument`` of kind ``dkg:Dataset``; ``list_sources`` lists them beside the curated
sources.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_SOURCES = """
SELECT ?g ?kind ?title ?version ?issued ?imported ?file WHERE {
  GRAPH ?g { ?g a dkg:SourceDocument .
    OPTIONAL { ?g dkg:documentKind ?kind }
    OPTIONAL { ?g dcterms:title ?title }
    OPTIONAL { ?g schema:version ?version }
    OPTIONAL { ?g dcterms:issued ?issued }
    OPTIONAL { ?g dkg:importedAt ?imported }
    OPTIONAL { ?g dkg:sourceFile ?file } }
}"""

_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


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
    from .common import short

    dataset = open_store(store_path, progress)
    try:
        counts = {str(r.g): int(r.n) for r in dataset.query(_COUNTS)}
        rows: dict[str, SourceRow] = {}
        for r in dataset.query(_SOURCES):
            graph = str(r.g)
            if graph in rows:
                continue
            kind = short(str(r.kind)).removeprefix("dkg:") if r.kind is not None else ""
            rows[graph] = SourceRow(short(graph), kind, str(r.title or ""), str(r.version or ""),
                                    str(r.issued or ""), str(r.imported or ""), str(r.file or ""),
                                    counts.get(graph, 0))
    finally:
        dataset.close()
    return sorted(rows.values(), key=lambda s: (s.kind != "Dataset", s.graph))
