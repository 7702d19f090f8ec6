"""The graph page in a real browser: headless Chromium through Playwright, pages from file://.

Every page is opened with all requests intercepted: anything but the page's own file fails the
test. Dialogs (``alert``) are recorded, never accepted silently. The pages tested are the curated
graph (``exports/graph.html``), small fixtures, and the whole-store view of a store with every
shared dataset imported (``real_pages``, set up once per session).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.bench_viz import write_real_pages
from cli import main
from tests.conftest import FIXTURES
from tests.test_viz import CORE

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright; skips when it is not installed (CI installs it)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Opened:
    """A page opened from a file, with what it requested, logged and tried to show."""

    def __init__(self, browser, path: Path):
        self.url = path.resolve().as_uri()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.goto(self.url)
        self.page.wait_for_selector("html[data-ready='1']", timeout=60_000)

    def _route(self, route):
        if route.request.url == self.url:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def drawn_nodes(self) -> int:
        return self.js("Object.values(dprkKg.network.body.nodes).filter(n => !n.isCluster && !n.options.hidden).length")

    def node_id(self, label: str) -> int:
        return self.js("l => dprkKg.nodes.get({filter: n => n.label === l})[0].id", label)

    def search(self, text: str) -> str:
        """Type ``text`` in the search box, press Enter; the status line it gives."""
        self.page.fill("#search", text)
        self.page.press("#search", "Enter")
        return self.page.inner_text("#search-status")

    def hover(self, node: int) -> None:
        x, y = self.js(
            """id => { const p = dprkKg.network.canvasToDOM(dprkKg.network.getPosition(id));
                          const r = document.getElementById('net').getBoundingClientRect();
                          return [r.left + p.x, r.top + p.y]; }""",
            node,
        )
        self.page.mouse.move(x, y)

    def close(self) -> None:
        assert not self.outside, f"requests left the page: {self.outside}"
        assert not self.errors, f"console or page errors: {self.errors}"
        assert not self.dialogs, f"dialogs opened: {self.dialogs}"
        self.page.close()


def _view(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "view.html"
    result = CliRunner().invoke(main, ["viz", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def real_pages(real_store, tmp_path_factory) -> dict[str, Path]:
    """graph.html and timeline.html of the store with every shared dataset imported."""
    return write_real_pages(real_store, tmp_path_factory.getbasetemp() / "real-views")


def _core_is_drawn_without_sources(opened: Opened) -> None:
    drawn = set(opened.js("dprkKg.nodes.get().map(n => n.label)"))
    assert drawn >= CORE, CORE - drawn
    kinds = opened.js("[...new Set(dprkKg.data.nodes.map(n => dprkKg.data.kinds[n.kind].name))]")
    assert "source" not in kinds and "sanction" not in kinds
    names = opened.js("dprkKg.data.nodes.map(n => n.names.map(x => x[0].toLowerCase()))")
    for entity in ("lazarus group", "tornado cash"):
        assert sum(entity in entry for entry in names) == 1, entity


def _tornado_cash_shows_its_delisting(opened: Opened) -> None:
    assert opened.search("tornado cash").startswith("Found Tornado Cash (mixer)")
    details = opened.page.inner_text("#details")
    assert opened.page.inner_text("#details .state") == "Sanctioned, since delisted"
    assert "Sanctioned: listed" not in details
    for day in ("2022-08-08", "2022-11", "2025-03-21"):
        assert day in details
    node = opened.js("dprkKg.nodes.get(dprkKg.network.getSelectedNodes()[0])")
    assert node["shapeProperties"]["borderDashes"]
    links = opened.js("[...document.querySelectorAll('#details .history a')].map(a => a.href)")
    assert links and all(link.startswith("https://") for link in links)


def test_curated_page_draws_the_core_without_sources_offline(browser, built):
    opened = Opened(browser, built["exports"] / "graph.html")
    _core_is_drawn_without_sources(opened)
    assert "entities" in opened.page.inner_text("header")
    assert "--sources draws them" in opened.page.inner_text("header")
    opened.close()


def test_curated_page_tornado_cash_and_search_by_name_alias_and_address(browser, built):
    opened = Opened(browser, built["exports"] / "graph.html")
    _tornado_cash_shows_its_delisting(opened)
    assert opened.search("OFAC").startswith("Found Office of Foreign Assets Control (government body) by alias")
    assert opened.search("0x098b716b8aaf21512996dc57eb0615e2383e2f96").startswith("Found Ethereum address")
    assert opened.search("lazarus grp").startswith("Found Lazarus Group")
    opened.close()


@pytest.mark.shared
def test_page_of_every_shared_dataset_draws_one_node_per_entity(browser, real_pages):
    opened = Opened(browser, real_pages["graph"])
    _core_is_drawn_without_sources(opened)
    lazarus = opened.js("dprkKg.data.nodes.find(n => n.label === 'Lazarus Group').records.map(r => r.id)")
    assert {r.split(":")[0] for r in lazarus} == {"kg", "dataset"} and len(lazarus) >= 3
    kinds = opened.js("dprkKg.data.nodes.map(n => dprkKg.data.kinds[n.kind].name)")
    assert kinds.count("designated party") < len(kinds) / 2
    assert "left out" in opened.page.inner_text("header")
    opened.close()


@pytest.mark.shared
def test_page_of_every_shared_dataset_search_and_delisting(browser, real_pages):
    opened = Opened(browser, real_pages["graph"])
    _tornado_cash_shows_its_delisting(opened)
    assert opened.search("Hidden Cobra").startswith("Found Lazarus Group (group) by alias")
    address = opened.js(
        "dprkKg.data.nodes.find(n => n.names.some(x => x[1] === 'address')).names.find(x => x[1] === 'address')[0]"
    )
    assert opened.search(address.upper() if address.startswith("0x") else address).startswith("Found ")
    assert address in opened.page.inner_text("#details")
    opened.close()


def test_search_finds_by_alias_and_focuses_the_node(browser, tmp_path):
    opened = Opened(browser, _view(tmp_path, str(FIXTURES / "viz" / "sample.trig")))
    group = opened.node_id("Test Group")
    assert "Found Test Group (group) by alias" in opened.search("example spider")
    assert opened.js("dprkKg.network.getSelectedNodes()") == [group]
    centre = opened.js("dprkKg.network.getViewPosition()")
    position = opened.js(f"dprkKg.network.getPosition({group})")
    assert abs(centre["x"] - position["x"]) < 1 and abs(centre["y"] - position["y"]) < 1
    assert opened.page.inner_text("#details h2") == "Test Group"
    assert "Nothing in this view is named" in opened.search("no such thing")
    opened.close()


def test_long_address_lists_stay_inside_the_panel(browser, tmp_path):
    opened = Opened(browser, _view(tmp_path, str(FIXTURES / "viz" / "cluster.trig")))
    opened.search("Sample Mixer")
    assert "4 addresses" not in opened.page.inner_text("#details")
    assert opened.page.inner_text("#details").count("holds address: ETH 0x") == 4
    overflow = opened.js("""[...document.querySelectorAll('#details *')].filter(e =>
        e.getBoundingClientRect().right > document.querySelector('aside').getBoundingClientRect().right + 1).length""")
    assert overflow == 0
    records = opened.js("[...document.querySelectorAll('#details .iri')].map(e => e.textContent)")
    assert "dataset:sample-list/entry/7 (designated party)" in records
    opened.close()


def test_tooltips_show_facts_and_source_urls(browser, tmp_path):
    opened = Opened(browser, _view(tmp_path, str(FIXTURES / "viz" / "sample.trig")))
    opened.hover(opened.node_id("Test Bridge theft"))
    opened.page.wait_for_selector("#tip:not([hidden])")
    tip = opened.page.inner_text("#tip")
    assert "event date: 2022-03-23" in tip and "reported loss: 1000 USD" in tip
    assert set(opened.js("[...document.querySelectorAll('#tip a')].map(a => a.href)")) == {
        "https://example.org/report-a"
    }
    edge = opened.js("dprkKg.edges.get({filter: e => e.label === 'laundered through'})[0].id")
    opened.js(f"dprkKg.network.selectEdges([{edge}])")
    opened.js(f"dprkKg.network.body.emitter.emit('click', {{nodes: [], edges: [{edge}]}})")
    assert opened.js("[...document.querySelectorAll('#details a')].map(a => a.href)") == [
        "https://example.org/report-b"
    ]
    opened.close()


def test_type_filters_and_sanction_marks(browser, tmp_path):
    opened = Opened(browser, _view(tmp_path, str(FIXTURES / "viz" / "sample.trig")))
    assert opened.drawn_nodes() == 6
    opened.page.click("#legend input[value='mixer']")
    assert opened.drawn_nodes() == 4
    opened.page.click("#legend input[value='mixer']")
    assert opened.drawn_nodes() == 6
    listed = opened.js(f"dprkKg.nodes.get({opened.node_id('Test Mixer')})")
    delisted = opened.js(f"dprkKg.nodes.get({opened.node_id('Other Mixer')})")
    plain = opened.js(f"dprkKg.nodes.get({opened.node_id('Test Group')})")
    assert listed["borderWidth"] == 4 and "shapeProperties" not in listed
    assert delisted["shapeProperties"]["borderDashes"] and delisted["color"]["border"] != listed["color"]["border"]
    assert plain["borderWidth"] == 1
    opened.close()


def test_hostile_labels_run_nothing_and_inject_nothing(browser, tmp_path):
    opened = Opened(browser, _view(tmp_path, str(FIXTURES / "viz" / "hostile.ttl")))
    for label in (
        "<script>alert(1)</script>",
        "</script><script>alert(4)</script>",
        "</SCRIPT><!-- a mixer with script in its IRI path",
    ):
        opened.hover(opened.node_id(label))
        opened.page.wait_for_selector("#tip:not([hidden])")
        assert opened.page.inner_text("#tip h2") == label
        opened.search(label)
        assert opened.page.inner_text("#details h2") == label
    opened.hover(opened.node_id("</script><script>alert(4)</script>"))
    assert "country: <b onmouseover=alert(6)>bold</b>" in opened.page.inner_text("#tip")
    assert opened.js("document.querySelectorAll('img, b, iframe, object').length") == 0
    assert opened.js("document.scripts.length") == 3
    assert opened.js("[...document.querySelectorAll('a')].every(a => a.href.startsWith('https://'))")
    assert not opened.js(
        "[...document.querySelectorAll('*')].some(e => e.getAttributeNames().some(n => n.startsWith('on')))"
    )
    opened.close()


def test_node_limit_note_is_visible(browser, tmp_path):
    opened = Opened(browser, _view(tmp_path, str(FIXTURES / "viz" / "sample.trig"), "--max-nodes", "4"))
    assert opened.page.is_visible("p.note")
    assert "Showing the 4 most relevant entities" in opened.page.inner_text("header")
    assert opened.drawn_nodes() == 4
    opened.close()
