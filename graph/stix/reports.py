"""Reports: one per source document (what it states) and one per sanction action.

A source document (a named graph) becomes a ``report`` published on its date, created by its
publisher, with its URLs (and those of the copies it was read in) as external references and
every object and relationship it states as ``object_refs``. A graph with no date at all gets no
report (``published`` is required); its facts are still exported.

STIX has no sanction type: each designation, re-designation and delisting becomes a report
labelled as ``mapping.toml`` [sanction] says, created by the authority, published on the action's
date, referring to the target and the addresses listed under the sanction, with the sanction's
fields in the ``sanction`` property extension (``extensions.json``). A designation is a
re-designation when the same authority listed the same target on an earlier date.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from ..terms import shorten
from .ids import report_id, sdo_id, timestamp
from .mapping import PROJECT_IDENTITY, Context, extension_id, extensions, tables
from .read import DKG, LABEL

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def map_sanctions(ctx: Context) -> None:
    """Every sanction's designation (or re-designation) and delisting as reports."""
    facts = ctx.facts
    listed_under: dict[str, set[str]] = defaultdict(set)
    for node in facts.types.get(DKG + "CryptoAddress", ()):
        for sanction, _ in facts.nodes[node].get(DKG + "listedUnder", ()):
            if node in ctx.ids:
                listed_under[sanction].add(ctx.ids[node])
    rows = []
    for node in facts.typed(DKG + "Sanction"):
        targets = sorted({ctx.ids[v] for v in facts.values(node, "dkg:sanctionTarget") if v in ctx.ids})
        if targets:
            rows.append(
                (
                    node,
                    targets,
                    facts.value(node, "dkg:authority"),
                    min(facts.values(node, "dkg:listingDate"), default=None),
                )
            )
    first: dict[tuple, str] = {}
    for _, targets, authority, listing in rows:
        if not listing:
            continue
        for target in targets:
            if (authority, target) not in first or listing < first[(authority, target)]:
                first[(authority, target)] = listing
    for node, targets, authority, listing in rows:
        graphs = facts.graphs(node)
        dated = sorted(d for d in (facts.sources[g].date for g in graphs if g in facts.sources) if d)
        again = bool(listing and any(first.get((authority, t), listing) < listing for t in targets))
        published = listing or (dated[0] if dated else None)
        if published:
            _sanction_report(
                ctx, node, targets, listed_under[node], "re-designation" if again else "designation", published, graphs
            )
        ended = min(facts.values(node, "dkg:endDate"), default=None)
        delisted = DKG + "Delisted" in facts.values(node, "dkg:status")
        if ended or delisted:
            stating = sorted(
                d
                for d in (
                    facts.sources[g].date
                    for v, g in facts.nodes[node].get(DKG + "status", ())
                    if v == DKG + "Delisted" and g in facts.sources
                )
                if d
            )
            when = ended or (stating[0] if stating else None)
            if when:
                _sanction_report(ctx, node, targets, listed_under[node], "delisting", when, graphs)


def _sanction_report(
    ctx: Context, node: str, targets: list[str], addresses: set[str], action: str, published: str, graphs: list[str]
) -> None:
    facts = ctx.facts
    authority = facts.value(node, "dkg:authority")
    label = facts.value(node, LABEL) or shorten(node)
    statuses = [s.rsplit("#", 1)[-1].lower() for s in facts.values(node, "dkg:status")]
    fields: dict[str, Any] = {
        "action": action,
        "sanction": node,
        "target_ref": targets[0],
        "authority": ctx.label(authority) if authority else None,
        "authority_ref": ctx.ids.get(authority) if authority else None,
        "program": facts.values(node, "dkg:program"),
        "legal_basis": facts.values(node, "dkg:legalBasis"),
        "listing_date": min(facts.values(node, "dkg:listingDate"), default=None),
        "end_date": min(facts.values(node, "dkg:endDate"), default=None),
        "status": "delisted" if "delisted" in statuses else "listed" if statuses else None,
        "address_refs": sorted(addresses),
    }
    fields = {k: v for k, v in fields.items() if v}
    by = fields.get("authority", "an authority not stated")
    if action == "delisting" or fields.get("listing_date"):
        lines = [f"{action.capitalize()} by {by} on {published}: {label}."]
    else:
        lines = [
            f"{label}: listed by {by} as of {published}, the date of the earliest source that "
            "states it (the listing date is not stated)."
        ]
    for key, words in (("program", "Program"), ("legal_basis", "Legal basis")):
        if key in fields:
            lines.append(f"{words}: {', '.join(fields[key])}.")
    for key, words in (("listing_date", "Listed"), ("end_date", "Ended"), ("status", "Status")):
        if key in fields:
            lines.append(f"{words}: {fields[key]}.")
    if addresses:
        lines.append(f"Addresses listed under it: {len(addresses)}.")
    titles = sorted({facts.sources[g].title for g in graphs if g in facts.sources})
    lines.append("Sources: " + "; ".join(titles) + ".")
    _, modified = ctx.dates(graphs)
    stamp = timestamp(published)
    report: dict[str, Any] = {
        "type": "report",
        "spec_version": "2.1",
        "id": sdo_id("report", node, action),
        "created": stamp,
        "modified": max(stamp, modified),
        "published": stamp,
        "name": f"{action.capitalize()}: {label}",
        "description": "\n".join(lines),
        "labels": [tables()["sanction"][action.replace("-", "")]],
        "object_refs": sorted({*targets, *addresses}),
        "external_references": [{"source_name": "dprk-kg", "external_id": shorten(node)}, *ctx.source_refs(graphs)],
        "extensions": {extension_id("sanction"): {"extension_type": "property-extension", **fields}},
    }
    if fields.get("authority_ref"):
        report["created_by_ref"] = fields["authority_ref"]
    ctx.objects[report["id"]] = report


def map_sources(ctx: Context) -> int:
    """One report per dated source document that states something; returns how many had no date."""
    undated = 0
    for graph, source in sorted(ctx.facts.sources.items()):
        refs = sorted(ctx.states.get(graph, ()))
        if not refs:
            continue
        if not source.date:
            undated += 1
            continue
        stamp = timestamp(source.date)
        kind = _CAMEL.sub("-", source.kind.rsplit("#", 1)[-1]).lower() if source.kind else None
        words = f"{kind.replace('-', ' ').capitalize()} ({shorten(graph)})" if kind else shorten(graph)
        if source.dated_by != "issued":
            words += f"; it states no date of its own, the date given is the {source.dated_by}"
        report: dict[str, Any] = {
            "type": "report",
            "spec_version": "2.1",
            "id": report_id(graph),
            "created": stamp,
            "modified": stamp,
            "published": stamp,
            "name": source.title,
            "description": words + ".",
            "report_types": ["threat-report"],
            "object_refs": refs,
            "external_references": ctx.source_refs([graph]),
        }
        if kind:
            report["labels"] = [kind]
        if ctx.publisher_ref(graph):
            report["created_by_ref"] = ctx.publisher_ref(graph)
        ctx.objects[report["id"]] = report
    return undated


def map_definitions(ctx: Context) -> None:
    """The project's identity and the extension definitions the objects use."""
    data = extensions()
    stamp = timestamp(data["released"])
    ctx.objects[PROJECT_IDENTITY] = {
        "type": "identity",
        "spec_version": "2.1",
        "id": PROJECT_IDENTITY,
        "created": stamp,
        "modified": stamp,
        "name": "dprk-kg",
        "identity_class": "system",
        "description": "The dprk-kg knowledge graph, which wrote this bundle and defines its extensions.",
    }
    for name, spec in data["definitions"].items():
        oid = extension_id(name)
        obj = {
            "type": "extension-definition",
            "spec_version": "2.1",
            "id": oid,
            "created": stamp,
            "modified": stamp,
            "created_by_ref": PROJECT_IDENTITY,
            "name": spec["name"],
            "description": spec["description"],
            "version": spec["version"],
            "extension_types": spec["extension_types"],
            "schema": json.dumps(spec["schema"], sort_keys=True, ensure_ascii=False),
        }
        if "extension_properties" in spec:
            obj["extension_properties"] = spec["extension_properties"]
        ctx.objects[oid] = obj
