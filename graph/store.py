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

import uuid
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from oxrdflib import OxigraphStore
from rdflib import Dataset, URIRef

from .errors import StoreError
from .namespace import bind_prefixes
from .storage import STAGING, SWAP_FILE, open_ox, record_datasets, write_stamp


def replace_graphs(
    path: Path,
    nquads: bytes | Path,
    drop: Callable[[str], bool],
    build_stamp: str | None = None,
) -> None:
    """Replace named graphs: drop those for which ``drop(iri)`` is true, add those in ``nquads``.

    ``drop`` must be true for every graph ``nquads`` holds. When no graph is to be dropped (a new
    store, a first import) the quads are bulk-loaded straight into place: fast, and on failure
    the graphs are removed again. Otherwise they are loaded into staging graphs and one SPARQL
    update drops the old graphs and moves the staged ones into place in a single transaction,
    so a reader or a crash sees the old graphs or the new ones, never a mix. When a build stamp
    is given (the curated part is rebuilt, ``storage.stamp``) it is removed first and written
    last, so an interrupted rebuild leaves a store that reads as stale and is rebuilt on next use.
    """
    path = Path(path)
    store = open_ox(path)
    if build_stamp is not None:
        write_stamp(path, None)
    try:
        existing = [g.value for g in store.named_graphs()]
        if not any(drop(g) or g.startswith(STAGING) for g in existing):
            _bulk_load(store, nquads, existing)
        else:
            (path / SWAP_FILE).write_bytes(b"")
            _swap(store, nquads.read_bytes() if isinstance(nquads, Path) else nquads, drop, existing)
        store.flush()
        (path / SWAP_FILE).unlink(missing_ok=True)
        record_datasets(path, store)
    except OSError as exc:
        raise StoreError(f"cannot write the store at {path}: {exc}") from exc
    finally:
        del store
    if build_stamp is not None:
        write_stamp(path, build_stamp)


def _bulk_load(store: ox.Store, nquads: bytes | Path, existing: list[str]) -> None:
    """Bulk-load new graphs; if that fails, remove whatever part of them was written."""
    try:
        if isinstance(nquads, Path):
            store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
        else:
            store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
    except BaseException:
        for graph in store.named_graphs():
            if graph.value not in existing:
                store.remove_graph(graph)
        raise


def _swap(store: ox.Store, nquads: bytes, drop: Callable[[str], bool], existing: list[str]) -> None:
    """Stage the new graphs, then drop and move in one transaction."""
    staged: dict[str, str] = {}
    run = uuid.uuid4().hex

    def stage(quad: ox.Quad) -> ox.Quad:
        graph = quad.graph_name
        if isinstance(graph, ox.DefaultGraph):
            raise ValueError(f"a quad outside any named graph: {quad}")
        target = staged.setdefault(graph.value, f"{STAGING}{run}/{len(staged)}")
        return ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(target))

    store.extend(stage(q) for q in ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    dropped = [g for g in existing if g not in staged and (drop(g) or g.startswith(STAGING))]
    operations = [f"DROP SILENT GRAPH <{g}>" for g in dropped]
    operations += [f"MOVE SILENT GRAPH <{tmp}> TO <{g}>" for g, tmp in staged.items()]
    if operations:
        store.update(" ;\n".join(operations))


def open_dataset(path: Path, read_only: bool = False) -> Dataset:
    """Open the store as an rdflib Dataset whose default graph is the union of all graphs."""
    path = Path(path)
    if not path.is_dir():
        raise StoreError(f"no store at {path}: run `dprk-kg build` first")
    dataset = Dataset(store=OxigraphStore(store=open_ox(path, read_only)), default_union=True)
    bind_prefixes(dataset)
    return dataset


def graph_names(dataset: Dataset) -> list[URIRef]:
    """The named graphs in the store, sorted."""
    return sorted(URIRef(str(g.identifier)) for g in dataset.graphs())
