"""What the benchmarks share: timing, child processes, rows, and the store with every dataset.

Every benchmark module ``bench/bench_<topic>.py`` defines ``measure(quick: bool = False) ->
list[dict]``; each row is made by ``row`` (measure, baseline, baseline_s, project_s, goal and
an optional note), both timings medians measured in the same run on the same data.
"""

from __future__ import annotations

import atexit
import hashlib
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
#: The command a user runs: the entry point installed beside this interpreter.
CLI = str(Path(sys.executable).with_name("dprk-kg"))
#: Generated data and the store with every dataset, kept between runs (ignored by git).
OUT = Path(__file__).resolve().parent / "out"

_stores: dict[str, Path] = {}


def row(measure: str, baseline: str, baseline_s: float, project_s: float, goal: float, note: str = "") -> dict:
    """One line of the benchmark table (see the module docstring)."""
    out = {"measure": measure, "baseline": baseline, "baseline_s": baseline_s, "project_s": project_s, "goal": goal}
    if note:
        out["note"] = note
    return out


def error_row(measure: str, reason: str) -> dict:
    """A row that could not be measured, with the reason (``run_all.py`` counts it as failed)."""
    return {"measure": measure, "baseline": reason[:200], "error": True}


#: A measure whose run takes longer is timed once: against a run this long, the noise between runs
#: is small, and repeating it would put `make bench` past its 15 minutes.
LONG_S = 10.0


def median_of(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of ``runs`` calls of ``fn`` (one call when it takes over ``LONG_S``)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
        if times[-1] > LONG_S:
            break
    return statistics.median(times)


def child(command: list[str], **kwargs) -> tuple[float, str]:
    """Run a command to its end; its wall time (s) and its stdout.

    A command that fails raises ``RuntimeError`` with the end of its stderr.
    """
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, cwd=REPO, **kwargs)
    wall = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return wall, done.stdout.decode()


def run_peak(command: list[str]) -> tuple[float, float]:
    """Wall time (s) and the child's own peak RSS (MiB, ``os.wait4``) of a command run to its end."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, cwd=REPO)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            err.seek(0)
            raise RuntimeError(f"{' '.join(command)} exited {process.returncode}: {err.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def python(code: str, *args: str) -> str:
    """Run Python code in a fresh interpreter (the checkout importable); its stdout."""
    return child([sys.executable, "-c", code, *args])[1]


def scratch(prefix: str) -> Path:
    """A temporary folder removed when the process ends."""
    folder = Path(tempfile.mkdtemp(prefix=f"dprk-kg-bench-{prefix}-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def curated_store() -> Path:
    """A store holding the curated graph only, built once per process."""
    if "curated" not in _stores:
        folder = scratch("curated")
        child([CLI, "--store", str(folder / "store"), "build", "--quiet", "--out", str(folder / "exports")])
        _stores["curated"] = folder / "store"
    return _stores["curated"]


def _real_store_key() -> str:
    """What the store with every dataset depends on: the code, the curated data, the match file
    and the shared datasets (names, sizes, modification times)."""
    digest = hashlib.sha256()
    for folder in ("graph", "ontology", "sources", "catalog", "links"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    for path in sorted(DATA.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(DATA)} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def real_store() -> Path:
    """The store with every shared dataset imported (``bench/real_store.py``), kept under
    ``bench/out/`` and set up again only when the code, the data or the datasets changed.

    Benchmarks that write must work on a copy (``copy_of``).
    """
    if "real" not in _stores:
        from bench.real_store import set_up

        if not DATA.is_dir():
            raise RuntimeError(f"no shared datasets at {DATA}")
        folder = OUT / "real"
        key = _real_store_key()
        marker = folder / "key"
        if not (marker.is_file() and marker.read_text() == key):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            print("... setting up the store with every shared dataset (bench/real_store.py)", file=sys.stderr)
            set_up(folder / "store", command=[CLI])
            marker.write_text(key)
        _stores["real"] = folder / "store"
    return _stores["real"]


def synthetic(triples: int) -> Path:
    """``bench/generate.py``'s graph of about ``triples`` quads as N-Quads, kept under
    ``bench/out/`` and written again only when ``generate.py`` changed."""
    from bench.generate import generate

    key = hashlib.sha256((REPO / "bench" / "generate.py").read_bytes()).hexdigest()[:12]
    path = OUT / f"synthetic-{triples}-{key}.nq"
    if not path.exists():
        OUT.mkdir(exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(generate(triples))
        partial.replace(path)
    return path


def synthetic_store(triples: int) -> Path:
    """A store bulk-loaded with ``synthetic(triples)`` by pyoxigraph, kept under ``bench/out/``
    for every module and run; benchmarks that write must work on a copy (``copy_of``)."""
    import pyoxigraph as ox

    data = synthetic(triples)
    folder = OUT / f"{data.stem}.store"
    if not folder.is_dir():
        partial = OUT / f"{data.stem}.store.partial"  # not synthetic()'s partial file
        shutil.rmtree(partial, ignore_errors=True)
        store = ox.Store(str(partial))
        store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
        store.optimize()
        del store
        partial.replace(folder)
    return folder


def entity_records(store: Path, name: str) -> list[str]:
    """The IRIs of every record of the entity called ``name`` (as ``show`` merges them), for a
    baseline that answers the entity's neighbourhood with raw pyoxigraph; found before timing."""
    import json

    from graph.terms import expand

    view = json.loads(child([CLI, "--store", str(store), "show", name, "--format", "json"])[1])
    return [expand(record["record"]) for record in view["records"]]


def copy_of(store: Path) -> Path:
    """A private copy of a store, removed when the process ends."""
    target = scratch("copy") / "store"
    shutil.copytree(store, target)
    return target


def print_rows(rows: list[dict]) -> None:
    """The rows of one benchmark module, for its ``__main__``."""
    for r in rows:
        if r.get("error"):
            print(f"{r['measure']}: not measured: {r['baseline']}")
            continue
        ratio = r["project_s"] / r["baseline_s"] if r["baseline_s"] else float("inf")
        print(
            f"{r['measure']}: {r['project_s']:.3f} vs {r['baseline']} {r['baseline_s']:.3f} = {ratio:.2f}x "
            f"(goal <= {r['goal']:g}x) {r.get('note', '')}"
        )
