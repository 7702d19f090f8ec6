"""Benchmark: load and the named queries on the project's store, plain rdflib and raw pyoxigraph.

For each size (triples) it generates a synthetic graph (bench/generate.py), then runs each engine
in its own subprocess so that its peak memory (max RSS, children included) is its own:

* project: ``store.replace_graphs`` (what ``build`` does) and ``query.run_query`` (what
  ``dprk-kg query -n NAME`` does: safety check, forked read-only child, serialized CSV result);
  plus ``analyze`` on the network projection;
* pyoxigraph: ``Store.bulk_load`` and ``Store.query`` + CSV serialization, on disk;
* rdflib: an in-memory ``Dataset`` (default graph = union) and ``Dataset.query`` + CSV.

It prints medians and ratios to raw pyoxigraph. Queries that run past --rdflib-timeout on rdflib
are shown as ">N". Example (the full run takes several minutes):

    .venv/bin/python bench/bench_query.py
    .venv/bin/python bench/bench_query.py --sizes 10000,100000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def worker(engine: str, data: Path, repeat: int, load_repeat: int, rdflib_timeout: float) -> dict:
    """Run one engine on one file; return the medians (seconds) and peak RSS (MB)."""
    from graph.namespace import PREFIXES
    from graph.query import named_queries

    queries = {q.name: q.text for q in named_queries()}
    work = Path(tempfile.mkdtemp(prefix=f"bench-{engine}-"))
    result: dict = {"engine": engine, "queries": {}}
    try:
        if engine == "project":
            from graph import store
            from graph.query import run_query

            counter = iter(range(10**6))

            def load() -> None:
                store.replace_graphs(work / f"store-{next(counter)}", data, lambda g: False)

            result["load"] = _timed(load, load_repeat)
            path = work / "store-0"
            for name, text in queries.items():
                result["queries"][name] = _timed(lambda: run_query(path, text, "csv", 600), repeat)
            from graph.analyze import analyze
            from graph.network import project

            result["peak_mb"] = _peak_mb()  # load and queries; analyze's own peak is reported apart
            started = time.perf_counter()
            analyze(project(store.open_dataset(path, read_only=True)))
            result["analyze"] = time.perf_counter() - started
            result["analyze_peak_mb"] = _peak_mb()
        elif engine == "pyoxigraph":
            import pyoxigraph as ox

            counter = iter(range(10**6))

            def load() -> None:
                ox.Store(str(work / f"store-{next(counter)}")).bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)

            result["load"] = _timed(load, load_repeat)
            db = ox.Store(str(work / "store-0"))
            for name, text in queries.items():
                def run() -> None:
                    answer = db.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
                    answer.serialize(format=ox.QueryResultsFormat.CSV)
                result["queries"][name] = _timed(run, repeat)
        else:
            from rdflib import Dataset

            holder: list[Dataset] = []

            def load() -> None:
                dataset = Dataset(default_union=True)
                dataset.parse(data, format="nquads")
                holder[:] = [dataset]

            result["load"] = _timed(load, load_repeat)
            header = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())

            def alarm(signum, frame):
                raise TimeoutError

            signal.signal(signal.SIGALRM, alarm)
            for name, text in queries.items():
                signal.setitimer(signal.ITIMER_REAL, rdflib_timeout)
                try:
                    result["queries"][name] = _timed(
                        lambda: holder[0].query(header + text).serialize(format="csv"), repeat)
                except TimeoutError:
                    result["queries"][name] = None
                finally:
                    signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result.setdefault("peak_mb", _peak_mb())
    return result


def cold_start(repeat: int) -> float:
    """Median wall time of a fresh `dprk-kg query -n sanctioned-mixers` on a built curated store."""
    cli = Path(sys.executable).with_name("dprk-kg")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([cli, "--store", f"{tmp}/store", "build", "--quiet", "--out", f"{tmp}/exports"],
                       check=True, capture_output=True)
        command = [cli, "--store", f"{tmp}/store", "query", "-n", "sanctioned-mixers"]
        return _timed(lambda: subprocess.run(command, check=True, capture_output=True), max(repeat, 5))


def _fmt(value: float | None, timeout: float) -> str:
    return f">{timeout:g}" if value is None else f"{value:.3f}"


def _ratio(value: float | None, base: float | None) -> str:
    return "-" if value is None or not base else f"{value / base:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated triple counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query (median)")
    parser.add_argument("--engines", default="project,pyoxigraph,rdflib")
    parser.add_argument("--rdflib-timeout", type=float, default=120.0, help="seconds per rdflib query")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--load-repeat", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.repeat, args.load_repeat, args.rdflib_timeout)))
        return
    from generate import generate

    print(f"cold start of `dprk-kg query -n sanctioned-mixers` on the curated graph: "
          f"{cold_start(args.repeat):.3f} s wall (median of {max(args.repeat, 5)})", flush=True)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    for size in (int(s) for s in args.sizes.split(",")):
        data = out / f"synthetic-{size}.nq"
        if not data.exists():
            data.write_bytes(generate(size))
        results = {}
        for engine in args.engines.split(","):
            print(f"... {size:,} triples: {engine}", file=sys.stderr, flush=True)
            load_repeat = 3 if size <= 100_000 else 1
            done = subprocess.run(
                [sys.executable, __file__, "--worker", engine, "--data", str(data), "--repeat",
                 str(args.repeat), "--load-repeat", str(load_repeat), "--rdflib-timeout", str(args.rdflib_timeout)],
                check=True, capture_output=True, text=True)
            results[engine] = json.loads(done.stdout.splitlines()[-1])
        base = results.get("pyoxigraph", {})
        engines = list(results)
        print(f"\n## {size:,} triples (medians in seconds; ratio = engine / raw pyoxigraph)\n")
        print("| measure | " + " | ".join(engines) + " | " +
              " | ".join(f"{e}/pyoxigraph" for e in engines if e != "pyoxigraph") + " |")
        print("|---" * (1 + len(engines) + len([e for e in engines if e != "pyoxigraph"])) + "|")
        measures = [("load", lambda r: r.get("load"))]
        measures += [(f"query {n}", (lambda n: lambda r: r["queries"].get(n, None))(n))
                     for n in results[engines[0]]["queries"]]
        for label, get in measures:
            values = [get(results[e]) for e in engines]
            cells = [_fmt(v, args.rdflib_timeout) for v in values]
            ratios = [_ratio(get(results[e]), get(base) if base else None) for e in engines if e != "pyoxigraph"]
            print(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
        print("| peak RSS (MB) | " + " | ".join(f"{results[e]['peak_mb']:.0f}" for e in engines) + " |")
        if "project" in results:
            print(f"\nanalyze (projection + centrality + components + communities + bridges): "
                  f"{results['project']['analyze']:.2f} s, peak RSS {results['project']['analyze_peak_mb']:.0f} MB")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
