"""Facts on which sources disagree: values side by side, each with its source.

A *facet* is one comparable fact (an incident's loss in one currency, a theft estimate for one
actor, period and scope, a laundered amount, a date); open-ended estimates ("since 2017") are not
compared, and a date given only to the month agrees with any day of that month. Sources conflict on a facet when one states a
value that another source, stating the same facet, does not.

>>> rows = [Facet("kg:x", "reported loss (USD)", "540000000", "src:a"),
...         Facet("kg:x", "reported loss (USD)", "625000000", "src:b")]
>>> [c.aspect for c in find_conflicts(rows)]
['reported loss (USD)']
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Dataset

from .validate import shorten

#: One row per (facet, value, source); run with the union of all graphs as default graph.
FACETS_QUERY = """
SELECT DISTINCT ?subject ?aspect ?value ?source WHERE {
  {
    GRAPH ?source { ?subject dkg:reportedLoss ?amount . ?amount schema:value ?v ; schema:currency ?cur . }
    BIND(CONCAT("reported loss (", STR(?cur), ")") AS ?aspect)
    BIND(STR(?v) AS ?value)
  } UNION {
    GRAPH ?source {
      ?estimate a dkg:TheftEstimate ; dkg:estimatedAmount ?amount .
      ?amount schema:value ?v ; schema:currency ?cur .
      OPTIONAL { ?estimate dkg:estimateOf ?of }
      OPTIONAL { ?estimate dkg:year ?year }
      OPTIONAL { ?estimate dkg:periodStart ?start }
      OPTIONAL { ?estimate dkg:periodEnd ?end }
      OPTIONAL { ?estimate dkg:estimateScope ?scope }
    }
    FILTER(BOUND(?year) || (BOUND(?start) && BOUND(?end)))
    BIND(COALESCE(?of, <https://w3id.org/dprk-kg/id/all-thieves>) AS ?subject)
    BIND(CONCAT("stolen in ", COALESCE(STR(?year),
         CONCAT(COALESCE(STR(?start), "?"), "..", COALESCE(STR(?end), "?"))),
         COALESCE(CONCAT(" from ", ?scope), ""), " (", STR(?cur), ")") AS ?aspect)
    BIND(STR(?v) AS ?value)
  } UNION {
    GRAPH ?source {
      ?laundering dkg:launderedThrough ?through ; dkg:launderedAmount ?amount .
      ?amount schema:value ?v ; schema:currency ?cur .
      OPTIONAL { ?laundering dkg:proceedsOf ?proceeds }
      OPTIONAL { ?laundering dkg:launderedFor ?for }
      OPTIONAL { ?laundering dkg:periodStart ?start }
    }
    FILTER(BOUND(?proceeds) || BOUND(?for))
    BIND(?through AS ?subject)
    BIND(CONCAT("laundered for ", STR(COALESCE(?proceeds, ?for)),
         COALESCE(CONCAT(" since ", STR(?start)), ""), " (", STR(?cur), ")") AS ?aspect)
    BIND(STR(?v) AS ?value)
  } UNION {
    VALUES ?p { dkg:eventDate dkg:disclosureDate dkg:listingDate dkg:endDate }
    GRAPH ?source { ?subject ?p ?v . }
    FILTER NOT EXISTS { ?subject a dkg:Claim }
    BIND(STRAFTER(STR(?p), "#") AS ?aspect)
    BIND(STR(?v) AS ?value)
  }
}
"""


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


def facets(dataset: Dataset) -> list[Facet]:
    """Every comparable fact in the dataset, one row per value and source."""
    return sorted(
        Facet(str(row.subject), re.sub(r"https?://[^\s)]+", lambda m: shorten(m.group()), str(row.aspect)),
              str(row.value), str(row.source))
        for row in dataset.query(FACETS_QUERY)
    )


def _value_order(value: str) -> tuple:
    """Numbers in numeric order, then everything else (dates) as text."""
    try:
        return (0, float(value), value)
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
