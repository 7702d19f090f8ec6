"""A Markdown table of incidents that its author attributes to the DPRK, as in the "Breakdown of
Incidents" of tayvano/lazarus-bluenoroff-research: four columns (date, vector, victim, amount),
each year closed by a ``**TOTAL**`` row.

- Dates are kept at their stated precision: ``YYYY`` is an ``xsd:gYear``; ``YYYY-Mon-DD`` and
  ``YYYY-MM-DD`` are an ``xsd:date``.
- Amounts are ``$N,NNN`` (a loss in USD), ``$Unknown`` or blank (no loss stated). Anything else
  (the table's own typo ``$1,620,00``) is reported with its line and left out, never guessed.
- The vector emoji is the technique: see ``VECTORS``.
- The victim cell names one victim, several joined by `` + `` or `` / ``, or one with other
  names joined by `` aka ``; a cell that is only a date (``Jan 15 2022``) names none.
- Each row is an incident and a ``dkg:Attribution`` of it to the DPRK by the table's author.
- Each TOTAL row is the author's ``dkg:TheftEstimate`` for that year; a stated total that
  differs from the sum of the year's rows is reported.
- The version is the commit the ``SOURCE.md`` beside the file names, when there is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from ..files import read_text
from ..namespace import KG
from .dataset import DatasetInfo, dataset_info
from .incidents import IncidentRow, IncidentSet, IncidentWriter
from .inputs import MAX_RECORD_FILE_BYTES
from .ntriples import Skipped, dkg, iri, lit, term

NAME = "tayvano-lazarus-incidents"
#: The vector emoji of the table, as its SOURCE.md explains them.
VECTORS = {"🔑": "private key compromise", "👛": "wallet or exchange hack", "💼": "fake job offer or IT worker"}
#: Who the table's rows are attributed to.
ACTOR = str(KG["dprk"])
_ROW = re.compile(r"^\s*\|(.*)\|\s*$")
_RULE = re.compile(r"^[\s|:-]+$")
_AMOUNT = re.compile(r"\$\d{1,3}(?:,\d{3})*")
_ONLY_DATE = re.compile(r"[A-Z][a-z]{2} \d{1,2} \d{4}")
_COMMIT = re.compile(r"Commit:\s*([0-9a-f]{40})\b")
_SPLIT = re.compile(r"\s+(?:\+|/)\s+")


@dataclass(frozen=True)
class YearTotal:
    """A stated yearly TOTAL row, with the sum of the year's readable amounts."""

    year: str
    stated: Decimal
    line: int
    rows_sum: Decimal
    unreadable: tuple[int, ...] = ()


@dataclass
class Table(IncidentSet):
    """The table's incidents, its yearly totals and the commit it was copied from."""

    totals: list[YearTotal] = field(default_factory=list)
    commit: str | None = None


def is_table(text: str) -> bool:
    """Whether the Markdown text holds a pipe table (and is not a write-up)."""
    return any(_ROW.match(line) and _RULE.match(line) for line in text.splitlines()[:50])


def table_date(value: str) -> str | None:
    """A table date at its stated precision, or None.

    >>> table_date("2017"), table_date("2022-Apr-14"), table_date("2024-01-22"), table_date("2023-Feb-30")
    ('2017', '2022-04-14', '2024-01-22', None)
    """
    for fmt in ("%Y", "%Y-%b-%d", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed.strftime("%Y") if fmt == "%Y" else parsed.date().isoformat()
    return None


def _plain(cell: str) -> str:
    return cell.strip().strip("*").strip()


def _victims(cell: str) -> tuple[list[str], dict[str, list[str]]]:
    """Victims and their other names.

    >>> _victims("Youbit aka Yapizon aka Coinbin"), _victims("Alphapo + Coinspaid")[0]
    ((['Youbit'], {'Youbit': ['Yapizon', 'Coinbin']}), ['Alphapo', 'Coinspaid'])
    """
    if _ONLY_DATE.fullmatch(cell):
        return [], {}
    victims, aliases = [], {}
    for part in _SPLIT.split(cell):
        names = [n.strip() for n in re.split(r"\s+aka\s+", part) if n.strip()]
        if names:
            victims.append(names[0])
            if names[1:]:
                aliases[names[0]] = names[1:]
    return victims, aliases


def read(path: Path, text: str, name: str | None = None) -> Table:
    """Every incident row and TOTAL row of the table; bad rows and values are reported."""
    table = Table(path, [path], name=name or NAME, commit=_commit(path))
    file = str(path)
    year_rows: list[IncidentRow] = []
    unreadable: list[int] = []
    for number, line in enumerate(text.splitlines(), 1):
        found = _ROW.match(line)
        if not found or _RULE.match(line):
            continue
        cells = [c.strip() for c in found.group(1).split("|")]
        if not any(cells):
            continue
        if len(cells) != 4:
            table.skipped.append(Skipped(file, f"expected 4 columns, found {len(cells)}", number))
            continue
        when, vector, victim, amount = cells
        if _plain(victim).upper() == "TOTAL":
            total = _total(table, file, number, _plain(when), _plain(amount), year_rows, unreadable)
            if total is not None:
                table.totals.append(total)
            year_rows, unreadable = [], []
            continue
        day = table_date(when)
        if day is None:
            table.skipped.append(Skipped(file, f"date {when[:40]!r} is not YYYY, YYYY-Mon-DD or YYYY-MM-DD", number))
            continue
        if not victim:
            table.skipped.append(Skipped(file, "no victim or incident name", number))
            continue
        techniques = []
        if vector in VECTORS:
            techniques.append(VECTORS[vector])
        elif vector:
            table.skipped.append(
                Skipped(file, f"vector {vector[:20]!r} is not one of {' '.join(VECTORS)}; technique left out", number)
            )
        loss = None
        if _AMOUNT.fullmatch(amount):
            loss = Decimal(amount[1:].replace(",", ""))
        elif amount and amount != "$Unknown":
            table.skipped.append(
                Skipped(
                    file, f"amount {amount[:40]!r} is not $N,NNN, $Unknown or blank; loss left out, not guessed", number
                )
            )
            unreadable.append(number)
        victims, aliases = _victims(victim)
        row = IncidentRow(f"{day}-{victim}", f"{victim} ({day})", day, victims, number, aliases, techniques, loss)
        table.rows.append(row)
        year_rows.append(row)
    if year_rows:
        table.warnings.append(f"{file}: {len(year_rows)} row(s) after the last TOTAL row are in no year's total")
    return table


def _total(
    table: Table, file: str, number: int, year: str, amount: str, rows: list[IncidentRow], unreadable: list[int]
) -> YearTotal | None:
    """A TOTAL row checked against the sum of its year's rows; None (and reported) when its
    year or amount cannot be read."""
    stated = Decimal(amount[1:].replace(",", "")) if _AMOUNT.fullmatch(amount) else None
    if stated is None or table_date(year) is None or len(year) != 4:
        table.skipped.append(
            Skipped(
                file,
                f"TOTAL row: year {year[:20]!r} or amount {amount[:40]!r} is "
                "not **YYYY** and **$N,NNN**; total not checked",
                number,
            )
        )
        return None
    total = sum((r.loss for r in rows if r.loss is not None), Decimal(0))
    result = YearTotal(year, stated, number, total, tuple(unreadable))
    if total != stated:
        left_out = (
            f"; not counted: the unreadable amount(s) on line(s) {', '.join(map(str, unreadable))}"
            if unreadable
            else ""
        )
        table.warnings.append(
            f"{file}:{number}: the {year} TOTAL states ${stated:,} but its rows sum to "
            f"${total:,} (difference ${abs(stated - total):,}){left_out}"
        )
    return result


def _commit(path: Path) -> str | None:
    """The commit named by the SOURCE.md beside the table, if there is one."""
    source = path.parent / "SOURCE.md"
    if not source.is_file():
        return None
    found = _COMMIT.search(read_text(source, MAX_RECORD_FILE_BYTES))
    return found.group(1) if found else None


def describe(table: Table) -> DatasetInfo:
    """The catalogued description, with the commit as version."""
    return dataset_info(table.name, table.name, table.path.name, table.path, version=table.commit)


def to_quads(table: Table, info: DatasetInfo, writer: IncidentWriter) -> None:
    """Each row as an incident attributed to the DPRK by the table's author; each TOTAL as the
    author's estimate for that year."""
    quads = writer.quads
    by = iri(info.creator_iri if info.creator else info.graph)
    actor = iri(ACTOR)
    quads.counts.update(attributions=0, yearly_totals=0)
    for row in table.rows:
        node = writer.add(row)
        attribution = iri(f"{node[1:-1]}/attribution")
        quads.node(attribution, "Attribution", f"{info.creator or info.title}: {row.label} attributed to the DPRK")
        quads.add(attribution, dkg("attributedIncident"), node)
        quads.add(attribution, dkg("attributedTo"), actor)
        quads.add(attribution, dkg("attributedBy"), by)
        quads.counts["attributions"] += 1
    for total in table.totals:
        node = iri(f"{info.graph}/total/{total.year}")
        quads.node(
            node,
            "TheftEstimate",
            f"{info.creator or info.title}: DPRK thefts in {total.year}, stated total ${total.stated:,}",
        )
        quads.add(node, dkg("estimatedBy"), by)
        quads.add(node, dkg("estimateOf"), actor)
        quads.add(node, dkg("year"), lit(total.year, "gYear"))
        quads.add(node, dkg("estimateScope"), lit("the incidents the table lists for the year"))
        amount = iri(f"{info.graph}/total/{total.year}/amount")
        quads.node(amount, term("schema:MonetaryAmount"), f"${total.stated:,}")
        quads.add(amount, term("schema:value"), lit(str(total.stated), "decimal"))
        quads.add(amount, term("schema:currency"), lit("USD"))
        quads.add(node, dkg("estimatedAmount"), amount)
        quads.counts["yearly_totals"] += 1
