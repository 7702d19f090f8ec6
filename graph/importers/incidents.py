"""Incident tables: the DeFiLlama hacks CSV, Markdown write-ups with YAML front matter (the DN
Institute's ``incidents/*.md``) and the DPRK-attributed incident table of a Markdown README
(``incident_table``). Each record becomes a ``dkg:Incident`` with its date, victims, technique
and reported loss in USD, and is matched to curated and other imported incidents by victim and
date (``matching``).

Front-matter fields vary between a value and a list (``target-entities: Parity`` in one file,
a list in the next); both are read the same way. A record without a usable date or name is
skipped with its file, line and reason; in a folder, a file that cannot be read at all (not
UTF-8, not a regular file, too large) is one skipped record and the others are imported.
"""

from __future__ import annotations

import ast
import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import InputError
from ..files import read_text
from ..namespace import DATASET
from .dataset import DatasetInfo, dataset_info
from .driver import Parsed
from .inputs import MAX_RECORD_FILE_BYTES, load_front_matter
from .ntriples import ALT_LABEL, COMMENT, Entity, IncidentRecord, Quads, Skipped, dkg, iri, lit, parse_date, slug, term

DEFILLAMA_COLUMNS = {"date", "name", "amount"}
#: The largest loss read as a number (USD 10^15); a larger or longer figure is a data error.
MAX_USD_DIGITS = 16
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_SUMMARY = re.compile(r"^##\s+Summary\s*$\n+(.+?)(?=^##\s|\Z)", re.M | re.S)
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[T ].*)?")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def strings(value) -> list[str]:
    """A field that is a value in some records and a list in others, as a list of strings.

    >>> strings("Parity"), strings(["Harmony", "Horizon Bridge"]), strings(None)
    (['Parity'], ['Harmony', 'Horizon Bridge'], [])
    """
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    if value is None or isinstance(value, dict) or not str(value).strip():
        return []
    return [str(value).strip()]


def usd(value) -> Decimal | None:
    """A loss in USD as a decimal, or None when not a number or out of range.

    >>> usd("624000000.0"), usd(625000000), usd("unknown"), usd("1e999999999")
    (Decimal('624000000'), Decimal('625000000'), None, None)
    """
    text = str(value).strip().replace(",", "")
    if len(text) > 40:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or (amount and amount.adjusted() >= MAX_USD_DIGITS):
        return None
    amount = amount.normalize()
    return amount.quantize(Decimal(1)) if amount == amount.to_integral() else amount


@dataclass
class IncidentRow:
    """One incident as a table or write-up states it."""

    key: str
    label: str
    date: str
    victims: list[str]
    line: int | None = None
    aliases: dict[str, list[str]] = field(default_factory=dict)
    techniques: list[str] = field(default_factory=list)
    loss: Decimal | None = None
    chains: list[str] = field(default_factory=list)
    url: str | None = None
    subjects: list[str] = field(default_factory=list)
    comment: str | None = None


@dataclass
class IncidentSet(Parsed):
    """The incidents of one import, and the dataset name they go into."""

    name: str = ""
    rows: list[IncidentRow] = field(default_factory=list)


class IncidentWriter:
    """Adds incidents and their victims to one graph, giving each a unique IRI."""

    def __init__(self, quads: Quads, name: str):
        self.quads = quads
        self.base = str(DATASET[name])
        self.seen: set[str] = set()
        self.victims: set[str] = set()
        quads.counts.update(incidents=0, victims=0, losses=0)

    def add(self, row: IncidentRow) -> str:
        """One incident record; returns its node (in N-Triples form)."""
        key = slug(row.key)
        unique, n = key, 1
        while unique in self.seen:
            n += 1
            unique = f"{key}-{n}"
        self.seen.add(unique)
        node_iri = f"{self.base}/{unique}"
        node = iri(node_iri)
        q = self.quads
        q.node(node, "Incident", row.label)
        q.add(node, dkg("eventDate"), lit(row.date, "gYear" if len(row.date) == 4 else "date"))
        victims = []
        for victim in dict.fromkeys(row.victims):
            v = f"{self.base}/victim/{slug(victim)}"
            aliases = row.aliases.get(victim, [])
            if v not in self.victims:
                self.victims.add(v)
                q.node(iri(v), "Service", victim)
                for alias in aliases:
                    q.name(iri(v), ALT_LABEL, alias)
                q.entity(Entity(v, victim, tuple(aliases)))
                q.counts["victims"] += 1
            q.add(node, dkg("victim"), iri(v))
            victims.append((v, (victim, *aliases)))
        q.incidents.append(IncidentRecord(node_iri, row.label, row.date, tuple(victims)))
        for technique in dict.fromkeys(row.techniques):
            q.add(node, dkg("technique"), lit(technique, lang="en"))
        for chain in dict.fromkeys(row.chains):
            q.add(node, dkg("chain"), lit(chain))
        for subject in dict.fromkeys(row.subjects):
            q.add(node, term("dcterms:subject"), lit(subject))
        if row.url:
            q.add(node, term("schema:url"), lit(row.url, "anyURI"))
        if row.comment:
            q.add(node, COMMENT, lit(row.comment, lang="en"))
        if row.loss is not None:
            amount = iri(f"{node_iri}/loss")
            q.node(amount, term("schema:MonetaryAmount"), f"${row.loss:,} reported loss")
            q.add(amount, term("schema:value"), lit(str(row.loss), "decimal"))
            q.add(amount, term("schema:currency"), lit("USD"))
            q.add(node, dkg("reportedLoss"), amount)
            q.counts["losses"] += 1
        q.counts["incidents"] += 1
        return node


def _chains(value: str) -> list[str]:
    """DeFiLlama's chain column, a Python-style list such as ``['Ethereum', 'BSC']``.

    >>> _chains("['Ethereum', 'BSC']"), _chains("Solana")
    (['Ethereum', 'BSC'], ['Solana'])
    """
    text = value.strip()
    if text.startswith("["):
        if len(text) > 2000:
            return []
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return []
        return strings(parsed) if isinstance(parsed, list) else []
    return strings(text)


def read_defillama(path: Path, text: str, found: IncidentSet) -> None:
    """The DeFiLlama hacks CSV (a header row; date, name, amount, technique, chain, source)."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    file = str(path)
    try:
        header = set(reader.fieldnames or [])
        if not header >= DEFILLAMA_COLUMNS:
            raise InputError(
                "not a DeFiLlama hacks CSV: missing column(s) " + ", ".join(sorted(DEFILLAMA_COLUMNS - header)), path, 1
            )
        start = 2
        for row in reader:
            line, start = start, reader.line_num + 1
            if None in row or any(v is None for v in row.values()):
                found.skipped.append(Skipped(file, "wrong number of columns", line))
                continue
            name, day = row["name"].strip(), parse_date(row["date"])
            if not name:
                found.skipped.append(Skipped(file, "no name", line))
                continue
            if day is None:
                found.skipped.append(Skipped(file, f"date {row['date'][:40]!r} is not a date (YYYY-MM-DD)", line))
                continue
            loss = usd(row["amount"]) if row["amount"].strip() else None
            if row["amount"].strip() and loss is None:
                found.skipped.append(
                    Skipped(file, f"amount {row['amount'][:40]!r} is not a number in range; loss left out", line)
                )
            found.rows.append(
                IncidentRow(
                    f"{day}-{name}",
                    f"{name} exploit ({day})",
                    day,
                    [name],
                    line,
                    techniques=strings(row.get("technique")),
                    loss=loss,
                    chains=_chains(row.get("chain") or ""),
                    url=(row.get("source") or "").strip() or None,
                    subjects=strings(row.get("classification")),
                )
            )
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc}); the file may be truncated", path, reader.line_num) from exc


def read_markdown(path: Path, text: str, found: IncidentSet) -> bool:
    """One write-up with YAML front matter; returns False (and says why) when it is skipped."""
    file = str(path)
    front = _FRONT.match(text)
    if not front:
        found.skipped.append(Skipped(file, "no YAML front matter between --- lines", 1))
        return False
    try:
        meta = load_front_matter(front.group(1))
    except ValueError as exc:
        found.skipped.append(Skipped(file, exc.args[0], exc.args[1] + 2))
        return False
    if not isinstance(meta, dict):
        found.skipped.append(Skipped(file, "front matter is not a mapping", 2))
        return False
    raw_date, title = str(meta.get("date") or ""), meta.get("title")
    stamp = _DATETIME.fullmatch(raw_date)
    day = parse_date(stamp.group(1)) if stamp else None
    if not raw_date or not isinstance(title, str) or not title.strip():
        found.skipped.append(Skipped(file, "not an incident write-up (needs a date and a title)", 1))
        return False
    if day is None:
        found.skipped.append(Skipped(file, f"date {raw_date[:40]!r} is not a date (YYYY-MM-DD)", 1))
        return False
    loss = None
    if meta.get("loss") is not None:
        loss = usd(meta["loss"])
        if loss is None:
            found.skipped.append(
                Skipped(file, f"loss {str(meta['loss'])[:40]!r} is not a number in range; loss left out", 1)
            )
    summary = _SUMMARY.search(text[front.end() :])
    found.rows.append(
        IncidentRow(
            path.stem,
            title.strip(),
            day,
            strings(meta.get("target-entities")),
            1,
            techniques=strings(meta.get("attack-types")),
            loss=loss,
            subjects=strings(meta.get("tags")),
            comment=" ".join(summary.group(1).split()) if summary else None,
        )
    )
    return True


class IncidentsImporter:
    """``dprk-kg import incidents``: a DeFiLlama CSV, a write-up or a folder of write-ups, or a
    Markdown incident table, into one graph (its name from the format unless given)."""

    def __init__(self, name: str | None = None):
        if name is not None and not _NAME.fullmatch(name):
            raise InputError(f"--name {name!r}: use lower-case letters, digits and hyphens")
        self.name = name

    def read(self, path: Path) -> IncidentSet:
        """Read every record; a folder's unreadable files are skipped records."""
        from . import incident_table

        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".md", ".markdown") and not p.is_dir())
            if not files:
                raise InputError("no Markdown (.md) incident write-ups in this folder", path)
            found = IncidentSet(path, files, name=self.name or "dn-institute-incidents")
            for file in files:
                try:
                    text = read_text(file, MAX_RECORD_FILE_BYTES)
                except InputError as exc:
                    found.skipped.append(Skipped.of(exc))
                    continue
                read_markdown(file, text, found)
        elif path.suffix.lower() in (".md", ".markdown"):
            text = read_text(path)
            if _FRONT.match(text) or not incident_table.is_table(text):
                found = IncidentSet(path, [path], name=self.name or "dn-institute-incidents")
                read_markdown(path, text, found)
            else:
                found = incident_table.read(path, text, self.name)
        else:
            found = IncidentSet(path, [path], name=self.name or "defillama-hacks")
            read_defillama(path, read_text(path), found)
        if not found.rows:
            first = f"; first: {found.skipped[0]}" if found.skipped else ""
            raise InputError(f"no incident could be read ({len(found.skipped)} record(s) skipped{first})", path)
        return found

    def describe(self, parsed: IncidentSet) -> DatasetInfo:
        """The catalogued description of the dataset (version: the table's commit)."""
        from . import incident_table

        if isinstance(parsed, incident_table.Table):
            return incident_table.describe(parsed)
        return dataset_info(parsed.name, parsed.name, parsed.path.name, parsed.path)

    def to_quads(self, parsed: IncidentSet, info: DatasetInfo) -> Quads:
        """The incidents (and, for the attributed table, attributions and yearly totals)."""
        from . import incident_table

        quads = Quads(info.graph, parsed.path)
        writer = IncidentWriter(quads, parsed.name)
        if isinstance(parsed, incident_table.Table):
            incident_table.to_quads(parsed, info, writer)
        else:
            for row in parsed.rows:
                writer.add(row)
        return quads
