"""Benchmark: ``export --format stix`` against reading the same store's quads with pyoxigraph.

A synthetic graph (bench/generate.py, 10^6 triples; 10^5 with --quick) is bulk-loaded into an
on-disk store. The baseline iterates every quad of the read-only store with pyoxigraph; the
project writes the whole STIX bundle (``graph.stix.export_stix``: read, map, serialize, write).
The goal (issue 12): the export takes at most 3x the baseline. The entity index the export
shares with every command is built once per store state, before timing (the first export after
an import pays for it; the note gives that time).

    .venv/bin/python bench/bench_stix.py
    .venv/bin/python bench/bench_stix.py --quick
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path


def measure(quick: bool = False) -> list[dict]:
    """One row: median seconds of the STIX export and of reading every quad, same store."""
    import pyoxigraph as ox

    from bench.common import copy_of, median_of, synthetic_store
    from graph.stix import export_stix

    triples, repeat = (100_000, 3) if quick else (1_000_000, 3)
    work = Path(tempfile.mkdtemp(prefix="bench-stix-"))
    try:
        path, out = copy_of(synthetic_store(triples)), work / "out"
        store = ox.Store.read_only(str(path))
        quads = len(store)
        started = time.perf_counter()
        first = export_stix(store, path, out)
        cold = time.perf_counter() - started

        def read_quads() -> None:
            for _ in store:
                pass

        baseline = median_of(read_quads, repeat)
        project = median_of(lambda: export_stix(store, path, out), repeat)
        size = first.path.stat().st_size / 1e6
        return [
            {
                "measure": f"export --format stix, {quads:,} quads ({first.total:,} objects, {size:.0f} MB)",
                "baseline": "iterate every quad of the store with pyoxigraph",
                "baseline_s": baseline,
                "project_s": project,
                "goal": 3.0,
                "note": f"first export, building the entity index too: {cold:.1f} s",
            }
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10^5 triples instead of 10^6")
    args = parser.parse_args()
    for row in measure(args.quick):
        ratio = row["project_s"] / row["baseline_s"]
        print(
            f"{row['measure']}: project {row['project_s']:.2f} s, baseline {row['baseline_s']:.2f} s "
            f"({row['baseline']}), ratio {ratio:.2f} (goal <= {row['goal']}); {row['note']}"
        )


if __name__ == "__main__":
    main()
