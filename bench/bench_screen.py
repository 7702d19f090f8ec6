"""Benchmark: screening 10,000 addresses on a store with every shared dataset imported (issue 9).

The input is every crypto address the store holds (curated and imported) plus random addresses
that are not in it, 10,000 in all. The project is ``dprk-kg screen FILE --format json`` (a fresh
process); the baseline a fresh Python process running one raw pyoxigraph query with the same
addresses in a ``VALUES`` clause (address -> record, holder, chain), on the same store, in the
same run. Goal: at most 3x.

    .venv/bin/python bench/bench_screen.py [--quick]
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from bench.common import CLI, child, median_of, print_rows, real_store, row, scratch

GOAL = 3.0
COUNT = 10_000

_RAW = """
import sys, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
values = " ".join(str(ox.Literal(line.strip())) for line in open(sys.argv[2]) if line.strip())
query = ("SELECT ?value ?address ?holder ?chain WHERE { VALUES ?value { " + values + " } "
         "?address <https://w3id.org/dprk-kg/ns#address> ?value . "
         "OPTIONAL { ?address <https://w3id.org/dprk-kg/ns#holder> ?holder } "
         "OPTIONAL { ?address <https://w3id.org/dprk-kg/ns#chain> ?chain } }")
print(len(list(store.query(query, use_default_graph_as_union=True))))
"""


def addresses(store: Path) -> list[str]:
    """Every address value in the store plus random EVM addresses, 10,000 in all, shuffled."""
    import pyoxigraph as ox

    from graph import sparql

    known = sorted({r["v"] or "" for r in sparql.select(ox.Store.read_only(str(store)), "address-values")})
    rng = random.Random(7)
    filler = ["0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40)) for _ in range(COUNT - len(known))]
    values = known + filler
    rng.shuffle(values)
    return values


def measure(quick: bool = False) -> list[dict]:
    store = real_store()
    runs = 3 if quick else 5
    listing = scratch("screen") / "addresses.txt"
    listing.write_text("\n".join(addresses(store)) + "\n")
    project = median_of(lambda: child([CLI, "--store", str(store), "screen", str(listing), "--format", "json"]), runs)
    baseline = median_of(lambda: child([sys.executable, "-c", _RAW, str(store), str(listing)]), runs)
    return [
        row(
            f"screen {COUNT:,} addresses (every dataset)",
            "raw pyoxigraph VALUES query process",
            baseline,
            project,
            GOAL,
        )
    ]


if __name__ == "__main__":
    print_rows(measure("--quick" in sys.argv))
