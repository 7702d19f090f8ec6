"""Relations and attributions as STIX relationships, one per source that states them.

A relation between two exported objects (``mapping.toml`` [relations]) becomes one relationship
per stating source, ``created_by_ref`` that source's publisher and an external reference to it,
so who said what survives the export. An attribution becomes an ``attributed-to`` relationship
from the incident to the actor per attributing agent, with ``created_by_ref`` the agent,
``start_time`` the attribution date, ``confidence`` the stated confidence (``mapping.toml``).
"""

from __future__ import annotations

from typing import Any

from .ids import is_full_date, sdo_id, timestamp
from .mapping import Context, confidence, relation_types
from .read import DKG, LABEL


def map_relations(ctx: Context) -> None:
    """Every relation between exported objects, per stating source."""
    relations = relation_types()
    for node in sorted(ctx.facts.nodes):
        source_id = ctx.ids.get(node)
        if source_id is None:
            continue
        for prop, entry in relations.items():
            for target, graph in sorted(set(ctx.facts.nodes[node].get(prop, ()))):
                target_id = ctx.ids.get(target)
                if target_id is None or target_id == source_id:
                    continue
                target_type = ctx.objects[target_id]["type"]
                kind = entry.get("to_location", entry["type"]) if target_type == "location" else entry["type"]
                words = f"{_label(ctx, source_id)} {entry['text']} {_label(ctx, target_id)}"
                source = ctx.facts.sources.get(graph)
                if source is not None:
                    words += f" (according to {source.title})"
                _relationship(
                    ctx,
                    (source_id, kind, target_id, graph),
                    [graph],
                    kind,
                    source_id,
                    target_id,
                    description=words + ".",
                    created_by_ref=ctx.publisher_ref(graph),
                )


def map_attributions(ctx: Context) -> None:
    """Every attribution as ``attributed-to`` relationships from the incident to the actor."""
    for node in ctx.facts.typed(DKG + "Attribution"):
        props = ctx.facts.nodes[node]
        graphs = ctx.facts.graphs(node)
        incidents = {i for v, _ in props.get(DKG + "attributedIncident", ()) if (i := ctx.ids.get(v)) is not None}
        actors = {a for v, _ in props.get(DKG + "attributedTo", ()) if (a := ctx.ids.get(v)) is not None}
        agents: list[str | None] = [*sorted({v for v, _ in props.get(DKG + "attributedBy", ())})] or [None]
        levels = sorted({v for v, _ in props.get(DKG + "confidence", ())})
        days = sorted({v for v, _ in props.get(DKG + "attributionDate", ())})
        label = ctx.facts.value(node, LABEL) or ""
        titles = "; ".join(ctx.facts.sources[g].title for g in graphs if g in ctx.facts.sources)
        level_words = ", ".join(level.rsplit("#", 1)[-1].lower() for level in levels)
        for incident in sorted(incidents):
            for actor in sorted(actors - {incident}):
                for agent in agents:
                    words = label + (f" (stated confidence: {level_words})" if level_words else "")
                    _relationship(
                        ctx,
                        (node, incident, actor, agent or ""),
                        graphs,
                        "attributed-to",
                        incident,
                        actor,
                        description=f"{words}. Source: {titles}." if titles else f"{words}.",
                        created_by_ref=ctx.ids.get(agent) if agent else None,
                        start_time=timestamp(days[0]) if days and is_full_date(days[0]) else None,
                        confidence=confidence(levels[0]) if len(levels) == 1 else None,
                    )


def _label(ctx: Context, oid: str) -> str:
    obj = ctx.objects[oid]
    return obj.get("name") or obj.get("value") or oid


def _relationship(
    ctx: Context, key: tuple, graphs: list[str], kind: str, source_id: str, target_id: str, **props
) -> None:
    created, modified = ctx.dates(graphs)
    obj: dict[str, Any] = {
        "type": "relationship",
        "spec_version": "2.1",
        "id": sdo_id("relationship", *key),
        "created": created,
        "modified": modified,
        "relationship_type": kind,
        "source_ref": source_id,
        "target_ref": target_id,
        "external_references": ctx.source_refs(graphs),
    }
    obj.update({k: v for k, v in props.items() if v is not None})
    if not obj["external_references"]:
        del obj["external_references"]
    ctx.objects[obj["id"]] = obj
    for graph in graphs:
        ctx.states[graph].add(obj["id"])
