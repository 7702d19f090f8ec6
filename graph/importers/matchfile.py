"""The reviewable match file (``links/matches.csv``): one row per proposed, confirmed or
rejected match between an imported entity and a curated one (or an entity of another imported
dataset, for incidents).

Columns: ``imported,curated,basis,status,label,note``. A person edits ``status`` and ``note``;
an import keeps what they wrote and adds new rows as ``proposed``. The file is sorted so that it
diffs well under review, and it is safe to open in a spreadsheet: a cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return (a formula to a spreadsheet) is written with a
leading apostrophe, as spreadsheet tools expect, and reading the file back removes it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .. import paths, render
from ..errors import InputError
from ..files import read_text
from ..namespace import DKG
from ..terms import expand
from .inputs import MAX_RECORD_FILE_BYTES

#: The default match file: the checkout's links/matches.csv, or a per-user one when installed.
MATCH_FILE = paths.MATCHES_FILE
#: The reviewed matches the project ships: where a new per-user match file starts from.
SHIPPED_FILE = paths.DATA_ROOT / "links" / "matches.csv"
MATCH_COLUMNS = ["imported", "curated", "basis", "status", "label", "note"]
#: Why two records were matched, strongest first.
BASES = ("shared identifier", "exact name", "alias", "victim and date")
STATUSES = {"proposed": DKG.MatchProposed, "confirmed": DKG.MatchConfirmed, "rejected": DKG.MatchRejected}
_IRI_SCHEMES = ("http://", "https://", "urn:")


@dataclass(frozen=True)
class Match:
    """One row of the match file."""

    imported: str
    curated: str
    basis: str
    status: str
    label: str = ""
    note: str = ""


def neutralise(cell: str) -> str:
    """A cell as written: a leading apostrophe keeps a spreadsheet from reading a formula.

    >>> neutralise("=HYPERLINK(1)"), neutralise("'quoted"), neutralise("plain")
    ("'=HYPERLINK(1)", "''quoted", 'plain')
    """
    return f"'{cell}" if cell.startswith("'") else render.neutralise(cell)


def restore(cell: str) -> str:
    """A cell as read: the apostrophe ``neutralise`` added is removed.

    >>> restore("'=HYPERLINK(1)"), restore("''quoted"), restore("'as typed")
    ('=HYPERLINK(1)', "'quoted", "'as typed")
    """
    return cell[1:] if cell.startswith("'") and (cell[1:2] == "'" or render.neutralise(cell[1:]) != cell[1:]) else cell


def _checked_iri(value: str, column: str, path: Path, line: int) -> str:
    """A match-file cell naming an entity: a project CURIE or an absolute web IRI."""
    full = expand(value)
    try:
        ox.NamedNode(full)
    except ValueError:
        full = ""
    if not full.startswith(_IRI_SCHEMES):
        raise InputError(
            f"{column} {value[:80]!r} is not an IRI (use kg:..., dataset:... or a full http(s) IRI)", path, line
        )
    return value


def read_matches(path: Path) -> list[Match]:
    """Read the match file; a bad row is an ``InputError`` with its line. The default file of
    an installed tool, before its first import, starts as the shipped one."""
    if not path.exists() and path == MATCH_FILE and SHIPPED_FILE.is_file():
        path = SHIPPED_FILE
    if not path.exists():
        return []
    text = read_text(path, MAX_RECORD_FILE_BYTES * 16)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        if reader.fieldnames is None or list(reader.fieldnames)[:4] != MATCH_COLUMNS[:4]:
            raise InputError(f"the header must be {','.join(MATCH_COLUMNS)}", path, 1)
        rows = []
        for row in reader:
            line = reader.line_num
            cell = {k: restore((row.get(k) or "").strip()) for k in MATCH_COLUMNS}
            if cell["status"] not in STATUSES:
                raise InputError(f"status {cell['status']!r} is not one of {', '.join(STATUSES)}", path, line)
            if cell["basis"] not in BASES:
                raise InputError(f"basis {cell['basis']!r} is not one of {', '.join(BASES)}", path, line)
            if not cell["imported"] or not cell["curated"]:
                raise InputError("a row needs both an imported and a curated entity", path, line)
            rows.append(
                Match(
                    _checked_iri(cell["imported"], "imported", path, line),
                    _checked_iri(cell["curated"], "curated", path, line),
                    cell["basis"],
                    cell["status"],
                    cell["label"],
                    cell["note"],
                )
            )
    except csv.Error as exc:
        raise InputError(f"malformed CSV ({exc})", path, reader.line_num) from exc
    return rows


def render_matches(rows: Iterable[Match]) -> bytes:
    """The match file's bytes, sorted, every cell safe to open in a spreadsheet."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MATCH_COLUMNS)
    for m in sorted(set(rows), key=lambda m: (m.imported, m.curated)):
        writer.writerow([neutralise(v) for v in (m.imported, m.curated, m.basis, m.status, m.label, m.note)])
    return out.getvalue().encode("utf-8")
