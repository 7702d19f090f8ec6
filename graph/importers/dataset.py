"""How an imported dataset describes itself: a ``dkg:SourceDocument`` of kind ``dkg:Dataset``
whose node is also its named graph, with the file, version, licence and import time. What the
project knows of each public dataset (title, licence, URL, publisher, author) is data, in
``catalog/datasets.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import paths
from ..namespace import DATASET
from .ntriples import LABEL, Quads, dkg, iri, lit, term

PERSON = "<http://www.w3.org/ns/prov#Person>"


@dataclass
class DatasetInfo:
    """How a dataset describes itself as a source: its node is also its named graph."""

    name: str
    title: str
    file: Path
    version: str | None = None
    issued: str | None = None
    licence: str | None = None
    url: str | None = None
    publisher: str | None = None
    creator: str | None = None

    @property
    def graph(self) -> str:
        """The named graph and source node of this import, e.g. ``dataset:ofac-sdn-2022-08-08``."""
        return str(DATASET[self.name])

    @property
    def creator_iri(self) -> str:
        """The node of the dataset's author (a ``prov:Person`` in the dataset's graph)."""
        return f"{self.graph}/creator"


def dataset_info(kind: str, name: str, title_detail: str, file: Path, **fields: str | None) -> DatasetInfo:
    """The description of an import of ``kind`` (a table of ``catalog/datasets.toml``).

    ``title_detail`` is appended to the catalogued title; a kind not in the catalog gets a
    generic title and no licence or URL.

    >>> dataset_info("ofac-sdn", "ofac-sdn-2022-08-08", "2022-08-08", Path("sdn.csv")).licence
    'Public domain (U.S. Government work)'
    """
    import tomllib

    with open(paths.DATASETS_FILE, "rb") as handle:
        entry = tomllib.load(handle).get(kind, {})
    title = entry.get("title", f"Dataset {name}")
    return DatasetInfo(
        name=name,
        title=f"{title} ({title_detail})" if title_detail else title,
        file=file,
        licence=entry.get("licence"),
        url=entry.get("url"),
        publisher=entry.get("publisher"),
        creator=entry.get("creator"),
        **fields,
    )


def describe(quads: Quads, info: DatasetInfo, imported_at: datetime) -> None:
    """State the dataset as a ``dkg:SourceDocument`` of kind ``dkg:Dataset`` in its own graph."""
    node = iri(info.graph)
    quads.node(node, "SourceDocument", info.title)
    quads.add(node, term("dcterms:title"), lit(info.title))
    quads.add(node, dkg("documentKind"), dkg("Dataset"))
    quads.add(node, dkg("sourceFile"), lit(info.file.name))
    stamp = imported_at.astimezone(UTC).replace(microsecond=0).isoformat()
    quads.add(node, dkg("importedAt"), lit(stamp.replace("+00:00", "Z"), "dateTime"))
    if info.version:
        quads.add(node, term("schema:version"), lit(info.version))
    if info.issued:
        quads.add(node, term("dcterms:issued"), lit(info.issued, "date"))
    if info.licence:
        quads.add(node, term("dcterms:license"), lit(info.licence))
    if info.url:
        quads.add(node, term("schema:url"), lit(info.url, "anyURI"))
    if info.publisher:
        quads.add(node, term("dcterms:publisher"), iri(info.publisher))
    if info.creator:
        creator = iri(info.creator_iri)
        quads.add(creator, term("rdf:type"), PERSON)
        quads.add(creator, LABEL, lit(info.creator))
        quads.add(node, term("dcterms:creator"), creator)
