"""MITRE ATT&CK as a STIX 2.x bundle: intrusion sets with their aliases (each with its
citation), campaigns, software, techniques, and the ``uses`` and ``attributed-to`` relationships
among them. Revoked and deprecated objects, and relationships that touch them, are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..files import read_text
from ..namespace import DATASET
from .dataset import DatasetInfo, dataset_info
from .driver import Parsed
from .inputs import load_json
from .ntriples import ALT_LABEL, COMMENT, Entity, Quads, Skipped, dkg, iri, lit, parse_date, slug, term

#: STIX types imported, with their class.
CLASSES = {
    "intrusion-set": "ThreatGroup",
    "campaign": "Campaign",
    "malware": "Software",
    "tool": "Software",
    "attack-pattern": "AttackTechnique",
}
_STIX_ID = re.compile(r"^[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ATTACK_ID = re.compile(r"^[GSCT][0-9]{4}(\.[0-9]{3})?$")
_CITATION = re.compile(r"\(Citation: ([^)]+)\)")


def object_iri(stix_id: str) -> str:
    """The IRI of an ATT&CK object.

    >>> object_iri("intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a")
    'https://w3id.org/dprk-kg/dataset/attack/intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a'
    """
    return str(DATASET[f"attack/{stix_id}"])


@dataclass
class Bundle(Parsed):
    """A STIX bundle's objects."""

    objects: list = field(default_factory=list)


def load_bundle(path: Path) -> Bundle:
    """The bundle's objects; a file that is not a STIX bundle is an ``InputError``."""
    bundle = load_json(read_text(path), path)
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle" or not isinstance(bundle.get("objects"), list):
        raise InputError('not a STIX 2 bundle (expected {"type": "bundle", "objects": [...]})', path)
    return Bundle(path, [path], objects=bundle["objects"])


def _attack_id(obj: dict) -> str | None:
    for ref in obj.get("external_references") or []:
        if isinstance(ref, dict) and ref.get("source_name") in (
            "mitre-attack",
            "mitre-ics-attack",
            "mitre-mobile-attack",
        ):
            value = ref.get("external_id")
            return value if isinstance(value, str) and _ATTACK_ID.match(value) else None
    return None


def _text_list(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def newest_modified(objects: list) -> str | None:
    """The newest ``modified`` stamp of the bundle's objects: the bundle's version date."""
    stamps = [o["modified"] for o in objects if isinstance(o, dict) and isinstance(o.get("modified"), str)]
    return max(stamps, default=None)


def to_quads(bundle: Bundle, info: DatasetInfo) -> Quads:
    """The bundle as N-Quads, with counts and skipped records."""
    path, objects = bundle.path, bundle.objects
    quads = Quads(info.graph, path)
    skipped, file = quads.skipped, str(path)
    counts = quads.counts
    counts.update(
        groups=0, campaigns=0, software=0, techniques=0, aliases=0, uses=0, attributions=0, revoked_or_deprecated=0
    )
    kept: dict[str, str] = {}
    for number, obj in enumerate(objects, 1):
        if not isinstance(obj, dict):
            skipped.append(Skipped(file, "not a JSON object", record=f"object {number}"))
            continue
        kind, stix_id = obj.get("type"), obj.get("id")
        if kind not in CLASSES:
            continue
        if not isinstance(stix_id, str) or not _STIX_ID.match(stix_id):
            skipped.append(Skipped(file, f"bad id {str(stix_id)[:60]!r}", record=f"object {number} ({kind})"))
            continue
        if obj.get("revoked") or obj.get("x_mitre_deprecated"):
            counts["revoked_or_deprecated"] += 1
            continue
        name = obj.get("name")
        if not isinstance(name, str) or not name.strip():
            skipped.append(Skipped(file, "no name", record=f"object {number} ({stix_id})"))
            continue
        kept[stix_id] = kind
        node = iri(object_iri(stix_id))
        quads.node(node, CLASSES[kind], name)
        quads.add(node, dkg("stixId"), lit(stix_id))
        attack_id = _attack_id(obj)
        identifiers = [("stixId", stix_id)]
        if attack_id:
            quads.add(node, dkg("attackId"), lit(attack_id))
            identifiers.append(("attackId", attack_id))
        if isinstance(obj.get("description"), str):
            quads.add(node, COMMENT, lit(obj["description"], lang="en"))
        for ref in obj.get("external_references") or []:
            if (
                isinstance(ref, dict)
                and ref.get("source_name") in ("mitre-attack",)
                and isinstance(ref.get("url"), str)
            ):
                quads.add(node, term("schema:url"), lit(ref["url"], "anyURI"))
        aliases = [a for a in _text_list(obj.get("aliases")) + _text_list(obj.get("x_mitre_aliases")) if a != name]
        aliases = list(dict.fromkeys(aliases))
        for alias in aliases:
            quads.name(node, ALT_LABEL, alias)
        counts["aliases"] += len(aliases)
        if kind in ("intrusion-set", "campaign"):
            _alias_citations(quads, obj, node, name, stix_id)
        if kind == "campaign":
            for key, prop in (("first_seen", "periodStart"), ("last_seen", "periodEnd")):
                day = parse_date(str(obj.get(key, ""))[:10])
                if day:
                    quads.add(node, dkg(prop), lit(day, "date"))
        counts[
            {"intrusion-set": "groups", "campaign": "campaigns", "attack-pattern": "techniques"}.get(kind, "software")
        ] += 1
        if kind in ("intrusion-set", "malware", "tool", "campaign"):
            quads.entity(Entity(object_iri(stix_id), name, tuple(aliases), tuple(identifiers)))
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("type") != "relationship":
            continue
        if obj.get("revoked") or obj.get("x_mitre_deprecated"):
            continue
        rel, source, target = obj.get("relationship_type"), obj.get("source_ref"), obj.get("target_ref")
        if source not in kept or target not in kept:
            continue
        if rel == "uses" and kept[source] in ("intrusion-set", "campaign"):
            quads.add(iri(object_iri(source)), dkg("uses"), iri(object_iri(target)))
            counts["uses"] += 1
        elif rel == "attributed-to" and kept[source] == "campaign" and kept[target] == "intrusion-set":
            quads.add(iri(object_iri(source)), term("prov:wasAttributedTo"), iri(object_iri(target)))
            counts["attributions"] += 1
    if not any(counts[k] for k in ("groups", "campaigns", "software", "techniques")):
        raise InputError("the bundle holds no intrusion set, campaign, software or technique", path)
    return quads


def _alias_citations(quads: Quads, obj: dict, node: str, name: str, stix_id: str) -> None:
    """Each alias with the reference ATT&CK cites for it, as a claim by the dataset."""
    refs = [r for r in obj.get("external_references") or [] if isinstance(r, dict)]
    by_name = {r.get("source_name"): r for r in refs}
    names = set(_text_list(obj.get("aliases")) + _text_list(obj.get("x_mitre_aliases")))
    for ref in refs:
        alias = ref.get("source_name")
        if alias not in names or alias == name or not isinstance(ref.get("description"), str):
            continue
        claim = iri(f"{object_iri(stix_id)}/alias/{slug(alias)}")
        quads.node(claim, "Claim", f"ATT&CK: {name} is also known as {alias}")
        quads.add(claim, dkg("statement"), lit(f"{alias}: {ref['description']}", lang="en"))
        quads.add(claim, dkg("about"), node)
        for citation in _CITATION.findall(ref["description"]):
            cited = by_name.get(citation)
            text = cited.get("description") if cited else None
            quads.add(claim, term("dcterms:bibliographicCitation"), lit(text if isinstance(text, str) else citation))
            if cited and isinstance(cited.get("url"), str):
                quads.add(claim, term("schema:citation"), lit(cited["url"], "anyURI"))


class AttackImporter:
    """``dprk-kg import attack``: a bundle into its graph ``dataset:<name>``."""

    def __init__(self, name: str = "mitre-attack"):
        self.name = name

    def read(self, path: Path) -> Bundle:
        """The bundle's objects."""
        return load_bundle(path)

    def describe(self, parsed: Bundle) -> DatasetInfo:
        """Versioned by the collection's ``x_mitre_version``, dated by the newest object."""
        collection = [
            o.get("x_mitre_version")
            for o in parsed.objects
            if isinstance(o, dict) and o.get("type") == "x-mitre-collection"
        ]
        return dataset_info(
            "mitre-attack",
            self.name,
            parsed.path.name,
            parsed.path,
            version=str(collection[0]) if collection and collection[0] else None,
            issued=parse_date((newest_modified(parsed.objects) or "")[:10]),
        )

    def to_quads(self, parsed: Bundle, info: DatasetInfo) -> Quads:
        """See ``to_quads``."""
        return to_quads(parsed, info)
