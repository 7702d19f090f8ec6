"""``show``: everything about one entity, merged over its records, each fact with who says so.

The entity is a cluster of records (``graph.entities``): the curated node and the imported ones a
person confirmed. Each fact appears once with every source or dataset that states it. Sanctions,
addresses and ATT&CK usage get their own sections; match bookkeeping and rejected matches are not
relations; proposed matches are listed as possible matches. With ``as_of`` only sources issued
on or before that date count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

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
    by label, each looked up once."""

    def __init__(self, reader: Reader):
        self.reader = reader
        self.cache: dict[str, tuple[str, set[str]]] = {}

    def __call__(self, iri: str) -> tuple[str, set[str]]:
        entities = self.reader.entities
        if iri not in self.cache and entities.is_record(iri):
            label, kind = entities.label(iri), entities.kind(iri)
            self.cache[iri] = (
                f"{label} ({shorten(iri)})" if label != shorten(iri) else label,
                set(table().kinds[kind].classes),
            )
        if iri not in self.cache:
            rows = self.reader.rows("node-facts", focus=iri)
            types = {r["type"] or "" for r in rows if r["type"]}
            row: dict[str, str | None] = rows[0] if rows else {}
            name: str
            if row.get("value") is not None:
                name = format_amount(row["value"], row["currency"], row["qualifier"], row["low"], row["high"])
            else:
                stated = row.get("label")
                name = f"{stated} ({shorten(iri)})" if stated and stated != shorten(iri) else shorten(iri)
            self.cache[iri] = (name, types)
        return self.cache[iri]


def _value(term: str, is_iri: bool, namer: _Namer) -> str:
    return namer(term)[0] if is_iri else term


def entity_view(reader: Reader, cluster: Cluster, as_of: str, list_all: bool = False) -> EntityView:
    """Gather the cluster's records, names, designations, addresses and facts as of ``as_of``."""
    entities = reader.entities
    namer = _Namer(reader)
    counted = _counted(reader, as_of)
    facts: dict[tuple[str, str], set[str]] = defaultdict(set)
    relations: dict[tuple[str, str], set[str]] = defaultdict(set)
    uses: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    aliases: dict[str, set[str]] = defaultdict(set)
    types: set[str] = set()
    records = []
    for member in cluster.members:
        identifiers, graphs = [], set()
        for row in reader.rows("show-out", focus=member):
            prop, obj, graph = row["p"] or "", row["o"] or "", row["g"] or ""
            if not counted(graph):
                continue
            graphs.add(graph)
            if prop == _RDF_TYPE:
                types.add(shorten(obj))
            elif prop == _ALT or (prop == _LABEL and obj != cluster.label):
                aliases[obj].add(shorten(graph))
            elif prop in _IDENTIFIERS:
                identifiers.append(f"{_IDENTIFIERS[prop]} {obj}")
            elif prop == _DKG + "uses":
                name, kinds = namer(obj)
                group = "techniques" if _DKG + "AttackTechnique" in kinds else "software"
                uses[group][name].add(shorten(graph))
            elif prop not in _OWN_SECTION_OUT and prop != _LABEL:
                is_iri = obj.startswith(("http://", "https://", "urn:")) and " " not in obj
                target = entities.cluster(obj).canonical if is_iri and entities.is_record(obj) else obj
                facts[(shorten(prop), _value(target, is_iri, namer))].add(shorten(graph))
        for row in reader.rows("show-in", focus=member):
            prop, subject, graph = row["p"] or "", row["s"] or "", row["g"] or ""
            if prop in _OWN_SECTION_IN or not counted(graph):
                continue
            canonical = entities.cluster(subject).canonical if entities.is_record(subject) else subject
            if canonical == cluster.canonical:
                continue
            relations[(namer(canonical)[0], shorten(prop))].add(shorten(graph))
        records.append(
            Record(
                shorten(member),
                entities.kind(member),
                entities.label(member),
                sorted(set(identifiers)),
                sorted(shorten(g) for g in graphs),
            )
        )
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
    if not list_all:
        view.uses = {group: items for group, items in view.uses.items()}
    view.sources = _cited(reader, view)
    return view


def _counted(reader: Reader, as_of: str):
    """A test for graphs whose sources count on ``as_of`` (undated sources always count)."""

    def counted(graph: str) -> bool:
        issued = reader.issued(graph) if graph else ""
        return not issued or on_or_before(issued, as_of)

    return counted


def _addresses(reader: Reader, cluster: Cluster, counted) -> list[Address]:
    found: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for member in cluster.members:
        for row in reader.rows("addresses-of", focus=member):
            if counted(row["g"] or ""):
                found[(row["value"] or "", row["chain"] or "", row["asset"] or "")].add(shorten(row["g"] or ""))
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
