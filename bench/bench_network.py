"""Benchmark validate, analyze and the GEXF export on the store with every shared dataset (issue 15).

Each command runs as a user runs it (a fresh `dprk-kg` process on ``bench/real_store.py``'s
store); each baseline runs in the same measurement:

* `validate`: a fresh process bulk-loading the same quads with pyoxigraph;
* `analyze`: the time networkx takes for the same measures (degree, betweenness with the same
  sampling, components, Louvain) on the same projected graph, projected beforehand (not timed);
* `export --format gexf`: a fresh process reading every quad of the store with pyoxigraph.

The commands include opening the store and projecting it (graph/network.py); two more rows show
graph/analyze.py and graph/netexport.py alone on the same projection.

Usage:
    python bench/bench_network.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys

from bench.common import CLI, child, median_of, print_rows, real_store, row, scratch

#: Run by `run_all.py --quick`: this module measures rows of issue 15's table.
QUICK = True

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
READ = """
import sys
import pyoxigraph as ox
print(sum(1 for _ in ox.Store.read_only(sys.argv[1])))
"""
MEASURES = """
import json, sys
import networkx as nx
from bench.common import median_of
from graph import analyze, netexport
from pathlib import Path
from graph.network import project
from graph.reader import open_reader
graph = project(open_reader(Path(sys.argv[1]), lambda message: None))
runs = int(sys.argv[2])
simple = analyze._simple(graph)
sample = analyze.betweenness_sample(simple.number_of_nodes(), simple.number_of_edges())
def networkx_measures():
    nx.degree_centrality(simple)
    nx.betweenness_centrality(simple, k=sample, seed=0)
    list(nx.connected_components(simple))
    nx.community.louvain_communities(simple, seed=0)
print(json.dumps({
    "networkx": median_of(networkx_measures, runs),
    "analyze": median_of(lambda: analyze.analyze(graph), runs),
    "nx_gexf": median_of(lambda: "\\n".join(nx.generate_gexf(netexport.flat(graph), prettyprint=True)), runs),
    "gexf": median_of(lambda: netexport.render(graph, "gexf"), runs),
}))
"""


def measure(quick: bool = False) -> list[dict]:
    """validate, analyze and gexf on the store with every dataset, each against its baseline."""
    runs = 1 if quick else 3
    store = str(real_store())
    work = scratch("network")
    child([sys.executable, "-c", DUMP, store, str(work / "all.nq")])
    counter = iter(range(1000))
    bulk = median_of(
        lambda: child([sys.executable, "-c", BULK, str(work / f"b{next(counter)}"), str(work / "all.nq")]), runs
    )
    validate = median_of(lambda: child([CLI, "--store", store, "validate"]), runs)
    alone = json.loads(child([sys.executable, "-c", MEASURES, store, str(runs)])[1])
    analyze = median_of(lambda: child([CLI, "--store", store, "analyze"]), runs)
    read = median_of(lambda: child([sys.executable, "-c", READ, store]), runs)
    gexf = median_of(lambda: child([CLI, "--store", store, "export", "--format", "gexf", "--out", str(work)]), runs)
    return [
        row("validate, every dataset imported", "pyoxigraph bulk-loading the same quads", bulk, validate, 3.0),
        row(
            "analyze, every dataset imported",
            "networkx: the same measures on the same projection",
            alone["networkx"],
            analyze,
            3.0,
            "includes opening and projecting the store (graph/network.py)",
        ),
        row(
            "export --format gexf, every dataset imported",
            "reading the store's quads with pyoxigraph",
            read,
            gexf,
            3.0,
            "includes opening and projecting the store (graph/network.py)",
        ),
        row(
            "graph/analyze.py alone on the projection",
            "networkx: the same measures",
            alone["networkx"],
            alone["analyze"],
            3.0,
        ),
        row(
            "graph/netexport.py GEXF alone on the projection",
            "networkx's GEXF writer",
            alone["nx_gexf"],
            alone["gexf"],
            1.0,
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run each")
    print_rows(measure(parser.parse_args().quick))
