"""Run every benchmark in bench/ (each bench_*.py module's ``measure``) and print one table.

Each row: measure, baseline, the baseline's median, the project's median, their ratio, the goal
(the largest ratio allowed) and whether it is met. A module whose ``measure`` raises is shown as
a row with its error (as is a row a module could not measure, such as a server that is not
installed), and the run exits 1 at the end; unmet goals are counted, not failures.
``--quick`` runs only the modules that set ``QUICK = True`` (those measuring the everyday commands
of issue 15's table), each with fewer runs, unless modules are named.

Usage:
    python bench/run_all.py                # every benchmark, full size (under 15 minutes)
    python bench/run_all.py --quick        # issue 15's table only, fewer runs (under 3 minutes)
    python bench/run_all.py build network  # only bench_build.py and bench_network.py
"""

from __future__ import annotations

import argparse
import compileall
import importlib
import sys
import time
import traceback
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


def collect(names: list[str], quick: bool, folder: Path = BENCH) -> tuple[list[dict], int]:
    """Every row of every selected module in ``folder``, and how many modules failed."""
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    modules = sorted(p.stem for p in folder.glob("bench_*.py"))
    if names:
        modules = [m for m in modules if m.removeprefix("bench_") in names]
    rows: list[dict] = []
    failed = 0
    for name in modules:
        started = time.perf_counter()
        try:
            module = importlib.import_module(name)
            if quick and not names and not getattr(module, "QUICK", False):
                continue
            print(f"... {name}", file=sys.stderr, flush=True)
            found = module.measure(quick)
        except Exception as exc:  # one failing benchmark must not hide the others
            failed += 1
            traceback.print_exc(file=sys.stderr)
            rows.append({"measure": f"{name}: FAILED", "baseline": f"{type(exc).__name__}: {exc}"[:200], "error": True})
            continue
        failed += any(found_row.get("error") for found_row in found)
        for found_row in found:
            rows.append({**found_row, "module": name})
        print(f"... {name}: {len(found)} row(s) in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return rows, failed


def cells(r: dict) -> list[str]:
    """One table row as text."""
    if r.get("error"):
        return [r["measure"], r["baseline"], "", "", "", "", "ERROR"]
    ratio = r["project_s"] / r["baseline_s"] if r["baseline_s"] else float("inf")
    measure = r["measure"] + (f" ({r['note']})" if r.get("note") else "")
    return [
        measure,
        r["baseline"],
        f"{r['baseline_s']:.3f}",
        f"{r['project_s']:.3f}",
        f"{ratio:.2f}x",
        f"<= {r['goal']:.2f}x",
        "yes" if ratio <= r["goal"] else "NO",
    ]


def table(rows: list[dict]) -> str:
    """The rows as one Markdown table."""
    header = ["measure", "baseline", "baseline (s)", "project (s)", "ratio", "goal", "met"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(c.replace("|", "/") for c in cells(r)) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def main(folder: Path = BENCH) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (bench_NAME.py), default all")
    parser.add_argument("--quick", action="store_true", help="issue 15's table only, fewer runs (under 3 minutes)")
    args = parser.parse_args()
    started = time.perf_counter()
    # Byte-compile the project as an installed package is: an editable install is not compiled,
    # and with PYTHONDONTWRITEBYTECODE set every command would compile its modules on each run.
    compileall.compile_dir(REPO / "graph", quiet=1)
    compileall.compile_file(REPO / "cli.py", quiet=1)
    rows, failed = collect(args.names, args.quick, folder)
    print(table(rows), end="")
    unmet = sum(1 for r in rows if not r.get("error") and cells(r)[-1] == "NO")
    print(
        f"\n{len(rows)} rows in {time.perf_counter() - started:.0f} s ({'quick' if args.quick else 'full'}); "
        f"{unmet} goal(s) not met; {failed} benchmark(s) failed"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
