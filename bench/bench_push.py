"""Benchmark: `dprk-kg push` of every shared dataset to a fresh server, against that server's own
bulk loader on the same quads.

A store is built (curated graph, then every dataset in ../shared/data imported: the three SDN
snapshots, ATT&CK, the MISP galaxy and both incident sets; with --quick only the MISP galaxy and
the DeFiLlama hacks), and its named graphs are dumped as one N-Quads file. Then, on fresh
private servers on 127.0.0.1 (tests/servers.py starts them):

* Oxigraph: `oxigraph load --location DIR --file quads.nq` (its bulk loader, the whole command)
  against `dprk-kg push` to a fresh `oxigraph serve` (the whole command); goal <= 2x;
* Virtuoso 7: `ld_dir` + `rdf_loader_run` through isql-vt on the same file against
  `dprk-kg push` to a fresh instance through Digest authentication; goal <= 5x.

Server start-up is outside both timings. Each figure is the median of the runs (3, or 1 with
--quick), each on a fresh server.

Usage: .venv/bin/python bench/bench_push.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"
DPRK_KG = str(Path(sys.executable).parent / "dprk-kg")


def _run(*args: str, env: dict | None = None) -> None:
    done = subprocess.run(args, capture_output=True, text=True, env={**os.environ, **(env or {})})
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} ... failed: {done.stderr[-2000:]}")


def make_store(folder: Path, quick: bool) -> Path:
    """A store with the curated graph and the shared datasets (a few with ``quick``)."""
    store, matches = folder / "store", folder / "matches.csv"
    base = [DPRK_KG, "--store", str(store)]
    _run(*base, "build", "--quiet", "--out", str(folder / "exports"))
    imports = [
        ("misp-galaxy", DATA / "misp_galaxy_threat_actor" / "threat-actor.json"),
        ("incidents", DATA / "defillama_hacks_csv" / "defi_exploits.csv"),
    ]
    if not quick:
        imports += [("ofac-sdn", path) for path in sorted((DATA / "ofac_sdn_csv").glob("sdn_*.csv"))]
        imports += [
            ("attack", DATA / "mitre_attack_enterprise" / "enterprise-attack.json"),
            ("incidents", DATA / "dn_institute_crypto_incidents"),
        ]
    for kind, path in imports:
        _run(*base, "import", kind, str(path), "--matches", str(matches))
    return store


def dump_quads(store: Path, out: Path) -> tuple[int, int]:
    """Every named graph of the store as N-Quads in ``out``; the numbers of quads and graphs."""
    import pyoxigraph as ox

    db = ox.Store.read_only(str(store))
    graphs = sorted(db.named_graphs(), key=lambda g: g.value)
    with out.open("wb") as handle:
        db.dump(handle, format=ox.RdfFormat.N_QUADS)
    return len(db), len(graphs)


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _median_runs(runs: int, one: Callable[[Path], float]) -> float:
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="dprk-kg-bench-push-") as tmp:
            times.append(one(Path(tmp)))
    return statistics.median(times)


def measure(quick: bool = False, runs: int | None = None) -> list[dict]:
    """Push vs bulk loader on Oxigraph and Virtuoso; one row each (medians in seconds of
    ``runs`` runs: 3, or 1 with ``quick``)."""
    from tests import servers

    runs = runs or (1 if quick else 3)
    with tempfile.TemporaryDirectory(prefix="dprk-kg-bench-push-data-") as tmp:
        folder = Path(tmp)
        store = make_store(folder, quick)
        quads = folder / "load" / "quads.nq"
        quads.parent.mkdir()
        count, graphs = dump_quads(store, quads)
        note = f"{count:,} quads in {graphs} graphs"

        def oxigraph_load(work: Path) -> float:
            return _timed(
                lambda: _run(servers.program("oxigraph"), "load", "--location", str(work / "db"), "--file", str(quads))
            )

        def oxigraph_push(work: Path) -> float:
            server = servers.oxigraph(work)
            try:
                return _timed(lambda: _run(DPRK_KG, "--store", str(store), "push", *server.push_args()))
            finally:
                server.kill()

        def virtuoso_load(work: Path) -> float:
            shutil.copy(quads, work / "quads.nq")
            server = servers.virtuoso(work)
            try:
                return _timed(
                    lambda: servers.isql(
                        server,
                        f"ld_dir('{work}', 'quads.nq', 'urn:dprk-kg:bench'); rdf_loader_run();",
                        f"dba-{server.password}",
                    )
                )
            finally:
                server.kill()

        def virtuoso_push(work: Path) -> float:
            server = servers.virtuoso(work)
            try:
                return _timed(
                    lambda: _run(DPRK_KG, "--store", str(store), "push", *server.push_args(), env=server.env())
                )
            finally:
                server.kill()

        rows = []
        for name, load, push, goal, baseline in (
            ("push to the Oxigraph server", oxigraph_load, oxigraph_push, 2.0, "oxigraph load (bulk loader)"),
            ("push to Virtuoso 7", virtuoso_load, virtuoso_push, 5.0, "ld_dir + rdf_loader_run"),
        ):
            rows.append(
                {
                    "measure": name,
                    "baseline": f"{baseline}, same quads",
                    "baseline_s": _median_runs(runs, load),
                    "project_s": _median_runs(runs, push),
                    "goal": goal,
                    "note": note,
                }
            )
        return rows


def main() -> None:
    """Print the rows with their ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer datasets, one run each")
    parser.add_argument("--runs", type=int, help="runs per figure (default 3, 1 with --quick)")
    args = parser.parse_args()
    if not DATA.is_dir():
        sys.exit(f"no datasets at {DATA}")
    for row in measure(args.quick, args.runs):
        ratio = row["project_s"] / row["baseline_s"]
        print(
            f"{row['measure']:<30} {row['project_s']:8.2f} s vs {row['baseline']} "
            f"{row['baseline_s']:8.2f} s  ratio {ratio:5.2f}x (goal <= {row['goal']:g}x)  {row['note']}"
        )


if __name__ == "__main__":
    main()
