"""The HTML views in a real browser: headless Chromium through Playwright, pages from file://.

Every page is opened with all requests intercepted: anything but the page's own file fails the
test. Dialogs (``alert``) are recorded, never accepted silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.conftest import FIXTURES

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


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
        self.page.wait_for_selector("html[data-ready='1']", timeout=30_000)

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
        return self.js("Object.values(dprkKg.network.body.nodes)"
                       ".filter(n => !n.isCluster && !n.options.hidden).length")

    def node_id(self, label: str) -> int:
        return self.js("l => dprkKg.nodes.get({filter: n => n.label === l})[0].id", label)

    def hover(self, node: int) -> None:
        x, y = self.js("""id => { const p = dprkKg.network.canvasToDOM(dprkKg.network.getPosition(id));
                          const r = document.getElementById('net').getBoundingClientRect();
                          return [r.left + p.x, r.top + p.y]; }""", node)
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


def test_whole_graph_page_draws_every_entity_offline(browser, built):
    from graph.build import load_dataset
    from graph.network import project

    graph = project(load_dataset())
    opened = Opened(browser, built["exports"] / "graph.html")
    assert opened.drawn_nodes() == graph.number_of_nodes()
    assert opened.js("dprkKg.edges.length") == graph.number_of_edges()
    assert "entities" in opened.page.inner_text("header")
    opened.close()


def test_search_finds_by_alias_and_focuses_the_node(browser, tmp_path):
    opened = Opened(browser, _view(tmp_path, str(FIXTURES / "viz" / "sample.trig")))
    group = opened.node_id("Test Group")
    opened.page.fill("#search", "example spider")
    opened.page.press("#search", "Enter")
    assert opened.js("dprkKg.network.getSelectedNodes()") == [group]
    centre = opened.js("dprkKg.network.getViewPosition()")
    position = opened.js(f"dprkKg.network.getPosition({group})")
    assert abs(centre["x"] - position["x"]) < 1 and abs(centre["y"] - position["y"]) < 1
    assert opened.page.inner_text("#details h2") == "Test Group"
    assert "Found Test Group" in opened.page.inner_text("#search-status")
    opened.page.fill("#search", "no such thing")
    opened.page.press("#search", "Enter")
    assert "Nothing in this view is named" in opened.page.inner_text("#search-status")
    opened.close()


def test_tooltips_show_facts_and_source_urls(browser, tmp_path):
    opened = Opened(browser, _view(tmp_path, str(FIXTURES / "viz" / "sample.trig")))
    opened.hover(opened.node_id("Test Bridge theft"))
    opened.page.wait_for_selector("#tip:not([hidden])")
    tip = opened.page.inner_text("#tip")
    assert "event date: 2022-03-23" in tip and "reported loss: 1000 USD" in tip
    assert opened.js("[...document.querySelectorAll('#tip a')].map(a => a.href)") == ["https://example.org/report-a"]
    edge = opened.js("dprkKg.edges.get({filter: e => e.label === 'laundered through'})[0].id")
    opened.js(f"dprkKg.network.selectEdges([{edge}])")
    opened.js(f"dprkKg.network.body.emitter.emit('click', {{nodes: [], edges: [{edge}]}})")
    assert opened.js("[...document.querySelectorAll('#details a')].map(a => a.href)") == ["https://example.org/report-b"]
    opened.close()


def test_type_filters_and_sanction_marks(browser, tmp_path):
    opened = Opened(browser, _view(tmp_path, str(FIXTURES / "viz" / "sample.trig")))
    assert opened.drawn_nodes() == 11
    opened.page.click("#legend input[value='mixer']")
    assert opened.drawn_nodes() == 9
    opened.page.click("#legend input[value='mixer']")
    assert opened.drawn_nodes() == 11
    listed = opened.js(f"dprkKg.nodes.get({opened.node_id('Test Mixer')})")
    delisted = opened.js(f"dprkKg.nodes.get({opened.node_id('Other Mixer')})")
    plain = opened.js(f"dprkKg.nodes.get({opened.node_id('Test Group')})")
    assert listed["borderWidth"] == 4 and "shapeProperties" not in listed
    assert delisted["shapeProperties"]["borderDashes"] and delisted["color"]["border"] != listed["color"]["border"]
    assert plain["borderWidth"] == 1
    opened.close()


def test_hostile_labels_run_nothing_and_inject_nothing(browser, tmp_path):
    opened = Opened(browser, _view(tmp_path, str(FIXTURES / "viz" / "hostile.ttl")))
    for label in ("<script>alert(1)</script>", "</script><script>alert(4)</script>",
                  "</SCRIPT><!-- a mixer with script in its IRI path"):
        opened.hover(opened.node_id(label))
        opened.page.wait_for_selector("#tip:not([hidden])")
        assert opened.page.inner_text("#tip h2") == label
        opened.page.fill("#search", label)
        opened.page.press("#search", "Enter")
        assert opened.page.inner_text("#details h2") == label
    opened.hover(opened.node_id("</script><script>alert(4)</script>"))
    assert "country: <b onmouseover=alert(6)>bold</b>" in opened.page.inner_text("#tip")
    assert opened.js("document.querySelectorAll('img, b, iframe, object').length") == 0
    assert opened.js("document.scripts.length") == 3
    assert opened.js("[...document.querySelectorAll('a')].every(a => a.href.startsWith('https://'))")
    assert not opened.js("[...document.querySelectorAll('*')].some(e => e.getAttributeNames()"
                         ".some(n => n.startsWith('on')))")
    opened.close()


def test_node_limit_note_is_visible(browser, tmp_path):
    opened = Opened(browser, _view(tmp_path, str(FIXTURES / "viz" / "sample.trig"), "--max-nodes", "4"))
    assert opened.page.is_visible("p.note")
    assert "Showing the 4 most connected of 11 entities" in opened.page.inner_text("p.note")
    assert opened.drawn_nodes() == 4
    opened.close()
