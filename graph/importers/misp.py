"""The MISP threat-actor galaxy (``clusters/threat-actor.json``): each cluster as a threat group
with its synonyms, country, references, attribution confidence and related clusters.

MISP's clusters overlap ATT&CK's groups (its "Lazarus Group" lists APT38 and Andariel among its
synonyms): they stay separate entities, and every overlap with a curated entity is a match to
review, never a merge.
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
from .ntriples import ALT_LABEL, COMMENT, RELATED, Entity, Quads, Skipped, dkg, iri, lit, term

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LIKELIHOOD = re.compile(r'likelihood-probability="([^"]+)"')


def cluster_iri(uuid: str) -> str:
    """The IRI of a MISP cluster.

    >>> cluster_iri("68391641-859f-4a9a-9a1e-3e5cf71ec376")
    'https://w3id.org/dprk-kg/dataset/misp-galaxy/68391641-859f-4a9a-9a1e-3e5cf71ec376'
    """
    return str(DATASET[f"misp-galaxy/{uuid}"])


@dataclass
class Galaxy(Parsed):
    """A MISP galaxy cluster file as read."""

    galaxy: dict = field(default_factory=dict)


def load_galaxy(path: Path) -> Galaxy:
    """The cluster file; anything else is an ``InputError``."""
    galaxy = load_json(read_text(path), path)
    if not isinstance(galaxy, dict) or not isinstance(galaxy.get("values"), list):
        raise InputError('not a MISP galaxy cluster file (expected {"values": [...]})', path)
    return Galaxy(path, [path], galaxy=galaxy)


def _strings(value) -> list[str]:
    """A meta field that is a string in some clusters and a list in others, as a list."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def to_quads(parsed: Galaxy, info: DatasetInfo) -> Quads:
    """The clusters as N-Quads, with counts and skipped records."""
    path = parsed.path
    quads = Quads(info.graph, path)
    skipped, file = quads.skipped, str(path)
    counts = quads.counts
    counts.update(clusters=0, synonyms=0, references=0, related=0)
    clusters = []
    for number, cluster in enumerate(parsed.galaxy["values"], 1):
        if not isinstance(cluster, dict):
            skipped.append(Skipped(file, "not a JSON object", record=f"cluster {number}"))
            continue
        raw = cluster.get("uuid")
        uuid = raw.strip().lower() if isinstance(raw, str) else ""
        name = cluster.get("value")
        if not _UUID.match(uuid):
            skipped.append(
                Skipped(file, f"bad uuid {str(raw)[:60]!r}" if raw else "no uuid", record=f"cluster {number}")
            )
        elif not isinstance(name, str) or not name.strip():
            skipped.append(Skipped(file, "no name (value)", record=f"cluster {number} ({uuid})"))
        else:
            clusters.append((number, uuid, name.strip(), cluster))
    known = {uuid for _, uuid, _, _ in clusters}
    for number, uuid, name, cluster in clusters:
        found = cluster.get("meta")
        meta = found if isinstance(found, dict) else {}
        node = iri(cluster_iri(uuid))
        quads.node(node, "ThreatGroup", name)
        quads.add(node, dkg("mispUuid"), lit(uuid))
        if isinstance(cluster.get("description"), str):
            quads.add(node, COMMENT, lit(cluster["description"], lang="en"))
        synonyms = [s for s in dict.fromkeys(_strings(meta.get("synonyms"))) if s != name]
        for synonym in synonyms:
            quads.name(node, ALT_LABEL, synonym)
        countries = [c for c in _strings(meta.get("country")) if _COUNTRY.match(c)]
        for country in countries:
            quads.add(node, dkg("country"), lit(country))
        for ref in dict.fromkeys(_strings(meta.get("refs"))):
            try:
                quads.add(node, term("dcterms:references"), iri(ref))
                counts["references"] += 1
            except ValueError:
                skipped.append(
                    Skipped(file, f"reference {ref[:80]!r} is not an IRI", record=f"cluster {number} ({name})")
                )
        confidence = _strings(meta.get("attribution-confidence"))
        if confidence:
            claim = iri(f"{cluster_iri(uuid)}/attribution-confidence")
            quads.node(claim, "Claim", f"MISP: attribution confidence for {name}")
            where = f" to {', '.join(countries)}" if countries else ""
            quads.add(
                claim,
                dkg("statement"),
                lit(
                    f"The MISP threat-actor galaxy gives an attribution confidence of "
                    f"{confidence[0]} for {name}{where}.",
                    lang="en",
                ),
            )
            quads.add(claim, dkg("about"), node)
        for index, related in enumerate(cluster.get("related") or [], 1):
            if not isinstance(related, dict) or not _UUID.match(str(related.get("dest-uuid", ""))):
                skipped.append(
                    Skipped(file, f"related entry {index} has no dest-uuid", record=f"cluster {number} ({name})")
                )
                continue
            dest = related["dest-uuid"]
            kind = str(related.get("type") or "related")
            likely = [m for t in _strings(related.get("tags")) for m in _LIKELIHOOD.findall(t)]
            claim = iri(f"{cluster_iri(uuid)}/related/{index}")
            target = f"cluster {dest}"
            quads.node(claim, "Claim", f"MISP: {name} {kind} {dest}")
            quads.add(claim, dkg("about"), node)
            if dest in known:
                quads.add(node, RELATED, iri(cluster_iri(dest)))
                quads.add(claim, dkg("about"), iri(cluster_iri(dest)))
                target = f"the cluster {dest}"
            quads.add(
                claim,
                dkg("statement"),
                lit(
                    f"The MISP threat-actor galaxy relates {name} to {target} as {kind!r}"
                    + (f" (likelihood: {', '.join(likely)})" if likely else "")
                    + ".",
                    lang="en",
                ),
            )
            counts["related"] += 1
        counts["clusters"] += 1
        counts["synonyms"] += len(synonyms)
        quads.entity(Entity(cluster_iri(uuid), name, tuple(synonyms), (("mispUuid", uuid),)))
    if not counts["clusters"]:
        raise InputError(f"no usable cluster ({len(skipped)} skipped)", path)
    return quads


class MispImporter:
    """``dprk-kg import misp-galaxy``: a cluster file into ``dataset:misp-galaxy-<type>``."""

    def read(self, path: Path) -> Galaxy:
        """The cluster file."""
        return load_galaxy(path)

    def describe(self, parsed: Galaxy) -> DatasetInfo:
        """Named by the galaxy's type, versioned by its ``version``."""
        galaxy = parsed.galaxy
        kind = re.sub(r"[^a-z0-9-]+", "-", str(galaxy.get("type") or "clusters").lower()).strip("-")
        version = galaxy.get("version")
        return dataset_info(
            "misp-galaxy",
            f"misp-galaxy-{kind or 'clusters'}",
            f"{galaxy.get('name') or kind} clusters",
            parsed.path,
            version=str(version) if version is not None else None,
        )

    def to_quads(self, parsed: Galaxy, info: DatasetInfo) -> Quads:
        """See ``to_quads``."""
        return to_quads(parsed, info)
