"""Where each node of a view goes: pixel positions computed once in Python, so the page needs no
physics and is interactive as soon as it is drawn.

A focus view puts its nodes on rings by their distance from the focus (``rings``). Otherwise a
seeded force layout (``spring``: Fruchterman and Reingold's, in plain Python) places each
component's most connected nodes (at most ``CORE_NODES``); the others are set in rings around
their most connected placed neighbour; components are packed in rows. Fast at thousands of nodes
and deterministic for the same graph: no hash order, no library's random state, so neither
networkx nor numpy is imported to draw a page.

>>> layout(["a", "b", "c"], [("a", "r", "b")], {"a": 1, "b": 1, "c": 0})
{'a': (...), 'b': (...), 'c': (...)}
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable

#: Nodes placed by the force layout per component; the others go in rings around them (the
#: force layout's cost grows with the square of the nodes it places close together).
CORE_NODES = 250
LAYOUT_SEED = 42
SPACING = 70
#: Steps of the force layout; each moves a node at most a "temperature" that falls linearly.
ITERATIONS = 50
#: The neighbouring squares of the force layout's grid that a square is paired with: the other
#: four are paired with it from their side.
_AHEAD = ((1, -1), (1, 0), (1, 1), (0, 1))


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
    neighbours: dict[str, set[str]] = {n: set() for n in nodes}
    for s, _, o in edges:
        if s != o:
            neighbours[s].add(o)
            neighbours[o].add(s)
    components = sorted(_components(neighbours), key=lambda c: (-len(c), c[0]))
    placed = [_component_layout(neighbours, c, rank) for c in components]
    return _pack(placed)


def _components(neighbours: dict[str, set[str]]) -> list[list[str]]:
    """The connected components, each sorted."""
    seen: set[str] = set()
    found = []
    for start in sorted(neighbours):
        if start in seen:
            continue
        seen.add(start)
        members, stack = [], [start]
        while stack:
            node = stack.pop()
            members.append(node)
            for other in neighbours[node]:
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        found.append(sorted(members))
    return found


def spring(nodes: list[str], links: Iterable[tuple[str, str]], scale: float) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold positions of ``nodes`` within ``[-scale, scale]``, centred on 0.

    Nodes start at seeded random places in the unit square (in the order given); each step,
    linked nodes attract with d^2/k and nodes closer than 2k repel with k^2/d (k = 1/sqrt(n),
    the ideal distance; the grid variant of the algorithm, so a step costs about n, not n^2),
    and each node moves along its net force by the temperature, which falls to 0. Only floats
    in a fixed order: the same nodes and links give the same positions on every machine.

    >>> spring(["a", "b"], [("a", "b")], 10.0)
    {'a': (...), 'b': (...)}
    """
    count = len(nodes)
    index = {n: i for i, n in enumerate(nodes)}
    pairs = sorted({(min(index[a], index[b]), max(index[a], index[b])) for a, b in links if a != b})
    seed = random.Random(LAYOUT_SEED)
    xs = [seed.random() for _ in nodes]
    ys = [seed.random() for _ in nodes]
    k = 1 / math.sqrt(count)
    cell = 2 * k
    temperature = 0.1
    cooling = temperature / (ITERATIONS + 1)
    for _ in range(ITERATIONS):
        dx, dy = _repulsion(xs, ys, k, cell)
        for i, j in pairs:
            ddx, ddy = xs[i] - xs[j], ys[i] - ys[j]
            pull = math.sqrt(ddx * ddx + ddy * ddy) / k
            dx[i] -= ddx * pull
            dy[i] -= ddy * pull
            dx[j] += ddx * pull
            dy[j] += ddy * pull
        for i in range(count):
            length = math.sqrt(dx[i] * dx[i] + dy[i] * dy[i])
            step = temperature / (length if length >= 0.01 else 0.1)
            xs[i] += dx[i] * step
            ys[i] += dy[i] * step
        temperature -= cooling
    cx, cy = sum(xs) / count, sum(ys) / count
    reach = max(max(abs(x - cx) for x in xs), max(abs(y - cy) for y in ys)) or 1.0
    return {n: ((xs[i] - cx) * scale / reach, (ys[i] - cy) * scale / reach) for i, n in enumerate(nodes)}


def _repulsion(xs: list[float], ys: list[float], k: float, cell: float) -> tuple[list[float], list[float]]:
    """Each node's push away from the nodes within ``cell`` of it. Nodes are put in a grid of
    ``cell``-sized squares; each pair closer than ``cell`` lies in one square or in two
    neighbouring ones, so each square is paired with itself and four of its eight neighbours,
    and each pair is computed once (in a fixed order)."""
    count = len(xs)
    grid: dict[tuple[int, int], list[tuple[int, float, float]]] = defaultdict(list)
    for i in range(count):
        grid[(math.floor(xs[i] / cell), math.floor(ys[i] / cell))].append((i, xs[i], ys[i]))
    k2, reach = k * k, cell * cell
    dx, dy = [0.0] * count, [0.0] * count
    for (gx, gy), members in grid.items():
        ahead = [m for ax, ay in _AHEAD for m in grid.get((gx + ax, gy + ay), ())]
        for position, (i, xi, yi) in enumerate(members):
            fx = fy = 0.0
            for j, xj, yj in members[position + 1 :] + ahead:
                ddx, ddy = xi - xj, yi - yj
                d2 = ddx * ddx + ddy * ddy
                if d2 >= reach:
                    continue
                push = k2 / (d2 if d2 > 1e-4 else 1e-4)
                ddx *= push
                ddy *= push
                fx += ddx
                fy += ddy
                dx[j] -= ddx
                dy[j] -= ddy
            dx[i] += fx
            dy[i] += fy
    return dx, dy


def _component_layout(
    neighbours: dict[str, set[str]], members: list[str], rank: dict[str, int]
) -> dict[str, tuple[float, float]]:
    if len(members) == 1:
        return {members[0]: (0.0, 0.0)}
    order = sorted(members, key=lambda n: (-rank[n], n))
    core = sorted(order[:CORE_NODES])
    inside = set(core)
    links = [(a, b) for a in core for b in sorted(neighbours[a]) if b in inside and a < b]
    scale = SPACING * math.sqrt(len(core)) * (1.4 if len(core) > 10 else 0.5)
    pos = spring(core, links, scale)
    cx = sum(x for x, _ in pos.values()) / len(pos)
    cy = sum(y for _, y in pos.values()) / len(pos)
    pending = set(order[CORE_NODES:])
    while pending:
        children: dict[str, list[str]] = defaultdict(list)
        for node in sorted(pending):
            placed_near = [m for m in neighbours[node] if m in pos]
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
