"""Benchmark: `dprk-kg dump` and `load-dump` on a synthetic store, against raw pyoxigraph.

A store of about 10^6 quads (10^5 with --quick) is made from ``bench/generate.py``. Each
measurement runs in a child process, so ``ru_maxrss`` is that child's own peak RSS:

- dump: ``graph.dump.write_dump`` (sorted, atomic) against pyoxigraph's own unsorted
  ``Store.dump`` to N-Quads, on the same store;
- load-dump: ``graph.dump.load_dump`` of that dump into an empty store against pyoxigraph's
  ``Store.bulk_load`` of the same file.

Peak RSS goes in the notes: the dump sorts in runs of ``CHUNK_LINES`` lines merged from disk,
so its memory does not grow with the store. Usage: .venv/bin/python bench/bench_dump.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import LONG_S, REPO, synthetic_store

CHILDREN = {
    "project-dump": """
import sys
from graph.dump import write_dump
write_dump(sys.argv[1], sys.argv[2])
""",
    "raw-dump": """
import sys
import pyoxigraph as ox
ox.Store.read_only(sys.argv[1]).dump(output=sys.argv[2], format=ox.RdfFormat.N_QUADS)
""",
    "project-load": """
import sys
from graph.dump import load_dump
load_dump(sys.argv[1], sys.argv[2])
""",
    "raw-load": """
import sys
import pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)
store.flush()
""",
}
TIMED = """
import json, resource, sys, time
started = time.perf_counter()
exec(compile(sys.argv.pop(1), "<bench>", "exec"))
print(json.dumps({"seconds": time.perf_counter() - started,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(name: str, *args: str) -> dict:
    """Run one child script; its wall time (imports excluded) and peak RSS."""
    done = subprocess.run(
        [sys.executable, "-c", TIMED, CHILDREN[name], *args], cwd=REPO, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.splitlines()[-1])


def measure(quick: bool = False) -> list[dict]:
    """Median seconds of dump and load-dump against raw pyoxigraph, with peak RSS in the notes."""
    quads, repeats = (100_000, 1) if quick else (1_000_000, 3)
    with tempfile.TemporaryDirectory(prefix="bench-dump-") as tmp:
        root = Path(tmp)
        store = synthetic_store(quads)
        runs: dict[str, list[dict]] = {name: [] for name in CHILDREN}
        for attempt in range(repeats):
            for name, store_path, file in (  # the arguments of each child, in order
                ("project-dump", store, root / "dump.nq"),
                ("raw-dump", store, root / "raw.nq"),
                ("project-load", root / f"project-load-{attempt}", root / "dump.nq"),
                ("raw-load", root / f"raw-load-{attempt}", root / "dump.nq"),
            ):
                if runs[name] and runs[name][0]["seconds"] > LONG_S:
                    continue  # long enough to be timed once (common.LONG_S)
                runs[name].append(_child(name, str(store_path), str(file)))
        with open(root / "dump.nq", "rb") as dumped:
            lines = sum(1 for _ in dumped) - 1

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    return [
        {
            "measure": f"dump {lines:,} quads (sorted, atomic)",
            "baseline": "pyoxigraph Store.dump to N-Quads (unsorted)",
            "baseline_s": median("raw-dump", "seconds"),
            "project_s": median("project-dump", "seconds"),
            "goal": 3.0,
            "note": f"peak RSS {median('project-dump', 'rss_mb'):.0f} MB (raw dump "
            f"{median('raw-dump', 'rss_mb'):.0f} MB)",
        },
        {
            "measure": f"load-dump {lines:,} quads into an empty store",
            "baseline": "pyoxigraph Store.bulk_load of the same file",
            "baseline_s": median("raw-load", "seconds"),
            "project_s": median("project-load", "seconds"),
            "goal": 2.0,
            "note": f"peak RSS {median('project-load', 'rss_mb'):.0f} MB (bulk_load "
            f"{median('raw-load', 'rss_mb'):.0f} MB)",
        },
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10^5 quads, one run")
    for row in measure(parser.parse_args().quick):
        ratio = row["project_s"] / row["baseline_s"]
        print(
            f"{row['measure']}: project {row['project_s']:.2f} s, baseline {row['baseline_s']:.2f} s "
            f"({row['baseline']}), ratio {ratio:.2f} (goal <= {row['goal']:g}); {row['note']}"
        )
