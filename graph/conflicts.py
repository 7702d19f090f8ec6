"""Facts on which sources disagree: values side by side, each with its source.

A *facet* is one comparable fact (an incident's loss in one currency, a theft estimate for one
actor, period and scope, a laundered amount, a date); open-ended estimates ("since 2017") are not
compared, and a date given only to the month agrees with any day of that month. Sources conflict
on a facet when one states a value that another source, stating the same facet, does not.

>>> rows = [Facet("kg:x", "reported loss (USD)", "540000000", "src:a"),
...         Facet("kg:x", "reported loss (USD)", "625000000", "src:b")]
>>> [c.aspect for c in find_conflicts(rows)]
['reported loss (USD)']
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from .reader import Reader
from .terms import on_or_before, shorten

#: How a theft estimate that names no actor is shown (e.g. all crypto theft in a year).
NO_ACTOR = "(no actor named)"


@dataclass(frozen=True, order=True)
class Facet:
    """One value of one comparable fact, as one source states it."""

    subject: str
    aspect: str
    value: str
    source: str


@dataclass(frozen=True)
class Conflict:
    """A fact on which sources disagree, with every value and the sources that state it."""

    subject: str
    aspect: str
    values: dict[str, tuple[str, ...]]


def facets(reader: Reader, as_of: str | None = None) -> list[Facet]:
    """Every comparable fact of the store, one row per value and source, entities as clusters.

    A subject that is a record of a larger cluster counts as the cluster's canonical entity, so
    an imported figure for the Ronin hack sits beside the curated ones. With ``as_of`` only
    sources issued on or before it count.
    """
    entities = reader.entities

    def canonical(iri: str) -> str:
        return entities.cluster(iri).canonical if entities.is_record(iri) else iri

    rows = []
    for row in reader.rows("facets"):
        source = row["source"] or ""
        if as_of and reader.issued(source) and not on_or_before(reader.issued(source), as_of):
            continue
        aspect = re.sub(r"https?://[^\s)]+", lambda m: shorten(canonical(m.group())), row["aspect"] or "")
        rows.append(Facet(canonical(row["subject"]) if row["subject"] else "", aspect, row["value"] or "", source))
    return sorted(set(rows))


def _value_order(value: str) -> tuple:
    """Numbers (a range by its lower bound) in numeric order, then everything else as text."""
    try:
        return (0, float(value.split("-")[0]) if value[:1].isdigit() else float(value), value)
    except ValueError:
        return (1, 0.0, value)


def _most_precise(value: str, values: set[str]) -> str:
    """A date given to the month (2023-06) stands for the one more precise date that extends it."""
    longer = {v for v in values if v.startswith(value + "-")}
    return longer.pop() if len(longer) == 1 else value


def find_conflicts(rows: list[Facet]) -> list[Conflict]:
    """Group facets and keep those where a source states a value another source does not."""
    grouped: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        grouped[(row.subject, row.aspect)][row.source].add(row.value)
    conflicts = []
    for (subject, aspect), by_source in sorted(grouped.items()):
        every = set().union(*by_source.values())
        value_sets = {frozenset(_most_precise(v, every) for v in values) for values in by_source.values()}
        if len(by_source) > 1 and len(value_sets) > 1:
            values: dict[str, set[str]] = defaultdict(set)
            for source, source_values in by_source.items():
                for value in source_values:
                    values[value].add(source)
            ordered = sorted(values.items(), key=lambda item: _value_order(item[0]))
            conflicts.append(Conflict(subject, aspect, {v: tuple(sorted(s)) for v, s in ordered}))
    return conflicts
