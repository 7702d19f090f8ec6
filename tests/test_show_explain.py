"""`dprk-kg show` and `dprk-kg explain` on the curated graph, asserted on their JSON output."""

from __future__ import annotations

import json

from cli import main


def run(runner, built, *args):
    return runner.invoke(main, ["--store", str(built["store"]), *args])


def show(runner, built, *args) -> dict:
    result = run(runner, built, "show", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_show_finds_by_alias_case_insensitively(runner, built):
    view = show(runner, built, "pyongyang")
    assert (view["entity"], view["label"], view["kind"]) == ("kg:dprk", "North Korea", "state")
    assert "dkg:State" in view["types"]
    assert any(s.startswith("src:") for s in view["aliases"]["Pyongyang"])


def test_show_lists_facts_with_their_sources(runner, built):
    view = show(runner, built, "Ronin bridge hack")
    losses = {f["value"]: f["sources"] for f in view["facts"] if f["property"] == "dkg:reportedLoss"}
    assert "src:forbes-india-2022-04-ronin-bridge-hack" in losses["$540M"]
    assert "$621-630M" in losses, "a range shows both bounds"
    attributed = [f for f in view["relations"] if f["property"] == "dkg:attributedIncident"]
    assert any("src:sc-magazine-2022-04-15-fbi-axie-infinity-theft" in f["sources"] for f in attributed)


def test_show_by_curie_has_designations_and_verdict(runner, built):
    view = show(runner, built, "kg:tornado-cash")
    assert view["label"] == "Tornado Cash"
    assert view["verdict"].startswith("Sanctioned by ") and "OFAC" in view["verdict"]
    assert view["verdict"].endswith(" since 2022-08-08; delisted 2025-03-21")
    statuses = {d["sanction"]: (d["status"], d["ended"]) for d in view["designations"]}
    assert statuses["kg:sanction-ofac-tornado-cash-2022-11"] == ("delisted", "2025-03-21")
    assert statuses["kg:sanction-ofac-tornado-cash-2022-08-08"] == ("re-designated", "2022-11")


def test_show_as_of_a_date_before_the_delisting(runner, built):
    view = show(runner, built, "Tornado Cash", "--as-of", "2024-06-01")
    assert view["verdict"].endswith(" since 2022-08-08") and "OFAC" in view["verdict"]
    assert all(s["issued"] <= "2024-06-01" for s in view["sources"] if s["issued"])


def test_show_ends_with_the_sources_it_cites(runner, built):
    view = show(runner, built, "Sinbad")
    cited = {s["source"]: s for s in view["sources"]}
    used = {s for f in view["facts"] + view["relations"] for s in f["sources"]}
    assert used <= set(cited)
    assert all(s["source"].startswith(("src:", "dataset:")) for s in view["sources"])
    text = run(runner, built, "show", "Sinbad").stdout
    assert "\nSources (" in text and text.rstrip().splitlines()[-1].startswith("src:")


def test_show_an_address_by_value_in_any_case(runner, built):
    for value in ("0x098B716B8Aaf21512996dC57EB0615e2383E2f96", "0x098b716b8aaf21512996dc57eb0615e2383e2f96"):
        view = show(runner, built, value)
        assert view["kind"] == "address" and view["entity"].startswith("kg:address-eth-0x098b716b")


def test_show_unknown_name_suggests(runner, built):
    result = run(runner, built, "show", "Lazarsu Group")
    assert result.exit_code == 2
    assert "no entity named 'Lazarsu Group'; did you mean: Lazarus Group (kg:lazarus-group)" in result.stderr


def test_show_bad_as_of_is_one_line(runner, built):
    result = run(runner, built, "show", "Sinbad", "--as-of", "2025-02-30")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: --as-of: '2025-02-30' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"


def explain(runner, built, a, b) -> dict:
    result = run(runner, built, "explain", a, b, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_explain_tornado_cash_to_north_korea(runner, built):
    chain = explain(runner, built, "Tornado Cash", "North Korea")
    hops = chain["hops"]
    assert hops[0]["start"] == "kg:tornado-cash" and hops[-1]["end"] == "kg:dprk"
    assert all(h["sources"] and all(s.startswith("src:") for s in h["sources"]) for h in hops)
    text = run(runner, built, "explain", "Tornado Cash", "North Korea").stdout.splitlines()
    assert text[0].startswith("Tornado Cash ... ") and text[0].endswith(" ... North Korea")


def test_explain_sinbad_goes_straight_to_lazarus(runner, built):
    """A laundering that names both the incident and the actor yields both edges."""
    hops = explain(runner, built, "Sinbad", "kg:lazarus-group")["hops"]
    assert [(h["start"], h["relation"], h["end"], h["forward"]) for h in hops] == [
        ("kg:sinbad", "laundered through", "kg:lazarus-group", False)
    ]


def test_explain_an_entity_with_itself(runner, built):
    result = run(runner, built, "explain", "Lazarus Group", "kg:lazarus-group")
    assert result.exit_code == 0
    assert "the same entity" in result.stdout


def test_explain_unknown_name(runner, built):
    result = run(runner, built, "explain", "Tornado Cash", "no such thing at all")
    assert result.exit_code == 2
    assert "no entity named 'no such thing at all'" in result.stderr


def test_missing_store(runner, tmp_path):
    for args in (["show", "x"], ["explain", "a", "b"], ["timeline"], ["conflicts"], ["analyze"]):
        result = runner.invoke(main, ["--store", str(tmp_path / "none"), *args])
        assert result.exit_code == 3, args
        assert "run `dprk-kg build` first" in result.stderr


def test_help_examples(runner):
    for command in ("show", "explain", "timeline", "conflicts", "analyze", "export"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.stdout, command
