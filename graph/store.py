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
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset, URIRef

from .errors import StoreError
from .namespace import bind_prefixes

FINGERPRINT_FILE = "dprk-kg.fingerprint"
STAGING = "urn:dprk-kg:staging:"


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
    """Replace named graphs: drop those for which ``drop(iri)`` is true, add those in ``nquads``.

    The new quads are first loaded into staging graphs, then one SPARQL update drops the old
    graphs and moves the staged ones into place, in a single transaction: a reader or a crash
    sees the old graphs or the new ones, never a mix. When a fingerprint is given (the curated
    part is rebuilt) it is removed first and written last, so an interrupted rebuild leaves a
    store that reads as stale and is rebuilt on next use.
    """
    path = Path(path)
    store = _open_ox(path)
    marker = path / FINGERPRINT_FILE
    if fingerprint_value is not None:
        marker.unlink(missing_ok=True)
    try:
        staged: dict[str, str] = {}
        run = uuid.uuid4().hex

        def stage(quad: ox.Quad) -> ox.Quad:
            name = quad.graph_name.value
            target = staged.setdefault(name, f"{STAGING}{run}/{len(staged)}")
            return ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(target))

        store.extend(stage(q) for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
        leftover = set(staged.values())
        dropped = [g.value for g in store.named_graphs()
                   if g.value not in staged and g.value not in leftover
                   and (drop(g.value) or g.value.startswith(STAGING))]
        operations = [f"DROP SILENT GRAPH <{g}>" for g in dropped]
        operations += [f"MOVE SILENT GRAPH <{tmp}> TO <{g}>" for g, tmp in staged.items()]
        if operations:
            store.update(" ;\n".join(operations))
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
