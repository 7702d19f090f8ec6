"""Where each node of a view goes: pixel positions computed once in Python, so the page needs no
physics and is interactive as soon as it is drawn.

A focus view puts its nodes on rings by their distance from the focus (``rings``). Otherwise a
seeded spring layout places each component's most connected nodes (at most ``CORE_NODES``);
the others are set in rings around their most connected placed neighbour; components are packed
in rows. Fast at thousands of nodes and deterministic for the same graph.

>>> layout(["a", "b", "c"], [("a", "r", "b")], {"a": 1, "b": 1, "c": 0})
{'a': (...), 'b': (...), 'c': (...)}
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

#: Nodes placed by the force layout per component; the others go in rings around them. It must
#: stay under 500: past that, networkx's spring_layout switches to a SciPy sparse solver, and
#: SciPy is not a dependency.
CORE_NODES = 250
LAYOUT_SEED = 42
SPACING = 70


def rings(
    nodes: list[str], edges: Iterable[tuple[str, str, str]], distance: dict[str, int], rank: dict[str, int]
) -> dict[str, tuple[int, int]]:
    """Positions for a focus view: the focus in the centre, each further step on a wider ring,
    a node near the angle of its neighbours one step in. No force layout, so no networkx.

    >>> rings(["f", "a", "b"], [("f", "r", "a"), ("a", "r", "b")], {"f": 0, "a": 1, "b": 2}, {})
    {'f': (0, 0), 'a': (...), 'b': (...)}
    """
    inward: dict[str, list[str]] = defaultdict(list)
    for s, _, o in edges:
        for a, b in ((s, o), (o, s)):
            if distance.get(b, -1) == distance.get(a, -1) - 1:
                inward[a].append(b)
    angle: dict[str, float] = {}
    out: dict[str, tuple[int, int]] = {}
    by_step: dict[int, list[str]] = defaultdict(list)
    for node in nodes:
        by_step[distance.get(node, max(distance.values(), default=0) + 1)].append(node)
    radius = 0.0
    for step in sorted(by_step):
        members = by_step[step]
        if step == 0 and len(members) == 1:
            angle[members[0]] = 0.0
            out[members[0]] = (0, 0)
            continue

        def near(node: str) -> float:
            parents = [angle[p] for p in inward.get(node, ()) if p in angle]
            return sum(parents) / len(parents) if parents else math.pi

        ordered = sorted(members, key=lambda n: (near(n), -rank.get(n, 0), n))
        radius = max(radius + SPACING * 2.5, SPACING * len(ordered) * 0.45 / math.pi)
        for i, node in enumerate(ordered):
            angle[node] = 2 * math.pi * (i + 0.5) / len(ordered)
            out[node] = (round(radius * math.cos(angle[node])), round(radius * math.sin(angle[node])))
    return out


def layout(nodes: list[str], edges: Iterable[tuple[str, str, str]], rank: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Pixel positions of ``nodes`` (see the module docstring); ``rank`` orders importance."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted(nodes))
    graph.add_edges_from(sorted({tuple(sorted((s, o))) for s, _, o in edges if s != o}))
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    placed = [_component_layout(graph, sorted(c), rank) for c in components]
    return _pack(placed)


def _component_layout(graph, members: list[str], rank: dict[str, int]) -> dict[str, tuple[float, float]]:
    import networkx as nx

    if len(members) == 1:
        return {members[0]: (0.0, 0.0)}
    order = sorted(members, key=lambda n: (-rank[n], n))
    core = sorted(order[:CORE_NODES])
    sub = nx.Graph()
    sub.add_nodes_from(core)
    sub.add_edges_from(sorted(e for e in graph.subgraph(core).edges()))
    scale = SPACING * math.sqrt(len(core)) * (1.4 if len(core) > 10 else 0.5)
    spring = nx.spring_layout(sub, seed=LAYOUT_SEED, scale=scale)
    pos = {n: (float(spring[n][0]), float(spring[n][1])) for n in core}
    cx = sum(x for x, _ in pos.values()) / len(pos)
    cy = sum(y for _, y in pos.values()) / len(pos)
    pending = set(order[CORE_NODES:])
    while pending:
        children: dict[str, list[str]] = defaultdict(list)
        for node in sorted(pending):
            placed_near = [m for m in graph[node] if m in pos]
            if placed_near:
                children[max(placed_near, key=lambda m: (rank[m], m))].append(node)
        for parent in sorted(children, key=lambda n: (-rank[n], n)):
            px, py = pos[parent]
            outward = math.atan2(py - cy, px - cx)
            kids = sorted(children[parent], key=lambda n: (-rank[n], n))
            index, ring = 0, 1
            while index < len(kids):
                radius = SPACING * (0.6 + 0.7 * ring)
                capacity = max(6, int(2 * math.pi * radius / (SPACING * 0.55)))
                batch = kids[index : index + capacity]
                for i, kid in enumerate(batch):
                    angle = outward + 2 * math.pi * i / len(batch)
                    pos[kid] = (px + radius * math.cos(angle), py + radius * math.sin(angle))
                index += len(batch)
                ring += 1
            pending -= set(kids)
    return pos


def _pack(components: list[dict[str, tuple[float, float]]]) -> dict[str, tuple[int, int]]:
    """Place component layouts left to right in rows about as wide as the whole is tall; a lone
    node gets a wider cell, so that rows of them keep their labels apart."""
    boxes = []
    for pos in components:
        xs, ys = [x for x, _ in pos.values()], [y for _, y in pos.values()]
        width = max(xs) - min(xs) + SPACING * (1 if len(pos) > 1 else 2.6)
        boxes.append((min(xs), min(ys), width, max(ys) - min(ys) + SPACING))
    area = sum(w * h for _, _, w, h in boxes)
    width = max([math.sqrt(area) * 1.3] + [w for _, _, w, _ in boxes])
    out: dict[str, tuple[int, int]] = {}
    x = y = row = 0.0
    for pos, (left, top, w, h) in zip(components, boxes, strict=True):
        if x and x + w > width:
            x, y, row = 0.0, y + row, 0.0
        for node, (nx_, ny) in pos.items():
            out[node] = (round(x + nx_ - left), round(y + ny - top))
        x, row = x + w, max(row, h)
    return out
