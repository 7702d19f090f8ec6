"""Matching imported records to curated ones (and imported incidents to each other), written
to the graph as reviewable ``dkg:EntityMatch`` nodes and to the match file as rows.

Entities (groups, software, designated parties, victims) match on a shared identifier, an exact
name or an alias. Incidents match on **victim and date**: they share a victim (the same entity
or one a person confirmed as the same, or names whose distinctive words are the same or one
set holds the other: "Harmony Bridge" and "Harmony Horizon bridge") and their dates are at most
``WINDOW_DAYS`` apart, each date taken at its stated precision (a year is the whole year, a
month the whole month). Nothing is merged: only rows a person marks ``confirmed`` add
``skos:closeMatch``.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from ..namespace import DATASET, DKG, PREFIXES, SRC
from ..terms import expand, shorten
from .matchfile import STATUSES, Match
from .ntriples import (
    CLOSE_MATCH,
    COMMENT,
    RDF_TYPE,
    Entity,
    IncidentRecord,
    Quads,
    dkg,
    iri,
    lit,
    normal,
)

#: Curated classes whose entities imported ones may match (actors, services, software ...).
MATCHABLE = (
    "State",
    "GovernmentBody",
    "ThreatGroup",
    "Company",
    "Service",
    "Mixer",
    "Exchange",
    "Bridge",
    "Wallet",
    "Protocol",
    "DesignatedParty",
    "Software",
    "Campaign",
)
IDENTIFIERS = ("attackId", "mispUuid", "listEntryId", "stixId")
#: Incidents whose dates are at most this many days apart may be the same incident (a theft is
#: often dated by its start in one source and by its discovery or disclosure in another).
WINDOW_DAYS = 7
#: Words that say what kind of victim it is, not which one: left out when comparing names.
GENERIC_WORDS = frozenset(
    {
        "bridge",
        "network",
        "protocol",
        "finance",
        "exchange",
        "wallet",
        "wallets",
        "hot",
        "com",
        "io",
        "the",
        "hack",
        "exploit",
    }
)
_WORD = re.compile(r"[a-z0-9]+")


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> str:
    """A term's value; a quoted (RDF-star) triple has none."""
    if isinstance(term, ox.Triple):
        raise TypeError(f"a quoted triple where a term was expected: {term}")
    return term.value


class CuratedIndex:
    """The curated entities by identifier and by normalised name, read from the store."""

    def __init__(self, rows: Iterable[tuple[str, str, str]]):
        self.ids: dict[tuple[str, str], set[str]] = {}
        self.labels: dict[str, set[str]] = {}
        self.names: dict[str, set[str]] = {}
        for entity, prop, value in rows:
            local = prop.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            if local in IDENTIFIERS:
                self.ids.setdefault((local, value), set()).add(entity)
            else:
                if local == "label":
                    self.labels.setdefault(normal(value), set()).add(entity)
                self.names.setdefault(normal(value), set()).add(entity)

    @classmethod
    def from_store(cls, ox_store: ox.Store) -> CuratedIndex:
        """Read the labels, aliases and identifiers of curated (``src:``) entities."""
        wanted = {str(getattr(DKG, c)) for c in MATCHABLE}
        props = {
            f"{PREFIXES['rdfs']}label",
            f"{PREFIXES['skos']}altLabel",
            *(str(getattr(DKG, p)) for p in IDENTIFIERS),
        }
        rdf_type = RDF_TYPE[1:-1]
        rows = []
        for graph in ox_store.named_graphs():
            if not isinstance(graph, ox.NamedNode) or not graph.value.startswith(str(SRC)):
                continue
            typed: set[str] = set()
            values: list[tuple[str, str, str]] = []
            for quad in ox_store.quads_for_pattern(None, None, None, graph):
                p = quad.predicate.value
                if p == rdf_type and _value(quad.object) in wanted:
                    typed.add(_value(quad.subject))
                elif p in props and isinstance(quad.object, ox.Literal):
                    values.append((_value(quad.subject), p, quad.object.value))
            rows += [row for row in values if row[0] in typed]
        return cls(rows)

    def find(self, entity: Entity) -> dict[str, str]:
        """Curated entities the imported one may be, each with its strongest basis."""
        found: dict[str, str] = {}
        for key in entity.identifiers:
            for curated in self.ids.get(key, ()):
                found.setdefault(curated, "shared identifier")
        for curated in self.labels.get(normal(entity.label), ()):
            found.setdefault(curated, "exact name")
        for name in (entity.label, *entity.aliases):
            for curated in self.names.get(normal(name), ()):
                found.setdefault(curated, "alias")
        return found


# ---------------------------------------------------------------- incidents


def interval(value: str) -> tuple[date, date] | None:
    """The days a date stated as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` may mean.

    >>> interval("2024-05")
    (datetime.date(2024, 5, 1), datetime.date(2024, 5, 31))
    >>> interval("2017")[1], interval("2022-02-30")
    (datetime.date(2017, 12, 31), None)
    """
    try:
        if re.fullmatch(r"\d{4}", value):
            return date(int(value), 1, 1), date(int(value), 12, 31)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = int(value[:4]), int(value[5:])
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return day, day


def days_apart(a: tuple[date, date], b: tuple[date, date]) -> int:
    """Days between two date intervals; 0 when they overlap.

    >>> days_apart(interval("2022-03-23"), interval("2022-04-14"))
    22
    >>> days_apart(interval("2022-06"), interval("2022-06-24"))
    0
    """
    return max(0, (b[0] - a[1]).days, (a[0] - b[1]).days)


def victim_words(name: str) -> frozenset[str]:
    """The distinctive words of a victim's name.

    >>> sorted(victim_words("Harmony Horizon bridge")), sorted(victim_words("Stake.com"))
    (['harmony', 'horizon'], ['stake'])
    """
    return frozenset(_WORD.findall(name.casefold())) - GENERIC_WORDS


def _same_name(a: Iterable[frozenset[str]], b: Iterable[frozenset[str]]) -> bool:
    b = [w for w in b if w]
    return any(x <= y or y <= x for x in a if x for y in b)


@dataclass
class KnownIncident:
    """An incident already in the store: curated (``src:`` graphs) or of another dataset."""

    iri: str
    label: str
    dates: set[str] = field(default_factory=set)
    victims: dict[str, set[str]] = field(default_factory=dict)


class IncidentIndex:
    """The incidents in the store (but those of the graph being imported), by victim word."""

    def __init__(self, known: Iterable[KnownIncident], confirmed: Iterable[Match] = ()):
        self.known = list(known)
        self.labels = {i.iri: i.label for i in self.known}
        self.clusters: dict[str, set[str]] = {}
        for m in confirmed:
            a, b = expand(m.imported), expand(m.curated)
            self.clusters.setdefault(a, {a}).add(b)
            self.clusters.setdefault(b, {b}).add(a)
        self.by_key: dict[str, list[KnownIncident]] = {}
        for incident in self.known:
            for key in {k for v, names in incident.victims.items() for k in self._keys(v, names)}:
                self.by_key.setdefault(key, []).append(incident)

    def _keys(self, victim: str, names: Iterable[str]) -> set[str]:
        return {*self.clusters.get(victim, {victim}), *(w for n in names for w in victim_words(n))}

    @classmethod
    def from_store(cls, ox_store: ox.Store, graph: str, confirmed: Iterable[Match] = ()) -> IncidentIndex:
        """Every incident of the store outside ``graph``, with its dates and victims (stated
        in any graph)."""

        def values(subject: ox.NamedNode, predicate: str) -> list:
            return [q.object for q in ox_store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]

        label, alt = f"{PREFIXES['rdfs']}label", f"{PREFIXES['skos']}altLabel"
        known: dict[str, KnownIncident] = {}
        for quad in ox_store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE[1:-1]), ox.NamedNode(str(DKG.Incident))):
            source, node = quad.graph_name, quad.subject
            if (
                not isinstance(source, ox.NamedNode)
                or not isinstance(node, ox.NamedNode)
                or source.value == graph
                or not source.value.startswith((str(SRC), str(DATASET)))
                or node.value in known
            ):
                continue
            labels = [v.value for v in values(node, label)]
            incident = known[node.value] = KnownIncident(node.value, min(labels) if labels else shorten(node.value))
            incident.dates = {v.value for v in values(node, str(DKG.eventDate)) if isinstance(v, ox.Literal)}
            for victim in values(node, str(DKG.victim)):
                if isinstance(victim, ox.NamedNode):
                    incident.victims[victim.value] = {
                        v.value for p in (label, alt) for v in values(victim, p) if isinstance(v, ox.Literal)
                    }
        return cls(known.values(), [m for m in confirmed if m.status == "confirmed"])

    def find(self, record: IncidentRecord) -> dict[str, int]:
        """Known incidents that may be ``record``: same victim, dates within the window; each
        with how many days apart their dates are."""
        when = interval(record.date)
        if when is None:
            return {}
        keys = {k for v, names in record.victims for k in self._keys(v, names)}
        words = [victim_words(n) for _, names in record.victims for n in names]
        clusters = {c for v, _ in record.victims for c in self.clusters.get(v, {v})}
        found: dict[str, int] = {}
        for incident in {id(i): i for k in keys for i in self.by_key.get(k, ())}.values():
            if incident.iri == record.iri:
                continue
            shared = clusters & {c for v in incident.victims for c in self.clusters.get(v, {v})}
            theirs = [victim_words(n) for names in incident.victims.values() for n in names]
            if not shared and not _same_name(words, theirs):
                continue
            gaps = [days_apart(when, other) for other in map(interval, incident.dates) if other]
            if gaps and min(gaps) <= WINDOW_DAYS:
                found[incident.iri] = min(gaps)
        return found


# ---------------------------------------------------------------- the match nodes


def link(
    quads: Quads, index: CuratedIndex, incidents: IncidentIndex, existing: list[Match]
) -> tuple[list[Match], dict[str, int]]:
    """Record matches of the graph's entities and incidents as ``dkg:EntityMatch`` nodes.

    Rows a person already wrote keep their status and note (a match between two imported
    incidents is one row, whichever dataset was imported first); new ones are proposed. Only
    confirmed rows add ``skos:closeMatch``. Returns the updated rows and counts per status.
    """
    by_key = {(expand(m.imported), expand(m.curated)): m for m in existing}
    labels = {e.iri: e.label for e in quads.entities} | {i.iri: i.label for i in quads.incidents}
    for entity in quads.entities:
        for curated, basis in sorted(index.find(entity).items()):
            by_key.setdefault(
                (entity.iri, curated), Match(shorten(entity.iri), shorten(curated), basis, "proposed", entity.label, "")
            )
    for record in quads.incidents:
        for other, gap in sorted(incidents.find(record).items()):
            if (other, record.iri) not in by_key:
                by_key.setdefault(
                    (record.iri, other),
                    Match(
                        shorten(record.iri),
                        shorten(other),
                        "victim and date",
                        "proposed",
                        f"{record.label} ~ {incidents.labels[other]} ({gap} day(s) apart)",
                        "",
                    ),
                )
    counts = dict.fromkeys(STATUSES, 0)
    for (imported, curated), match in sorted(by_key.items()):
        if imported not in labels:
            continue
        counts[match.status] += 1
        node = iri(f"{quads.graph}/match/{hashlib.sha1(f'{imported} {curated}'.encode()).hexdigest()[:16]}")
        quads.node(node, "EntityMatch", f"{labels[imported]} ~ {shorten(curated)} ({match.basis}, {match.status})")
        quads.add(node, dkg("matchSubject"), iri(imported))
        quads.add(node, dkg("matchObject"), iri(curated))
        quads.add(node, dkg("matchBasis"), lit(match.basis))
        quads.add(node, dkg("matchStatus"), f"<{STATUSES[match.status]}>")
        if match.note:
            quads.add(node, COMMENT, lit(match.note))
        if match.status == "confirmed":
            quads.add(iri(imported), CLOSE_MATCH, iri(curated))
    return list(by_key.values()), counts
