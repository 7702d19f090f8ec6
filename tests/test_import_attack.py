"""`dprk-kg import attack` and `dprk-kg import misp-galaxy` on small bundles cut from the real
files (a revoked and a deprecated object included), and on the real files when present."""

from __future__ import annotations

import json

import pytest

from tests.conftest import FIXTURES, ask, run, run_json

DATA = FIXTURES / "import"
LAZARUS = "https://w3id.org/dprk-kg/dataset/attack/intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a"
MISP_LAZARUS = "https://w3id.org/dprk-kg/dataset/misp-galaxy/68391641-859f-4a9a-9a1e-3e5cf71ec376"


def test_attack_groups_aliases_citations_and_uses(runner, store, tmp_path):
    matches = tmp_path / "matches.csv"
    result = run(
        runner,
        store,
        "import",
        "attack",
        str(DATA / "attack-bundle.json"),
        "--matches",
        str(matches),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"]["revoked_or_deprecated"] == 2
    assert report["counts"]["uses"] == 3
    assert report["graph"] == "dataset:mitre-attack" and report["files"] == [str(DATA / "attack-bundle.json")]
    assert ask(store, f"SELECT ?id WHERE {{ <{LAZARUS}> dkg:attackId ?id }}") == [("G0032",)]
    aliases = {a for (a,) in ask(store, f"SELECT ?a WHERE {{ <{LAZARUS}> skos:altLabel ?a }}")}
    assert {"ZINC", "HIDDEN COBRA", "Diamond Sleet"} <= aliases
    cited = ask(
        store,
        f"SELECT ?c WHERE {{ ?claim dkg:about <{LAZARUS}> ; rdfs:label "
        '"ATT&CK: Lazarus Group is also known as ZINC" ; '
        "<http://purl.org/dc/terms/bibliographicCitation> ?c }",
    )
    assert cited and cited[0][0].startswith("Smith, B. (2017, December 19). Microsoft and Facebook disrupt ZINC")
    used = ask(store, f"SELECT ?l WHERE {{ <{LAZARUS}> dkg:uses ?x . ?x rdfs:label ?l }} ORDER BY ?l")
    assert used == [("Proxysvc",), ("RawDisk",), ("Windows Command Shell",)]
    campaign = ask(
        store,
        "SELECT ?l WHERE { ?c a dkg:Campaign ; rdfs:label ?l ; "
        f"<http://www.w3.org/ns/prov#wasAttributedTo> <{LAZARUS}> }}",
    )
    assert campaign == [("Operation Dream Job",)]
    for name in ("APT34", "TRITON"):  # revoked, deprecated
        assert ask(store, f'SELECT ?x WHERE {{ ?x rdfs:label "{name}" }}') == []
    assert (
        f"dataset:attack/{LAZARUS.rsplit('/', 1)[1]},kg:lazarus-group,shared identifier,proposed" in matches.read_text()
    )


@pytest.mark.parametrize(
    "name, message",
    [
        ("attack-truncated.json", "not valid JSON"),
        ("misp-threat-actor.json", "not a STIX 2 bundle"),
        ("defillama-hacks.csv", "not valid JSON"),
    ],
)
def test_attack_bad_input(runner, store, tmp_path, name, message):
    result = run(runner, store, "import", "attack", str(DATA / name), "--matches", str(tmp_path / "m.csv"))
    assert result.exit_code == 2
    assert message in result.stderr and name in result.stderr
    assert "Traceback" not in result.output
    assert ask(store, "SELECT ?s WHERE { GRAPH <https://w3id.org/dprk-kg/dataset/mitre-attack> { ?s ?p ?o } }") == []


def test_misp_clusters_stay_separate_with_possible_matches(runner, store, tmp_path):
    matches = tmp_path / "matches.csv"
    result, report = run_json(
        runner, store, "import", "misp-galaxy", str(DATA / "misp-threat-actor.json"), "--matches", str(matches)
    )
    assert report["counts"]["clusters"] == 2
    assert "misp-threat-actor.json: cluster 3: no uuid" in result.stderr
    assert ask(store, f"SELECT ?c WHERE {{ <{MISP_LAZARUS}> dkg:country ?c }}") == [("KP",)]
    synonyms = {s for (s,) in ask(store, f"SELECT ?s WHERE {{ <{MISP_LAZARUS}> skos:altLabel ?s }}")}
    assert {"Andariel", "APT38", "Hidden Cobra"} <= synonyms
    related = ask(store, f"SELECT ?r WHERE {{ <{MISP_LAZARUS}> skos:related ?r }}")
    assert related == [("https://w3id.org/dprk-kg/dataset/misp-galaxy/825abfd9-7238-4438-a9e7-c08791f4df4e",)]
    confidence = ask(
        store,
        f"SELECT ?s WHERE {{ ?c dkg:about <{MISP_LAZARUS}> ; dkg:statement ?s . "
        'FILTER(CONTAINS(?s, "attribution confidence")) }',
    )
    assert confidence and "confidence of 50 for Lazarus Group to KP" in confidence[0][0]
    text = matches.read_text()
    assert (
        "dataset:misp-galaxy/68391641-859f-4a9a-9a1e-3e5cf71ec376,kg:lazarus-group,shared identifier,proposed" in text
    )
    # ambiguous: the MISP cluster lists Andariel among its synonyms; a possible match, no merge
    if "kg:andariel" in text:
        assert "dataset:misp-galaxy/68391641-859f-4a9a-9a1e-3e5cf71ec376,kg:andariel,alias,proposed" in text
    assert ask(store, f"SELECT ?o WHERE {{ <{MISP_LAZARUS}> skos:closeMatch ?o }}") == []


@pytest.mark.shared
def test_real_attack_and_misp(runner, store, shared_data, tmp_path):
    matches = tmp_path / "m.csv"
    result = run(
        runner,
        store,
        "import",
        "attack",
        str(shared_data / "mitre_attack_enterprise" / "enterprise-attack.json"),
        "--matches",
        str(matches),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["groups"] == 172
    result = run(
        runner,
        store,
        "import",
        "misp-galaxy",
        str(shared_data / "misp_galaxy_threat_actor" / "threat-actor.json"),
        "--matches",
        str(matches),
    )
    assert result.exit_code == 0, result.output
    text = matches.read_text()
    assert "intrusion-set--c93fccb1-e8e8-42cf-ae33-2ad1d183913a,kg:lazarus-group,shared identifier" in text
    assert "68391641-859f-4a9a-9a1e-3e5cf71ec376,kg:lazarus-group,shared identifier" in text
