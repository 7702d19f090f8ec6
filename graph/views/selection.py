"""Which entities and relations a view draws, and what it says it left out.

One node per entity cluster (``--records`` keeps the records of a cluster apart, joined by a
``same entity as`` edge). Sanctions and source documents are never nodes here: a sanction is a
ring and a fact of its target, a source is named by every fact it states (``--sources`` draws
sources as nodes, in the page assembly). Filters (``--type``, ``--source``, ``--since``,
``--as-of``) keep what the kept sources state; ``--focus`` keeps what lies within ``--depth``
relation steps of one entity.

A bounded view keeps the most relevant nodes: nearest first to the curated core and to the
entities designated under a DPRK sanctions program (the focus, in a focus view), then the most
connected. The whole view draws that core even where it has no relation (except entities that
only publish sources); a filtered view hides nodes left with no relation unless ``--isolated``.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..errors import InputError
from ..kinds import table
from ..terms import check_date, check_period, on_or_after, on_or_before, shorten
from .reading import Source, ViewReader

#: Most nodes a view draws by default; past it the most relevant are kept and the page says so.
MAX_NODES = 1500
#: Kinds that are folded into other nodes' facts rather than drawn (sources only with --sources).
NOT_DRAWN = ("sanction", "source")
SAME = "same entity as"

Keep = Callable[[str], bool]


@dataclass
class ViewOptions:
    """What part of the graph a view shows; the defaults show the most relevant part of all of it."""

    focus: str | None = None
    depth: int = 2
    types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    as_of: str | None = None
    max_nodes: int = MAX_NODES
    draw_sources: bool = False
    isolated: bool = False
    records: bool = False
    title: str = "dprk-kg graph"


@dataclass
class Edge:
    """A drawn relation: the graphs that state it and the n-ary nodes it was folded from."""

    graphs: set[str] = field(default_factory=set)
    via: set[str] = field(default_factory=set)


@dataclass
class Selection:
    """The nodes and edges a view draws, and the notes that say what it left out."""

    nodes: list[str]
    members: dict[str, tuple[str, ...]]
    edges: dict[tuple[str, str, str], Edge]
    focus: str | None
    keep: Keep
    kept_sources: set[str] | None
    notes: list[str]
    omitted: int
    #: Relation steps from the focus (focus views only), for the ring layout.
    distance: dict[str, int] = field(default_factory=dict)


def check(options: ViewOptions) -> None:
    """Refuse option values that name nothing, before anything is read."""
    names = list(table().kinds)
    unknown = [t for t in options.types if t.casefold() not in names or t.casefold() in NOT_DRAWN]
    if unknown:
        drawn = ", ".join(n for n in names if n not in NOT_DRAWN)
        raise InputError(f"--type {unknown[0]!r} is not a node type; use one of: {drawn}")
    check_period(options.since, options.until)
    if options.as_of:
        check_date(options.as_of, "--as-of")


def source_filter(options: ViewOptions, sources: dict[str, Source]) -> set[str] | None:
    """The graphs a view keeps under ``--source``, ``--since``, ``--until`` and ``--as-of``, or
    None for all. ``--since`` and ``--until`` leave undated sources out; ``--as-of`` keeps sources
    issued on or before the date and undated ones (whose dated facts are still cut at the date
    where they are events, e.g. a delisting).
    """
    if not options.sources and not options.since and not options.until and not options.as_of:
        return None
    keep = set(sources)
    if options.sources:
        chosen: set[str] = set()
        for wanted in options.sources:
            w = wanted.strip()
            hits = {g for g in sources if w in (g, shorten(g), g.rsplit("/", 1)[-1], g.rsplit("/", 1)[-1] + ".ttl")}
            if not hits:
                names = [g.rsplit("/", 1)[-1] for g in sources]
                close = difflib.get_close_matches(w.rsplit(":", 1)[-1].removesuffix(".ttl"), names, n=3)
                hint = f" (did you mean {', '.join(close)}?)" if close else ""
                raise InputError(f"--source {wanted!r} is not a source of this graph{hint}")
            chosen |= hits
        keep &= chosen
    if options.since:
        keep = {g for g in keep if on_or_after(sources[g].date, options.since)}
    if options.until:
        keep = {g for g in keep if on_or_before(sources[g].date, options.until)}
    if options.as_of:
        keep = {g for g in keep if not sources[g].date or on_or_before(sources[g].date, options.as_of)}
    return keep


def select(reader: ViewReader, options: ViewOptions) -> Selection:
    """Choose the nodes and edges of a view (see the module docstring)."""
    entities = reader.entities
    kept = source_filter(options, reader.sources)
    keep: Keep = (lambda g: True) if kept is None else kept.__contains__
    wanted = {t.casefold() for t in options.types}

    def node_of(record: str) -> str:
        return record if options.records else reader.canonical(record)

    def drawable(node: str) -> bool:
        kind = reader.kind(node)
        return kind not in NOT_DRAWN and (not wanted or kind in wanted)

    edges: dict[tuple[str, str, str], Edge] = defaultdict(Edge)
    ends: dict[str, str | None] = {}  # record -> its node, None when the view does not draw it
    for link in reader.links:
        if not keep(link.graph):
            continue
        for record in (link.subject, link.object):
            if record not in ends:
                node = node_of(record)
                ends[record] = node if drawable(node) else None
        s, o = ends[link.subject], ends[link.object]
        if s is not None and o is not None and s != o:
            edge = edges[(s, link.relation, o)]
            edge.graphs.add(link.graph)
            if link.via:
                edge.via.add(link.via)
    candidates = {n for s, _, o in edges for n in (s, o)}
    if kept is not None:
        candidates |= {node_of(r) for r in reader.subjects_in(kept) if drawable(node_of(r))}
    if options.isolated:
        kinds = wanted or {k for k in table().kinds if k not in NOT_DRAWN}
        candidates |= {node_of(r) for r in reader.records_of_kinds(kinds) if drawable(node_of(r))}
    filtered = bool(options.focus or wanted or kept is not None)
    seeds = (
        set() if options.focus else {node_of(r) for r in reader.curated | reader.dprk_targets if drawable(node_of(r))}
    )
    if not filtered:
        candidates |= seeds - {node_of(p) for p in reader.publishers}
    if options.records:
        _same_entity_edges(reader, candidates, edges)
    focus = None
    if options.focus:
        focus = node_of(entities.resolve(options.focus).canonical)
        if not drawable(focus):
            raise InputError(
                f"--focus {options.focus!r} is a {entities.kind(focus)}, which this view "
                "does not draw as a node (see its target's panel)"
            )
        candidates.add(focus)
    neighbours = _neighbours(candidates, edges)
    if focus:
        distance = _distances(neighbours, {focus}, options.depth)
        candidates = set(distance)
    else:
        distance = _distances(neighbours, (seeds & candidates) or candidates, None)
    degree = {n: len(neighbours[n] & candidates) for n in candidates}
    far = len(candidates) + 1
    order = sorted(candidates, key=lambda n: (n != focus, distance.get(n, far), -degree[n], n))
    chosen = set(order[: options.max_nodes])
    edges = {k: e for k, e in edges.items() if k[0] in chosen and k[2] in chosen}
    linked = {n for s, _, o in edges for n in (s, o)}
    isolated = sorted(n for n in chosen if n not in linked and n != focus) if filtered else []
    if not options.isolated:
        chosen -= set(isolated)
        if wanted and not focus:
            unlinked = {node_of(r) for r in reader.records_of_kinds(wanted)} - candidates
            isolated = sorted(set(isolated) | {n for n in unlinked if drawable(n)})
    nodes = sorted(chosen)
    notes = _notes(
        reader,
        options,
        nodes,
        len(order) - min(len(order), options.max_nodes),
        [] if options.isolated else isolated,
        focus is not None,
    )
    members = {n: (n,) if options.records else entities.cluster(n).members for n in nodes}
    return Selection(
        nodes,
        members,
        edges,
        focus,
        keep,
        kept,
        notes,
        len(order) - len(nodes),
        {n: distance[n] for n in nodes if n in distance} if focus else {},
    )


def _same_entity_edges(reader: ViewReader, nodes: set[str], edges: dict) -> None:
    """With ``--records``: join each record to its cluster's canonical record."""
    for node in sorted(nodes):
        canonical = reader.entities.cluster(node).canonical
        if canonical != node and canonical in nodes:
            edge = edges[(node, SAME, canonical)]
            edge.graphs.update(
                link.graph for link in reader.entities.links([node]) if link.status == "confirmed" and link.graph
            )


def _neighbours(nodes: Iterable[str], edges: dict) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {n: set() for n in nodes}
    for s, _, o in edges:
        if s in found and o in found:
            found[s].add(o)
            found[o].add(s)
    return found


def _distances(neighbours: dict[str, set[str]], seeds: Iterable[str], limit: int | None) -> dict[str, int]:
    """Relation steps from the nearest seed (breadth first), up to ``limit`` steps."""
    distance = {s: 0 for s in seeds if s in neighbours}
    queue = deque(sorted(distance))
    while queue:
        node = queue.popleft()
        if limit is not None and distance[node] >= limit:
            continue
        for other in sorted(neighbours[node]):
            if other not in distance:
                distance[other] = distance[node] + 1
                queue.append(other)
    return distance


def _notes(
    reader: ViewReader, options: ViewOptions, nodes: list[str], beyond: int, isolated: list[str], focused: bool
) -> list[str]:
    """What the view left out, and the options that show it."""
    entities = reader.entities
    notes = []
    if beyond:
        notes.append(
            f"Showing the {options.max_nodes:,} most relevant entities: {beyond:,} more "
            f"{'within reach' if focused else 'in this selection'} are left out (nearest to the "
            "curated core and to DPRK designations first, then the most connected). Narrow the view "
            "with --focus NAME, --type KIND or --source SOURCE, or raise --max-nodes."
        )
    if isolated:
        kinds = Counter(reader.kind(n) for n in isolated)
        listed = ", ".join(f"{c:,} {k}" for k, c in sorted(kinds.items(), key=lambda kc: (-kc[1], kc[0])))
        notes.append(
            f"{len(isolated):,} entities with no relation in this view are hidden ({listed}); --isolated shows them."
        )
    if not focused and not options.types and not options.isolated and not options.records:
        drawn = Counter(reader.kind(m) for n in nodes for m in entities.cluster(n).members)
        counts = reader.kind_counts()
        missing = {k: counts[k] - drawn.get(k, 0) for k in counts if k not in NOT_DRAWN and counts[k] > drawn.get(k, 0)}
        missing = {k: c for k, c in missing.items() if c > 0}
        if missing and sum(missing.values()) > len(isolated):
            listed = ", ".join(f"{c:,} {k}" for k, c in sorted(missing.items(), key=lambda kc: (-kc[1], kc[0])))
            notes.append(
                f"Records not drawn, unrelated to what is shown or beyond the limit: {listed}. "
                "Draw one with --focus NAME (a name, alias, identifier or address), or a kind "
                "with --type KIND --isolated."
            )
    if not options.draw_sources:
        notes.append(
            "Source documents are not drawn as nodes: each fact in the side panel names the "
            "sources that state it. --sources draws them."
        )
    return notes
