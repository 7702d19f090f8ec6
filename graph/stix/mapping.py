"""Entities as STIX objects: one object per cluster of records (``graph.entities``), typed by its
kind as ``mapping.toml`` says, with the records' identifiers as external references.

- groups become ``intrusion-set``; persons ``threat-actor`` when a source attributes an incident
  to them, names them a member of a group or sanctions them, else ``identity``; states with a
  country code ``location``; publishers, authorities, victims, services and list entries
  ``identity``; incidents ``incident`` (every reported amount beside its source, never averaged);
  crypto addresses ``cryptocurrency-wallet`` observables.
- Aliases are the records' labels and ``skos:altLabel`` values, less three kinds of names:
  data-quality traps (a name every source of which quotes it as "[sic]"), names or identifiers
  of another exported object, and names two objects share (OpenCTI merges objects whose aliases
  match); the description lists the names withheld.
- ``created``/``modified`` are the earliest and latest dates of the sources stating the records.
"""

from __future__ import annotations

import functools
import json
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING

from ..entities import normal
from ..kinds import table
from ..terms import PREFIXES, expand, shorten
from .ids import is_full_date, report_id, sco_id, sdo_id, timestamp
from .read import DKG, LABEL, Facts

if TYPE_CHECKING:
    from ..entities import Entities

ALT_LABEL = PREFIXES["skos"] + "altLabel"
COMMENT = PREFIXES["rdfs"] + "comment"
#: Identifier properties -> the external reference ``source_name`` they become.
IDENTIFIER_SOURCES = {
    DKG + "attackId": "mitre-attack",
    DKG + "mispUuid": "misp-galaxy-threat-actor",
    DKG + "listEntryId": "ofac-sdn",
    DKG + "stixId": "mitre-attack-stix-id",
}
_SIC = re.compile(r"\[sic\]", re.IGNORECASE)
_WITH_ALIASES = ("intrusion-set", "threat-actor")


@functools.cache
def tables() -> dict:
    """``mapping.toml``: kinds, countries, identity classes, confidence, relations, labels."""
    return tomllib.loads(resources.files(__package__).joinpath("mapping.toml").read_text("utf-8"))


@functools.cache
def countries() -> dict[str, str]:
    """State IRI -> ISO 3166-1 alpha-2 code (``mapping.toml`` [countries])."""
    return {expand(state): code for state, code in tables()["countries"].items()}


@functools.cache
def extensions() -> dict:
    """``extensions.json``: the extension definitions, with the date they were released."""
    return json.loads(resources.files(__package__).joinpath("extensions.json").read_text("utf-8"))


@functools.cache
def extension_id(name: str) -> str:
    """The id of the ``extension-definition`` named ``name`` in ``extensions.json``."""
    return sdo_id("extension-definition", "dprk-kg", name)


#: The identity that defines the extensions (the exporting system itself).
PROJECT_IDENTITY = sdo_id("identity", "dprk-kg")


@dataclass
class Context:
    """What the mappers share: the facts, the clusters, and the objects made so far."""

    facts: Facts
    entities: Entities
    #: record IRI -> id of the object it exports as (clusters share one id).
    ids: dict[str, str] = field(default_factory=dict)
    objects: dict[str, dict] = field(default_factory=dict)
    #: graph -> ids of the objects it states (its report's ``object_refs``).
    states: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: object id -> the record IRIs it stands for.
    members: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    _dates: dict[tuple, tuple[str, str]] = field(default_factory=dict)
    _refs: dict[str, list[dict]] = field(default_factory=dict)
    _labels: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def fallback_date(self) -> str:
        """The date of an object no dated source states: the earliest source date."""
        return min((s.date for s in self.facts.sources.values() if s.date), default="1970-01-01")

    def dates(self, graphs) -> tuple[str, str]:
        """``created`` and ``modified``: the earliest and latest date of ``graphs``."""
        key = tuple(graphs)
        if key not in self._dates:
            self._dates[key] = self._span(key)
        return self._dates[key]

    def _span(self, graphs: tuple[str, ...]) -> tuple[str, str]:
        found = [d for d in (self.facts.sources[g].date for g in graphs if g in self.facts.sources) if d]
        if not found:
            found = [self.fallback_date]
        return timestamp(min(found)), timestamp(max(found))

    def source_refs(self, graphs) -> list[dict]:
        """External references naming each source in ``graphs``, with its URLs."""
        refs = []
        for graph in sorted(set(graphs)):
            if graph in self._refs:
                refs += self._refs[graph]
                continue
            start = len(refs)
            source = self.facts.sources.get(graph)
            if source is None:
                continue
            if not source.urls:
                refs.append({"source_name": "dprk-kg", "external_id": shorten(graph), "description": source.title})
            refs += [
                {"source_name": "dprk-kg", "external_id": shorten(graph), "description": label, "url": url}
                for label, url in source.urls
            ]
            self._refs[graph] = refs[start:]
        return refs

    def label(self, iri: str) -> str:
        """The label of a record (cached: the index answers one query per call)."""
        if iri not in self._labels:
            self._labels[iri] = self.entities.label(iri)
        return self._labels[iri]

    def publisher_ref(self, graph: str) -> str | None:
        """The identity id of the publisher of ``graph``, when it is exported."""
        source = self.facts.sources.get(graph)
        return self.ids.get(source.publisher) if source and source.publisher else None

    def sdo(self, stix_type: str, key: str, graphs, **props) -> dict:
        """A new domain object, stated by ``graphs``, stored and returned."""
        created, modified = self.dates(graphs)
        obj = {
            "type": stix_type,
            "spec_version": "2.1",
            "id": sdo_id(stix_type, key),
            "created": created,
            "modified": modified,
            **{k: v for k, v in props.items() if v},
        }
        self.objects[obj["id"]] = obj
        for graph in graphs:
            self.states[graph].add(obj["id"])
        return obj


def _kinds(facts: Facts) -> dict[str, str]:
    """Node -> its kind: the most specific kind of its classes (``ontology/kinds.toml``)."""
    kinds: dict[str, str] = {}
    for cls in table().classes():
        kind = table().kind_of([cls])
        if kind is None:  # never: every class of the table has a kind
            continue
        for node in facts.types.get(cls, ()):
            kinds.setdefault(node, kind)
    return kinds


def map_entities(ctx: Context) -> None:
    """Every cluster of exportable records as one object, and every address as an observable."""
    exported = tables()["kinds"]
    canonical = ctx.entities.canonical_map()
    clusters: dict[str, list[str]] = defaultdict(list)
    addresses: list[str] = []
    kinds = _kinds(ctx.facts)
    for node, kind in kinds.items():
        if kind == "address":
            addresses.append(node)
        elif kind in exported:
            clusters[canonical.get(node, node)].append(node)
    persons_as_actors = _acting_persons(ctx.facts)
    names = {head: _name(ctx, head, members) for head, members in clusters.items()}
    aliases = _aliases(ctx, clusters, names)
    for head in sorted(clusters):
        members = sorted(clusters[head])
        kind = kinds.get(head) or kinds[members[0]]
        obj = _entity(ctx, head, members, kind, names[head], aliases.get(head, ([], [])), persons_as_actors)
        for member in members:
            ctx.ids[member] = obj["id"]
        ctx.members[obj["id"]] = members
    for node in sorted(addresses):
        _wallet(ctx, node)


def _name(ctx: Context, head: str, members: list[str]) -> str:
    label = ctx.facts.value(head, LABEL) if head in ctx.facts.nodes else None
    return (
        label
        or ctx.entities.label(head)
        or next((v for v in (ctx.facts.value(m, LABEL) for m in sorted(members)) if v), shorten(head))
    )


def _acting_persons(facts: Facts) -> set[str]:
    """Persons a source attributes an incident to, names a member of a group, or sanctions."""
    acting: set[str] = set()
    for cls, prop in (("Attribution", "attributedTo"), ("Sanction", "sanctionTarget")):
        for node in facts.types.get(DKG + cls, ()):
            acting.update(v for v, _ in facts.nodes[node].get(DKG + prop, ()))
    groups = facts.types.get(DKG + "ThreatGroup", set())
    for node in facts.types.get(PREFIXES["schema"] + "Person", ()):
        if any(v in groups for v, _ in facts.nodes[node].get(PREFIXES["org"] + "memberOf", ())):
            acting.add(node)
    return acting


def trap_names(facts: Facts) -> set[tuple[str, str, str]]:
    """(node, name, graph) of names a claim in the same graph quotes as "[sic]" about the node."""
    traps = set()
    for claim in facts.typed(DKG + "Claim"):
        props = facts.nodes[claim]
        for text, graph in props.get(DKG + "statement", []) + props.get(LABEL, []):
            if not _SIC.search(text):
                continue
            for about, about_graph in props.get(DKG + "about", ()):
                if about_graph != graph:
                    continue
                for alias, alias_graph in facts.nodes.get(about, {}).get(ALT_LABEL, ()):
                    if alias_graph == graph and re.search(rf"\b{re.escape(alias)}\b", text, re.IGNORECASE):
                        traps.add((about, alias, graph))
    return traps


def _aliases(
    ctx: Context, clusters: dict[str, list[str]], names: dict[str, str]
) -> dict[str, tuple[list[str], list[str]]]:
    """Per cluster: the aliases exported, and the names withheld because other objects use them."""
    traps = trap_names(ctx.facts)
    taken = defaultdict(set)
    for head, name in names.items():
        taken[normal(name)].add(head)
        for member in clusters[head]:
            for prop in IDENTIFIER_SOURCES:
                for value, _ in ctx.facts.nodes[member].get(prop, ()):
                    taken[normal(value)].add(head)
    candidates: dict[str, dict[str, str]] = {}
    for head, members in clusters.items():
        found: dict[str, str] = {}
        for member in members:
            props = ctx.facts.nodes[member]
            for prop in (LABEL, ALT_LABEL):
                stated: dict[str, set[str]] = defaultdict(set)
                for value, graph in props.get(prop, ()):
                    stated[value].add(graph)
                for value, graphs in stated.items():
                    if prop == ALT_LABEL and all((member, value, g) in traps for g in graphs):
                        continue
                    if normal(value) != normal(names[head]):
                        found.setdefault(normal(value), value)
        candidates[head] = found
        for key in found:
            taken[key].add(head)
    result = {}
    for head, found in candidates.items():
        kept = sorted(v for k, v in found.items() if taken[k] == {head})
        withheld = sorted(v for k, v in found.items() if taken[k] != {head})
        result[head] = (kept, withheld)
    return result


def _identifiers(ctx: Context, members: list[str]) -> list[dict]:
    refs = []
    for member in members:
        props = ctx.facts.nodes[member]
        urls = sorted({v for v, _ in props.get(PREFIXES["schema"] + "url", ())})
        for prop, source_name in IDENTIFIER_SOURCES.items():
            for value in sorted({v for v, _ in props.get(prop, ())}):
                ref = {"source_name": source_name, "external_id": value}
                if source_name == "mitre-attack" and urls:
                    ref["url"] = urls[0]
                refs.append(ref)
    unique = {(r["source_name"], r["external_id"]): r for r in sorted(refs, key=len)}
    return sorted(
        unique.values(), key=lambda r: (r["source_name"] != "mitre-attack", r["source_name"], r["external_id"])
    )


def _entity(
    ctx: Context,
    head: str,
    members: list[str],
    kind: str,
    name: str,
    aliases: tuple[list[str], list[str]],
    acting: set[str],
) -> dict:
    t = tables()
    stix_type = t["kinds"][kind]
    graphs = sorted({g for m in members for g in ctx.facts.graphs(m)})
    country = countries().get(head)
    if stix_type == "location" and not country:
        stix_type = "identity"
    if kind == "person" and not acting.intersection(members):
        stix_type = "identity"
    comments = sorted({v for m in members for v, _ in ctx.facts.nodes[m].get(COMMENT, ())})
    lines = [comments[0]] if comments else []
    kept, withheld = aliases
    if withheld:
        lines.append(
            "Other names, not given as aliases because other objects bear them too: " + "; ".join(withheld) + "."
        )
    refs = _identifiers(ctx, members) + [{"source_name": "dprk-kg", "external_id": shorten(m)} for m in members]
    props: dict = {"name": name, "description": "\n\n".join(lines), "external_references": refs}
    if stix_type in _WITH_ALIASES:
        props["aliases"] = kept
    if stix_type == "location":
        props["country"] = country
    if stix_type == "identity":
        props["identity_class"] = _identity_class(ctx, kind, members)
    if stix_type == "incident":
        _incident(ctx, members, props)
    return ctx.sdo(stix_type, head, graphs, **props)


def _identity_class(ctx: Context, kind: str, members: list[str]) -> str:
    t = tables()
    if kind == "designated party":
        listed = {v for m in members for v, _ in ctx.facts.nodes[m].get(PREFIXES["dcterms"] + "type", ())}
        classes = {t["designated_party_class"].get(v, "unknown") for v in listed}
        return classes.pop() if len(classes) == 1 else "unknown"
    return t["identity_class"].get(kind, "organization")


def _incident(ctx: Context, members: list[str], props: dict) -> None:
    """Dates, technique and every reported amount (with its source) of an incident."""
    facts = ctx.facts
    lines = [props["description"]] if props["description"] else []
    days = sorted({v for m in members for v, _ in facts.nodes[m].get(DKG + "eventDate", ())})
    disclosed = sorted({v for m in members for v, _ in facts.nodes[m].get(DKG + "disclosureDate", ())})
    if days:
        lines.append("Event date: " + ", ".join(days) + ".")
    if disclosed:
        lines.append("Disclosed: " + ", ".join(disclosed) + ".")
    techniques = sorted({v for m in members for v, _ in facts.nodes[m].get(DKG + "technique", ())})
    if techniques:
        lines.append("Technique: " + " ".join(techniques))
    losses = []
    for member in members:
        for amount, graph in sorted(set(facts.nodes[member].get(DKG + "reportedLoss", ()))):
            losses.append(_loss(ctx, amount, graph))
    losses.sort(key=lambda x: (x.get("source", ""), x["text"], x.get("value", "")))
    if losses:
        lines.append("Reported losses (each as its source gives it; figures are not combined):")
        lines += [_loss_line(x) for x in losses]
        props.setdefault("extensions", {})[extension_id("reported-amounts")] = {
            "extension_type": "property-extension",
            "reported_losses": losses,
        }
    full_days = [d for d in days if is_full_date(d)]
    publishers = sorted(
        {
            p
            for m in members
            for g in ctx.facts.graphs(m)
            if g in ctx.facts.sources and (p := ctx.facts.sources[g].publisher)
        }
    )
    top = {"incident_type": "cybercrime", "source": ", ".join(ctx.label(p) for p in publishers)}
    if full_days:
        top["first_seen"] = timestamp(full_days[0])
    props.update({k: v for k, v in top.items() if v})
    props.setdefault("extensions", {})[extension_id("incident-opencti")] = {
        "extension_type": "toplevel-property-extension"
    }
    props["description"] = "\n".join(lines)


def _loss(ctx: Context, amount: str, graph: str) -> dict:
    facts, sdo = ctx.facts, PREFIXES["schema"]
    source = facts.sources.get(graph)
    props = facts.nodes.get(amount, {})
    loss = {"text": min((v for v, _ in props.get(LABEL, ())), default=None) or shorten(amount)}
    for key, prop in (
        ("value", sdo + "value"),
        ("min_value", sdo + "minValue"),
        ("max_value", sdo + "maxValue"),
        ("currency", sdo + "currency"),
        ("qualifier", DKG + "amountQualifier"),
    ):
        if prop in props:
            loss[key] = min(v for v, _ in props[prop])
    if source:
        loss["source"] = source.title
        if source.date:
            loss["source_ref"] = report_id(graph)
        if source.urls:
            loss["url"] = source.urls[0][1]
    return loss


def _loss_line(loss: dict) -> str:
    figure = " ".join(loss[k] for k in ("qualifier", "value", "currency") if k in loss)
    line = f"- {loss['text']}" + (f" ({figure})" if figure else "")
    line += f" \u2014 {loss.get('source', 'source not stated')}"
    return line + (f" <{loss['url']}>" if "url" in loss else "")


def _wallet(ctx: Context, node: str) -> None:
    """A crypto address as a ``cryptocurrency-wallet`` observable (merged by value)."""
    facts = ctx.facts
    value = facts.value(node, DKG + "address")
    if not value:
        return
    oid = sco_id("cryptocurrency-wallet", {"value": value})
    new_sco = {extension_id("cryptocurrency-wallet"): {"extension_type": "new-sco"}}
    obj = ctx.objects.setdefault(
        oid, {"type": "cryptocurrency-wallet", "spec_version": "2.1", "id": oid, "value": value, "extensions": new_sco}
    )
    labels = set(obj.get("labels", ())) | {f"chain:{c}" for c in facts.values(node, DKG + "chain")}
    labels |= {f"asset:{a}" for a in facts.values(node, DKG + "asset")}
    if labels:  # STIX forbids an empty list: an address whose chain no source states has none
        obj["labels"] = sorted(labels)
    chains = [label[6:] for label in sorted(labels) if label.startswith("chain:")]
    assets = [label[6:] for label in sorted(labels) if label.startswith("asset:")]
    obj["description"] = f"Crypto address on {', '.join(chains) or 'a chain not stated'}" + (
        f"; assets: {', '.join(assets)}." if assets else "."
    )
    ctx.ids[node] = oid
    ctx.members[oid].append(node)
    for graph in facts.graphs(node):
        ctx.states[graph].add(oid)


def confidence(level: str | None) -> int | None:
    """The STIX confidence of a stated confidence level (``mapping.toml`` [confidence]).

    >>> confidence("https://w3id.org/dprk-kg/ns#Likely"), confidence(None)
    (50, None)
    """
    if level is None:
        return None
    return tables()["confidence"].get(shorten(level))


def relation_types() -> dict[str, dict]:
    """Property IRI -> its [relations] entry."""
    return {expand(prop): entry for prop, entry in tables()["relations"].items()}
