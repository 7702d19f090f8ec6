"""``explain A B``: the shortest chain of relations between two entities, with who says so.

Entities are clusters (``graph.entities``): a relation stated of any record of a cluster is a
relation of the entity. The search reads only what it needs: a bidirectional breadth-first search
that asks the store for the relations of one entity at a time (``sparql/relations.rq``, bound),
always widening the smaller side. Source documents never carry a path (they mention everything
they report), and a hub with more than ``HUB`` relations (OFAC is the authority of every SDN
entry) may end a chain but is not passed through, so the search stays small on the imported
lists; the text says so when a hub was skipped.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .entities import Cluster
from .errors import InputError
from .kinds import table
from .network import Relations
from .reader import Reader
from .render import safe
from .terms import shorten

#: Most relations a node may have and still be passed through.
HUB = 400
#: Most entities a search expands before it gives up.
MAX_EXPANDED = 5000


@dataclass(frozen=True)
class Hop:
    """One step: ``start -relation-> end`` as stated (``forward``), or the reverse, and its sources."""

    start: str
    start_label: str
    relation: str
    end: str
    end_label: str
    forward: bool
    sources: tuple[str, ...]


@dataclass
class Explanation:
    """The chain from ``start`` to ``end`` (empty when they are one entity) and what was skipped."""

    start: str
    end: str
    hops: list[Hop] = field(default_factory=list)
    hubs_skipped: list[str] = field(default_factory=list)


def explain(reader: Reader, a: Cluster, b: Cluster) -> Explanation:
    """The shortest chain of relations between ``a`` and ``b``, ignoring direction.

    An InputError says so when they are not linked (within the search's limits).
    """
    result = Explanation(a.curie, b.curie)
    if a.canonical == b.canonical:
        return result
    kinds = table().kinds
    entities = reader.entities
    neighbours = Relations(reader)
    parents: tuple[dict[str, str | None], dict[str, str | None]] = ({a.canonical: None}, {b.canonical: None})
    frontiers = ([a.canonical], [b.canonical])
    expanded = 0
    meet = None
    while frontiers[0] and frontiers[1] and meet is None and expanded < MAX_EXPANDED:
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        next_frontier = []
        for node in frontiers[side]:
            around = neighbours(node)
            expanded += 1
            endpoint = node in (a.canonical, b.canonical)
            if not endpoint and (len(around) > HUB or not kinds[entities.kind(node)].path):
                result.hubs_skipped.append(node)
                continue
            for other, _, _ in sorted(around):
                if other in parents[side]:
                    continue
                parents[side][other] = node
                if other in parents[1 - side]:
                    meet = other
                    break
                next_frontier.append(other)
            if meet is not None:
                break
        frontiers[side][:] = next_frontier
    if meet is None:
        hint = (
            f" (hubs not passed through: {', '.join(shorten(h) for h in sorted(set(result.hubs_skipped))[:5])})"
            if result.hubs_skipped
            else ""
        )
        raise InputError(f"no chain of relations links {a.curie} and {b.curie}{hint}")
    path = _walk(parents[0], meet)[::-1] + _walk(parents[1], meet)[1:]
    for start, end in itertools.pairwise(path):
        around = neighbours(start)
        options = [(rel, fwd, sources) for (other, rel, fwd), sources in around.items() if other == end]
        relation, forward, sources = min(options, key=lambda o: (-len(o[2]), o[0], not o[1]))
        result.hops.append(
            Hop(
                shorten(start),
                entities.cluster(start).label,
                relation,
                shorten(end),
                entities.cluster(end).label,
                forward,
                tuple(sorted(shorten(s) for s in sources)),
            )
        )
    result.hubs_skipped = sorted(shorten(h) for h in set(result.hubs_skipped))
    return result


def _walk(parents: dict[str, str | None], node: str) -> list[str]:
    path = [node]
    while parents[path[-1]] is not None:
        path.append(parents[path[-1]])  # type: ignore[arg-type]
    return path


def render_explain(result: Explanation) -> str:
    """The chain as text, one hop per line, each with its sources."""
    if not result.hops:
        return f"{result.start} and {result.end} are the same entity: no chain to explain\n"
    names = [safe(result.hops[0].start_label), *(safe(h.end_label) for h in result.hops)]
    lines = [" ... ".join(names)]
    for i, hop in enumerate(result.hops, 1):
        arrow = f"-{hop.relation}->" if hop.forward else f"<-{hop.relation}-"
        lines.append(f"{i}. {safe(hop.start_label)} ({hop.start}) {arrow} {safe(hop.end_label)} ({hop.end})")
        lines.append(f"   sources: {', '.join(hop.sources)}")
    return "\n".join(lines) + "\n"
