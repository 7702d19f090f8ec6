"""`dprk-kg show` and `dprk-kg explain` on the curated graph."""

from __future__ import annotations

from cli import main


def run(runner, built, *args):
    return runner.invoke(main, ["--store", str(built["store"]), *args])


def test_show_finds_by_alias_case_insensitively(runner, built):
    result = run(runner, built, "show", "pyongyang")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("North Korea (kg:dprk)\n")
    assert "types:   dkg:State" in result.stdout
    assert "aliases: Pyongyang [src:" in result.stdout


def test_show_lists_facts_with_their_sources(runner, built):
    result = run(runner, built, "show", "Ronin bridge hack")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    loss = [line for line in lines if line.startswith("dkg:reportedLoss") and "540000000 USD" in line]
    assert loss and "src:forbes-india-2022-04-ronin-bridge-hack" in loss[0]
    assert any("dkg:attributedIncident" in line and "src:sc-magazine-2022-04-15-fbi-axie-infinity-theft" in line
               for line in lines)


def test_show_by_iri(runner, built):
    result = run(runner, built, "show", "kg:tornado-cash")
    assert result.exit_code == 0
    assert result.stdout.startswith("Tornado Cash (kg:tornado-cash)")
    assert "dkg:sanctionTarget" in result.stdout


def test_show_unknown_name_suggests(runner, built):
    result = run(runner, built, "show", "Lazarsu Group")
    assert result.exit_code == 2
    assert "no entity named 'Lazarsu Group'; did you mean: Lazarus Group (kg:lazarus-group)" in result.stderr


def test_explain_tornado_cash_to_north_korea(runner, built):
    result = run(runner, built, "explain", "Tornado Cash", "North Korea")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Tornado Cash ... ") and lines[0].endswith(" ... North Korea")
    hops = [line for line in lines if line[:1].isdigit()]
    assert hops[0].startswith("1. Tornado Cash (kg:tornado-cash)")
    assert len([line for line in lines if line.strip().startswith("sources: src:")]) == len(hops)


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
