"""Each named query on the curated graph, its rows checked against the reference facts."""

from __future__ import annotations

import json

import pytest

from cli import main

KG = "https://w3id.org/dprk-kg/id/"
SRC = "https://w3id.org/dprk-kg/source/"


def rows(runner, built, name, *params):
    """The query's rows as dicts of plain values, from its SPARQL JSON results."""
    args = ["--store", str(built["store"]), "query", "-n", name, "--format", "json"]
    for param in params:
        args += ["-p", param]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(result.stdout)["results"]["bindings"]]


def test_sanctioned_mixers_with_dates_basis_and_status(runner, built):
    found = {(r["mixer"], r.get("listingDate")): r for r in rows(runner, built, "sanctioned-mixers")}
    tornado = found[(KG + "tornado-cash", "2022-08-08")]
    assert tornado["legalBasis"] == "E.O. 13694, as amended"
    assert tornado["stillListed"] == "false"
    assert any(r.get("endDate") == "2025-03-21" for (m, _), r in found.items() if m == KG + "tornado-cash")
    assert found[(KG + "blender-io", "2022-05-06")]["stillListed"] == "true"
    assert found[(KG + "sinbad", "2023-11-29")]["stillListed"] == "true"
    assert SRC + "us-treasury-2022-08-08-jy0916-tornado-cash" in tornado["sources"].split()


def test_lazarus_incidents_with_attributions_and_every_amount(runner, built):
    ronin = [r for r in rows(runner, built, "lazarus-incidents") if r["incident"] == KG + "ronin-bridge-hack"]
    fbi = [r for r in ronin if r.get("attributedBy") == KG + "fbi"]
    assert fbi and fbi[0]["attributionDate"] == "2022-04-14"
    assert {r["attributedTo"] for r in ronin} >= {KG + "lazarus-group", KG + "bluenoroff"}
    amounts = ronin[0]["reportedAmounts"]
    assert f"540000000 USD [{SRC}forbes-india-2022-04-ronin-bridge-hack]" in amounts
    assert f"620000000 USD [{SRC}sc-magazine-2022-04-15-fbi-axie-infinity-theft]" in amounts
    assert f"625000000 USD [{SRC}trm-labs-ronin-bridge-hack]" in amounts


def test_yearly_totals_side_by_side(runner, built):
    y2022 = {
        (r["estimatedBy"], r["value"], r["currency"], r["source"])
        for r in rows(runner, built, "yearly-totals")
        if r["period"] == "2022"
    }
    assert (KG + "chainalysis", "1700000000", "USD", SRC + "chainalysis-2023-02-01-crypto-hacking-2022") in y2022
    assert (KG + "chainalysis", "1650000000", "USD", SRC + "kbs-2023-chainalysis-north-korea-crypto-theft") in y2022
    assert (KG + "nis", "800000000000", "KRW", SRC + "nis-2022-12-22-dprk-crypto-theft-briefing") in y2022
    assert (KG + "nis", "626000000", "USD", SRC + "nis-2022-12-22-dprk-crypto-theft-briefing") in y2022


def test_mixer_laundering_says_when_the_mixer_was_sanctioned(runner, built):
    found = {(r["incident"], r["mixer"]): r for r in rows(runner, built, "mixer-laundering")}
    nomad = found[(KG + "nomad-hack", KG + "tornado-cash")]
    assert (nomad["incidentDate"], nomad["firstSanctioned"]) == ("2022-08-02", "2022-08-08")
    assert nomad["sanctioned"] == "after the incident"
    assert found[(KG + "ronin-bridge-hack", KG + "blender-io")]["firstSanctioned"] == "2022-05-06"


def test_source_claims_of_one_source(runner, built):
    found = rows(runner, built, "source-claims", "source=src:sc-magazine-2022-04-15-fbi-axie-infinity-theft")
    assert found
    assert {r["source"] for r in found} == {SRC + "sc-magazine-2022-04-15-fbi-axie-infinity-theft"}
    assert any(r["subject"].startswith(KG + "amount-") and r["value"] == "620000000" for r in found)


def test_sanctions_timeline_in_date_order(runner, built):
    found = rows(runner, built, "sanctions-timeline")
    dates = [r["date"] for r in found]
    assert dates == sorted(dates)
    events = {(r["date"], r["event"], r["target"]) for r in found}
    assert ("2019-09-13", "designated", KG + "lazarus-group") in events
    assert ("2022-08-08", "designated", KG + "tornado-cash") in events
    assert ("2025-03-21", "delisted", KG + "tornado-cash") in events


def test_addresses_of_sanctioned_entities(runner, built):
    found = {r["address"]: r for r in rows(runner, built, "address-sanctions")}
    ronin_thief = found["0x098B716B8Aaf21512996dC57EB0615e2383E2f96"]
    assert ronin_thief["entity"] == KG + "lazarus-group"
    assert ronin_thief["listingDate"] == "2022-04-14"


def test_aliases_of_an_actor_and_who_uses_them(runner, built):
    found = {r["name"]: r for r in rows(runner, built, "actor-aliases", "actor=kg:lazarus-group")}
    assert found["Lazarus Group"]["kind"] == "label"
    assert found["APT38"]["kind"] == "alias"
    assert SRC + "misp-galaxy-threat-actor" in found["APT38"]["usedBy"].split()
    assert {r["actor"] for r in found.values()} == {KG + "lazarus-group"}


@pytest.mark.parametrize("name", ["sources"])
def test_sources_lists_every_curated_document(runner, built, name):
    from graph.build import source_files

    listed = {r["source"] for r in rows(runner, built, name)}
    assert {SRC + p.stem for p in source_files()} <= listed


def test_lazarus_incidents_cover_affiliated_groups_and_take_an_actor(runner, built):
    found = rows(runner, built, "lazarus-incidents")
    incidents = {r["incident"] for r in found}
    assert {KG + "bybit-hack", KG + "dmm-bitcoin-hack"} <= incidents, "TraderTraitor is affiliated with Lazarus"
    assert {r["actor"] for r in found} == {KG + "lazarus-group"}
    trader = rows(runner, built, "lazarus-incidents", "actor=kg:tradertraitor")
    assert {r["actor"] for r in trader} == {KG + "tradertraitor"}
    assert {KG + "bybit-hack", KG + "dmm-bitcoin-hack"} <= {r["incident"] for r in trader}


def test_a_parameter_the_query_does_not_take_is_one_line(runner, built):
    result = runner.invoke(
        main, ["--store", str(built["store"]), "query", "-n", "lazarus-incidents", "-p", "mixer=kg:sinbad"]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "Error: --param mixer: the query 'lazarus-incidents' has no parameter 'mixer'; its parameters: actor"
    )


@pytest.mark.parametrize(
    ("as_of", "still_listed", "end"), [("2024-06-01", "true", None), ("2025-04-01", "false", "2025-03-21")]
)
def test_sanctioned_mixers_as_of_a_date(runner, built, as_of, still_listed, end):
    args = ["--store", str(built["store"]), "query", "-n", "sanctioned-mixers", "--format", "json", "--as-of", as_of]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    found = [{k: v["value"] for k, v in b.items()} for b in json.loads(result.stdout)["results"]["bindings"]]
    redesignation = next(
        r
        for r in found
        if r["sanction"] == KG + "sanction-tornado-cash-2022-11" or r["sanction"].endswith("tornado-cash-2022-11")
    )
    assert redesignation["stillListed"] == still_listed
    assert redesignation.get("endDate") == end
