"""Benchmark: the entity commands on a store with every shared dataset imported (issue 8).

``show``, ``timeline --entity`` and ``explain`` each run as a fresh ``dprk-kg`` process, against
a fresh Python process that opens the same store with raw pyoxigraph and answers the entity's
neighbourhood query (every quad in and out of the entity's records), as a user's script would.
Both are medians of the same number of runs, in the same run; goal: at most 6x.

    .venv/bin/python bench/bench_entities.py [--quick]
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench.common import CLI, child, entity_records, median_of, print_rows, real_store, row

GOAL = 6.0
ENTITY = "Lazarus Group"

_RAW = """
import sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
rows = 0
for record in sys.argv[2:]:
    node = ox.NamedNode(record)
    rows += len(list(store.quads_for_pattern(node, None, None, None)))
    rows += len(list(store.quads_for_pattern(None, None, node, None)))
print(rows)
"""


def measure(quick: bool = False) -> list[dict]:
    store = real_store()
    runs = 3 if quick else 7
    cli = [CLI, "--store", str(store)]
    child([*cli, "show", ENTITY])  # the entity index is built once per store state, on first use
    records = entity_records(store, ENTITY)  # the curated group, its ATT&CK, MISP and SDN records
    baseline = median_of(lambda: child([sys.executable, "-c", _RAW, str(store), *records]), runs)
    commands = {
        "show (every dataset)": [*cli, "show", ENTITY],
        "timeline --entity (every dataset)": [*cli, "timeline", "--entity", ENTITY],
        "explain (every dataset)": [*cli, "explain", "Tornado Cash", "North Korea"],
    }
    return [
        row(name, "raw pyoxigraph neighbourhood process", baseline, median_of(_runner(command), runs), GOAL)
        for name, command in commands.items()
    ]


def _runner(command: list[str]) -> Callable[[], object]:
    return lambda: child(command)


if __name__ == "__main__":
    print_rows(measure("--quick" in sys.argv))
