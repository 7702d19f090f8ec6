"""Benchmark: import every dataset in ../shared/data into a fresh store, against raw pyoxigraph.

Each run builds the curated graph into a fresh temporary store, then imports the three SDN
snapshots, ATT&CK, the MISP galaxy and the three incident sets, in a child process (so ru_maxrss is
that child's peak RSS). The imported graphs are then dumped to N-Quads and bulk-loaded by raw
pyoxigraph into another fresh store, in a child process too. Last, each named query runs on the
imported store through the project (``query.run_query``) and through raw pyoxigraph on the same
store. Prints medians and ratios.

Usage: .venv/bin/python bench/bench_import.py [--runs 3] [--query-repeat 1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"

IMPORT_CHILD = """
import json, sys, time
from pathlib import Path
from graph.build import write_store, checked_dataset
from graph.importers.attack import AttackImporter
from graph.importers.driver import run_import
from graph.importers.incidents import IncidentsImporter
from graph.importers.misp import MispImporter
from graph.importers.ofac_sdn import SdnImporter
store, data, matches = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
write_store(checked_dataset(), store)
started = time.perf_counter()
triples = 0
for snapshot in sorted((data / "ofac_sdn_csv").glob("sdn_*.csv")):
    triples += run_import(SdnImporter(), snapshot, store, matches).triples
for importer, path in ((AttackImporter(), "mitre_attack_enterprise/enterprise-attack.json"),
                       (MispImporter(), "misp_galaxy_threat_actor/threat-actor.json"),
                       (IncidentsImporter(), "defillama_hacks_csv/defi_exploits.csv"),
                       (IncidentsImporter(), "dn_institute_crypto_incidents"),
                       (IncidentsImporter(), "tayvano_lazarus_incidents/breakdown_of_incidents.md")):
    triples += run_import(importer, data / path, store, matches).triples
import resource
print(json.dumps({"seconds": time.perf_counter() - started, "triples": triples,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

DUMP_CHILD = """
import sys
import pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
prefix = "https://w3id.org/dprk-kg/dataset/"
with open(sys.argv[2], "wb") as out:
    for graph in store.named_graphs():
        if graph.value.startswith(prefix):
            out.write(store.dump(format=ox.RdfFormat.N_QUADS, from_graph=graph).replace(
                b" .\\n", b" <" + graph.value.encode() + b"> .\\n"))
"""

BULK_CHILD = """
import json, sys, time
import pyoxigraph as ox
store = ox.Store(sys.argv[1])
started = time.perf_counter()
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)
store.flush()
import resource
print(json.dumps({"seconds": time.perf_counter() - started, "triples": len(store),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""

QUERY_CHILD = """
import json, statistics, sys, time
from pathlib import Path
import pyoxigraph as ox
from graph.namespace import PREFIXES
from graph.query import named_queries, run_query
path = Path(sys.argv[1])
raw = ox.Store.read_only(str(path))

def median(fn):
    times = []
    for _ in range(int(sys.argv[2])):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)

out = {}
for q in named_queries():
    project = median(lambda: run_query(path, q.text, "csv", 600))
    direct = median(lambda: raw.query(q.text, prefixes=PREFIXES, use_default_graph_as_union=True)
                    .serialize(format=ox.QueryResultsFormat.CSV))
    out[q.name] = [project, direct]
print(json.dumps(out))
"""


def child(code: str, *args: str) -> tuple[dict, float, float]:
    """Run Python code in a child process; its JSON output, wall time and peak RSS in MiB
    (the child's own ru_maxrss, so earlier children do not count)."""
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    wall = time.perf_counter() - started
    result = json.loads(out) if out.strip() else {}
    return result, wall, result.get("rss", 0) / 1024


def one_run(folder: Path, query_repeat: int) -> dict:
    """Import everything, bulk-load the same quads, time the named queries (``query_repeat``
    runs each, none when 0); return the figures of this run."""
    store, matches = folder / "store", folder / "matches.csv"
    imported, wall, rss = child(IMPORT_CHILD, str(store), str(DATA), str(matches))
    dump = folder / "imported.nq"
    child(DUMP_CHILD, str(store), str(dump))
    bulk, _, bulk_rss = child(BULK_CHILD, str(folder / "bulk"), str(dump))
    queries = child(QUERY_CHILD, str(store), str(query_repeat))[0] if query_repeat else {}
    return {"import_s": imported["seconds"], "import_wall_s": wall, "peak_rss_mib": rss,
            "triples": imported["triples"], "bulk_s": bulk["seconds"], "bulk_triples": bulk["triples"],
            "bulk_rss_mib": bulk_rss,
            **{f"query {name}": project for name, (project, _) in queries.items()},
            **{f"raw {name}": direct for name, (_, direct) in queries.items()}}


def main() -> None:
    """Run the benchmark and print medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="import runs (default 3)")
    parser.add_argument("--query-repeat", type=int, default=1,
                        help="runs of each named query, on the first run's store (default 1)")
    args = parser.parse_args()
    runs = args.runs
    if not DATA.is_dir():
        sys.exit(f"no datasets at {DATA}")
    results = []
    for number in range(1, runs + 1):
        with tempfile.TemporaryDirectory(prefix="dprk-kg-bench-") as tmp:
            results.append(one_run(Path(tmp), args.query_repeat if number == 1 else 0))
        r = results[-1]
        print(f"run {number}: import {r['import_s']:.2f} s (child wall {r['import_wall_s']:.2f} s), "
              f"{r['triples']:,} triples, bulk load {r['bulk_s']:.2f} s, peak RSS {r['peak_rss_mib']:.0f} MiB",
              file=sys.stderr)
    med = {k: statistics.median(r[k] for r in results if k in r) for k in results[0]}
    print(f"runs                       {runs}")
    print(f"triples imported           {med['triples']:,.0f} (bulk-loaded: {med['bulk_triples']:,.0f})")
    print(f"import, all datasets       {med['import_s']:.2f} s median (goal < 60 s); "
          f"child process wall incl. curated build {med['import_wall_s']:.2f} s")
    print(f"import throughput          {med['triples'] / med['import_s']:,.0f} triples/s")
    print(f"pyoxigraph bulk_load       {med['bulk_s']:.2f} s median, "
          f"{med['bulk_triples'] / med['bulk_s']:,.0f} triples/s")
    print(f"ratio import / bulk_load   {med['import_s'] / med['bulk_s']:.2f}x (goal <= 3x)")
    print(f"peak RSS of the importer   {med['peak_rss_mib']:.0f} MiB (goal < 1,536 MiB); "
          f"bulk_load child {med['bulk_rss_mib']:.0f} MiB")
    print(f"\nnamed queries on the imported store ({args.query_repeat} run(s) each, s): "
          "project / raw pyoxigraph on the same store")
    for key in sorted(k for k in med if k.startswith("query ")):
        name = key.removeprefix("query ")
        print(f"  {name:<20} {med[key]:8.3f} {med['raw ' + name]:8.3f}  {med[key] / med['raw ' + name]:6.2f}x")


if __name__ == "__main__":
    main()
