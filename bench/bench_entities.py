"""Benchmark: the entity commands on a store with every shared dataset imported (issue 8).

``show``, ``timeline --entity`` and ``explain`` each run as a fresh ``dprk-kg`` process, against
a fresh Python process that opens the same store with raw pyoxigraph and answers the entity's
neighbourhood query (every quad in and out of the entity's records), as a user's script would.
Both are medians of the same number of runs, in the same run; goal: at most 6x.

    .venv/bin/python bench/bench_entities.py [--quick]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
GOAL = 6.0
ENTITY = "Lazarus Group"
RECORDS = ("https://w3id.org/dprk-kg/id/lazarus-group", "https://w3id.org/dprk-kg/dataset/ofac-sdn/entry/27307")

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


def _median(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=REPO)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(quick: bool = False) -> list[dict]:
    from bench.common import real_store

    store = real_store()
    repeat = 3 if quick else 7
    cli = [sys.executable, "-m", "cli", "--store", str(store)]
    subprocess.run([*cli, "show", ENTITY], check=True, capture_output=True, cwd=REPO)  # index built once
    baseline = _median([sys.executable, "-c", _RAW, str(store), *RECORDS], repeat)
    rows = []
    for measure_name, args in (
        ("show (all datasets)", ["show", ENTITY]),
        ("timeline --entity (all datasets)", ["timeline", "--entity", ENTITY]),
        ("explain (all datasets)", ["explain", "Tornado Cash", "North Korea"]),
    ):
        rows.append(
            {
                "measure": measure_name,
                "baseline": "raw pyoxigraph neighbourhood process",
                "baseline_s": baseline,
                "project_s": _median([*cli, *args], repeat),
                "goal": GOAL,
            }
        )
    return rows


if __name__ == "__main__":
    for row in measure("--quick" in sys.argv):
        print(
            f"{row['measure']:<36} {row['project_s']:.3f} s vs {row['baseline_s']:.3f} s: "
            f"{row['project_s'] / row['baseline_s']:.1f}x (goal {row['goal']:g}x)"
        )
