"""The one rendering module: tables, JSON and text for every command, safe on a terminal.

Library functions return dataclasses; the CLI hands them here. Text that comes from data (a name
from an imported list) may hold control characters, bidi overrides or escape sequences: every
cell is escaped before it reaches a terminal. JSON keeps the data exact (``ensure_ascii`` off, but
JSON escapes control characters itself).

>>> print(render_table(["a", "bb"], [["1", "2"], ["333", ""]]), end="")
a    bb
---  --
1    2
333
>>> safe("evil\\x1b[31mred\\u202e")
'evil\\\\x1b[31mred\\\\u202e'
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

#: Longest cell in a table on a terminal; longer values end with an ellipsis unless --wide.
MAX_CELL = 60
FORMATS = ("table", "csv", "json")
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: str) -> str:
    """Escape C0/C1 control characters and bidi overrides (newline and tab stay)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def one_line(text: str) -> str:
    """A value on one line: whitespace runs (newlines included) become one space, then escaped."""
    return safe(" ".join(text.split()))


def render_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], wide: bool = False, max_cell: int | None = None
) -> str:
    """Rows as aligned columns under a header and a rule.

    Cells are put on one line and escaped. Unless ``wide``, cells longer than ``max_cell``
    (default: what fits the terminal, at least ``MAX_CELL``) end with an ellipsis; the last
    column is cut too, so a line stays within the terminal. ``wide`` (and output that is not a
    terminal, which the CLI passes as wide) never cuts anything.
    """
    rows = [[one_line(str(c)) for c in r] for r in rows]
    if not wide:
        limit = max_cell or max(MAX_CELL, shutil.get_terminal_size((120, 24)).columns // 2)
        rows = [[c if len(c) <= limit else c[: limit - 1] + "…" for c in r] for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    lines = [list(header), ["-" * w for w in widths], *rows]
    return "".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() + "\n" for line in lines)


def render_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Rows as CSV with a header line (values as given; a spreadsheet formula is neutralised)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(str(v)) for v in row])
    return out.getvalue()


def neutralise(cell: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula: a leading ``'`` before = + - @.

    >>> neutralise("=HYPERLINK(1)"), neutralise("-5"), neutralise("Lazarus")
    ("'=HYPERLINK(1)", "'-5", 'Lazarus')
    """
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


#: Each class's public field names (None for a class that is no dataclass), found once.
_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _public_fields(cls: type) -> tuple[str, ...] | None:
    """The names of a dataclass's fields not starting with ``_``; None for any other class."""
    if cls not in _FIELDS:
        public = None
        if dataclasses.is_dataclass(cls):
            public = tuple(f.name for f in dataclasses.fields(cls) if not f.name.startswith("_"))
        _FIELDS[cls] = public
    return _FIELDS[cls]


def to_jsonable(value: Any, _seen: dict[int, Any] | None = None) -> Any:
    """Dataclasses, tuples and sets as plain JSON values (sets sorted). A dataclass object that
    appears several times (one holder of many screened addresses) is converted once."""
    if value is None or isinstance(value, (str, int, float)):
        return value  # most values: answered before any other check
    seen = {} if _seen is None else _seen
    names = _public_fields(type(value))
    if names is not None:
        if id(value) not in seen:
            seen[id(value)] = {name: to_jsonable(getattr(value, name), seen) for name in names}
        return seen[id(value)]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, seen) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v, seen) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(to_jsonable(v, seen) for v in value)
    return value


def render_json(value: Any, pretty: bool = True) -> str:
    """A result as JSON with a trailing newline: indented when ``pretty`` (for a person), else
    compact (for a pipe: the same keys and values, written several times faster)."""
    data = to_jsonable(value)
    if pretty:
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def _compact(value: Decimal) -> tuple[str, str]:
    for size, unit in ((Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M")):
        if abs(value) >= size:
            return f"{(value / size).normalize():f}", unit
    return f"{value.normalize():,f}", ""


def format_amount(
    value: str | None,
    currency: str | None = None,
    qualifier: str | None = None,
    low: str | None = None,
    high: str | None = None,
) -> str:
    """A stated amount as a reader writes it; a range shows both bounds.

    >>> format_amount("621000000", "USD", "at least", "621000000", "630000000")
    '$621-630M'
    >>> format_amount("1700000000", "USD", "about")
    'about $1.7B'
    >>> format_amount("12.5", "ETH")
    '12.5 ETH'
    """
    try:
        amount = Decimal(value) if value is not None else None
        bounds = (Decimal(low), Decimal(high)) if low is not None and high is not None else None
    except InvalidOperation:
        return " ".join(x for x in (qualifier, value, currency) if x)
    if bounds and bounds[0] != bounds[1]:
        (a, unit_a), (b, unit_b) = _compact(bounds[0]), _compact(bounds[1])
        text = f"{a}-{b}{unit_b}" if unit_a == unit_b else f"{a}{unit_a}-{b}{unit_b}"
        qualifier = None if qualifier == "at least" else qualifier
    elif amount is not None:
        number, unit = _compact(amount)
        text = f"{number}{unit}"
    else:
        return ""
    money = f"${text}" if currency == "USD" else f"{text} {currency}" if currency else text
    return f"{qualifier} {money}" if qualifier else money


def _sources(items: Iterable[str], limit: int = 4) -> str:
    items = list(items)
    return ", ".join(items[:limit]) + (f", ... ({len(items)} in all)" if len(items) > limit else "")


def show_text(view: Any, wide: bool = False, list_all: bool = False) -> str:
    """``show`` as text: verdict, records, names, designations, addresses, facts, relations,
    ATT&CK usage (counted unless ``list_all``), possible matches, then the sources cited."""
    out = [f"{safe(view.label)} ({view.entity})  [{view.kind}]"]
    if view.verdict:
        out.append(view.verdict)
    out.append(f"types:   {', '.join(view.types) or '(none)'}")
    out.append(f"as of:   {view.as_of} (sources issued after it are left out)")
    table = lambda header, rows: render_table(header, rows, wide=wide)  # noqa: E731
    out.append(f"\nRecords ({len(view.records)}):")
    out.append(
        table(
            ["record", "kind", "label", "identifiers", "stated by"],
            [[r.record, r.kind, r.label, "; ".join(r.identifiers), _sources(r.sources, 3)] for r in view.records],
        ).rstrip("\n")
    )
    if view.aliases:
        out.append(f"\nNames and aliases ({len(view.aliases)}):")
        out.append(table(["name", "used by"], [[a, _sources(s)] for a, s in view.aliases.items()]).rstrip("\n"))
    if view.designations:
        out.append(f"\nDesignations ({len(view.designations)}):")
        out.append(
            table(
                ["designation", "authority", "programs", "listed", "ended", "status", "sources"],
                [
                    [
                        d.sanction,
                        ", ".join(d.authority),
                        ", ".join(d.programs),
                        d.listing_date or (f"in {len(d.snapshots)} snapshot(s)" if d.snapshots else ""),
                        d.ended,
                        d.status,
                        _sources(d.sources),
                    ]
                    for d in view.designations
                ],
            ).rstrip("\n")
        )
        bases = sorted({b for d in view.designations for b in d.legal_basis})
        if bases:
            out.append(f"legal basis: {'; '.join(bases)}")
    if view.addresses:
        out.append(f"\nAddresses ({len(view.addresses)}):")
        out.append(
            table(
                ["address", "chain", "asset", "listed by"],
                [[a.address, a.chain, a.asset, _sources(a.sources)] for a in view.addresses],
            ).rstrip("\n")
        )
    if view.facts:
        out.append(f"\nFacts ({len(view.facts)}):")
        out.append(
            table(
                ["property", "value", "sources"], [[f.property, f.value, _sources(f.sources)] for f in view.facts]
            ).rstrip("\n")
        )
    if view.relations:
        out.append(f"\nRelations in ({len(view.relations)}):")
        out.append(
            table(
                ["subject", "property", "sources"], [[f.value, f.property, _sources(f.sources)] for f in view.relations]
            ).rstrip("\n")
        )
    for group, items in view.uses.items():
        if list_all:
            out.append(f"\nUses: {group} ({len(items)}):")
            out.append(
                table(
                    [group[:-1] if group.endswith("s") else group, "sources"],
                    [[f.value, _sources(f.sources)] for f in items],
                ).rstrip("\n")
            )
        else:
            out.append(f"\nUses: {len(items)} {group} (list them with --all)")
    if view.possible_matches:
        out.append(f"\nPossible matches ({len(view.possible_matches)}, proposed, not merged):")
        out.append(
            table(
                ["record", "may be", "label", "basis"],
                [[m.record, m.entity, m.label, m.basis] for m in view.possible_matches],
            ).rstrip("\n")
        )
    out.append(f"\nSources ({len(view.sources)}):")
    out.append(
        table(
            ["source", "publisher", "date", "url", "title"],
            [[s.source, s.publisher, s.issued, s.url, s.label] for s in view.sources],
        ).rstrip("\n")
    )
    return "\n".join(out) + "\n"


def violations_text(violations: Iterable[Any], file_of: Any) -> str:
    """SHACL violations, one line each: the source file(s), focus node, property, message and
    value (``file_of`` names the file of a source graph)."""
    out = []
    for v in violations:
        files = ", ".join(file_of(g) for g in v.graphs) or "(no source graph)"
        value = f" (value: {v.value})" if v.value else ""
        prop = f" {v.path}" if v.path else ""
        out.append(f"{files}: {v.focus}{prop}: {v.message}{value}\n")
    return "".join(out)


def build_text(report: Any) -> str:
    """``build``'s summary: entities by class, sources, facts, conflicts, and the files written."""
    out = [f"Built the dprk-kg graph in {report.seconds:.2f} s", f"  entities   {sum(report.entities.values()):>6,}"]
    out += [f"    {cls:<28} {count:>6,}" for cls, count in report.entities.items()]
    out += [
        f"  sources    {report.sources:>6,} documents",
        f"  facts      {report.facts:>6,} triples",
        f"  conflicts  {report.conflicts:>6,} facts on which sources disagree (dprk-kg conflicts)",
    ]
    out += [f"  {'unchanged' if report.unchanged else 'wrote':<10} {path}" for path in report.files]
    out.append(f"  store      {report.store}")
    return "".join(f"{line}\n" for line in out)


def import_text(report: Any) -> str:
    """An import's summary: what was read, triples, matches, skipped values and warnings."""
    from .terms import shorten

    out = [f"Imported {report.file} into graph {shorten(report.graph)} in {report.seconds:.1f} s"]
    out += [f"  {name.replace('_', ' '):<34} {count:>8,}" for name, count in report.counts.items()]
    links = ", ".join(f"{n} {status}" for status, n in report.matches.items())
    out += [
        f"  {'triples':<34} {report.triples:>8,}",
        f"  {'matches (curated or imported)':<34} {sum(report.matches.values()):>8,} ({links})",
        f"  {'skipped records or values':<34} {len(report.skipped):>8,}",
        f"  {'warnings':<34} {len(report.warnings):>8,}",
        f"  {'match file':<34} {report.match_file}",
    ]
    return "".join(f"{safe(line)}\n" for line in out)


def push_text(report: Any, endpoint: str, marker: str) -> str:
    """``push``'s summary: graphs and triples sent, unchanged and dropped graphs, the build and
    the marker graph (``endpoint`` as messages show it, without a query string)."""
    from .terms import shorten

    out = [
        f"Pushed {len(report.pushed)} graph(s), {report.triples:,} triples, to "
        f"{endpoint} ({report.server or 'server'}) in {report.seconds:.1f} s"
    ]
    if report.unchanged:
        out.append(f"  unchanged  {len(report.unchanged)} graph(s) the server already held, not sent")
    out += [f"  dropped    {shorten(graph)} (no longer in the store)" for graph in report.dropped]
    out += [f"  build      {report.build}", f"  marker     <{marker}>"]
    return "".join(f"{line}\n" for line in out)
