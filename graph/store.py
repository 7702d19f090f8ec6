"""The embedded on-disk store: Oxigraph behind rdflib's API (oxrdflib).

``build`` writes the curated graphs into it; importers add their own named graphs; every reading
command opens it without re-parsing anything. Queries see the union of all named graphs as their
default graph, and ``GRAPH ?source { ... }`` tells which source states a triple.

>>> import tempfile
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "store"
>>> replace_graphs(path, b'<https://e.org/s> <https://e.org/p> "o" <https://e.org/g> .\\n',
...                lambda g: False)
>>> ds = open_dataset(path)
>>> len(ds)
1
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset, URIRef

from .errors import StoreError
from .namespace import bind_prefixes

FINGERPRINT_FILE = "dprk-kg.fingerprint"


def fingerprint(files: Iterable[Path]) -> str:
    """A digest of file names and contents: changes when the ontology or curated data change."""
    digest = hashlib.sha256()
    for path in sorted(Path(f) for f in files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def stored_fingerprint(path: Path) -> str | None:
    """The fingerprint the store was last built from, or None if there is no usable store."""
    marker = Path(path) / FINGERPRINT_FILE
    return marker.read_text().strip() if marker.is_file() else None


def _open_ox(path: Path, read_only: bool = False) -> ox.Store:
    try:
        return ox.Store.read_only(str(path)) if read_only else ox.Store(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc


def replace_graphs(
    path: Path,
    nquads: bytes,
    drop: Callable[[str], bool],
    fingerprint_value: str | None = None,
) -> None:
    """Drop the named graphs for which ``drop(iri)`` is true, then load ``nquads`` in one go.

    The fingerprint is written last, so an interrupted update leaves a store that reads as stale
    and is rebuilt on next use.
    """
    path = Path(path)
    store = _open_ox(path)
    marker = path / FINGERPRINT_FILE
    marker.unlink(missing_ok=True)
    try:
        for graph in list(store.named_graphs()):
            if drop(graph.value):
                store.remove_graph(graph)
        store.load(nquads, format=ox.RdfFormat.N_QUADS)
        store.flush()
    except OSError as exc:
        raise StoreError(f"cannot write the store at {path}: {exc}") from exc
    finally:
        del store
    if fingerprint_value is not None:
        marker.write_text(fingerprint_value + "\n")


def open_dataset(path: Path, read_only: bool = False) -> Dataset:
    """Open the store as an rdflib Dataset whose default graph is the union of all graphs."""
    path = Path(path)
    if not path.is_dir():
        raise StoreError(f"no store at {path}: run `dprk-kg build` first")
    dataset = Dataset(store=OxigraphStore(store=_open_ox(path, read_only)), default_union=True)
    bind_prefixes(dataset)
    return dataset


def graph_names(dataset: Dataset) -> list[URIRef]:
    """The named graphs in the store, sorted."""
    return sorted(URIRef(str(g.identifier)) for g in dataset.graphs())
