"""Benchmark `dprk-kg build` (SHACL included) and `dprk-kg --help` against plain rdflib.

Each figure is the median wall time of several runs of a fresh process, so imports and start-up
count as a user feels them. The baseline, measured in the same run, is a plain rdflib script that
parses the same curated files and writes one Turtle file, with no checks, validation or store.

Usage:
    python bench/bench_build.py [--runs 7]

Goals (issue 2): build under 3 s on a 2-core machine, --help under 0.3 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASELINE = """
import sys
from pathlib import Path
from rdflib import Dataset
ds = Dataset()
for path in sorted(Path(sys.argv[1]).glob("*.ttl")):
    ds.graph(path.stem).parse(path, format="turtle")
union = ds.graph("urn:union")
for g in list(ds.graphs()):
    union += g
union.serialize(Path(sys.argv[2]) / "graph.ttl", format="turtle")
"""


def median_seconds(command: list[str], runs: int) -> float:
    """Median wall time of ``runs`` runs of ``command``; fails loudly if it fails."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=REPO, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (default 7)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        cli = [sys.executable, str(REPO / "cli.py")]
        build = median_seconds([*cli, "--store", str(out / "store"), "build", "-q", "--out", str(out)], args.runs)
        baseline = median_seconds([sys.executable, "-c", BASELINE, str(REPO / "sources"), tmp], args.runs)
        help_time = median_seconds([*cli, "--help"], args.runs)
        bare = median_seconds([sys.executable, "-c", "pass"], args.runs)
    print(f"{'measurement':<44} {'median':>9} {'goal':>8}")
    print(f"{'dprk-kg build (parse, SHACL, 5 exports, store)':<44} {build:>8.2f}s {'< 3 s':>8}")
    print(f"{'plain rdflib: parse + write one Turtle file':<44} {baseline:>8.2f}s")
    print(f"{'  ratio build / plain rdflib':<44} {build / baseline:>8.2f}x")
    print(f"{'dprk-kg --help':<44} {help_time:>8.3f}s {'< 0.3 s':>8}")
    print(f"{'python -c pass (interpreter start-up)':<44} {bare:>8.3f}s")
    print(f"runs per measurement: {args.runs}; {'PASS' if build < 3 and help_time < 0.3 else 'MISS'}")


if __name__ == "__main__":
    main()
