"""``screen``: check crypto addresses against everything the store knows, curated and imported.

One result per input, in input order: whether it is an address of a known format
(``catalog/address_formats.toml``), whether the store holds it, the entity holding it and the
designations of that entity with their status as of a date, the chain and asset, the incidents
the address is tied to, and the sources and datasets for each. EVM addresses match in any case;
every other format exactly.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import paths
from .reader import Reader
from .sanctions import Designation, designations, state, verdict
from .terms import shorten

FORMATS_FILE = paths.DATA_ROOT / "catalog" / "address_formats.toml"
#: An address held by several entities takes the first of their statuses in this order.
_PRECEDENCE = ("listed", "listed in an older snapshot", "delisted", "not listed")


@functools.cache
def _formats() -> list[tuple[str, re.Pattern[str]]]:
    with open(FORMATS_FILE, "rb") as handle:
        table = tomllib.load(handle)["format"]
    return [(name, re.compile(entry["pattern"])) for name, entry in table.items()]


def address_format(value: str) -> str:
    """The name of the format ``value`` has, or '' when it is no address of a known format.

    >>> address_format(" 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 "), address_format("hello")
    ('evm', '')
    """
    value = value.strip()
    return next((name for name, pattern in _formats() if pattern.fullmatch(value)), "")


@dataclass
class Party:
    """An entity that holds a screened address, with its designations as of the date."""

    entity: str
    label: str
    kind: str
    verdict: str
    status: str
    designations: list[Designation] = field(default_factory=list)


@dataclass
class Screened:
    """The answer for one input line (stable keys: the README documents them)."""

    input: str
    line: int
    format: str
    hit: bool
    status: str
    address: str = ""
    chains: list[str] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)
    holders: list[Party] = field(default_factory=list)
    incidents: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def screen(reader: Reader, inputs: Iterable[tuple[int, str]], as_of: str) -> list[Screened]:
    """Screen each (line number, value); the status is ``listed``, ``delisted``, ``listed in an
    older snapshot``, ``not listed`` (known, no designation), ``no hit`` or ``not an address``."""
    entities = reader.entities
    parties: dict[str, Party] = {}
    results = []
    inputs = list(inputs)
    formats = {raw: address_format(raw) for _, raw in inputs}
    held = entities.address_records(raw.strip() for _, raw in inputs if formats[raw])
    facts: dict[str, list[dict[str, str | None]]] = {}
    for row in reader.rows("address-facts", focus=sorted({r for records in held.values() for r in records})):
        facts.setdefault(row["focus"] or "", []).append(row)
    for line, raw in inputs:
        value = raw.strip()
        fmt = formats[raw]
        if not fmt:
            results.append(Screened(raw, line, "", False, "not an address"))
            continue
        records = held.get(value, [])
        if not records:
            results.append(Screened(value, line, fmt, False, "no hit"))
            continue
        found = Screened(value, line, fmt, True, "not listed", shorten(entities.cluster(records[0]).canonical))
        holders: set[str] = set()
        sources: set[str] = set()
        chains: set[str] = set()
        assets: set[str] = set()
        incidents: set[str] = set()
        for record in records:
            for row in facts.get(record, []):
                sources.add(shorten(row["g"] or ""))
                chains.update(filter(None, [row["chain"]]))
                assets.update(filter(None, [row["asset"]]))
                if row["holder"]:
                    holders.add(entities.cluster(row["holder"]).canonical)
                if row["incident"]:
                    incidents.add(shorten(entities.cluster(row["incident"]).canonical))
        for holder in sorted(holders):
            if holder not in parties:
                cluster = entities.cluster(holder)
                found_designations = designations(reader, cluster.members, as_of)
                for d in found_designations:
                    d.sources = [shorten(g) for g in d.sources]
                    d.snapshots = [shorten(g) for g in d.snapshots]
                    d.sanction, d.target = shorten(d.sanction), shorten(d.target)
                parties[holder] = Party(
                    cluster.curie,
                    cluster.label,
                    cluster.kind,
                    verdict(found_designations, reader),
                    state(found_designations, reader)[0],
                    found_designations,
                )
            found.holders.append(parties[holder])
        found.chains, found.assets, found.incidents = sorted(chains), sorted(assets), sorted(incidents)
        found.sources = sorted(sources | {s for p in found.holders for d in p.designations for s in d.sources})
        statuses = {p.status for p in found.holders}
        found.status = next((s for s in _PRECEDENCE if s in statuses), "not listed")
        results.append(found)
    return results


def read_inputs(text: str, where: str, column: str | None = None) -> list[tuple[int, str]]:
    """The values to screen from a file's text: one per non-blank line, or the cells of CSV
    column ``column`` (header row first). A column the header lacks is an InputError naming the
    columns there are; no value at all is an InputError too."""
    import csv
    import io

    from .errors import InputError

    if column is None:
        values = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    else:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if reader.fieldnames is None or column not in reader.fieldnames:
            there = ", ".join(reader.fieldnames or []) or "none"
            raise InputError(f"--column {column!r} is not in the header (columns: {there})", where, 1)
        values = [(reader.line_num, row[column] or "") for row in reader if (row[column] or "").strip()]
    if not values:
        raise InputError("no address to screen (the input is empty)", where)
    return values
