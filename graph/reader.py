"""What every reading command stands on: the store (read-only, raw pyoxigraph), its entity
index, and the internal queries run with bound values.

>>> import pyoxigraph as ox
>>> reader = Reader(ox.Store())
>>> reader.source("https://w3id.org/dprk-kg/source/none")
{'source': None, 'label': None, 'publisher': None, 'issued': None, 'url': None, 'kind': None}
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import sparql
from .entities import Entities
from .terms import on_or_before, shorten

if TYPE_CHECKING:
    import pyoxigraph as ox

Progress = Callable[[str], None]


class Reader:
    """A read-only store with its entity index; ``rows`` runs an internal query by name."""

    def __init__(self, ox_store: ox.Store, store_path: Path | None = None, entities: Entities | None = None):
        self.store = ox_store
        self.path = store_path
        self._entities = entities
        self._labels: dict[str, str] = {}

    @classmethod
    def of_nquads(cls, nquads: bytes) -> Reader:
        """An in-memory store holding ``nquads`` (the curated graph as ``build`` parsed it, or a
        file drawn by ``viz FILE``)."""
        import pyoxigraph as ox

        store = ox.Store()
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        return cls(store)

    @property
    def entities(self) -> Entities:
        """The names and clusters of this store (computed once per store state)."""
        if self._entities is None:
            self._entities = Entities.of_store(self.store, self.path)
        return self._entities

    def rows(self, name: str, **bindings: str | Sequence[str]) -> list[dict[str, str | None]]:
        """Rows of ``graph/sparql/<name>.rq`` with ``?var`` bound to the IRIs given (a list binds
        it to each in turn, ``sparql.bind``), as strings."""
        return sparql.select(self.store, name, **bindings)

    @functools.cached_property
    def _sources(self) -> dict[str, dict[str, str | None]]:
        return self.entities.sources()

    def source(self, graph: str) -> dict[str, str | None]:
        """A source document's label, publisher, issue date, URL and kind (Nones when unknown)."""
        return self._sources.get(graph) or dict.fromkeys(("source", "label", "publisher", "issued", "url", "kind"))

    def label(self, node: str) -> str:
        """A node's label (the smallest when sources differ), or its CURIE."""
        if node not in self._labels:
            rows = self.rows("node-label", focus=node)
            self._labels[node] = (rows[0]["label"] if rows else None) or shorten(node)
        return self._labels[node]

    def graphs_as_of(self, as_of: str) -> tuple[str, ...]:
        """Every named graph whose source was issued on or before ``as_of`` (undated ones too):
        the store as the sources stood on that date."""
        import pyoxigraph as ox

        return tuple(
            sorted(
                g.value
                for g in self.store.named_graphs()
                if isinstance(g, ox.NamedNode)
                and (not self.issued(g.value) or on_or_before(self.issued(g.value), as_of))
            )
        )

    def issued(self, graph: str) -> str:
        """The date a source graph was issued, '' when it gives none."""
        return self.source(graph)["issued"] or ""


def open_reader(store_path: Path, progress: Progress) -> Reader:
    """The store at ``store_path``, current with the curated sources, opened read-only once:
    the staging graphs of an interrupted import are looked for in the store this opens (and
    removed, said through ``progress``), not in a store opened for that alone."""
    from .storage import ensure_current, open_ox, recover, staging_graphs

    path = Path(store_path)
    ensure_current(path, progress, check_swap=False)
    store = open_ox(path, read_only=True)
    if staging_graphs(store):
        del store
        recover(path, progress)
        store = open_ox(path, read_only=True)
    return Reader(store, path)
