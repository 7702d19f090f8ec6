"""The timeline page (`dprk-kg viz --timeline`, `exports/timeline.html`): its data, its options,
and the page in headless Chromium (no request leaves it; events open their sources)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main
from graph.terms import on_or_after, on_or_before
from tests.conftest import FIXTURES
from tests.test_browser import Opened, browser, real_pages  # noqa: F401 - fixtures shared with the graph page
from tests.test_viz import page_data

TORNADO = [
    ("2022-08-08", "designated", "OFAC designation of Tornado Cash (2022-08-08)"),
    ("2022-11", "designated", "OFAC re-designation of Tornado Cash (November 2022)"),
    ("2025-03-21", "delisted", "OFAC re-designation of Tornado Cash (November 2022)"),
]


def timeline(runner, store: Path, tmp_path: Path, *args: str, name: str = "timeline.html") -> Path:
    out = tmp_path / name
    result = runner.invoke(main, ["--store", str(store), "viz", "--timeline", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {out}: ")
    return out


def sanction_events(path: Path) -> list[tuple[str, str, str]]:
    return [
        (e["date"], e["event"], e["label"])
        for e in page_data(path)["events"]
        if e["event"] in ("designated", "delisted")
    ]


def test_exported_timeline_holds_every_kind_of_dated_event(built):
    data = page_data(built["exports"] / "timeline.html")
    dates = [e["date"] for e in data["events"]]
    assert dates == sorted(dates)
    assert {"incident", "attribution", "designated", "delisted", "report", "claim"} <= {
        e["event"] for e in data["events"]
    }
    ronin = next(e for e in data["events"] if e["event"] == "incident" and e["label"] == "Ronin bridge hack")
    assert any(f[0] == "reported loss" and "USD" in f[1] for f in ronin["facts"])
    attribution = next(e for e in data["events"] if e["event"] == "attribution")
    assert attribution["involved"] and attribution["sources"]
    assert all(e["sources"] for e in data["events"])


def test_entity_option_orders_tornado_cash_designations_and_delisting(runner, built, tmp_path):
    out = timeline(runner, built["store"], tmp_path, "--entity", "Tornado Cash")
    assert sanction_events(out) == TORNADO
    data = page_data(out)
    delisting = next(e for e in data["events"] if e["event"] == "delisted")
    sources = [data["sources"][i] for i in delisting["sources"]]
    assert any(s["date"] == "2025-03-21" and s["urls"] for s in sources)


def test_as_of_leaves_out_later_events_and_sources(runner, built, tmp_path):
    out = timeline(runner, built["store"], tmp_path, "--entity", "Tornado Cash", "--as-of", "2024-06-01")
    assert sanction_events(out) == TORNADO[:2]
    data = page_data(out)
    assert max(e["date"] for e in data["events"]) <= "2024-06-01"
    assert all(not s["date"] or s["date"] <= "2024-06-01" for s in data["sources"])
    assert "as the sources said on 2024-06-01" in out.read_text(encoding="utf-8")


def test_since_and_until_bound_the_dates(runner, built, tmp_path):
    out = timeline(runner, built["store"], tmp_path, "--since", "2022-11", "--until", "2023-01")
    dates = {e["date"] for e in page_data(out)["events"]}
    assert dates and all(on_or_after(d, "2022-11") and on_or_before(d, "2023-01") for d in dates)
    assert "2022-11" in dates and "2023-01-23/24" in dates  # a date the sources give as a range


def test_timeline_of_a_file_and_same_bytes_twice(runner, tmp_path):
    pages = []
    for name in ("a.html", "b.html"):
        out = tmp_path / name
        result = runner.invoke(main, ["viz", "--timeline", str(FIXTURES / "viz" / "sample.trig"), "-o", str(out)])
        assert result.exit_code == 0, result.output
        pages.append(out.read_bytes())
    assert pages[0] == pages[1]
    events = [(e["date"], e["event"]) for e in page_data(tmp_path / "a.html")["events"]]
    assert ("2022-03-23", "incident") in events and ("2024-11-26", "delisted") in events


@pytest.mark.browser
def test_timeline_page_opens_tornado_cash_sources_offline(browser, runner, built, tmp_path):  # noqa: F811
    out = timeline(runner, built["store"], tmp_path, "--entity", "Tornado Cash")
    _check_tornado_page(browser, out)


@pytest.mark.browser
def test_exported_timeline_page_draws_every_event_offline(browser, built):  # noqa: F811
    opened = Opened(browser, built["exports"] / "timeline.html")
    count = len(page_data(built["exports"] / "timeline.html")["events"])
    assert opened.js("document.querySelectorAll('#axis circle').length") == count
    assert opened.js("document.querySelectorAll('#events li:not(.year-head)').length") == count
    opened.page.click("#lanes input[value='report']")
    assert opened.js("document.querySelectorAll('#axis circle').length") < count
    opened.close()


@pytest.mark.browser
def test_hostile_labels_stay_text_on_the_timeline(browser, tmp_path):  # noqa: F811
    out = tmp_path / "hostile.html"
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["viz", "--timeline", str(FIXTURES / "viz" / "hostile.ttl"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    opened = Opened(browser, out)
    opened.page.click("#events li:not(.year-head)")
    assert "<img src=x onerror=alert(1)> hostile title" in opened.page.inner_text("#details")
    assert opened.js("document.querySelectorAll('img, b, iframe, object').length") == 0
    assert opened.js("[...document.querySelectorAll('a')].every(a => a.href.startsWith('https://'))")
    opened.close()


@pytest.mark.shared
@pytest.mark.browser
def test_timeline_of_every_shared_dataset_orders_tornado_cash(browser, real_pages):  # noqa: F811
    assert sanction_events(real_pages["tornado"]) == TORNADO
    _check_tornado_page(browser, real_pages["tornado"])
    opened = Opened(browser, real_pages["timeline"])
    assert opened.js("document.querySelectorAll('#axis circle').length") == len(
        page_data(real_pages["timeline"])["events"]
    )
    opened.close()


def _check_tornado_page(browser, path: Path) -> None:  # noqa: F811 - the fixture's value
    opened = Opened(browser, path)
    rows = opened.js("[...document.querySelectorAll('#events li:not(.year-head)')].map(li => li.textContent)")
    wanted = [f"{day}{event} {label}" for day, event, label in TORNADO]
    positions = [rows.index(w) for w in wanted]
    assert positions == sorted(positions)
    xs = opened.js(
        "[...document.querySelectorAll('#axis circle')].map(c => [c.querySelector('title').textContent,"
        " Number(c.getAttribute('cx'))])"
    )
    cx = [next(x for title, x in xs if title == f"{day} {event}: {label}") for day, event, label in TORNADO]
    assert cx == sorted(cx) and len(set(cx)) == 3
    opened.page.locator("#events li:not(.year-head)").nth(positions[2]).click()
    assert opened.page.inner_text("#details h2") == TORNADO[2][2]
    assert "2025-03-21 \u2014 delisted" in opened.page.inner_text("#details")
    links = opened.js("[...document.querySelectorAll('#details .sources a')].map(a => a.href)")
    assert links and all(link.startswith("https://") for link in links)
    opened.close()
