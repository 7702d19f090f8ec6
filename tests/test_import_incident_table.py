"""`dprk-kg import incidents` on a Markdown table of DPRK-attributed incidents (a small fixture
in the format of tayvano/lazarus-bluenoroff-research, and the real table when present), and the
matching of imported incidents to curated and other imported ones by victim and date."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import FIXTURES, REPO, ask, run

TABLE = FIXTURES / "import" / "incident-table" / "breakdown.md"
GRAPH = "https://w3id.org/dprk-kg/dataset/tayvano-lazarus-incidents"
KG = "https://w3id.org/dprk-kg/id/"


def _import(runner, store, path, matches, *extra):
    result = run(runner, store, "import", "incidents", str(path), "--matches", str(matches), "--format", "json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stderr


def test_table_rows_totals_and_flagged_values(runner, store, tmp_path):
    report, stderr = _import(runner, store, TABLE, tmp_path / "m.csv")
    assert report["graph"] == "dataset:tayvano-lazarus-incidents"
    assert report["counts"]["incidents"] == 10 and report["counts"]["attributions"] == 10
    assert report["counts"]["yearly_totals"] == 3
    reasons = {(s["line"], s["reason"].split(";")[0]) for s in report["skipped"]}
    assert (18, "amount '$1,620,00' is not $N,NNN, $Unknown or blank") in reasons
    assert (12, "date '2022-Feb-30' is not YYYY, YYYY-Mon-DD or YYYY-MM-DD") in reasons
    assert (13, "vector '🚀' is not one of 🔑 👛 💼") in reasons
    assert all(s["file"] == str(TABLE) for s in report["skipped"])
    # a stated total that is not the sum of its rows is reported; 2017 and 2023 agree
    assert report["warnings"] == [
        f"{TABLE}:15: the 2022 TOTAL states $725,500,000 but its rows sum to $725,183,000 (difference $317,000)"
    ]
    assert "warning: " + report["warnings"][0] in stderr
    # dates at their stated precision; the typo amount left out, not guessed
    rows = dict(
        ask(
            store,
            f"SELECT ?l (DATATYPE(?d) AS ?t) WHERE {{ GRAPH <{GRAPH}> {{ ?i a dkg:Incident ; "
            "rdfs:label ?l ; dkg:eventDate ?d } }",
        )
    )
    assert rows["Example Exchange aka Example Ex (2017)"].endswith("#gYear")
    assert rows["Ronin Bridge (2022-03-24)"].endswith("#date")
    assert ask(store, f"SELECT ?a WHERE {{ <{GRAPH}/2023-08-16-typo-amount-row> dkg:reportedLoss ?a }}") == []
    # victims split and aliased; a date-only cell names no victim
    victims = ask(
        store, f"SELECT ?l WHERE {{ <{GRAPH}/2023-07-22-alphapo-coinspaid> dkg:victim/rdfs:label ?l }} ORDER BY ?l"
    )
    assert victims == [("Alphapo",), ("Coinspaid",)]
    assert ask(store, f"SELECT ?a WHERE {{ <{GRAPH}/victim/example-exchange> skos:altLabel ?a }}") == [("Example Ex",)]
    assert ask(store, f"SELECT ?v WHERE {{ <{GRAPH}/2022-10-31-oct-31-2022> dkg:victim ?v }}") == []
    # each row is an attribution to the DPRK by the table's author; each TOTAL an estimate
    attributed = ask(
        store,
        f"SELECT ?who ?name WHERE {{ ?a dkg:attributedIncident <{GRAPH}/2022-06-24-harmony-horizon-bridge> ;"
        f" dkg:attributedTo <{KG}dprk> ; dkg:attributedBy ?who . ?who rdfs:label ?name }}",
    )
    assert attributed == [(f"{GRAPH}/creator", "Taylor Monahan")]
    estimate = ask(
        store,
        f"SELECT ?y ?v WHERE {{ <{GRAPH}/total/2022> dkg:year ?y ; dkg:estimateOf <{KG}dprk> ; "
        "dkg:estimatedAmount/<https://schema.org/value> ?v }",
    )
    assert estimate == [("2022", "725500000")]
    # the version is the commit named by the SOURCE.md beside the table
    assert ask(store, f"SELECT ?v WHERE {{ GRAPH <{GRAPH}> {{ <{GRAPH}> <https://schema.org/version> ?v }} }}") == [
        ("0123456789abcdef0123456789abcdef01234567",)
    ]
    checked = run(runner, store, "validate")
    assert checked.exit_code == 0, checked.output


def _rows(path):
    import csv

    return {(r["imported"], r["curated"]): r for r in csv.DictReader(path.open(newline=""))}


def test_incidents_match_by_victim_and_date_across_datasets(runner, store, tmp_path):
    matches = tmp_path / "m.csv"
    _import(runner, store, FIXTURES / "import" / "defillama-hacks.csv", matches)
    report, _ = _import(runner, store, TABLE, matches)
    rows = _rows(matches)
    ronin_defi = "dataset:defillama-hacks/2022-03-23-ronin-bridge"
    ronin_table = "dataset:tayvano-lazarus-incidents/2022-03-24-ronin-bridge"
    # same victim, dates within the window: proposed against the curated incident (one of whose
    # sources dates it 2022-03, a month that holds the day) and the other dataset's (one day apart)
    for other, gap in (("kg:ronin-bridge-hack", 0), (ronin_defi, 1)):
        row = rows[(ronin_table, other)]
        assert (row["basis"], row["status"]) == ("victim and date", "proposed")
        assert row["label"].endswith(f"({gap} day(s) apart)")
    assert rows[("dataset:tayvano-lazarus-incidents/2022-06-24-harmony-horizon-bridge", "kg:harmony-horizon-hack")]
    # same name, dates 22 days apart: never proposed
    assert not [
        k
        for k in rows
        if k[0] == "dataset:tayvano-lazarus-incidents/2022-04-14-ronin-bridge" and rows[k]["basis"] == "victim and date"
    ]
    # the earlier import's incident is matched too (victim and date, within 7 days)
    assert rows[(ronin_defi, "kg:ronin-bridge-hack")]["basis"] == "victim and date"
    assert report["matches"]["proposed"] >= 3
    close = f"SELECT ?o WHERE {{ <{GRAPH}/2022-03-24-ronin-bridge> skos:closeMatch ?o }}"
    assert ask(store, close) == []
    # a person confirms; re-importing links the incident, and its figure sits beside the curated ones
    text = matches.read_text().replace(
        f"{ronin_table},kg:ronin-bridge-hack,victim and date,proposed,",
        f"{ronin_table},kg:ronin-bridge-hack,victim and date,confirmed,",
    )
    matches.write_text(text)
    _import(runner, store, TABLE, matches)
    assert ask(store, close) == [(f"{KG}ronin-bridge-hack",)]
    figures = ask(
        store,
        f"SELECT ?v WHERE {{ ?i skos:closeMatch <{KG}ronin-bridge-hack> ; "
        "dkg:reportedLoss/<https://schema.org/value> ?v }",
    )
    assert figures == [("600000000",)]
    # the reverse pair is one row, whichever dataset came first: re-importing DeFiLlama adds no duplicate
    _import(runner, store, FIXTURES / "import" / "defillama-hacks.csv", matches)
    assert (ronin_defi, ronin_table) not in _rows(matches)


@pytest.mark.shared
def test_real_table(runner, store, shared_data, tmp_path):
    path = shared_data / "tayvano_lazarus_incidents" / "breakdown_of_incidents.md"
    report, _ = _import(runner, store, path, tmp_path / "m.csv")
    assert report["counts"]["incidents"] == 84 and report["counts"]["attributions"] == 84
    assert report["counts"]["yearly_totals"] == 8
    assert [(s["line"], s["reason"].split(";")[0]) for s in report["skipped"]] == [
        (84, "amount '$1,620,00' is not $N,NNN, $Unknown or blank")
    ]
    assert (
        f"{path}:49: the 2020 TOTAL states $307,726,000 but its rows sum to $306,933,000 "
        "(difference $793,000)" in report["warnings"]
    )
    version = ask(store, f"SELECT ?v WHERE {{ GRAPH <{GRAPH}> {{ <{GRAPH}> <https://schema.org/version> ?v }} }}")
    assert version == [("000ce4a904b729c8d5a147b263a8af442bcbaf0f",)]
    span = ask(
        store, f"SELECT (MIN(STR(?d)) AS ?a) (MAX(STR(?d)) AS ?b) WHERE {{ GRAPH <{GRAPH}> {{ ?i dkg:eventDate ?d }} }}"
    )
    assert span == [("2017", "2024-02-01")]


@pytest.mark.shared
def test_reviewed_match_file_links_defillama_ronin_to_the_curated_hack(runner, store, shared_data, tmp_path):
    matches = tmp_path / "m.csv"
    shutil.copyfile(REPO / "links" / "matches.csv", matches)
    before = matches.read_bytes()
    report, _ = _import(runner, store, shared_data / "defillama_hacks_csv" / "defi_exploits.csv", matches)
    assert report["matches"]["confirmed"] >= 10
    # every proposal this import makes is already in the reviewed file, as reviewed
    assert matches.read_bytes() == before
    figures = ask(
        store,
        f"SELECT ?x ?v WHERE {{ ?x skos:closeMatch <{KG}ronin-bridge-hack> ; "
        "dkg:reportedLoss/<https://schema.org/value> ?v }",
    )
    assert figures == [("https://w3id.org/dprk-kg/dataset/defillama-hacks/2022-03-23-ronin-bridge", "624000000")]
    confirmed = {
        r["imported"].rsplit("/", 1)[1]: r["curated"]
        for r in _rows(matches).values()
        if r["status"] == "confirmed" and r["imported"].startswith("dataset:defillama-hacks/2")
    }
    assert confirmed == {
        "2022-03-23-ronin-bridge": "kg:ronin-bridge-hack",
        "2022-06-23-harmony-bridge": "kg:harmony-horizon-hack",
        "2022-08-01-nomad": "kg:nomad-hack",
        "2023-06-03-atomic-wallet": "kg:atomic-wallet-hack",
        "2023-07-26-alphapo": "kg:alphapo-hack",
        "2023-09-04-stake-com": "kg:stake-hack",
        "2023-09-12-coinex": "kg:coinex-hack",
        "2024-05-31-dmm-bitcoin": "kg:dmm-bitcoin-hack",
        "2024-07-18-wazirx-india": "kg:wazirx-hack",
        "2025-02-21-bybit": "kg:bybit-hack",
    }
    # a later DeFiLlama Ronin incident (2024-08-06, two years on) is never linked to the 2022 hack
    assert not [k for k in _rows(matches) if k[0] == "dataset:defillama-hacks/2024-08-06-ronin-bridge"]
