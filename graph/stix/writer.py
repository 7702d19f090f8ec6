"""The bundle: every object sorted by id, a focus view cut out of it, and bytes that depend only
on the data (no clock, no random ids), written atomically.

The file holds one object per line inside the bundle, keys sorted, so two exports of the same
graph are byte-identical and two exports of different states diff line by line. The bundle id
is UUIDv5 of the objects' bytes.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable

from .ids import PROJECT_NAMESPACE

FILE_NAME = "graph.stix.json"


def focus_view(objects: dict[str, dict], start: Iterable[str], depth: int) -> dict[str, dict]:
    """The objects within ``depth`` relationships of ``start``, with what they need.

    Kept: the objects reached, the relationships among them, the sanction reports about them
    (with the addresses they list), the source reports that state any of them (their
    ``object_refs`` cut to the view), the identities that created what is kept, and the
    extension definitions the kept objects use.
    """
    adjacent: dict[str, set[str]] = defaultdict(set)
    for obj in objects.values():
        if obj["type"] == "relationship":
            adjacent[obj["source_ref"]].add(obj["target_ref"])
            adjacent[obj["target_ref"]].add(obj["source_ref"])
    seen = set(start)
    frontier = set(seen)
    for _ in range(depth):
        frontier = {other for oid in frontier for other in adjacent[oid]} - seen
        seen |= frontier
    keep = {oid: objects[oid] for oid in seen}
    for oid, obj in objects.items():
        if obj["type"] == "relationship" and obj["source_ref"] in seen and obj["target_ref"] in seen:
            keep[oid] = obj
    sanctions = [
        o
        for o in objects.values()
        if o["type"] == "report"
        and "published" in o
        and any(label.startswith("sanction-") for label in o.get("labels", ()))
    ]
    for report in sanctions:
        if any(ref in seen for ref in report["object_refs"]):
            keep[report["id"]] = report
            keep.update((ref, objects[ref]) for ref in report["object_refs"] if ref in objects)
    for oid, obj in objects.items():
        if obj["type"] == "report" and oid not in keep:
            refs = [ref for ref in obj["object_refs"] if ref in keep]
            if refs:
                keep[oid] = {**obj, "object_refs": refs}
    _add_needed(objects, keep)
    return keep


def _add_needed(objects: dict[str, dict], keep: dict[str, dict]) -> None:
    """Add the creators of kept objects, the extension definitions they use, and their creator."""
    for _ in range(2):
        needed = set()
        for obj in list(keep.values()):
            if obj.get("created_by_ref"):
                needed.add(obj["created_by_ref"])
            needed.update(k for k in obj.get("extensions", {}) if k.startswith("extension-definition--"))
        keep.update((oid, objects[oid]) for oid in needed if oid in objects and oid not in keep)


def render(objects: dict[str, dict]) -> bytes:
    """The bundle's bytes: objects sorted by id, one per line, keys sorted."""
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode  # one encoder for every object
    lines = [encode(objects[oid]) for oid in sorted(objects)]
    body = ",\n".join(lines).encode()  # encoded once: hashed, then written
    bundle_id = f"bundle--{uuid.uuid5(PROJECT_NAMESPACE, hashlib.sha256(body).hexdigest())}"
    return f'{{"type": "bundle", "id": "{bundle_id}", "objects": [\n'.encode() + body + b"\n]}\n"
