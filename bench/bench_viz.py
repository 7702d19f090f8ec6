"""Time-to-ready of the HTML views in headless Chromium, against default pyvis in the same run.

Generates synthetic graphs of 1,000 and 5,000 entities (a preferential-attachment network of
made-up nodes, written under bench/out/), draws each with ``graph.visualize`` and with pyvis's
defaults (physics on), and opens both from file:// in Debian's Chromium through Playwright.
Ready means: our page has drawn once (its ``data-ready`` flag); the pyvis page has fired
``stabilized``. A pyvis page that does not settle within the cap is reported as such.

    .venv/bin/python bench/bench_viz.py                 # medians of 3 runs (pyvis: 1 run)
    .venv/bin/python bench/bench_viz.py --sizes 1000 --runs 5 --baseline-runs 3
    .venv/bin/python bench/bench_viz.py --screenshot exports/graph.html docs/graph.png
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
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
    lines = [f"{graph} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{NS}ns#SourceDocument> {graph} .",
             f'{graph} <http://purl.org/dc/terms/title> "Synthetic benchmark graph" {graph} .']
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
    from graph.visualize import ViewOptions, load_file, write_view

    started = time.perf_counter()
    out = OUT / f"ours-{n}.html"
    write_view(load_file(write_rdf(n)), out, ViewOptions(title=f"synthetic {n}"))
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
    except Exception as exc:  # noqa: BLE001 - Playwright's TimeoutError is the expected outcome
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
            if all(s is not None for s in settled):
                theirs = statistics.median(settled)
                base, ratio = f"{theirs:.1f} s", f"{theirs / mine:.0f}x"
            else:
                base, ratio = f"> {cap} s (unsettled)", f"> {cap / mine:.0f}x"
            print(f"{n:>6} {mine:>12.2f} s {python_s:>7.1f} s {base:>16} {ratio:>8}", flush=True)
        browser.close()
    print(f"medians of {runs} runs (dprk-kg) and {baseline_runs} (pyvis, capped); pages in {OUT}")


def screenshot(page_path: Path, png: Path) -> None:
    """A PNG of a view once it is drawn, for the README."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(page_path.resolve().as_uri())
        page.wait_for_selector("html[data-ready='1']")
        page.screenshot(path=str(png))
        browser.close()
    print(f"wrote {png}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline-runs", type=int, default=1)
    parser.add_argument("--screenshot", nargs=2, type=Path, metavar=("PAGE", "PNG"))
    args = parser.parse_args()
    if args.screenshot:
        screenshot(*args.screenshot)
    else:
        bench(args.sizes, args.runs, args.baseline_runs)


if __name__ == "__main__":
    main()
