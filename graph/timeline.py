"""Dated events in order, each with the sources that give its date.

Events are incidents (when they happened and when they were disclosed), attributions,
designations and delistings, address listings, launderings, dated claims and published reports.
Dates keep the precision the source gives (``2022``, ``2022-11``, ``2022-11-08``, or a range
``2023-01-23/24`` where a source gives only that) and sort as text, so a month sorts before the
days in it. An entity is a cluster (``graph.entities``): events of
any of its records are its events. With ``as_of`` only sources issued on or before it count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .entities import Cluster
from .reader import Reader
from .terms import PREFIXES, on_or_after, on_or_before, shorten

#: Event types as ``--event`` takes them, and the events each covers.
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "incident": ("incident", "disclosed"),
    "attribution": ("attribution",),
    "designation": ("designated", "address listed"),
    "delisting": ("delisted",),
    "claim": ("claim", "laundering"),
    "report": ("report",),
}


@dataclass(frozen=True)
class Event:
    """One dated event: its date as the sources give it, kind, subject, and sources."""

    date: str
    event: str
    node: str
    label: str
    involved: tuple[str, ...]
    sources: tuple[str, ...]


def date_range(early: str | None, late: str | None) -> str:
    """Two bounds of an uncertain date as one text, e.g. ``2023-01-23/24`` ('' without bounds).

    >>> date_range("2023-01-23", "2023-01-24"), date_range("2024-12-31", "2025-01-01")
    ('2023-01-23/24', '2024-12-31/2025-01-01')
    """
    if not early or not late:
        return ""
    if early == late:
        return early
    return f"{early}/{late[8:]}" if early[:8] == late[:8] else f"{early}/{late}"


def events(
    reader: Reader,
    since: str | None = None,
    until: str | None = None,
    entity: Cluster | None = None,
    as_of: str | None = None,
    kinds: tuple[str, ...] = (),
    curated_only: bool = False,
) -> list[Event]:
    """Dated events in date order, filtered as asked.

    A partial date is within the bounds when it overlaps them: ``2022`` is kept by
    ``--since 2022-06-01``. ``kinds`` are keys of ``EVENT_TYPES``.
    """
    entities = reader.entities
    wanted = {e for k in kinds for e in EVENT_TYPES[k]}
    members = set(entity.members) if entity else set()
    restrict: dict[str, list[str]] = {}
    if entity:
        nearby = {row["node"] or "" for row in reader.rows("event-nodes", focus=entity.members)}
        restrict["node"] = sorted(nearby | members)
    grouped: dict[tuple[str, str, str], tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for row in reader.rows("events", **restrict):
        graph = row["g"] or ""
        if curated_only and not graph.startswith(PREFIXES["src"]):
            continue
        if as_of and reader.issued(graph) and not on_or_before(reader.issued(graph), as_of):
            continue
        date = date_range(row["early"], row["late"]) or row["stated"] or ""
        involved, sources = grouped[(date, row["event"] or "", row["node"] or "")]
        if row["related"] is not None:
            involved.add(row["related"])
        sources.add(shorten(graph))
    found = []
    for (date, event, node), (involved, sources) in sorted(grouped.items()):
        if (since and not on_or_after(date, since)) or (until and not on_or_before(date, until)):
            continue
        if as_of and not on_or_before(date, as_of):
            continue
        if wanted and event not in wanted:
            continue
        if members and node not in members and not members & involved:
            continue
        label = entities.label(node) if entities.is_record(node) else reader.label(node)
        found.append(
            Event(
                date,
                event,
                shorten(node),
                label,
                tuple(sorted(shorten(entities.cluster(i).canonical) for i in involved)),
                tuple(sorted(sources)),
            )
        )
    return found
