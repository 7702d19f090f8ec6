"""OFAC's legacy SDN list (``sdn.csv``): every entry as a designated party with its sanction,
programs, type, aliases and digital-currency addresses.

The file has no header and 12 columns (ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks); ``-0-`` marks an empty value, lines
end in CRLF and the file ends with a ``\\x1a`` byte. Several programs share a field as
``DPRK3] [CYBER2``. Aliases and addresses are free text in Remarks, which OFAC cuts at 1,000
characters: such entries are flagged and their incomplete last item is skipped, not guessed.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..files import read_text
from ..namespace import DATASET, KG
from .dataset import DatasetInfo, dataset_info
from .driver import Parsed
from .ntriples import ADDRESS, ALT_LABEL, EDITORIAL_NOTE, Entity, Quads, Skipped, dkg, iri, lit, parse_date, term

COLUMNS = 12
#: The columns after the name, as ``Entry.fields`` keys, in file order (``Remarks`` apart).
FIELDS = ("type", "programs", "title", "call_sign", "vessel_type", "tonnage", "grt", "vessel_flag", "vessel_owner")
REMARKS_LIMIT = 1000
#: SDN_Type is blank (``-0-``) for entities; the other types are spelled out.
ENTITY_TYPE = "entity"

_ALIAS = re.compile(r"\b([afn])\.k\.a\.\s+'([^']+)'")
_ADDRESS = re.compile(r"Digital Currency Address - ([A-Za-z0-9]+)\s+(\S+?)(?=;|\.?$|\s)")
_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _value(field_text: str) -> str:
    """A field with OFAC's ``-0-`` empty marker turned into an empty string.

    >>> _value("-0- "), _value(" DPRK3 ")
    ('', 'DPRK3')
    """
    text = field_text.strip()
    return "" if text == "-0-" else text


def programs(field_text: str) -> list[str]:
    """The program tags of the Program field.

    >>> programs("DPRK3] [CYBER2")
    ['DPRK3', 'CYBER2']
    """
    return [p.strip(" []") for p in _value(field_text).split("] [") if p.strip(" []")]


@dataclass
class Entry:
    """One SDN entry as published."""

    ent_num: int
    name: str
    sdn_type: str
    programs: list[str]
    title: str
    aliases: list[str]
    addresses: list[tuple[str, str]]
    remarks: str
    truncated: bool
    line: int
    vessel: dict[str, str] = field(default_factory=dict)


@dataclass
class Snapshot(Parsed):
    """A parsed SDN file: its entries by ent_num, and what was skipped or looks wrong."""

    entries: dict[int, Entry] = field(default_factory=dict)


def parse_remarks(
    remarks: str, where: Skipped, skipped: list[Skipped]
) -> tuple[list[str], list[tuple[str, str]], bool]:
    """Aliases, (ticker, address) pairs and the truncation flag of a Remarks field.

    >>> parse_remarks("a.k.a. 'BNC'; Digital Currency Address - XBT 1AbCdEfGhJk.", Skipped("f", ""), [])
    (['BNC'], [('XBT', '1AbCdEfGhJk')], False)
    """
    truncated = len(remarks) >= REMARKS_LIMIT
    complete = remarks
    if truncated:
        cut = remarks.rfind("; ")
        complete = remarks[:cut] if cut >= 0 else ""
        skipped.append(
            Skipped(
                where.file,
                f"Remarks cut at {REMARKS_LIMIT:,} characters by OFAC; "
                f"incomplete last item {remarks[cut + 2 if cut >= 0 else 0 :][:60]!r} "
                "not imported",
                where.line,
                where.record,
            )
        )
    aliases = list(dict.fromkeys(name.strip() for _, name in _ALIAS.findall(complete)))
    addresses = []
    for ticker, address in _ADDRESS.findall(complete):
        address = address.rstrip(".")
        if ADDRESS.match(address):
            addresses.append((ticker.upper(), address))
        else:
            skipped.append(
                Skipped(
                    where.file,
                    f"address {address[:80]!r} ({ticker}) is not a well-formed address",
                    where.line,
                    where.record,
                )
            )
    return aliases, list(dict.fromkeys(addresses)), truncated


def parse(path: Path) -> Snapshot:
    """Parse an ``sdn.csv`` file completely; malformed rows are skipped with their line."""
    path = Path(path)
    text = read_text(path)
    snapshot = Snapshot(path, [path])
    if not text.endswith("\x1a"):
        snapshot.warnings.append(f"{path}: no \\x1a end-of-file byte; the file may be truncated")
    body = text.rstrip("\x1a")
    if body and not body.endswith(("\r\n", "\n")):
        snapshot.warnings.append(f"{path}: the last line has no line ending; the file may be truncated")
    reader = csv.reader(io.StringIO(body, newline=""), strict=True)
    start, file = 1, str(path)
    try:
        for row in reader:
            first, start = start, reader.line_num + 1
            if not row:
                continue
            if len(row) != COLUMNS:
                snapshot.skipped.append(Skipped(file, f"expected {COLUMNS} columns, found {len(row)}", first))
                continue
            number = row[0].strip()
            if not number.isdigit() or len(number) > 12:
                snapshot.skipped.append(Skipped(file, f"ent_num {number[:40]!r} is not a number", first))
                continue
            ent_num = int(number)
            name = _value(row[1])
            if not name:
                snapshot.skipped.append(Skipped(file, f"entry {ent_num} has no name", first))
                continue
            if ent_num in snapshot.entries:
                snapshot.skipped.append(
                    Skipped(file, f"ent_num {ent_num} repeats line {snapshot.entries[ent_num].line}", first)
                )
                continue
            remarks = _value(row[11])
            aliases, addresses, truncated = parse_remarks(
                remarks, Skipped(file, "", first, f"ent_num {ent_num}"), snapshot.skipped
            )
            values = dict(zip(FIELDS, map(_value, row[2:11]), strict=True))
            snapshot.entries[ent_num] = Entry(
                ent_num,
                name,
                values["type"] or ENTITY_TYPE,
                programs(row[3]),
                values["title"],
                aliases,
                addresses,
                remarks,
                truncated,
                first,
                {k: v for k, v in values.items() if k not in ("type", "programs", "title")},
            )
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc}); the file may be truncated", path, reader.line_num) from exc
    if not snapshot.entries:
        raise InputError(
            f"not an OFAC SDN CSV: no row has the {COLUMNS} SDN columns ({len(snapshot.skipped)} row(s) skipped)", path
        )
    return snapshot


def snapshot_date(path: Path, given: str | None = None) -> str:
    """The snapshot's date: given, or read from the file name (``sdn_2022-08-08.csv``)."""
    if given:
        value = parse_date(given)
        if value is None:
            raise InputError(f"--date {given!r} is not a date (YYYY-MM-DD)")
        return value
    found = _DATE_IN_NAME.search(Path(path).name)
    value = parse_date(found.group(1)) if found else None
    if value is None:
        raise InputError("cannot tell the snapshot date from the file name; pass --date YYYY-MM-DD", path)
    return value


def entry_iri(ent_num: int) -> str:
    """The IRI of an SDN entry, shared by every snapshot that lists it.

    >>> entry_iri(38499)
    'https://w3id.org/dprk-kg/dataset/ofac-sdn/entry/38499'
    """
    return str(DATASET[f"ofac-sdn/entry/{ent_num}"])


class SdnImporter:
    """``dprk-kg import ofac-sdn``: one snapshot into its graph ``dataset:ofac-sdn-<date>``."""

    def __init__(self, day: str | None = None):
        self.day = day

    def read(self, path: Path) -> Snapshot:
        """Check the snapshot date first (a cheap refusal), then parse the whole file."""
        self.day = snapshot_date(path, self.day)
        return parse(path)

    def describe(self, parsed: Snapshot) -> DatasetInfo:
        """The snapshot as a dataset dated by its snapshot date."""
        day = snapshot_date(parsed.path, self.day)
        return dataset_info("ofac-sdn", f"ofac-sdn-{day}", day, parsed.path, version=day, issued=day)

    def to_quads(self, parsed: Snapshot, info: DatasetInfo) -> Quads:
        """The snapshot's entries, sanctions and addresses as N-Quads in the dataset's graph."""
        quads = Quads(info.graph, parsed.path)
        ofac = iri(str(KG["ofac"]))
        counts = quads.counts
        counts.update(entries=0, aliases=0, addresses=0, truncated_remarks=0)
        for ent_num in sorted(parsed.entries):
            entry = parsed.entries[ent_num]
            node = iri(entry_iri(ent_num))
            quads.node(node, "DesignatedParty", entry.name)
            quads.add(node, dkg("listEntryId"), lit(str(ent_num)))
            quads.add(node, term("dcterms:type"), lit(entry.sdn_type))
            if entry.title:
                quads.add(node, term("schema:jobTitle"), lit(entry.title))
            for alias in entry.aliases:
                quads.name(node, ALT_LABEL, alias)
            if entry.remarks:
                quads.add(node, term("rdfs:comment"), lit(entry.remarks))
            if entry.truncated:
                counts["truncated_remarks"] += 1
                quads.add(
                    node,
                    EDITORIAL_NOTE,
                    lit(
                        f"OFAC cut the Remarks of this entry at {REMARKS_LIMIT:,} characters (the rest "
                        "is in sdn_comments.csv, not imported): its aliases and addresses may be "
                        "incomplete.",
                        lang="en",
                    ),
                )
            sanction = iri(f"{entry_iri(ent_num)}/sanction")
            quads.node(sanction, "Sanction", f"OFAC SDN listing of {entry.name}")
            quads.add(sanction, dkg("sanctionTarget"), node)
            quads.add(sanction, dkg("authority"), ofac)
            quads.add(sanction, dkg("status"), dkg("Listed"))
            for program in entry.programs:
                quads.add(sanction, dkg("program"), lit(program))
            for ticker, address in entry.addresses:
                addr = iri(str(DATASET[f"ofac-sdn/address/{ticker}/{address}"]))
                quads.node(addr, "CryptoAddress", f"{ticker} {address}")
                quads.add(addr, dkg("address"), lit(address))
                quads.add(addr, dkg("chain"), lit(ticker))
                quads.add(addr, dkg("asset"), lit(ticker))
                quads.add(addr, dkg("holder"), node)
                quads.add(addr, dkg("listedUnder"), sanction)
            quads.entity(Entity(entry_iri(ent_num), entry.name, tuple(entry.aliases), (("listEntryId", str(ent_num)),)))
            counts["entries"] += 1
            counts["aliases"] += len(entry.aliases)
            counts["addresses"] += len(entry.addresses)
        return quads
