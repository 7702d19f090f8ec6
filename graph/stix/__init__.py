"""STIX 2.1 out: the graph as one bundle that OpenCTI and MISP take in with its provenance.

``export_stix`` reads the store (``read``), maps clusters of records to objects (``mapping``),
relations and attributions to relationships (``relations``), source documents and sanction
actions to reports (``reports``), and writes one deterministic bundle (``writer``). The mapping,
the extensions and the confidence scale are documented in docs/stix.md; the extension schemas
are data (``extensions.json``), as is the kind and relation table (``mapping.toml``).
"""

from __future__ import annotations

import gc
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    import pyoxigraph as ox


@dataclass(frozen=True)
class StixExport:
    """What an export wrote: the file, how many objects of each type, and what was left out."""

    path: Path
    counts: dict[str, int]
    undated_sources: int
    focus: str | None

    @property
    def total(self) -> int:
        """How many objects the bundle holds."""
        return sum(self.counts.values())


def build_objects(
    ox_store: ox.Store, store_path: Path | None, focus: str | None = None, depth: int = 2, as_of: str | None = None
) -> tuple[dict[str, dict], int, str | None]:
    """The bundle's objects by id, how many sources had no date, and the focus entity's label.

    ``as_of`` must already be checked (``terms.check_date``); a ``focus`` that names no entity,
    or one the export carries no object for, is an InputError.
    """
    from ..entities import Entities
    from .mapping import Context, map_entities, tables
    from .read import read
    from .relations import map_attributions, map_relations
    from .reports import map_definitions, map_sanctions, map_sources
    from .writer import focus_view

    entities = Entities.of_store(ox_store, store_path)
    cluster = entities.resolve(focus) if focus else None
    ctx = Context(read(ox_store, tables()["read"]["properties"], as_of), entities)
    map_entities(ctx)
    map_relations(ctx)
    map_attributions(ctx)
    map_sanctions(ctx)
    undated = map_sources(ctx)
    map_definitions(ctx)
    if cluster is None:
        return ctx.objects, undated, None
    start = {ctx.ids[m] for m in cluster.members if m in ctx.ids}
    if not start:
        when = f" in the sources issued by {as_of}" if as_of else ""
        raise InputError(
            f"--focus {focus!r}: {cluster.label} ({cluster.curie}) is a {cluster.kind}, "
            f"which the STIX export carries no object for{when}; focus on an actor, "
            "incident, service or address"
        )
    return focus_view(ctx.objects, start, depth), undated, cluster.label


def export_stix(
    ox_store: ox.Store,
    store_path: Path | None,
    out_dir: Path,
    focus: str | None = None,
    depth: int = 2,
    as_of: str | None = None,
) -> StixExport:
    """Write ``graph.stix.json`` into ``out_dir`` atomically (see the module docstring)."""
    from ..export import check_writable, write_atomically
    from .writer import FILE_NAME, render

    check_writable(out_dir)
    # The export allocates millions of small tuples, lists and dicts, all freed by reference
    # counting; the cyclic collector would rescan the growing heap again and again (a fifth of
    # the time at 10^5 triples, more beyond), so it is paused while the bundle is made.
    collecting = gc.isenabled()
    gc.disable()
    try:
        objects, undated, label = build_objects(ox_store, store_path, focus, depth, as_of)
        data = render(objects)
    finally:
        if collecting:
            gc.enable()
    path = Path(out_dir) / FILE_NAME
    write_atomically({path: data})
    counts = Counter(obj["type"] for obj in objects.values())
    return StixExport(path, dict(sorted(counts.items())), undated, label)
