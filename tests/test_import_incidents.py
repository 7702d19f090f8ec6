"""`dprk-kg import incidents` (DeFiLlama CSV, Markdown write-ups whose fields are a value in one
file and a list in another), `dprk-kg sources`, and other commands seeing imported data."""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURES, ask, run, run_json

DATA = FIXTURES / "import"
DN = "https://w3id.org/dprk-kg/dataset/dn-institute-incidents"


def test_defillama_csv(runner, store, tmp_path):
    result, report = run_json(
        runner, store, "import", "incidents", str(DATA / "defillama-hacks.csv"), "--matches", str(tmp_path / "m.csv")
    )
    assert report["graph"] == "dataset:defillama-hacks"
    assert report["counts"]["incidents"] == 3
    assert "defillama-hacks.csv:5: date '2022-02-30' is not a date (YYYY-MM-DD)" in result.stderr
    rows = ask(
        store,
        'SELECT ?d ?v ?c ?t WHERE { ?i a dkg:Incident ; rdfs:label "Ronin Bridge exploit (2022-03-23)" ;'
        " dkg:eventDate ?d ; dkg:chain ?c ; dkg:technique ?t ; dkg:reportedLoss ?a . "
        "?a <https://schema.org/value> ?v }",
    )
    assert rows == [("2022-03-23", "624000000", "Ethereum", "Private Key Compromised (Social Engineering)")]


def test_markdown_fields_as_value_or_list(runner, store, tmp_path):
    result, report = run_json(
        runner, store, "import", "incidents", str(DATA / "dn"), "--matches", str(tmp_path / "m.csv")
    )
    assert report["counts"]["incidents"] == 2
    assert "broken-front-matter.md:" in result.stderr and "not valid YAML" in result.stderr
    victims = ask(
        store, f"SELECT ?i ?l WHERE {{ GRAPH <{DN}> {{ ?i dkg:victim ?v . ?v rdfs:label ?l }} }} ORDER BY ?i ?l"
    )
    assert victims == [
        (f"{DN}/2017-07-18-parity", "Parity Technologies"),
        (f"{DN}/2022-06-23-harmony-horizon", "Harmony"),
        (f"{DN}/2022-06-23-harmony-horizon", "Horizon Bridge"),
    ]


@pytest.mark.parametrize(
    "name, message",
    [
        ("attack-bundle.json", "not a DeFiLlama hacks CSV"),
        ("sdn_2022-08-02.csv", "not a DeFiLlama hacks CSV"),
    ],
)
def test_wrong_format(runner, store, tmp_path, name, message):
    result = run(runner, store, "import", "incidents", str(DATA / name), "--matches", str(tmp_path / "m.csv"))
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_other_commands_see_imports_and_they_validate(runner, store, tmp_path):
    matches = str(tmp_path / "m.csv")
    for args in (
        ["ofac-sdn", str(DATA / "sdn_2024-05-03.csv")],
        ["attack", str(DATA / "attack-bundle.json")],
        ["misp-galaxy", str(DATA / "misp-threat-actor.json")],
        ["incidents", str(DATA / "dn")],
        ["incidents", str(DATA / "defillama-hacks.csv")],
    ):
        assert run(runner, store, "import", *args, "--matches", matches).exit_code == 0
    listing = run(runner, store, "sources", "--format", "json")
    assert listing.exit_code == 0, listing.output
    rows = {r["graph"]: r for r in json.loads(listing.stdout)}
    assert {
        "dataset:ofac-sdn-2024-05-03",
        "dataset:mitre-attack",
        "dataset:misp-galaxy-threat-actor",
        "dataset:dn-institute-incidents",
        "dataset:defillama-hacks",
    } <= set(rows)
    assert (rows["dataset:ofac-sdn-2024-05-03"]["version"], rows["dataset:ofac-sdn-2024-05-03"]["issued"]) == (
        "2024-05-03",
        "2024-05-03",
    )
    query = run(
        runner,
        store,
        "query",
        "--format",
        "csv",
        'SELECT ?name WHERE { ?e dkg:listEntryId "44437" ; rdfs:label ?name }',
    )
    assert query.exit_code == 0, query.output
    assert "SINBAD" in query.stdout
    checked = run(runner, store, "validate")
    assert checked.exit_code == 0, checked.output


@pytest.mark.shared
def test_real_incident_sets(runner, store, shared_data, tmp_path):
    matches = str(tmp_path / "m.csv")
    _, csv_report = run_json(
        runner,
        store,
        "import",
        "incidents",
        str(shared_data / "defillama_hacks_csv" / "defi_exploits.csv"),
        "--matches",
        matches,
    )
    assert csv_report["counts"]["incidents"] == 449
    _, md_report = run_json(
        runner, store, "import", "incidents", str(shared_data / "dn_institute_crypto_incidents"), "--matches", matches
    )
    assert md_report["counts"]["incidents"] == 127
