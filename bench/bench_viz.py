"""Benchmarks of the HTML views: writing views of the store with every shared dataset imported,
against raw pyoxigraph on the same store in the same run; and time-to-ready in headless Chromium
against default pyvis.

``measure(quick)`` (run by ``bench/run_all.py``) times, as fresh processes (start-up counts as a
user feels it), medians of several runs:

- ``viz --focus "Lazarus Group" --depth 2`` against a pyoxigraph process answering the focus
  entity's neighbourhood query (``bench/viz-neighbourhood.rq``: every statement with one of its
  records, curated, ATT&CK, MISP and SDN, as subject or object); goal: at most 20x;
- ``viz`` (the whole-store default view) against a pyoxigraph process reading every quad of the
  store; goal: at most 3x.

The store with every shared dataset is ``bench.common.real_store()`` (``bench/real_store.py``),
set up once under bench/out/real/.

    .venv/bin/python bench/bench_viz.py                 # the ratios above
    .venv/bin/python bench/bench_viz.py --browser --sizes 1000 --runs 5 --baseline-runs 3
    .venv/bin/python bench/bench_viz.py --screenshot exports/graph.html docs/graph.png --select "Tornado Cash"
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
FOCUS = "Lazarus Group"
BASELINE_QUADS = """
import sys
import pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
count = sum(1 for _ in store.quads_for_pattern(None, None, None, None))
print(count)
"""
BASELINE_FOCUS = """
import sys
import pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
query = open(sys.argv[2], encoding="utf-8").read()
rows = 0
for record in sys.argv[3:]:
    rows += len(list(store.query(query, substitutions={ox.Variable("focus"): ox.NamedNode(record)})))
print(rows)
"""
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CAPS = {1000: 60, 5000: 180}
CLASSES = ["ThreatGroup", "Incident", "Mixer", "Exchange", "CryptoAddress", "Company"]
NS = "https://w3id.org/dprk-kg/"

#: Our ready flag, and a hook that records when the pyvis network fires ``stabilized``.
HOOK = """
let net;
Object.defineProperty(window, 'network', {configurable: true, get() { return net; }, set(value) {
  net = value;
  value.once('stabilized', () => { window.benchReadyAt = performance.now(); });
}});
"""


def synthetic(n: int, seed: int = 7) -> tuple[list[tuple[int, str]], list[tuple[int, int]]]:
    """Nodes (index, class) and edges of a made-up preferential-attachment graph."""
    rng = random.Random(seed)
    nodes = [(i, CLASSES[rng.randrange(len(CLASSES))]) for i in range(n)]
    edges, ends = [], [0]
    for i in range(1, n):
        for _ in range(1 + (rng.random() < 0.5)):
            j = rng.choice(ends)
            if j != i and (j, i) not in edges:
                edges.append((i, j))
                ends += [i, j]
        ends.append(i)
    return nodes, edges


def write_rdf(n: int) -> Path:
    """The synthetic graph as N-Quads in one source graph."""
    nodes, edges = synthetic(n)
    graph = f"<{NS}source/bench-synthetic>"
    lines = [
        f"{graph} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{NS}ns#SourceDocument> {graph} .",
        f'{graph} <http://purl.org/dc/terms/title> "Synthetic benchmark graph" {graph} .',
    ]
    for i, cls in nodes:
        lines.append(f"<{NS}id/bench-{i}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{NS}ns#{cls}> {graph} .")
        lines.append(f'<{NS}id/bench-{i}> <http://www.w3.org/2000/01/rdf-schema#label> "Synthetic {i}" {graph} .')
    for a, b in edges:
        lines.append(f"<{NS}id/bench-{a}> <{NS}ns#affiliatedWith> <{NS}id/bench-{b}> {graph} .")
    path = OUT / f"synthetic-{n}.nq"
    path.write_text("\n".join(lines) + "\n")
    return path


def ours(n: int) -> tuple[Path, float]:
    """Our page for the synthetic graph, and the seconds Python took to write it."""
    from graph.views import ViewOptions, ViewReader, render, write_page

    started = time.perf_counter()
    out = OUT / f"ours-{n}.html"
    write_page(render(ViewReader.of_file(write_rdf(n)), ViewOptions(title=f"synthetic {n}", max_nodes=n)).html, out)
    return out, time.perf_counter() - started


def default_pyvis(n: int) -> Path:
    """The same graph through pyvis with its default options (vis-network inlined)."""
    from pyvis.network import Network

    nodes, edges = synthetic(n)
    net = Network(cdn_resources="in_line")
    for i, cls in nodes:
        net.add_node(i, label=f"Synthetic {i}", title=cls)
    for a, b in edges:
        net.add_edge(a, b, title="affiliated with")
    out = OUT / f"pyvis-{n}.html"
    out.write_text(net.generate_html())
    return out


def time_to_ready(browser, path: Path, flag: str, cap: float) -> float | None:
    """Seconds from navigation to ``window[flag]``, or None past ``cap`` seconds."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(HOOK)
    own = path.resolve().as_uri()
    page.route("**/*", lambda route: route.continue_() if route.request.url == own else route.abort())
    try:
        page.goto(own, wait_until="commit")
        page.wait_for_function(f"window.{flag} !== undefined", timeout=cap * 1000, polling=100)
        return page.evaluate(f"window.{flag}") / 1000
    except Exception as exc:
        if type(exc).__name__ != "TimeoutError":
            raise
        return None
    finally:
        page.close()


def bench(sizes: list[int], runs: int, baseline_runs: int) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        print(f"{'nodes':>6} {'dprk-kg ready':>14} {'(python)':>9} {'default pyvis':>16} {'ratio':>8}")
        for n in sizes:
            page, python_s = ours(n)
            ready = [time_to_ready(browser, page, "dprkKgReadyAt", CAPS.get(n, 180)) for _ in range(runs)]
            cap = CAPS.get(n, 180)
            baseline_page = default_pyvis(n)
            settled = [time_to_ready(browser, baseline_page, "benchReadyAt", cap) for _ in range(baseline_runs)]
            mine = statistics.median(r for r in ready if r is not None)
            finished = [s for s in settled if s is not None]
            if len(finished) == len(settled):
                theirs = statistics.median(finished)
                base, ratio = f"{theirs:.1f} s", f"{theirs / mine:.0f}x"
            else:
                base, ratio = f"> {cap} s (unsettled)", f"> {cap / mine:.0f}x"
            print(f"{n:>6} {mine:>12.2f} s {python_s:>7.1f} s {base:>16} {ratio:>8}", flush=True)
        browser.close()
    print(f"medians of {runs} runs (dprk-kg) and {baseline_runs} (pyvis, capped); pages in {OUT}")


def screenshot(page_path: Path, png: Path, select: str | None = None) -> None:
    """A PNG of a page once it is drawn, for the README; ``select`` is searched for on the graph
    page, or opens the last event whose label holds it on the timeline page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(page_path.resolve().as_uri())
        page.wait_for_selector("html[data-ready='1']")
        if select and page.evaluate("window.dprkKg !== undefined"):
            page.fill("#search", select)
            page.press("#search", "Enter")
        elif select:
            page.evaluate(
                """text => { const events = dprkKgTimeline.events;
                for (let i = events.length - 1; i >= 0; i--)
                  if (events[i].label.includes(text)) { dprkKgTimeline.open(i); return; } }""",
                select,
            )
        page.screenshot(path=str(png))
        browser.close()
    print(f"wrote {png}")


def write_real_pages(store: Path, root: Path) -> dict[str, Path]:
    """The whole-store graph page, the timeline page and Tornado Cash's timeline of the store
    ``set_up_views_store(root)`` sets up, written once under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    pages = {
        "store": store,
        "graph": root / "graph.html",
        "timeline": root / "timeline.html",
        "tornado": root / "tornado-timeline.html",
    }
    base = [sys.executable, "-m", "cli", "--store", str(store), "viz"]
    for name, args in (
        ("graph", []),
        ("timeline", ["--timeline"]),
        ("tornado", ["--timeline", "--entity", "Tornado Cash"]),
    ):
        if not pages[name].is_file():
            subprocess.run([*base, *args, "-o", str(pages[name])], cwd=REPO, check=True, capture_output=True)
    return pages


def _median(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=REPO, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(quick: bool = False) -> list[dict]:
    """Writing views of the store with every shared dataset, against raw pyoxigraph (see above)."""
    from bench.common import entity_records, real_store

    store = real_store()
    records = entity_records(store, FOCUS)
    runs = 1 if quick else 3
    viz = [sys.executable, "-m", "cli", "--store", str(store), "viz"]
    subprocess.run([*viz, "-o", str(OUT / "warm.html")], cwd=REPO, check=True, capture_output=True)
    focus = _median([*viz, "--focus", FOCUS, "--depth", "2", "-o", str(OUT / "focus.html")], runs)
    neighbourhood = _median(
        [sys.executable, "-c", BASELINE_FOCUS, str(store), str(BENCH / "viz-neighbourhood.rq"), *records], runs
    )
    whole = _median([*viz, "-o", str(OUT / "whole.html")], runs)
    quads = _median([sys.executable, "-c", BASELINE_QUADS, str(store)], runs)
    return [
        {
            "measure": f"viz --focus '{FOCUS}' --depth 2, every shared dataset",
            "baseline": "pyoxigraph process: the neighbourhood query of each of the focus entity's records",
            "baseline_s": neighbourhood,
            "project_s": focus,
            "goal": 20.0,
        },
        {
            "measure": "viz (whole-store default view), every shared dataset",
            "baseline": "pyoxigraph process: read every quad of the store",
            "baseline_s": quads,
            "project_s": whole,
            "goal": 3.0,
            "note": f"medians of {runs} run(s), fresh processes",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--screenshot", nargs=2, type=Path, metavar=("PAGE", "PNG"))
    parser.add_argument("--select", metavar="TEXT", help="with --screenshot: search for (or open) TEXT first")
    parser.add_argument("--browser", action="store_true", help="time-to-ready in Chromium against pyvis")
    parser.add_argument("--quick", action="store_true", help="one run of each measure")
    args = parser.parse_args()
    if args.screenshot:
        page_path, png = args.screenshot
        screenshot(page_path, png, args.select)
    elif args.browser:
        bench(args.sizes, args.runs, args.baseline_runs)
    else:
        for row in measure(args.quick):
            ratio = row["project_s"] / row["baseline_s"]
            print(
                f"{row['measure']}: {row['project_s']:.2f} s vs {row['baseline_s']:.2f} s "
                f"({row['baseline']}): {ratio:.1f}x (goal <= {row['goal']:.0f}x)"
            )


if __name__ == "__main__":
    main()
