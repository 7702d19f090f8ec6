"""Time-to-ready of the HTML views in headless Chromium, against default pyvis in the same run.

Generates synthetic graphs of 1,000 and 5,000 entities (a preferential-attachment network of
made-up nodes, written under bench/out/), draws each with ``graph.visualize`` and with pyvis's
defaults (physics on), and opens both from file:// in Debian's Chromium through Playwright.
Ready means: our page has drawn once (its ``data-ready`` flag); the pyvis page has fired
``stabilized``. A pyvis page that does not settle within the cap is reported as such.

    .venv/bin/python bench/bench_viz.py                 # medians of 3 runs (pyvis: 1 run)
    .venv/bin/python bench/bench_viz.py --quick         # 1,000 nodes, one run
    .venv/bin/python bench/bench_viz.py --screenshot exports/graph.html docs/graph.png
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from pathlib import Path

from common import print_rows, row

OUT = Path(__file__).resolve().parent / "out"
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
#: With --quick the pyvis page gets this long to settle; past it the baseline is a lower bound.
QUICK_CAP = 20
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
    except Exception as exc:
        if type(exc).__name__ != "TimeoutError":
            raise
        return None
    finally:
        page.close()


def measure(quick: bool = False) -> list[dict]:
    """Time to a drawn page, ours against pyvis's defaults, per size (quick: 1,000 nodes, one run)."""
    from playwright.sync_api import sync_playwright

    sizes, runs = ([1000], 1) if quick else ([1000, 5000], 3)
    OUT.mkdir(exist_ok=True)
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for n in sizes:
            cap = QUICK_CAP if quick else CAPS.get(n, 180)
            page, python_s = ours(n)
            ready = [time_to_ready(browser, page, "dprkKgReadyAt", cap) for _ in range(runs)]
            drawn = [r for r in ready if r is not None]
            if not drawn:
                raise RuntimeError(f"our page of {n} nodes did not draw within {cap} s")
            settled = time_to_ready(browser, default_pyvis(n), "benchReadyAt", cap)
            note = f"Python wrote the page in {python_s:.1f} s"
            if settled is None:
                settled, note = float(cap), f"{note}; pyvis did not settle within {cap} s (baseline is at least that)"
            rows.append(
                row(
                    f"viz page of {n:,} nodes ready in Chromium",
                    "pyvis defaults, settled (one run)",
                    settled,
                    statistics.median(drawn),
                    1.0,
                    note,
                )
            )
        browser.close()
    return rows


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
    parser.add_argument("--quick", action="store_true", help="1,000 nodes, one run")
    parser.add_argument("--screenshot", nargs=2, type=Path, metavar=("PAGE", "PNG"))
    args = parser.parse_args()
    if args.screenshot:
        screenshot(*args.screenshot)
    else:
        print_rows(measure(args.quick))


if __name__ == "__main__":
    main()
