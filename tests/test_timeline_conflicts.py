"""`dprk-kg timeline` and `dprk-kg conflicts` on the curated graph."""

from __future__ import annotations

from cli import main


def run(runner, built, *args):
    return runner.invoke(main, ["--store", str(built["store"]), *args])


def table_rows(text):
    return [line.split("  ")[0].strip() for line in text.splitlines()[2:]]


def test_timeline_in_date_order_with_sources(runner, built):
    result = run(runner, built, "timeline")
    assert result.exit_code == 0, result.output
    dates = table_rows(result.stdout)
    assert dates == sorted(dates)
    assert any(line.startswith("2025-03-21  delisted") and "src:ofac-2025-03-21-recent-action" in line
               for line in result.stdout.splitlines())


def test_timeline_window_and_entity(runner, built):
    result = run(runner, built, "timeline", "--since", "2022-08", "--until", "2022-08-31", "--entity", "tornado cash")
    assert result.exit_code == 0
    assert set(table_rows(result.stdout)) == {"2022-08-08"}
    assert "designated  OFAC designation of Tornado Cash" in result.stdout


def test_timeline_bad_date(runner, built):
    result = run(runner, built, "timeline", "--since", "2022-02-30")
    assert result.exit_code == 2
    assert "date '2022-02-30'" in result.stderr


def test_timeline_empty_window_explains(runner, built):
    result = run(runner, built, "timeline", "--since", "1990", "--until", "1990")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no dated events match" in result.stderr


def test_conflicts_side_by_side(runner, built):
    result = run(runner, built, "conflicts")
    assert result.exit_code == 0
    block = result.stdout.split("Ronin bridge hack (kg:ronin-bridge-hack): reported loss (USD)\n")[1].split("\n\n")[0]
    values = {line.split()[0]: line for line in block.splitlines()[2:]}
    assert {"540000000", "620000000", "625000000"} <= set(values)
    assert "src:forbes-india-2022-04-ronin-bridge-hack" in values["540000000"]
    assert "fact(s) on which sources disagree" in result.stderr
