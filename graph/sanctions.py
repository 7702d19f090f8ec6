"""Designations of an entity and their status on a date: the one place that decides "listed".

A designation is a ``dkg:Sanction`` node: curated ones carry a listing date and, once delisted,
an end date or the status ``dkg:Delisted``; an imported list snapshot (OFAC's SDN list) states
that an entry is listed on the snapshot's date. As of a date, only sources issued on or before it
count. A designation is then

- ``listed``: listed on or before the date and not ended by then;
- ``delisted``: ended on or before the date (``ended`` gives the date);
- ``not yet listed``: every listing date the counted sources give is after the date;
- ``listed in an older snapshot``: a list snapshot lists it, but the newest snapshot of that list
  issued by the date does not;
- ``re-designated``: a later designation by the same authority replaced it (``ended`` is when).

The entity's verdict follows the most recent dated evidence: a delisting stated in 2025 outweighs
a snapshot of 2024 that still lists the entry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .reader import Reader
from .terms import PREFIXES, expand, on_or_before, shorten

_DKG = PREFIXES["dkg"]


@dataclass
class Designation:
    """One sanction on one record, with what its sources state and the status on a date."""

    sanction: str
    target: str
    label: str = ""
    authority: list[str] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    legal_basis: list[str] = field(default_factory=list)
    listing_date: str = ""
    end_date: str = ""
    status: str = ""
    ended: str = ""
    snapshots: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _snapshot_series(reader: Reader) -> dict[str, list[tuple[str, str]]]:
    """Publisher -> its dated datasets (graph, date), newest first."""
    series: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in reader.rows("snapshots"):
        series[row["publisher"] or ""].append((row["g"] or "", row["issued"] or ""))
    return series


def designations(reader: Reader, members: tuple[str, ...], as_of: str) -> list[Designation]:
    """Every designation of any of ``members`` as stated by sources issued by ``as_of``."""
    series = _snapshot_series(reader)
    found: dict[str, Designation] = {}
    listed_by: dict[str, set[str]] = defaultdict(set)
    ends: dict[str, set[str]] = defaultdict(set)
    starts: dict[str, set[str]] = defaultdict(set)
    delisted_status: dict[str, bool] = {}
    for row in reader.rows("sanctions-of", focus=members):
        graph = row["g"] or ""
        issued = reader.issued(graph)
        if issued and not on_or_before(issued, as_of):
            continue
        sanction, prop, value = row["sanction"] or "", row["p"] or "", row["o"] or ""
        d = found.setdefault(sanction, Designation(sanction, row["focus"] or ""))
        if graph not in d.sources:
            d.sources.append(graph)
        if prop == PREFIXES["rdfs"] + "label":
            d.label = min(filter(None, (d.label, value)))
        elif prop == _DKG + "authority":
            _add(d.authority, shorten(value))
        elif prop == _DKG + "program":
            _add(d.programs, value)
        elif prop == _DKG + "legalBasis":
            _add(d.legal_basis, value)
        elif prop == _DKG + "listingDate" and on_or_before(value, as_of):
            starts[sanction].add(value)
        elif prop == _DKG + "endDate":
            ends[sanction].add(value)
        elif prop == _DKG + "status":
            delisted_status[sanction] = delisted_status.get(sanction, False) or value.endswith("#Delisted")
            if value.endswith("#Listed") and graph.startswith(PREFIXES["dataset"]):
                listed_by[sanction].add(graph)
    newest_by_graph = _newest_snapshots(series, as_of)
    for sanction, d in found.items():
        d.listing_date = min(starts[sanction], default="")
        stated_ends = ends[sanction]
        d.end_date = min((e for e in stated_ends if on_or_before(e, as_of)), default="")
        if stated_ends and not d.end_date:  # the delisting its sources state came after as_of
            delisted_status[sanction] = False
        d.snapshots = sorted(listed_by[sanction], key=reader.issued)
        d.sources.sort()
        d.programs.sort()
        d.status, d.ended = _status(d, delisted_status.get(sanction, False), newest_by_graph, reader)
    ordered = sorted(found.values(), key=lambda d: (d.listing_date or _first_snapshot(d, reader), d.sanction))
    for earlier in ordered:
        later = [
            d.listing_date
            for d in ordered
            if d.listing_date > earlier.listing_date and set(d.authority) & set(earlier.authority)
        ]
        if earlier.listing_date and earlier.status == "listed" and later:
            earlier.status, earlier.ended = "re-designated", min(later)
    return ordered


def _add(values: list[str], value: str) -> None:
    if value not in values:
        values.append(value)


def _first_snapshot(d: Designation, reader: Reader) -> str:
    return min((reader.issued(g) for g in d.snapshots), default="9999")


def _newest_snapshots(series: dict[str, list[tuple[str, str]]], as_of: str) -> dict[str, str]:
    """Snapshot graph -> the newest snapshot of the same list issued by ``as_of``."""
    newest = {}
    for snapshots in series.values():
        counted = [g for g, issued in snapshots if on_or_before(issued, as_of)]
        for graph, _ in snapshots:
            newest[graph] = counted[0] if counted else ""
    return newest


def _status(d: Designation, delisted: bool, newest: dict[str, str], reader: Reader) -> tuple[str, str]:
    if d.end_date or delisted:
        return "delisted", d.end_date
    if d.snapshots:
        latest = {newest.get(g, g) for g in d.snapshots}
        if latest - set(d.snapshots):
            return "listed in an older snapshot", reader.issued(d.snapshots[-1])
        return "listed", ""
    if d.listing_date:
        return "listed", ""
    return "listed" if d.sources else "not yet listed", ""


def state(found: list[Designation], reader: Reader | None = None) -> tuple[str, str]:
    """The entity's status on the date the designations were read for, from the most recent
    dated evidence: (``listed``|``delisted``|``listed in an older snapshot``|``not listed``, date).

    >>> state([Designation("s", "t", listing_date="2022-08-08", status="delisted", ended="2025-03-21")])
    ('delisted', '2025-03-21')
    """
    evidence: list[tuple[str, int, str]] = []  # (date, 1 for an ending, status)
    for d in found:
        if d.listing_date:
            evidence.append((d.listing_date, 0, "listed"))
        if d.status == "delisted":
            evidence.append((d.ended or d.listing_date, 1, "delisted"))
        if d.status == "listed in an older snapshot":
            evidence.append((d.ended, 0, "listed in an older snapshot"))
        elif d.snapshots:
            evidence.extend((reader.issued(g) if reader else "", 0, "listed") for g in d.snapshots)
    if not evidence:
        return "not listed", ""
    when, _, status = max(evidence)
    return status, when


def verdict(found: list[Designation], reader: Reader | None = None) -> str:
    """One line for a sanctioned entity: by whom, since when, and whether it was delisted.

    >>> verdict([Designation("s", "t", authority=["OFAC"], listing_date="2022-08-08",
    ...                      status="delisted", ended="2025-03-21", end_date="2025-03-21")])
    'Sanctioned by OFAC since 2022-08-08; delisted 2025-03-21'
    """
    if not found:
        return ""
    name = (lambda curie: reader.entities.short_name(expand(curie))) if reader else (lambda curie: curie)
    authorities = sorted({name(a) for d in found for a in d.authority}) or ["an authority"]
    since = min((d.listing_date for d in found if d.listing_date), default="")
    line = f"Sanctioned by {', '.join(authorities)}" + (f" since {since}" if since else "")
    status, when = state(found, reader)
    if status == "delisted":
        return line + (f"; delisted {when}" if when else "; delisted")
    if status == "listed in an older snapshot":
        return line + f"; listed only in snapshots older than the newest one imported (last: {when})"
    if not since and status == "listed":
        return line + " (in the list snapshots imported)"
    return line
