"""MITRE ATT&CK as a STIX 2.x bundle: intrusion sets with their aliases (each with its
citation), campaigns, software, techniques, and the ``uses`` and ``attributed-to`` relationships
among them. Revoked and deprecated objects, and relationships that touch them, are left out.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from ..errors import InputError
from ..namespace import DATASET
from .common import (ALT_LABEL, COMMENT, DatasetInfo, Entity, ImportReport, Quads, dataset_info,
                     dkg, iri, lit, parse_date, slug, term)

#: STIX types imported, with their class.
CLASSES = {"intrusion-set": "ThreatGroup", "campaign": "Campaign", "malware": "Software",
           "tool": "Software", "attack-pattern": "AttackTechnique"}
_STIX_ID = re.compile(r"^[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ATTACK_ID = re.compile(r"^[GSCT][0-9]{4}(\.[0-9]{3})?$")
_CITATION = re.compile(r"\(Citation: ([^)]+)\)")


def object_iri(stix_id: str) -> str:
    """The IRI of an ATT&CK object.

    >>> object_iri("intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a")
    'https://w3id.org/dprk-kg/dataset/attack/intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a'
    """
    return str(DATASET[f"attack/{stix_id}"])


def load_bundle(path: Path) -> list[dict]:
    """The bundle's objects; a file that is not a STIX bundle is an ``InputError``."""
    from ..parse import decode, read_bytes

    text = decode(read_bytes(path), path)
    try:
        bundle = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg}); the file may be truncated", path,
                         exc.lineno) from exc
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle" \
            or not isinstance(bundle.get("objects"), list):
        raise InputError('not a STIX 2 bundle (expected {"type": "bundle", "objects": [...]})', path)
    return bundle["objects"]


def _attack_id(obj: dict) -> str | None:
    for ref in obj.get("external_references") or []:
        if isinstance(ref, dict) and ref.get("source_name") in ("mitre-attack", "mitre-ics-attack",
                                                                "mitre-mobile-attack"):
            value = ref.get("external_id")
            return value if isinstance(value, str) and _ATTACK_ID.match(value) else None
    return None


def _text_list(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def to_quads(objects: list[dict], info: DatasetInfo, path: Path) -> tuple[Quads, dict[str, int], list[str], str | None]:
    """The bundle as N-Quads; returns the quads, counts, skipped records and the newest
    ``modified`` date (the bundle's version date)."""
    quads = Quads(info.graph)
    skipped: list[str] = []
    counts = {"groups": 0, "campaigns": 0, "software": 0, "techniques": 0, "aliases": 0,
              "uses": 0, "attributions": 0, "left out (revoked or deprecated)": 0}
    kept: dict[str, str] = {}
    newest = None
    for number, obj in enumerate(objects, 1):
        if not isinstance(obj, dict):
            skipped.append(f"{path}: object {number}: not a JSON object")
            continue
        kind, stix_id = obj.get("type"), obj.get("id")
        modified = obj.get("modified")
        if isinstance(modified, str) and (newest is None or modified > newest):
            newest = modified
        if kind not in CLASSES:
            continue
        if not isinstance(stix_id, str) or not _STIX_ID.match(stix_id):
            skipped.append(f"{path}: object {number} ({kind}): bad id {str(stix_id)[:60]!r}")
            continue
        if obj.get("revoked") or obj.get("x_mitre_deprecated"):
            counts["left out (revoked or deprecated)"] += 1
            continue
        name = obj.get("name")
        if not isinstance(name, str) or not name.strip():
            skipped.append(f"{path}: object {number} ({stix_id}): no name")
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
            if isinstance(ref, dict) and ref.get("source_name") in ("mitre-attack",) \
                    and isinstance(ref.get("url"), str):
                quads.add(node, term("schema:url"), lit(ref["url"], "anyURI"))
        aliases = [a for a in _text_list(obj.get("aliases")) + _text_list(obj.get("x_mitre_aliases"))
                   if a != name]
        aliases = list(dict.fromkeys(aliases))
        for alias in aliases:
            quads.add(node, ALT_LABEL, lit(alias))
        counts["aliases"] += len(aliases)
        if kind in ("intrusion-set", "campaign"):
            _alias_citations(quads, obj, node, name, stix_id)
        if kind == "campaign":
            for key, prop in (("first_seen", "periodStart"), ("last_seen", "periodEnd")):
                day = parse_date(str(obj.get(key, ""))[:10])
                if day:
                    quads.add(node, dkg(prop), lit(day, "date"))
        counts[{"intrusion-set": "groups", "campaign": "campaigns", "attack-pattern": "techniques"}
               .get(kind, "software")] += 1
        if kind in ("intrusion-set", "malware", "tool", "campaign"):
            quads.entity(Entity(object_iri(stix_id), name, tuple(aliases), tuple(identifiers)))
    for number, obj in enumerate(objects, 1):
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
    return quads, counts, skipped, newest


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
            quads.add(claim, term("dcterms:bibliographicCitation"),
                      lit(text if isinstance(text, str) else citation))
            if cited and isinstance(cited.get("url"), str):
                quads.add(claim, term("schema:citation"), lit(cited["url"], "anyURI"))


def import_file(path: Path, store_path: Path, name: str = "mitre-attack",
                match_file: Path | None = None, progress=lambda _: None) -> ImportReport:
    """Import an ATT&CK bundle into its own graph ``dataset:<name>``."""
    from .common import MATCH_FILE, commit

    started = time.perf_counter()
    progress(f"reading {path}")
    objects = load_bundle(Path(path))
    info = dataset_info("mitre-attack", name, Path(path).name, Path(path))
    progress(f"converting {len(objects):,} STIX objects")
    quads, counts, skipped, newest = to_quads(objects, info, Path(path))
    if not any(counts[k] for k in ("groups", "campaigns", "software", "techniques")):
        raise InputError("the bundle holds no intrusion set, campaign, software or technique", path)
    info.issued = parse_date((newest or "")[:10])
    collection = [o.get("x_mitre_version") for o in objects
                  if isinstance(o, dict) and o.get("type") == "x-mitre-collection"]
    info.version = str(collection[0]) if collection and collection[0] else None
    report = ImportReport(info.graph, Path(path), counts, skipped,
                          seconds=time.perf_counter() - started)
    return commit(quads, info, report, store_path, match_file or MATCH_FILE, progress)
