"""Dated events in order, each with the sources that give its date.

Events are incidents (when they happened and when they were disclosed), attributions,
designations and delistings, address listings, launderings, dated claims and published reports.
Dates keep the precision the source gives (``2022``, ``2022-11``, ``2022-11-08``) and sort as text,
so a month sorts before the days in it.

>>> check_date("2022-13-01")
Traceback (most recent call last):
...
graph.errors.InputError: date '2022-13-01': expected YYYY, YYYY-MM or YYYY-MM-DD
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Dataset

from .errors import InputError
from .validate import shorten

_EVENTS = """
SELECT ?date ?event ?node ?related ?g WHERE {
  {
    VALUES (?p ?event) { (dkg:eventDate "incident") (dkg:disclosureDate "disclosed") }
    GRAPH ?g { ?node ?p ?when } ?node a dkg:Incident .
    OPTIONAL { ?node dkg:victim ?related }
  } UNION {
    GRAPH ?g { ?node dkg:attributionDate ?when ; dkg:attributedIncident ?incident . }
    OPTIONAL { ?node dkg:attributedTo|dkg:attributedBy ?other }
    VALUES ?event { "attribution" }
    BIND(COALESCE(?other, ?incident) AS ?related)
  } UNION {
    GRAPH ?g { ?node dkg:attributionDate ?when ; dkg:attributedIncident ?related . }
    VALUES ?event { "attribution" }
  } UNION {
    VALUES (?p ?event) { (dkg:listingDate "designated") (dkg:endDate "delisted") }
    GRAPH ?g { ?node ?p ?when } ?node a dkg:Sanction ; dkg:sanctionTarget ?related .
  } UNION {
    GRAPH ?g { ?node dkg:listingDate ?when } ?node a dkg:CryptoAddress .
    OPTIONAL { ?node dkg:holder|dkg:listedUnder/dkg:sanctionTarget ?related }
    VALUES ?event { "address listed" }
  } UNION {
    GRAPH ?g { ?node dkg:eventDate ?when } ?node a dkg:Laundering .
    OPTIONAL { ?node dkg:launderedThrough|dkg:proceedsOf|dkg:launderedFor ?related }
    VALUES ?event { "laundering" }
  } UNION {
    GRAPH ?g { ?node dkg:eventDate ?when } ?node a dkg:Claim .
    OPTIONAL { ?node dkg:about ?related }
    VALUES ?event { "claim" }
  } UNION {
    GRAPH ?g { ?node dcterms:issued ?when } ?node a dkg:SourceDocument .
    OPTIONAL { ?node dcterms:publisher ?related }
    VALUES ?event { "report" }
  }
  BIND(STR(?when) AS ?date)
}"""
_LABELS = "SELECT ?node (MIN(STR(?l)) AS ?label) WHERE { ?node rdfs:label ?l } GROUP BY ?node"


@dataclass(frozen=True)
class Event:
    """One dated event: its date as the sources give it, kind, subject, and sources."""

    date: str
    event: str
    node: str
    label: str
    involved: tuple[str, ...]
    sources: tuple[str, ...]


def check_date(value: str) -> str:
    """Accept YYYY, YYYY-MM or YYYY-MM-DD (a real date); raise InputError otherwise."""
    import datetime

    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    try:
        if not match:
            raise ValueError
        datetime.date(int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1))
    except ValueError:
        raise InputError(f"date {value!r}: expected YYYY, YYYY-MM or YYYY-MM-DD") from None
    return value


def events(dataset: Dataset, since: str | None = None, until: str | None = None,
           entity: str | None = None) -> list[Event]:
    """Dated events in date order, optionally within [since, until] and involving ``entity``.

    A partial date is within the bounds when it overlaps them: ``2022`` is kept by
    ``--since 2022-06-01``.
    """
    labels = {str(r.node): str(r.label) for r in dataset.query(_LABELS)}
    grouped: dict[tuple[str, str, str], tuple[set[str], set[str]]] = defaultdict(lambda: (set(), set()))
    for row in dataset.query(_EVENTS):
        involved, sources = grouped[(str(row.date), str(row.event), str(row.node))]
        if row.related is not None:
            involved.add(str(row.related))
        sources.add(shorten(str(row.g)))
    found = []
    for (date, event, node), (involved, sources) in sorted(grouped.items()):
        if since and date < since[:len(date)]:
            continue
        if until and date[:len(until)] > until:
            continue
        if entity and entity != node and entity not in involved:
            continue
        found.append(Event(date, event, node, labels.get(node, shorten(node)),
                           tuple(sorted(involved)), tuple(sorted(sources))))
    return found
