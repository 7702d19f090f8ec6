"""Benchmark: what the query guards cost, against raw pyoxigraph in a fresh process.

* cold query: ``dprk-kg query -n sanctioned-mixers --format csv`` in a fresh process (safety
  check, store currency check, confined query process) against a fresh Python process that
  imports pyoxigraph, opens the same store read-only and prints the same query as CSV.
* streamed result: a 10^6-row SELECT written as CSV to a file, through ``dprk-kg query`` against
  raw pyoxigraph serializing to the file; the note gives each one's peak RSS (of its largest
  process, the CLI or its query process: RUSAGE_CHILDREN of a runner).

Usage: .venv/bin/python bench/bench_hardening.py [--quick]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

RAW_QUERY = """
import json, sys
import pyoxigraph as ox
prefixes = json.loads(sys.argv[3])
store = ox.Store.read_only(sys.argv[1])
result = store.query(open(sys.argv[2], encoding="utf-8").read(), prefixes=prefixes,
                     use_default_graph_as_union=True)
result.serialize(sys.stdout.buffer, format=ox.QueryResultsFormat.CSV)
"""

MILLION = "SELECT ?a ?b WHERE { VALUES ?a { %s } VALUES ?b { %s } }"


def _median(command: list[str], repeat: int, stdout=subprocess.DEVNULL) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, stdout=stdout, check=True, cwd=REPO)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _peak_rss_mb(command: list[str], out: Path) -> float:
    """Peak RSS of the largest process a command runs (itself or a child), in MB."""
    runner = (
        "import resource, subprocess, sys\n"
        "with open(sys.argv[1], 'wb') as out: subprocess.run(sys.argv[2:], stdout=out, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", runner, str(out), *command], capture_output=True, text=True, check=True, cwd=REPO
    )
    return int(done.stdout.strip()) / 1024


def measure(quick: bool = False) -> list[dict]:
    """Cold named query and a streamed 10^6-row result: project against raw pyoxigraph."""
    from graph.namespace import PREFIXES

    repeat = 3 if quick else 7
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        store = work / "store"
        subprocess.run(
            [str(BIN / "dprk-kg"), "--store", str(store), "build", "-q", "--out", str(work / "exports")],
            check=True,
            stdout=subprocess.DEVNULL,
            cwd=REPO,
        )
        named = REPO / "queries" / "sanctioned-mixers.rq"
        raw = [sys.executable, "-c", RAW_QUERY, str(store), str(named), json.dumps(PREFIXES)]
        project = [str(BIN / "dprk-kg"), "--store", str(store), "query", "-n", "sanctioned-mixers", "--format", "csv"]
        rows.append(
            {
                "measure": "cold query -n sanctioned-mixers (fresh process)",
                "baseline": "raw pyoxigraph in a fresh process",
                "baseline_s": _median(raw, repeat),
                "project_s": _median(project, repeat),
                "goal": 3.0,
            }
        )
        side = 100 if quick else 1000
        values = " ".join(f'"{i}"' for i in range(side))
        big = work / "million.rq"
        big.write_text(MILLION % (values, values), encoding="utf-8")
        raw = [sys.executable, "-c", RAW_QUERY, str(store), str(big), json.dumps(PREFIXES)]
        project = [
            str(BIN / "dprk-kg"),
            "--store",
            str(store),
            "query",
            "-f",
            str(big),
            "--format",
            "csv",
            "--timeout",
            "600",
        ]
        with open(work / "out.csv", "wb") as sink:
            raw_s = _median(raw, 1 if not quick else repeat, stdout=sink)
        with open(work / "out.csv", "wb") as sink:
            project_s = _median(project, 1 if not quick else repeat, stdout=sink)
        size = (work / "out.csv").stat().st_size
        rss_raw = _peak_rss_mb(raw, work / "raw.csv")
        rss_project = _peak_rss_mb(project, work / "project.csv")
        rows.append(
            {
                "measure": f"{side * side:,}-row CSV streamed to a file ({size / 1e6:.0f} MB)",
                "baseline": "raw pyoxigraph serializing to the file",
                "baseline_s": raw_s,
                "project_s": project_s,
                "goal": 2.0,
                "note": f"peak RSS: project {rss_project:.0f} MB, raw {rss_raw:.0f} MB",
            }
        )
    return rows


if __name__ == "__main__":
    for row in measure("--quick" in sys.argv):
        ratio = row["project_s"] / row["baseline_s"]
        print(
            f"{row['measure']}: project {row['project_s']:.3f} s, baseline {row['baseline_s']:.3f} s "
            f"({row['baseline']}), ratio {ratio:.2f} (goal <= {row['goal']}) {row.get('note', '')}"
        )
