"""``show``: everything about one entity, merged over its records, each fact with who says so.

The entity is a cluster of records (``graph.entities``): the curated node and the imported ones a
person confirmed. Each fact appears once with every source or dataset that states it. Sanctions,
addresses and ATT&CK usage get their own sections; match bookkeeping and rejected matches are not
relations; proposed matches are listed as possible matches. With ``as_of`` only sources issued
on or before that date count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import product

from .entities import Cluster
from .kinds import table
from .reader import Reader
from .render import format_amount
from .sanctions import Designation, designations, verdict
from .terms import PREFIXES, on_or_before, shorten

_RDF_TYPE = PREFIXES["rdf"] + "type"
_LABEL = PREFIXES["rdfs"] + "label"
_ALT = PREFIXES["skos"] + "altLabel"
_DKG = PREFIXES["dkg"]
_SCHEMA = PREFIXES["schema"]
_VALUE, _CURRENCY, _LOW, _HIGH = (_SCHEMA + p for p in ("value", "currency", "minValue", "maxValue"))
_QUALIFIER = _DKG + "amountQualifier"
_ADDRESS_FACTS = {_DKG + "address": "value", _DKG + "chain": "chain", _DKG + "asset": "asset"}
#: Properties shown in their own section, or bookkeeping that is not a fact about the entity.
_OWN_SECTION_OUT = {
    _RDF_TYPE,
    _ALT,
    PREFIXES["skos"] + "closeMatch",
    _DKG + "uses",
    _DKG + "attackId",
    _DKG + "listEntryId",
    _DKG + "mispUuid",
    _DKG + "stixId",
}
_OWN_SECTION_IN = {
    _DKG + "sanctionTarget",
    _DKG + "holder",
    _DKG + "matchSubject",
    _DKG + "matchObject",
    PREFIXES["skos"] + "closeMatch",
}
_IDENTIFIERS = {
    _DKG + "attackId": "ATT&CK",
    _DKG + "listEntryId": "list entry",
    _DKG + "mispUuid": "MISP uuid",
    _DKG + "stixId": "STIX id",
}


@dataclass
class Fact:
    """One statement about the entity: property, value, and who states it."""

    property: str
    value: str
    sources: list[str]


@dataclass
class Record:
    """One record of the entity: its IRI, kind, label, identifiers and the graphs stating it."""

    record: str
    kind: str
    label: str
    identifiers: list[str]
    sources: list[str]


@dataclass
class Address:
    """A crypto address of the entity, with its chain and asset and who lists it."""

    address: str
    chain: str
    asset: str
    sources: list[str]


@dataclass
class PossibleMatch:
    """A proposed (unreviewed) match to a record of another entity."""

    record: str
    entity: str
    label: str
    basis: str


@dataclass
class Source:
    """A cited source: who says so, and when."""

    source: str
    label: str
    publisher: str
    issued: str
    url: str


@dataclass
class EntityView:
    """Everything about one entity (cluster), ready to render as text or JSON."""

    entity: str
    label: str
    kind: str
    as_of: str
    verdict: str
    types: list[str]
    records: list[Record] = field(default_factory=list)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    designations: list[Designation] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    relations: list[Fact] = field(default_factory=list)
    uses: dict[str, list[Fact]] = field(default_factory=dict)
    possible_matches: list[PossibleMatch] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


class _Namer:
    """Names the nodes next to the entity: amounts by figure (ranges with both bounds), others
    by label; ``prefetch`` looks many up in one query."""

    def __init__(self, reader: Reader):
        self.reader = reader
        self.cache: dict[str, tuple[str, set[str]]] = {}

    def prefetch(self, iris: set[str]) -> None:
        """Name every node of ``iris`` not named yet, with one query for the non-records."""
        entities = self.reader.entities
        wanted = sorted(i for i in iris if i not in self.cache and not entities.is_record(i))
        stated: dict[str, dict[str, set[str]]] = {i: defaultdict(set) for i in wanted}
        for row in self.reader.rows("node-facts", focus=wanted):
            stated[row["focus"] or ""][row["p"] or ""].add(row["o"] or "")
        for iri, values in stated.items():
            value, currency, qualifier, low, high, label = (
                min(values[p]) if values[p] else None for p in (_VALUE, _CURRENCY, _QUALIFIER, _LOW, _HIGH, _LABEL)
            )
            if value is not None:
                name = format_amount(value, currency, qualifier, low, high)
            else:
                name = f"{label} ({shorten(iri)})" if label and label != shorten(iri) else shorten(iri)
            self.cache[iri] = (name, set(values[_RDF_TYPE]))

    def __call__(self, iri: str) -> tuple[str, set[str]]:
        if iri not in self.cache:
            entities = self.reader.entities
            if entities.is_record(iri):
                label, kind = entities.label(iri), entities.kind(iri)
                self.cache[iri] = (
                    f"{label} ({shorten(iri)})" if label != shorten(iri) else label,
                    set(table().kinds[kind].classes),
                )
            else:
                self.prefetch({iri})
        return self.cache[iri]


def _value(term: str, is_iri: bool, namer: _Namer) -> str:
    return namer(term)[0] if is_iri else term


def entity_view(reader: Reader, cluster: Cluster, as_of: str) -> EntityView:
    """Gather the cluster's records, names, designations, addresses and facts as of ``as_of``."""
    entities = reader.entities
    namer = _Namer(reader)
    counted = _counted(reader, as_of)
    facts: dict[tuple[str, str], set[str]] = defaultdict(set)
    relations: dict[tuple[str, str], set[str]] = defaultdict(set)
    uses: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    aliases: dict[str, set[str]] = defaultdict(set)
    types: set[str] = set()
    out_rows = [r for r in reader.rows("show-out", focus=cluster.members) if counted(r["g"] or "")]
    in_rows = [
        r
        for r in reader.rows("show-in", focus=cluster.members)
        if r["p"] not in _OWN_SECTION_IN and counted(r["g"] or "")
    ]
    namer.prefetch({r["o"] or "" for r in out_rows if r["iri"] == "true"} | {r["s"] or "" for r in in_rows})
    identifiers: dict[str, set[str]] = defaultdict(set)
    graphs: dict[str, set[str]] = defaultdict(set)
    for row in out_rows:
        member, prop, obj, graph = row["focus"] or "", row["p"] or "", row["o"] or "", row["g"] or ""
        graphs[member].add(graph)
        if prop == _RDF_TYPE:
            types.add(shorten(obj))
        elif prop == _ALT or (prop == _LABEL and obj != cluster.label):
            aliases[obj].add(shorten(graph))
        elif prop in _IDENTIFIERS:
            identifiers[member].add(f"{_IDENTIFIERS[prop]} {obj}")
        elif prop == _DKG + "uses":
            name, kinds = namer(obj)
            group = "techniques" if _DKG + "AttackTechnique" in kinds else "software"
            uses[group][name].add(shorten(graph))
        elif prop not in _OWN_SECTION_OUT and prop != _LABEL:
            is_iri = row["iri"] == "true"
            target = entities.cluster(obj).canonical if is_iri and entities.is_record(obj) else obj
            facts[(shorten(prop), _value(target, is_iri, namer))].add(shorten(graph))
    for row in in_rows:
        prop, subject, graph = row["p"] or "", row["s"] or "", row["g"] or ""
        canonical = entities.cluster(subject).canonical if entities.is_record(subject) else subject
        if canonical != cluster.canonical:
            relations[(namer(canonical)[0], shorten(prop))].add(shorten(graph))
    records = [
        Record(
            shorten(member),
            entities.kind(member),
            entities.label(member),
            sorted(identifiers[member]),
            sorted(shorten(g) for g in graphs[member]),
        )
        for member in cluster.members
    ]
    found = designations(reader, cluster.members, as_of)
    view = EntityView(
        entity=cluster.curie,
        label=cluster.label,
        kind=cluster.kind,
        as_of=as_of,
        verdict=verdict(found, reader),
        types=sorted(types),
        records=records,
        aliases={a: sorted(s) for a, s in sorted(aliases.items(), key=lambda kv: kv[0].casefold())},
        designations=found,
        addresses=_addresses(reader, cluster, counted),
        facts=[Fact(p, v, sorted(s)) for (p, v), s in sorted(facts.items())],
        relations=[Fact(p, s, sorted(g)) for (s, p), g in sorted(relations.items())],
        uses={
            group: [Fact("uses", name, sorted(s)) for name, s in sorted(items.items())]
            for group, items in sorted(uses.items())
        },
        possible_matches=[
            PossibleMatch(
                shorten(link.subject if link.subject not in cluster.members else link.object),
                other.curie,
                other.label,
                link.basis,
            )
            for link, other in entities.possible_matches(cluster)
        ],
    )
    for d in view.designations:
        d.sources = [shorten(g) for g in d.sources]
        d.snapshots = [shorten(g) for g in d.snapshots]
        d.sanction, d.target = shorten(d.sanction), shorten(d.target)
    view.sources = _cited(reader, view)
    return view


def _counted(reader: Reader, as_of: str) -> Callable[[str], bool]:
    """A test for graphs whose sources count on ``as_of`` (undated sources always count)."""

    def counted(graph: str) -> bool:
        issued = reader.issued(graph) if graph else ""
        return not issued or on_or_before(issued, as_of)

    return counted


def _addresses(reader: Reader, cluster: Cluster, counted: Callable[[str], bool]) -> list[Address]:
    nodes = sorted({row["address"] or "" for row in reader.rows("addresses-of", focus=cluster.members)})
    stated: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in reader.rows("show-out", focus=nodes):
        if counted(row["g"] or "") and row["p"] in _ADDRESS_FACTS:
            stated[(row["focus"] or "", row["g"] or "")][_ADDRESS_FACTS[row["p"] or ""]].add(row["o"] or "")
    found: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for (_, graph), values in stated.items():
        for value, chain, asset in product(values["value"], values["chain"] or {""}, values["asset"] or {""}):
            found[(value, chain, asset)].add(shorten(graph))
    merged: dict[str, Address] = {}
    for (value, chain, asset), sources in sorted(found.items()):
        key = value.lower() if value.lower().startswith("0x") else value
        if key in merged:
            entry = merged[key]
            entry.sources = sorted(set(entry.sources) | sources)
            entry.chain = entry.chain or chain
            entry.asset = entry.asset or asset
        else:
            merged[key] = Address(value, chain, asset, sorted(sources))
    return list(merged.values())


def _cited(reader: Reader, view: EntityView) -> list[Source]:
    """Every source the view cites, with publisher, date and URL."""
    cited: set[str] = set()
    for group in (view.facts, view.relations, *view.uses.values()):
        for fact in group:
            cited.update(fact.sources)
    for sources in view.aliases.values():
        cited.update(sources)
    for record in view.records:
        cited.update(record.sources)
    for d in view.designations:
        cited.update(d.sources)
    for a in view.addresses:
        cited.update(a.sources)
    out = []
    for curie in sorted(cited):
        info = reader.source(PREFIXES[curie.split(":", 1)[0]] + curie.split(":", 1)[1]) if ":" in curie else {}
        out.append(
            Source(
                curie,
                info.get("label") or "",
                info.get("publisher") or "",
                info.get("issued") or "",
                info.get("url") or "",
            )
        )
    return out
