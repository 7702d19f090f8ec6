"""What changed between two SDN snapshots: entries added, removed, changed field by field, and
re-designated (delisted under one entry number and listed again under another with the same
name, as Tornado Cash went from 38499 to 39796).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .ntriples import normal
from .ofac_sdn import Entry, Snapshot

#: The fields compared, in the order they are reported.
COMPARED = (
    "name",
    "type",
    "programs",
    "title",
    "aliases",
    "addresses",
    "call_sign",
    "vessel_type",
    "tonnage",
    "grt",
    "vessel_flag",
    "vessel_owner",
    "remarks",
)
CHANGES = ("added", "removed", "redesignated", "changed")


def _values(entry: Entry, name: str) -> list[str]:
    """One field of an entry as a list of values (empty when the field is empty)."""
    fields: dict[str, list[str] | str] = {
        "name": entry.name,
        "type": entry.sdn_type,
        "programs": entry.programs,
        "title": entry.title,
        "aliases": entry.aliases,
        "addresses": [f"{t} {a}" for t, a in entry.addresses],
        "remarks": entry.remarks,
    }
    value = fields.get(name) or entry.vessel.get(name, "")
    return list(value) if isinstance(value, list) else ([value] if value else [])


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: the values only the old snapshot has, and only the new one."""

    field: str
    removed: list[str]
    added: list[str]


@dataclass
class EntryChange:
    """One entry that differs between the snapshots; ``old_ent_num`` for a re-designation."""

    change: str
    ent_num: int
    name: str
    entry_type: str
    programs: list[str]
    old_ent_num: int | None = None
    old_programs: list[str] = field(default_factory=list)
    fields: list[FieldChange] = field(default_factory=list)
    addresses: int = 0


@dataclass
class SdnDiff:
    """The changes between two snapshots, by kind and entry number."""

    old: Path
    new: Path
    changes: list[EntryChange]

    @property
    def counts(self) -> dict[str, int]:
        """How many entries of each kind of change."""
        return {kind: sum(c.change == kind for c in self.changes) for kind in CHANGES}


def _fields(a: Entry, b: Entry) -> list[FieldChange]:
    found = []
    for name in COMPARED:
        before, after = _values(a, name), _values(b, name)
        if before != after:
            found.append(
                FieldChange(name, [v for v in before if v not in after], [v for v in after if v not in before])
            )
    return found


def _entry(kind: str, e: Entry) -> EntryChange:
    return EntryChange(kind, e.ent_num, e.name, e.sdn_type, e.programs, addresses=len(e.addresses))


def diff(old: Snapshot, new: Snapshot, program: str | None = None) -> SdnDiff:
    """Compare two snapshots entry by entry (by ent_num); a removed and an added entry of the
    same name are one re-designation. ``program`` (a glob such as ``DPRK*``) keeps the entries
    listed under a matching program in either snapshot; one that matches no program of either
    snapshot is an ``InputError``."""
    if program is not None:
        known = {p for s in (old, new) for e in s.entries.values() for p in e.programs}
        if not fnmatch.filter([p.upper() for p in known], program.upper()):
            raise InputError(
                f"--program {program!r} matches no program of either snapshot "
                f"(they have {len(known)}, such as {', '.join(sorted(known)[:5])})"
            )
    added = {n: new.entries[n] for n in sorted(new.entries.keys() - old.entries.keys())}
    removed = {n: old.entries[n] for n in sorted(old.entries.keys() - new.entries.keys())}
    by_name: dict[str, list[int]] = {}
    for n, e in added.items():
        by_name.setdefault(normal(e.name), []).append(n)
    changes: list[EntryChange] = []
    for gone in removed.values():
        again = by_name.get(normal(gone.name))
        if again:
            b = added.pop(again.pop(0))
            changes.append(
                EntryChange(
                    "redesignated",
                    b.ent_num,
                    b.name,
                    b.sdn_type,
                    b.programs,
                    gone.ent_num,
                    gone.programs,
                    _fields(gone, b),
                    len(b.addresses),
                )
            )
        else:
            changes.append(_entry("removed", gone))
    changes += [_entry("added", e) for e in added.values()]
    for n in sorted(old.entries.keys() & new.entries.keys()):
        a, b = old.entries[n], new.entries[n]
        found = _fields(a, b)
        if found:
            changes.append(
                EntryChange("changed", n, b.name, b.sdn_type, b.programs, None, a.programs, found, len(b.addresses))
            )
    if program is not None:
        changes = [
            c for c in changes if fnmatch.filter([p.upper() for p in (*c.programs, *c.old_programs)], program.upper())
        ]
    changes.sort(key=lambda c: (CHANGES.index(c.change), c.ent_num))
    return SdnDiff(old.path, new.path, changes)
