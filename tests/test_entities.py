"""One entity, many records, on a store with every shared dataset imported (issue: clusters).

Asserted on the JSON a user gets: records joined by confirmed matches answer as one entity;
rejected matches never join; proposed ones are possible matches; a name is ambiguous only across
different entities.
"""

from __future__ import annotations

import json

import pytest

from cli import main

pytestmark = pytest.mark.shared


def run(runner, store, *args):
    return runner.invoke(main, ["--store", str(store), *args])


def show(runner, store, name, *args) -> dict:
    result = run(runner, store, "show", name, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_lazarus_group_is_one_entity_with_its_records(runner, real_store):
    view = show(runner, real_store, "Lazarus Group")
    assert view["entity"] == "kg:lazarus-group"
    records = {r["record"]: r for r in view["records"]}
    assert "dataset:ofac-sdn/entry/27307" in records
    assert any("ATT&CK G0032" in r["identifiers"] and "dataset:mitre-attack" in r["sources"] for r in records.values())
    assert any(r["record"].startswith("dataset:misp-galaxy/") for r in records.values())
    assert "dataset:mitre-attack" in view["aliases"]["HIDDEN COBRA"]
    sdn = next(d for d in view["designations"] if d["target"] == "dataset:ofac-sdn/entry/27307")
    assert "DPRK3" in sdn["programs"] and "dataset:ofac-sdn-2024-05-03" in sdn["sources"]
    assert view["uses"]["techniques"] and view["uses"]["software"]
    assert "APT28" not in view["aliases"], "a [sic] name in one copy is a claim, never an alias"


def test_every_identifier_and_name_of_a_record_resolves_to_the_cluster(runner, real_store):
    for name in ("G0032", "HIDDEN COBRA", "lazarus group", "LAZARUS GROUP", "Diamond Sleet", "27307"):
        assert show(runner, real_store, name)["entity"] == "kg:lazarus-group", name


def test_sinbad_shows_its_sdn_programs(runner, real_store):
    view = show(runner, real_store, "Sinbad")
    programs = {p for d in view["designations"] for p in d["programs"]}
    assert {"DPRK3", "CYBER2"} <= programs
    assert any(a["address"].startswith("bc1q") for a in view["addresses"])


def test_tornado_cash_joins_both_sdn_entries_and_stays_delisted(runner, real_store):
    view = show(runner, real_store, "tornado cash")
    assert {"dataset:ofac-sdn/entry/38499", "dataset:ofac-sdn/entry/39796"} <= {r["record"] for r in view["records"]}
    assert view["verdict"].endswith("delisted 2025-03-21"), "a 2025 delisting outweighs the 2024 snapshot"
    older = show(runner, real_store, "tornado cash", "--as-of", "2024-06-01")
    assert "delisted" not in older["verdict"]
    statuses = {d["target"]: d["status"] for d in older["designations"]}
    assert statuses["dataset:ofac-sdn/entry/38499"] == "listed in an older snapshot"
    assert statuses["dataset:ofac-sdn/entry/39796"] == "listed"


def test_an_address_is_one_entity_across_curated_and_sdn(runner, real_store):
    view = show(runner, real_store, "0x098b716b8aaf21512996dc57eb0615e2383e2f96")
    assert view["kind"] == "address"
    assert len(view["records"]) == 2


def test_rejected_match_never_joins_and_proposed_is_possible(runner, real_store):
    view = show(runner, real_store, "kg:apt38")
    records = {r["record"] for r in view["records"]}
    assert "dataset:ofac-sdn/entry/27308" not in records  # BLUENOROFF -> apt38 is only proposed
    possible = {(m["record"], m["entity"]) for m in view["possible_matches"]}
    assert ("dataset:ofac-sdn/entry/27308", "kg:bluenoroff") in possible
    lazarus = show(runner, real_store, "kg:lazarus-group")
    rejected_apt38 = "dataset:attack/intrusion-set--00f67a77-86a4-4adf-be26-1a54fc713340"
    assert rejected_apt38 not in {r["record"] for r in lazarus["records"]}


def test_a_name_of_two_different_entities_is_ambiguous_with_curies(runner, real_store):
    result = run(runner, real_store, "show", "APT28")
    assert result.exit_code == 2
    assert "names 2 different entities" in result.stderr
    assert "dataset:attack/intrusion-set--" in result.stderr and "dataset:misp-galaxy/" in result.stderr
    assert "kg:lazarus-group" not in result.stderr
    assert "give one of these CURIEs instead" in result.stderr


@pytest.mark.parametrize(
    "name", ["Lazarus Group", "Tornado Cash", "Sinbad", "Blender.io", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"]
)
def test_reading_commands_answer_for_the_headline_names(runner, real_store, name):
    assert run(runner, real_store, "show", name).exit_code == 0
    assert run(runner, real_store, "timeline", "--entity", name).exit_code == 0
    result = run(runner, real_store, "explain", name, "North Korea", "--format", "json")
    assert result.exit_code == 0, result.output
    hops = json.loads(result.stdout)["hops"]
    assert hops and hops[-1]["end"] == "kg:dprk"


def test_search_ranks_and_counts_each_entity_once(runner, real_store):
    result = run(runner, real_store, "search", "lazarus group", "--format", "json")
    hits = json.loads(result.stdout)
    assert hits[0]["entity"] == "kg:lazarus-group" and hits[0]["match"] == "exact"
    assert len({h["entity"] for h in hits}) == len(hits)


def test_imported_figures_of_a_confirmed_incident_sit_beside_the_curated_ones(runner, real_store):
    result = run(runner, real_store, "conflicts", "--entity", "Ronin bridge hack", "--format", "json")
    assert result.exit_code == 0, result.output
    loss = next(c for c in json.loads(result.stdout) if c["aspect"] == "reported loss (USD)")
    values = {v["value"]: v["sources"] for v in loss["values"]}
    assert values["624000000"] == ["dataset:defillama-hacks"]
    assert "src:forbes-india-2022-04-ronin-bridge-hack" in values["540000000"]
    assert "621000000-630000000" in values


def test_sanctioned_mixers_as_of_a_date_on_every_dataset(runner, real_store):
    for day, still in (("2024-06-01", "true"), ("2025-04-01", "false")):
        result = run(runner, real_store, "query", "-n", "sanctioned-mixers", "--as-of", day, "--format", "json")
        assert result.exit_code == 0, result.output
        rows = [{k: v["value"] for k, v in b.items()} for b in json.loads(result.stdout)["results"]["bindings"]]
        redesignation = next(r for r in rows if r["sanction"].endswith("tornado-cash-2022-11"))
        assert redesignation["stillListed"] == still, day
