"""What the page's side panel says about a node or an edge: facts grouped by record, each with
the sources that state it, and the sanction state with its dates.

A fact is ``(property, value, graphs)``: the same statement made by several sources is one fact
naming all of them. N-ary nodes are folded in: amounts become values, claims about a record and
the addresses it holds become facts of that record, a sanction becomes the node's sanction state
and history (a ring on the node), an attribution or laundering becomes facts of its edge.

Sanction state: each designation is listed or delisted as of the date of its newest evidence
(its listing date, its end date, or the newest imported list snapshot that does or does not
carry it); the node takes the state of its newest evidence, a listing winning a tie. So a
re-designation supersedes the designation before it, a delisting the listings before it, and
an entry missing from the newest snapshot of a list counts as delisted on that snapshot's date.

>>> state_of([("2022-08-08", "listed"), ("2025-03-21", "delisted"), ("2024-05-03", "listed")])
'delisted'
>>> state_of([("2024-05-03", "delisted"), ("2024-05-03", "listed")])
'listed'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass, field

from ..terms import PREFIXES, on_or_before, shorten
from .reading import DKG, LABEL, RDF_TYPE, RELATIONS, Fact, ViewReader

#: Most facts the panel lists per record; the rest are counted and reachable with ``show``.
MAX_FACTS = 40
#: Longest value shown; longer ones end with an ellipsis (the whole text is in ``show``).
MAX_VALUE = 600

SDO = PREFIXES["schema"]
_SNAPSHOT = re.compile(r"^(.*)-(\d{4}-\d{2}-\d{2})$")
#: Properties of a sanction shown in its history line, in this order.
_SANCTION_DETAILS = (DKG + "legalBasis", DKG + "program")
#: Properties of a folded node that are its ends, not facts of the edge.
_ENDS = {
    DKG + p
    for p in (
        "attributedIncident",
        "attributedTo",
        "launderedThrough",
        "proceedsOf",
        "launderedFor",
        "estimatedBy",
        "estimateOf",
    )
}

_WORDS = {LABEL: "name", PREFIXES["skos"] + "altLabel": "alias", PREFIXES["rdfs"] + "comment": "remarks"}

Keep = Callable[[str], bool]


@dataclass
class Row:
    """One fact as the panel shows it: words for the property, the value, the graphs."""

    prop: str
    value: str
    graphs: set[str] = field(default_factory=set)


@dataclass
class RecordPanel:
    """The facts of one record of a cluster, and the graphs that state it exists."""

    iri: str
    kind: str
    graphs: set[str]
    rows: list[Row]
    more: int


@dataclass
class SanctionPanel:
    """A node's sanction state (``listed``, ``delisted`` or empty) and its dated history."""

    state: str = ""
    history: list[Row] = field(default_factory=list)


def state_of(evidence: Iterable[tuple[str, str]]) -> str:
    """The state of the newest ``(date, state)``; a listing wins a tie; empty when none."""
    ranked = sorted(evidence, key=lambda e: (e[0], e[1] == "listed"))
    return ranked[-1][1] if ranked else ""


def words(prop: str) -> str:
    """A property IRI as words (``dkg:attributionDate`` -> ``attribution date``, a label a name)."""
    if prop not in _WORDS:
        from ..network import relation_label

        _WORDS[prop] = relation_label(prop)
    return _WORDS[prop]


def value_text(reader: ViewReader, fact: Fact) -> str:
    """A fact's value as text: a literal as written (cut at MAX_VALUE), an amount with its
    currency and qualifier, any other node by its label."""
    if not fact.is_iri:
        return fact.value if len(fact.value) <= MAX_VALUE else fact.value[:MAX_VALUE] + "\u2026"
    if reader.kind(fact.value):
        return reader.label(fact.value)
    amounts = reader.values(fact.value, SDO + "value")
    if amounts:
        currency = " ".join(reader.values(fact.value, SDO + "currency"))
        qualifier = " ".join(reader.values(fact.value, DKG + "amountQualifier"))
        text = " / ".join(f"{qualifier} {a} {currency}".strip() for a in amounts)
        label = reader.values(fact.value, LABEL)
        return f"{text} ({label[0]})" if label else text
    return reader.label(fact.value)


def _rows(reader: ViewReader, facts: Iterable[Fact], keep: Keep, skip: Set[str] = frozenset()) -> list[Row]:
    """Facts as rows, one per (property, value) with every graph that states it. Relations to
    other entities that the view draws as edges are left to the edges."""
    grouped: dict[tuple[str, str], Row] = {}
    for fact in facts:
        if fact.prop == RDF_TYPE or fact.prop in skip or not keep(fact.graph):
            continue
        if fact.prop in RELATIONS and fact.is_iri and reader.kind(fact.value):
            continue
        key = (words(fact.prop), value_text(reader, fact))
        grouped.setdefault(key, Row(*key)).graphs.add(fact.graph)
    return [grouped[k] for k in sorted(grouped)]


def records(reader: ViewReader, members: Iterable[str], keep: Keep) -> list[RecordPanel]:
    """The facts of each record of a cluster, with the claims about it and the addresses it holds."""
    panels = []
    for member in members:
        facts = reader.facts(member)
        typed = {f.graph for f in facts if f.prop == RDF_TYPE and keep(f.graph)}
        rows = _rows(reader, facts, keep)
        extra: dict[tuple[str, str], Row] = {}
        for claim, graph in reader.pointing(DKG + "about", member):
            if keep(graph):
                dates = reader.values(claim, DKG + "eventDate")
                text = (dates[0] + ": " if dates else "") + reader.label(claim)
                extra.setdefault(("claim", text), Row("claim", text)).graphs.add(graph)
        for address, graph in reader.pointing(DKG + "holder", member):
            if keep(graph):
                text = reader.label(address)
                extra.setdefault(("holds address", text), Row("holds address", text)).graphs.add(graph)
        rows += [extra[k] for k in sorted(extra)]
        if rows or typed:
            panels.append(
                RecordPanel(
                    member, reader.kind(member) or "other", typed, rows[:MAX_FACTS], max(0, len(rows) - MAX_FACTS)
                )
            )
    return panels


def folded_rows(reader: ViewReader, via: Iterable[str], keep: Keep) -> list[Row]:
    """The facts of the n-ary nodes an edge was folded from (who attributed, when, how much)."""
    rows: dict[tuple[str, str], Row] = {}
    for node in sorted(via):
        for row in _rows(reader, reader.facts(node), keep, _ENDS):
            rows.setdefault((row.prop, row.value), Row(row.prop, row.value)).graphs |= row.graphs
    return [rows[k] for k in sorted(rows)]


def snapshots(reader: ViewReader, as_of: str | None) -> dict[str, tuple[str, str]]:
    """Dated dataset graphs of a list family (``ofac-sdn-2024-05-03``): graph -> (family, date),
    only those issued on or before ``as_of``."""
    found = {}
    for graph, source in reader.sources.items():
        match = _SNAPSHOT.match(graph)
        if source.dataset and match and (not as_of or on_or_before(match.group(2), as_of)):
            found[graph] = (match.group(1), match.group(2))
    return found


def sanction(
    reader: ViewReader, members: Iterable[str], keep: Keep, as_of: str | None, lists: dict[str, tuple[str, str]]
) -> SanctionPanel:
    """The sanction state of a cluster as of ``as_of`` (or of its newest evidence), and its history."""
    newest: dict[str, str] = {}
    for family, day in lists.values():
        newest[family] = max(newest.get(family, ""), day)
    evidence: list[tuple[str, str]] = []
    history: dict[tuple[str, str], Row] = {}

    def note(day: str, text: str, graphs: Iterable[str]) -> None:
        history.setdefault((day, text), Row(day, text)).graphs.update(graphs)

    for member in members:
        for node, _ in reader.pointing(DKG + "sanctionTarget", member):
            facts = [f for f in reader.facts(node) if keep(f.graph)]
            if not facts:
                continue
            label = reader.label(node)
            details = "; ".join(
                ", ".join(sorted({value_text(reader, f) for f in facts if f.prop == p}))
                for p in _SANCTION_DETAILS
                if any(f.prop == p for f in facts)
            )
            described = f"{label} ({details})" if details else label
            dates = [f for f in facts if f.prop == DKG + "listingDate"]
            listed = [f for f in dates if _known(f.value, as_of)]
            if dates and not listed:
                continue
            ended = [f for f in facts if f.prop == DKG + "endDate" and _known(f.value, as_of)]
            in_lists = sorted({lists[f.graph] for f in facts if f.graph in lists})
            for day in sorted({f.value for f in listed}):
                note(day, described, (f.graph for f in listed if f.value == day))
                evidence.append((day, "listed"))
            for day in sorted({f.value for f in ended}):
                note(day, f"ended: {label}", (f.graph for f in ended if f.value == day))
                evidence.append((day, "delisted"))
            undated_end = not ended and any(
                f.prop == DKG + "status" and f.value == DKG + "Delisted" and _dated(reader, f.graph, as_of) is not False
                for f in facts
            )
            if undated_end and not in_lists:
                note("", f"delisted, no date given: {label}", (f.graph for f in facts if f.prop == DKG + "status"))
                evidence.append(("", "delisted"))
            if not listed and not ended and not in_lists and not undated_end:
                issued = sorted(
                    d for d in (reader.sources[f.graph].date for f in facts if f.graph in reader.sources) if d
                )
                evidence.append((issued[-1] if issued else "", "listed"))
                note(issued[0] if issued else "", described, (f.graph for f in facts))
            for family in sorted({fam for fam, _ in in_lists}):
                days = [d for fam, d in in_lists if fam == family]
                graphs = [f.graph for f in facts if lists.get(f.graph, ("",))[0] == family]
                note(
                    days[-1],
                    f"on the list in the snapshot{'s' if len(days) > 1 else ''} of {', '.join(days)}: {described}",
                    graphs,
                )
                if days[-1] == newest[family]:
                    evidence.append((days[-1], "listed"))
                else:
                    gone = [g for g, (fam, d) in lists.items() if fam == family and d == newest[family]]
                    note(newest[family], f"not in the newest snapshot ({newest[family]}): {label}", gone)
                    evidence.append((newest[family], "delisted"))
    return SanctionPanel(state_of(evidence), [history[k] for k in sorted(history)])


def _known(day: str, as_of: str | None) -> bool:
    return not as_of or on_or_before(day, as_of)


def _dated(reader: ViewReader, graph: str, as_of: str | None) -> bool | None:
    """Whether a graph's date is known to be on or before ``as_of`` (None when undated)."""
    source = reader.sources.get(graph)
    if source is None or not source.date:
        return None
    return _known(source.date, as_of)


def source_json(reader: ViewReader, graph: str) -> dict:
    """A source as the pages' JSON gives it (see ``page``)."""
    source = reader.sources.get(graph)
    if source is None:
        return {
            "graph": shorten(graph),
            "name": shorten(graph),
            "publisher": "",
            "date": "",
            "urls": [],
            "dataset": False,
        }
    return {
        "graph": shorten(graph),
        "name": source.name,
        "publisher": source.publisher,
        "date": source.date,
        "urls": list(source.urls),
        "dataset": source.dataset,
    }
