"""Benchmark `dprk-kg build` (SHACL included) and `dprk-kg --help` against plain rdflib.

Each figure is the median wall time of several runs of a fresh process, so imports and start-up
count as a user feels them. The baseline, measured in the same run, is a plain rdflib script that
parses the same curated files and writes them as TriG, with no checks, validation or store.

Two builds are timed: into folders built before from the same data (what a user runs after
editing nothing, or after a `git pull` that changed no source; the build finds nothing to redo),
and into fresh folders (parse, SHACL, five exports, store: what a changed source costs).

Usage:
    python bench/bench_build.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from bench.common import CLI, REPO, child, median_of, print_rows, row

#: Run by `run_all.py --quick`: this module measures rows of issue 15's table.
QUICK = True

BASELINE = """
import sys
from pathlib import Path
from rdflib import Dataset
ds = Dataset()
for path in sorted(Path(sys.argv[1]).glob("*.ttl")):
    ds.graph("https://w3id.org/dprk-kg/source/" + path.stem).parse(path, format="turtle")
ds.serialize(Path(sys.argv[2]) / "graph.trig", format="trig")
"""
HELP_GOAL_S = 0.3


def measure(quick: bool = False) -> list[dict]:
    """Build (nothing changed, and fresh folders), --help; each against its baseline."""
    runs = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="dprk-kg-bench-build-") as tmp:
        out = Path(tmp)
        warm = [CLI, "--store", str(out / "store"), "build", "-q", "--out", str(out / "exports")]
        child(warm)
        counter = iter(range(1000))

        def cold() -> None:
            n = next(counter)
            child([CLI, "--store", str(out / f"s{n}"), "build", "-q", "--out", str(out / f"e{n}")])

        baseline = median_of(lambda: child([sys.executable, "-c", BASELINE, str(REPO / "sources"), tmp]), runs)
        build_warm = median_of(lambda: child(warm), runs)
        build_cold = median_of(cold, runs)
        help_time = median_of(lambda: child([CLI, "--help"]), runs)
        bare = median_of(lambda: child([sys.executable, "-c", "pass"]), runs)
    what = "rdflib parsing the same files and writing TriG"
    return [
        row("build, nothing changed (parse skipped, exports verified)", what, baseline, build_warm, 2.0),
        row(
            "build into fresh folders (parse, SHACL, 5 exports, store)",
            what,
            baseline,
            build_cold,
            2.0,
            "the store is written in a second thread while the pages are drawn",
        ),
        row(
            "dprk-kg --help",
            "python -c pass (interpreter start-up)",
            bare,
            help_time,
            HELP_GOAL_S / bare,
            f"goal: under {HELP_GOAL_S} s absolute (issue 2), shown as a ratio to start-up",
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    print_rows(measure(parser.parse_args().quick))
