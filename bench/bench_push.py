"""Benchmark: `dprk-kg push` of every shared dataset to a fresh server, against that server's own
bulk loader on the same quads.

The store is the one with every shared dataset imported (``common.real_store``); its named
graphs are dumped once as one N-Quads file. Then, on fresh private servers on 127.0.0.1
(``tests/servers.py`` starts them; start-up is outside every timing):

* Oxigraph: `oxigraph load --location DIR --file quads.nq` (its bulk loader, the whole command)
  against `dprk-kg push` to a fresh `oxigraph serve` (the whole command); goal <= 2x;
* Virtuoso 7: `ld_dir` + `rdf_loader_run` through isql-vt on the same file against `dprk-kg push`
  to a fresh instance through Digest authentication; goal <= 5x.

Each figure is the median of 3 runs (1 with --quick); a run times the loader then the push, each
on a fresh server, so both see the same load on the machine. A push is timed three times even
past ``common.LONG_S``: a server can stall once (a Virtuoso push measured 42 s once and 10-12 s
otherwise), and the median leaves such a run out.

Usage: .venv/bin/python bench/bench_push.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.common import CLI, child, error_row, median_of, print_rows, real_store, row


def dump_quads(store: Path, out: Path) -> tuple[int, int]:
    """Every named graph of the store as N-Quads in ``out``; the numbers of quads and graphs."""
    import pyoxigraph as ox

    db = ox.Store.read_only(str(store))
    with out.open("wb") as handle:
        db.dump(handle, format=ox.RdfFormat.N_QUADS)
    return len(db), sum(1 for _ in db.named_graphs())


def _fresh(one: Callable[[Path], float]) -> float:
    """``one`` run in a fresh temporary folder; its seconds."""
    with tempfile.TemporaryDirectory(prefix="dprk-kg-bench-push-") as tmp:
        return one(Path(tmp))


def measure(quick: bool = False) -> list[dict]:
    """Push against the bulk loader on Oxigraph and on Virtuoso: one row each."""
    import pytest

    from tests import servers

    runs = 1 if quick else 3
    store = real_store()
    with tempfile.TemporaryDirectory(prefix="dprk-kg-bench-push-data-") as tmp:
        quads = Path(tmp) / "quads.nq"
        count, graphs = dump_quads(store, quads)
        quads_in = f"{count:,} quads in {graphs} graphs"

        def oxigraph_load(work: Path) -> float:
            command = [servers.program("oxigraph"), "load", "--location", str(work / "db"), "--file", str(quads)]
            return child(command)[0]

        def oxigraph_push(work: Path) -> float:
            server = servers.oxigraph(work)
            try:
                return child([CLI, "--store", str(store), "push", *server.push_args()])[0]
            finally:
                server.kill()

        def virtuoso_load(work: Path) -> float:
            shutil.copy(quads, work / "quads.nq")
            server = servers.virtuoso(work)
            try:
                sql = f"ld_dir('{work}', 'quads.nq', 'urn:dprk-kg:bench'); rdf_loader_run();"
                return median_of(lambda: servers.isql(server, sql, f"dba-{server.password}"), 1)
            finally:
                server.kill()

        def virtuoso_push(work: Path) -> float:
            server = servers.virtuoso(work)
            try:
                env = {**os.environ, **server.env()}
                return child([CLI, "--store", str(store), "push", *server.push_args()], env=env)[0]
            finally:
                server.kill()

        rows = []
        for name, program, load, push, goal, baseline in (
            (
                "push to the Oxigraph server",
                "oxigraph",
                oxigraph_load,
                oxigraph_push,
                2.0,
                "oxigraph load (bulk loader)",
            ),
            ("push to Virtuoso 7", "virtuoso-t", virtuoso_load, virtuoso_push, 5.0, "ld_dir + rdf_loader_run"),
        ):
            try:
                servers.program(program)
            except (pytest.skip.Exception, pytest.fail.Exception) as missing:  # the other server is still measured
                rows.append(error_row(name, str(missing)))
                continue
            loads, pushes = [], []
            for _ in range(runs):  # interleaved, so both see the same load on the machine
                loads.append(_fresh(load))
                pushes.append(_fresh(push))
            rows.append(
                row(
                    name,
                    f"{baseline}, same quads",
                    statistics.median(loads),
                    statistics.median(pushes),
                    goal,
                    f"{quads_in}, median of {len(pushes)}",
                )
            )
        return rows


def main() -> None:
    """Print the rows with their ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run of each")
    print_rows(measure(parser.parse_args().quick))


if __name__ == "__main__":
    main()
