"""Incident tables: the DeFiLlama hacks CSV and Markdown write-ups with YAML front matter
(the DN Institute's ``incidents/*.md``), each record as a ``dkg:Incident`` with its date, victims,
technique and reported loss in USD.

Front-matter fields vary between a value and a list (``target-entities: Parity`` in one file,
a list in the next); both are read the same way. A record without a usable date or name is
skipped with its file, line and reason.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import re
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import InputError
from ..namespace import DATASET
from ..parse import decode, read_bytes
from .common import (COMMENT, Entity, ImportReport, Quads, dataset_info, dkg, iri, lit, parse_date,
                     slug, term)

DEFILLAMA_COLUMNS = {"date", "name", "amount"}
_FRONT = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
_SUMMARY = re.compile(r"^##\s+Summary\s*$\n+(.+?)(?=^##\s|\Z)", re.M | re.S)


def _strings(value) -> list[str]:
    """A field that is a value in some records and a list in others, as a list of strings.

    >>> _strings("Parity"), _strings(["Harmony", "Horizon Bridge"]), _strings(None)
    (['Parity'], ['Harmony', 'Horizon Bridge'], [])
    """
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    if value is None or not str(value).strip():
        return []
    return [str(value).strip()]


def usd(value) -> Decimal | None:
    """A loss in USD as a decimal, or None when unknown or not a number.

    >>> usd("624000000.0"), usd(625000000), usd("unknown")
    (Decimal('624000000'), Decimal('625000000'), None)
    """
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0:
        return None
    amount = amount.normalize()
    return amount.quantize(Decimal(1)) if amount == amount.to_integral() else amount


class IncidentWriter:
    """Adds incidents and their victims to one graph, giving each a unique IRI."""

    def __init__(self, quads: Quads, name: str):
        self.quads = quads
        self.base = str(DATASET[name])
        self.seen: set[str] = set()
        self.victims: set[str] = set()
        self.counts = {"incidents": 0, "victims": 0, "losses": 0}

    def add(self, key: str, label: str, day: str, victims: list[str], techniques: list[str],
            loss: Decimal | None, chains: list[str] = (), url: str | None = None,
            subjects: list[str] = (), comment: str | None = None) -> None:
        """One incident record."""
        key = slug(key)
        unique, n = key, 1
        while unique in self.seen:
            n += 1
            unique = f"{key}-{n}"
        self.seen.add(unique)
        node = iri(f"{self.base}/{unique}")
        q = self.quads
        q.node(node, "Incident", label)
        q.add(node, dkg("eventDate"), lit(day, "date"))
        for victim in dict.fromkeys(victims):
            v = f"{self.base}/victim/{slug(victim)}"
            if v not in self.victims:
                self.victims.add(v)
                q.node(iri(v), "Service", victim)
                q.entity(Entity(v, victim))
                self.counts["victims"] += 1
            q.add(node, dkg("victim"), iri(v))
        for technique in dict.fromkeys(techniques):
            q.add(node, dkg("technique"), lit(technique, lang="en"))
        for chain in dict.fromkeys(chains):
            q.add(node, dkg("chain"), lit(chain))
        for subject in dict.fromkeys(subjects):
            q.add(node, term("dcterms:subject"), lit(subject))
        if url:
            q.add(node, term("schema:url"), lit(url, "anyURI"))
        if comment:
            q.add(node, COMMENT, lit(comment, lang="en"))
        if loss is not None:
            amount = iri(f"{self.base}/{unique}/loss")
            q.node(amount, term("schema:MonetaryAmount"), f"${loss:,} reported loss")
            q.add(amount, term("schema:value"), lit(str(loss), "decimal"))
            q.add(amount, term("schema:currency"), lit("USD"))
            q.add(node, dkg("reportedLoss"), amount)
            self.counts["losses"] += 1
        self.counts["incidents"] += 1


def _chains(value: str) -> list[str]:
    """DeFiLlama's chain column, a Python-style list such as ``['Ethereum', 'BSC']``.

    >>> _chains("['Ethereum', 'BSC']"), _chains("Solana")
    (['Ethereum', 'BSC'], ['Solana'])
    """
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return []
        return _strings(parsed) if isinstance(parsed, list) else []
    return _strings(text)


def read_defillama(path: Path, writer: IncidentWriter, skipped: list[str]) -> None:
    """The DeFiLlama hacks CSV (a header row; date, name, amount, technique, chain, source)."""
    text = decode(read_bytes(path), path)
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = set(reader.fieldnames or [])
        if not DEFILLAMA_COLUMNS <= header:
            raise InputError("not a DeFiLlama hacks CSV: missing column(s) "
                             + ", ".join(sorted(DEFILLAMA_COLUMNS - header)), path, 1)
        start = 2
        for row in reader:
            where, start = f"{path}:{start}", reader.line_num + 1
            if None in row or any(v is None for v in row.values()):
                skipped.append(f"{where}: wrong number of columns")
                continue
            name, day = row["name"].strip(), parse_date(row["date"])
            if not name:
                skipped.append(f"{where}: no name")
                continue
            if day is None:
                skipped.append(f"{where}: date {row['date']!r} is not a date (YYYY-MM-DD)")
                continue
            loss = usd(row["amount"]) if row["amount"].strip() else None
            if row["amount"].strip() and loss is None:
                skipped.append(f"{where}: amount {row['amount']!r} is not a number; loss left out")
            techniques = _strings(row.get("technique"))
            writer.add(f"{day}-{name}", f"{name} exploit ({day})", day, [name], techniques, loss,
                       _chains(row.get("chain") or ""), (row.get("source") or "").strip() or None,
                       _strings(row.get("classification")))
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc}); the file may be truncated", path,
                         reader.line_num) from exc


def read_markdown(path: Path, writer: IncidentWriter, skipped: list[str]) -> bool:
    """One write-up with YAML front matter; returns False (and says why) when it is skipped."""
    import yaml

    text = decode(read_bytes(path), path)
    found = _FRONT.match(text)
    if not found:
        skipped.append(f"{path}:1: no YAML front matter between --- lines")
        return False
    try:
        meta = yaml.safe_load(found.group(1))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        skipped.append(f"{path}:{line}: front matter is not valid YAML ({getattr(exc, 'problem', exc)})")
        return False
    if not isinstance(meta, dict):
        skipped.append(f"{path}:2: front matter is not a mapping")
        return False
    raw_date, title = meta.get("date"), meta.get("title")
    day = raw_date.isoformat()[:10] if isinstance(raw_date, (dt.date, dt.datetime)) \
        else parse_date(str(raw_date or ""))
    if day is None or not isinstance(title, str) or not title.strip():
        skipped.append(f"{path}:1: not an incident write-up (needs a date and a title)")
        return False
    loss = usd(meta.get("loss")) if meta.get("loss") is not None else None
    summary = _SUMMARY.search(text[found.end():])
    writer.add(path.stem, title.strip(), day, _strings(meta.get("target-entities")),
               _strings(meta.get("attack-types")), loss, subjects=_strings(meta.get("tags")),
               comment=" ".join(summary.group(1).split()) if summary else None)
    return True


def import_path(path: Path, store_path: Path, name: str | None = None,
                match_file: Path | None = None, progress=lambda _: None) -> ImportReport:
    """Import a DeFiLlama CSV, one Markdown write-up or a folder of write-ups into one graph."""
    from .common import MATCH_FILE, commit

    started = time.perf_counter()
    path = Path(path)
    if not path.exists():
        raise InputError("no such file or folder", path)
    markdown = path.is_dir() or path.suffix.lower() in (".md", ".markdown")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".md", ".markdown") and p.is_file())
        if not files:
            raise InputError("no Markdown (.md) incident write-ups in this folder", path)
    else:
        files = [path]
    name = name or ("dn-institute-incidents" if markdown else "defillama-hacks")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise InputError(f"--name {name!r}: use lower-case letters, digits and hyphens")
    quads = Quads(str(DATASET[name]))
    writer = IncidentWriter(quads, name)
    skipped: list[str] = []
    progress(f"reading {len(files):,} file(s) from {path}")
    if markdown:
        for file in files:
            read_markdown(file, writer, skipped)
    else:
        read_defillama(path, writer, skipped)
    info = dataset_info(name, name, path.name, path)
    if not writer.counts["incidents"]:
        raise InputError(f"no incident could be read ({len(skipped)} record(s) skipped"
                         + (f"; first: {skipped[0]}" if skipped else "") + ")", path)
    report = ImportReport(info.graph, path, writer.counts, skipped,
                          seconds=time.perf_counter() - started)
    return commit(quads, info, report, store_path, match_file or MATCH_FILE, progress)
