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
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .errors import StoreError
from .storage import STAGING, open_ox, record_datasets, write_stamp, writing

if TYPE_CHECKING:
    from rdflib import Dataset, URIRef


def replace_graphs(
    path: Path,
    nquads: bytes | Path,
    drop: Callable[[str], bool],
    build_stamp: str | None = None,
) -> None:
    """Replace named graphs: drop those for which ``drop(iri)`` is true, add those in ``nquads``.

    ``drop`` must be true for every graph ``nquads`` holds. When no graph is to be dropped (a new
    store, a first import) the quads are bulk-loaded straight into place (fast). Otherwise only
    the difference is written: the quads the graphs lose and gain are staged in graphs of their
    own, then one SPARQL update deletes the lost ones and adds the gained ones in a single
    transaction, so re-importing a dataset costs little more than reading it back. Either way
    the write is marked (``storage.writing``): readers wait for it and see the old graphs or the
    new ones, never a mix; one cut short is undone here, or by the next command after a crash.
    When a build stamp is given (the curated part is rebuilt, ``storage.stamp``) it is removed
    first and written last, so an interrupted rebuild leaves a store that reads as stale and is
    rebuilt on next use.
    """
    path = Path(path)
    store = open_ox(path)
    if build_stamp is not None:
        write_stamp(path, None)
    try:
        names = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
        replaced = [g for g in names if drop(g) or g.startswith(STAGING)]
        if not replaced:
            with writing(path, store):
                if isinstance(nquads, Path):
                    store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS)
                else:
                    store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        else:
            staging = f"{STAGING}{uuid.uuid4().hex}/"
            with writing(path, store, staging) as staged:
                data = nquads.read_bytes() if isinstance(nquads, Path) else nquads
                _apply_difference(store, data, replaced, staging, staged)
        record_datasets(path, store)
    except OSError as exc:
        raise StoreError(f"cannot write the store at {path}: {exc}") from exc
    finally:
        del store
    if build_stamp is not None:
        write_stamp(path, build_stamp)


def _apply_difference(
    store: ox.Store, data: bytes, replaced: list[str], staging: str, staged: Callable[[], None]
) -> None:
    """Make the ``replaced`` graphs hold exactly the quads of ``data`` (N-Quads) in one
    transaction, writing only what differs.

    The graphs are read back as N-Quads lines and compared with the new lines as text; the
    lines that differ are parsed and staged (lost quads under ``<staging>-n``, gained ones
    under ``<staging>+n``, blank nodes keeping their labels), ``staged`` is called, and one
    update deletes and adds them and drops the staging graphs and the graphs that keep nothing.
    A quad written differently on each side (say a non-canonical number) is deleted and added
    again: the result is the same.
    """
    old: dict[bytes, str] = {}
    for graph in replaced:
        if not graph.startswith(STAGING):
            suffix = f"<{graph}> .".encode()
            text = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""
            old.update((line[:-1] + suffix, graph) for line in text.split(b"\n") if line)
    new = {line for line in data.split(b"\n") if line.strip()}
    gained = list(ox.parse(b"\n".join(line for line in new if line not in old), format=ox.RdfFormat.N_QUADS))
    kept = {old[line] for line in old.keys() & new}
    kept |= {q.graph_name.value for q in gained if isinstance(q.graph_name, ox.NamedNode)}
    lost = [line for line, graph in old.items() if graph in kept and line not in new]
    targets: dict[str, str] = {}

    def stage(quad: ox.Quad, sign: str) -> ox.Quad:
        graph = quad.graph_name
        if not isinstance(graph, ox.NamedNode):
            raise ValueError(f"a quad outside any named graph: {quad}")
        number = targets.setdefault(graph.value, str(len(targets)))
        return ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(f"{staging}{sign}{number}"))

    store.bulk_extend(
        [
            *(stage(q, "-") for q in ox.parse(b"\n".join(lost), format=ox.RdfFormat.N_QUADS)),
            *(stage(q, "+") for q in gained),
        ]
    )
    staged()
    names = {g.value for g in store.named_graphs() if g.value.startswith(staging)}
    operations = [f"DROP SILENT GRAPH <{g}>" for g in replaced if g not in kept]
    for graph, number in targets.items():
        if f"{staging}-{number}" in names:
            operations.append(
                f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{staging}-{number}> {{ ?s ?p ?o }} }}"
            )
        if f"{staging}+{number}" in names:
            operations.append(f"ADD SILENT <{staging}+{number}> TO <{graph}>")
    operations += [f"DROP SILENT GRAPH <{g}>" for g in sorted(names)]
    if operations:
        store.update(" ;\n".join(operations))


def open_dataset(path: Path, read_only: bool = False) -> Dataset:
    """Open the store as an rdflib Dataset whose default graph is the union of all graphs."""
    from oxrdflib import OxigraphStore
    from rdflib import Dataset

    from .namespace import bind_prefixes

    path = Path(path)
    if not path.is_dir():
        raise StoreError(f"no store at {path}: run `dprk-kg build` first")
    dataset = Dataset(store=OxigraphStore(store=open_ox(path, read_only)), default_union=True)
    bind_prefixes(dataset)
    return dataset


def graph_names(dataset: Dataset) -> list[URIRef]:
    """The named graphs in the store, sorted."""
    from rdflib import URIRef

    return sorted(URIRef(str(g.identifier)) for g in dataset.graphs())
