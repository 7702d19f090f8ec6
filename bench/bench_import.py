"""Benchmark imports through the CLI, against a first import and against raw pyoxigraph.

* re-import of an SDN snapshot already in the store, against the first import of the same
  snapshot into the curated store: wall time and the importing process's own peak RSS (issue 15);
  and the import of other content under a dataset name the store holds (a newer snapshot dated
  as the older one: a third of the graph changes), against its first import under that name.
  What was tried before (measured on this machine): staging the whole new graph and one SPARQL
  MOVE (10-13x the time, 3.4-4.8x the memory); loading a versioned graph and switching a pointer
  (dropping the old graph alone takes 4-9 s for 122k quads, more than a whole first import, and
  a query dataset listing the current graphs instead of the union default graph made named
  queries 19-141x slower on the store with every dataset); the difference as one SPARQL update
  (Oxigraph's transactional inserts cost about 90 us a quad: 18 s when a third changes, 3.6x a
  first import of the smaller snapshot, 2.4x its memory);
* every shared dataset imported (``bench/real_store.py``, build included), against a fresh process
  bulk-loading the same quads with raw pyoxigraph;
* each named query on that store through the project (``query.run_query``) and through raw
  pyoxigraph on the same store.

Usage:
    python bench/bench_import.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys

from bench.common import (
    CLI,
    DATA,
    REPO,
    child,
    copy_of,
    curated_store,
    median_of,
    print_rows,
    real_store,
    row,
    run_peak,
    scratch,
)

#: Run by `run_all.py --quick`: this module measures rows of issue 15's table.
QUICK = True
SNAPSHOT = DATA / "ofac_sdn_csv" / "sdn_2022-08-08.csv"
SNAPSHOT_DATE = "2022-08-08"
#: Another snapshot imported under SNAPSHOT's dataset name: the same graph with other content.
OTHER = DATA / "ofac_sdn_csv" / "sdn_2024-05-03.csv"
RATIO_TIME = RATIO_MEMORY = 1.5

DUMP = """
import sys
import pyoxigraph as ox
ox.Store.read_only(sys.argv[1]).dump(sys.argv[2], format=ox.RdfFormat.N_QUADS)
"""
BULK = """
import sys
import pyoxigraph as ox
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)
store.flush()
"""
QUERIES = """
import json, sys
from pathlib import Path
import pyoxigraph as ox
from bench.common import median_of
from graph.namespace import PREFIXES
from graph.query import named_queries, run_query
path, runs = Path(sys.argv[1]), int(sys.argv[2])
raw = ox.Store.read_only(str(path))
out = {}
for q in named_queries():
    text = q.bound_text({})  # what `query -n NAME` runs: the parameters' defaults bound
    project = median_of(lambda: run_query(path, text, "csv", 600), runs)
    direct = median_of(lambda: raw.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
                       .serialize(format=ox.QueryResultsFormat.CSV), runs)
    out[q.name] = [project, direct]
print(json.dumps(out))
"""


def reimport(runs: int) -> list[dict]:
    """First import of a snapshot into the curated store and the same file again; then the
    first import of other content under that dataset name, and the same over the snapshot
    (via the CLI, each run on fresh copies of the curated store)."""
    times: dict[str, list[float]] = {"first": [], "again": [], "other": [], "over": []}
    peaks: dict[str, list[float]] = {name: [] for name in times}
    for _ in range(runs):
        store, other = copy_of(curated_store()), copy_of(curated_store())
        matches = store.parent / "matches.csv"
        shutil.copyfile(REPO / "links" / "matches.csv", matches)
        snapshot = [CLI, "--store", str(store), "import", "ofac-sdn", str(SNAPSHOT), "--matches", str(matches)]
        changed = [*snapshot[:5], str(OTHER), "--date", SNAPSHOT_DATE, *snapshot[6:]]
        for name, command in (
            ("first", snapshot),
            ("again", snapshot),
            ("other", [*changed[:2], str(other), *changed[3:]]),
            ("over", changed),
        ):
            seconds, mib = run_peak(command)
            times[name].append(seconds)
            peaks[name].append(mib)
    median = {name: statistics.median(values) for name, values in times.items()}
    peak = {name: statistics.median(values) for name, values in peaks.items()}
    what, other_what = f"first import of {SNAPSHOT.name}", f"first import of {OTHER.name} under that name"
    note = "the old graph read back; only the difference written, journaled"
    return [
        row(
            f"re-import of {SNAPSHOT.name} already in the store: time",
            what,
            median["first"],
            median["again"],
            RATIO_TIME,
        ),
        row(
            f"re-import of {SNAPSHOT.name}: peak memory (MiB, not s)",
            f"{what}: peak RSS",
            peak["first"],
            peak["again"],
            RATIO_MEMORY,
            "importing process's own ru_maxrss",
        ),
        row(
            f"import of {OTHER.name} as {SNAPSHOT.name}'s dataset, over it (a third of the graph changes): time",
            other_what,
            median["other"],
            median["over"],
            RATIO_TIME,
            note,
        ),
        row(
            f"import of {OTHER.name} over {SNAPSHOT.name}'s dataset: peak memory (MiB, not s)",
            f"{other_what}: peak RSS",
            peak["other"],
            peak["over"],
            RATIO_MEMORY,
            "importing process's own ru_maxrss",
        ),
    ]


def import_all() -> dict:
    """Build and import every shared dataset through the CLI, against bulk-loading the same quads
    in a fresh process (wall times of processes, start-up included on both sides)."""
    from bench.real_store import set_up

    folder = scratch("import-all")
    wall = median_of(lambda: set_up(folder / "store", command=[CLI]), 1)
    child([sys.executable, "-c", DUMP, str(real_store()), str(folder / "all.nq")])
    bulk = child([sys.executable, "-c", BULK, str(folder / "bulk"), str(folder / "all.nq")])[0]
    return row(
        "build + import every shared dataset (CLI, one process per step)",
        "a process bulk-loading the same quads with pyoxigraph",
        bulk,
        wall,
        3.0,
        "one run",
    )


def named_queries(runs: int) -> list[dict]:
    """Every named query on the store with every dataset: project against raw pyoxigraph."""
    result = json.loads(child([sys.executable, "-c", QUERIES, str(real_store()), str(runs)])[1])
    return [
        row(f"query -n {name} (every dataset imported)", "raw pyoxigraph query + CSV, same store", direct, project, 1.5)
        for name, (project, direct) in sorted(result.items())
    ]


def measure(quick: bool = False) -> list[dict]:
    """Re-import rows always; the whole import and the named queries unless quick."""
    rows = reimport(1 if quick else 3)
    if not quick:
        rows.append(import_all())
        rows += named_queries(3)
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the re-import, one run")
    print_rows(measure(parser.parse_args().quick))
