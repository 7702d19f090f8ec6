"""`dprk-kg timeline` and `dprk-kg conflicts` on the curated graph, asserted on parsed output."""

from __future__ import annotations

import csv
import io
import json

from cli import main


def run(runner, built, *args):
    return runner.invoke(main, ["--store", str(built["store"]), *args])


def timeline(runner, built, *args) -> list[dict]:
    result = run(runner, built, "timeline", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_timeline_in_date_order_with_sources(runner, built):
    events = timeline(runner, built)
    dates = [e["date"] for e in events]
    assert dates == sorted(dates)
    assert any(
        e["date"] == "2025-03-21"
        and e["event"] == "delisted"
        and "src:ofac-2025-03-21-recent-action-tornado-cash-delisting" in e["sources"]
        for e in events
    )


def test_timeline_window_and_entity(runner, built):
    events = timeline(runner, built, "--since", "2022-08", "--until", "2022-08-31", "--entity", "tornado cash")
    assert {e["date"] for e in events} == {"2022-08-08"}
    assert any(e["event"] == "designated" and e["label"].startswith("OFAC designation of Tornado Cash") for e in events)


def test_timeline_event_types_order_tornado_cash_history(runner, built):
    events = timeline(runner, built, "--entity", "Tornado Cash", "--event", "designation", "--event", "delisting")
    assert [(e["date"], e["event"]) for e in events] == [
        ("2022-08-08", "designated"),
        ("2022-11", "designated"),
        ("2025-03-21", "delisted"),
    ]


def test_timeline_as_of_leaves_out_later_events(runner, built):
    events = timeline(runner, built, "--entity", "Tornado Cash", "--as-of", "2024-06-01")
    assert events and all(e["date"] <= "2024-06-01" for e in events)
    assert not any(e["event"] == "delisted" for e in events)


def test_timeline_csv_parses(runner, built):
    result = run(runner, built, "timeline", "--entity", "Sinbad", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and set(rows[0]) == {"date", "event", "what", "involved", "sources"}


def test_timeline_bad_dates(runner, built):
    result = run(runner, built, "timeline", "--since", "2022-02-30")
    assert result.exit_code == 2
    assert "--since: '2022-02-30' is not a date" in result.stderr
    result = run(runner, built, "timeline", "--since", "2024", "--until", "2023-05")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: --since 2024 is after --until 2023-05"


def test_timeline_empty_window_explains(runner, built):
    result = run(runner, built, "timeline", "--since", "1990", "--until", "1990")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no dated events match" in result.stderr


def conflicts(runner, built, *args) -> list[dict]:
    result = run(runner, built, "conflicts", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "fact(s) on which sources disagree" in result.stderr
    return json.loads(result.stdout)


def test_conflicts_side_by_side(runner, built):
    found = conflicts(runner, built)
    ronin = next(c for c in found if c["entity"] == "kg:ronin-bridge-hack" and c["aspect"] == "reported loss (USD)")
    values = {v["value"]: v["sources"] for v in ronin["values"]}
    assert {"540000000", "620000000", "625000000", "621000000-630000000"} <= set(values)
    assert "src:forbes-india-2022-04-ronin-bridge-hack" in values["540000000"]
    assert not any("all-thieves" in c["entity"] for c in found)


def test_conflicts_for_one_entity(runner, built):
    found = conflicts(runner, built, "--entity", "Tornado Cash")
    assert found and {c["entity"] for c in found} == {"kg:tornado-cash"}
