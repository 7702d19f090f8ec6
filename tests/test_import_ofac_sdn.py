"""`dprk-kg import ofac-sdn` and `dprk-kg diff-sdn` on small SDN files with every quirk of the
legacy CSV, and on the real snapshots when ../shared is present."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from cli import main
from tests.conftest import FIXTURES, ask, run, run_json

SDN = FIXTURES / "import"
GRAPH = "https://w3id.org/dprk-kg/dataset/ofac-sdn-2024-05-03"


def test_import_reads_every_quirk(runner, store, tmp_path):
    matches = tmp_path / "matches.csv"
    result, report = run_json(
        runner, store, "import", "ofac-sdn", str(SDN / "sdn_2024-05-03.csv"), "--matches", str(matches)
    )
    assert report["graph"] == "dataset:ofac-sdn-2024-05-03"
    assert report["counts"]["entries"] == 7
    assert report["counts"]["truncated_remarks"] == 3
    # Remarks cut at 1,000 characters: flagged, with the incomplete item reported, not imported
    assert "sdn_2024-05-03.csv:4: ent_num 27307: Remarks cut at 1,000 characters" in result.stderr
    notes = ask(
        store, "SELECT ?n WHERE { <https://w3id.org/dprk-kg/dataset/ofac-sdn/entry/27307> skos:editorialNote ?n }"
    )
    assert notes and "1,000 characters" in notes[0][0]
    # several programs in one field
    programs = ask(
        store,
        "SELECT ?p WHERE { <https://w3id.org/dprk-kg/dataset/ofac-sdn/entry/39796/sanction>"
        " dkg:program ?p } ORDER BY ?p",
    )
    assert programs == [("CYBER2",), ("DPRK3",)]
    # a.k.a. aliases and -0- as empty
    assert ask(store, "SELECT ?a WHERE { <https://w3id.org/dprk-kg/dataset/ofac-sdn/entry/306> skos:altLabel ?a }") == [
        ("BNC",)
    ]
    assert ask(
        store,
        "SELECT ?t WHERE { <https://w3id.org/dprk-kg/dataset/ofac-sdn/entry/36> <http://purl.org/dc/terms/type> ?t }",
    ) == [("entity",)]
    # addresses with their chain ticker, held by the entry and listed under its sanction
    rows = ask(
        store,
        "SELECT ?c ?a WHERE { ?x dkg:holder <https://w3id.org/dprk-kg/dataset/ofac-sdn/entry/44437> ;"
        " dkg:chain ?c ; dkg:address ?a ; dkg:listedUnder ?s } ORDER BY ?a",
    )
    assert rows == [
        ("XBT", "1JHdQHkBZiim1cb4hyUh2PbzEbbg6z2TrF"),
        ("XBT", "bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecd"),
    ]
    eth = ask(
        store,
        "SELECT ?a WHERE { ?x dkg:holder <https://w3id.org/dprk-kg/dataset/ofac-sdn/entry/27307> ;"
        ' dkg:chain "ETH" ; dkg:address ?a }',
    )
    assert ("0x098B716B8Aaf21512996dC57EB0615e2383E2f96",) in eth
    # the dataset describes itself, in its own graph
    described = ask(
        store,
        f"SELECT ?f ?v WHERE {{ GRAPH <{GRAPH}> {{ <{GRAPH}> dkg:documentKind dkg:Dataset ;"
        " dkg:sourceFile ?f ; <https://schema.org/version> ?v ; dkg:importedAt ?t } }",
    )
    assert described == [("sdn_2024-05-03.csv", "2024-05-03")]


def test_matches_are_proposed_until_a_person_confirms(runner, store, tmp_path):
    matches = tmp_path / "matches.csv"
    sdn = str(SDN / "sdn_2024-05-03.csv")
    assert run(runner, store, "import", "ofac-sdn", sdn, "--matches", str(matches)).exit_code == 0
    text = matches.read_text()
    assert "dataset:ofac-sdn/entry/39796,kg:tornado-cash,exact name,proposed,TORNADO CASH," in text
    close = "SELECT ?o WHERE { <https://w3id.org/dprk-kg/dataset/ofac-sdn/entry/39796> skos:closeMatch ?o }"
    assert ask(store, close) == []
    assert ask(
        store,
        "SELECT ?m WHERE { ?m dkg:matchSubject <https://w3id.org/dprk-kg/dataset/ofac-sdn/entry/39796> ;"
        " dkg:matchStatus dkg:MatchProposed }",
    )
    matches.write_text(
        text.replace("TORNADO CASH,\n", "TORNADO CASH,x\n").replace(
            "exact name,proposed,TORNADO CASH,x", "exact name,confirmed,TORNADO CASH,checked by hand"
        )
    )
    before = ask(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    again = run(runner, store, "import", "ofac-sdn", sdn, "--matches", str(matches))
    assert again.exit_code == 0, again.output
    assert ask(store, close) == [("https://w3id.org/dprk-kg/id/tornado-cash",)]
    assert "confirmed,TORNADO CASH,checked by hand" in matches.read_text()
    after = ask(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    assert int(after[0][0]) == int(before[0][0]) + 2  # replaced, plus the closeMatch and the note


def test_bad_match_file_is_refused_with_its_line(runner, store, tmp_path):
    matches = tmp_path / "matches.csv"
    matches.write_text(
        "imported,curated,basis,status,label,note\ndataset:ofac-sdn/entry/1,kg:sinbad,exact name,maybe,,\n"
    )
    result = run(runner, store, "import", "ofac-sdn", str(SDN / "sdn_2024-05-03.csv"), "--matches", str(matches))
    assert result.exit_code == 2
    assert "matches.csv:2: status 'maybe'" in result.stderr


def test_malformed_row_is_skipped_with_its_line(runner, store, tmp_path):
    result, report = run_json(
        runner,
        store,
        "import",
        "ofac-sdn",
        str(SDN / "sdn-malformed_2022-08-02.csv"),
        "--matches",
        str(tmp_path / "m.csv"),
    )
    assert "sdn-malformed_2022-08-02.csv:3: expected 12 columns, found 3" in result.stderr
    assert report["counts"]["entries"] == 6


@pytest.mark.parametrize(
    "name, message",
    [
        ("sdn-truncated_2022-08-02.csv", "may be truncated"),
        ("attack-bundle.json", "not an OFAC SDN CSV"),
        ("no-such-file_2022-08-02.csv", "no such file"),
    ],
)
def test_bad_file_leaves_the_store_as_it_was(runner, store, tmp_path, name, message):
    graphs = ask(store, "SELECT (COUNT(DISTINCT ?g) AS ?n) (COUNT(*) AS ?t) WHERE { GRAPH ?g { ?s ?p ?o } }")
    result = run(
        runner,
        store,
        "import",
        "ofac-sdn",
        str(SDN / name),
        "--date",
        "2022-08-02",
        "--matches",
        str(tmp_path / "m.csv"),
    )
    assert result.exit_code == 2
    assert "\nError: " in result.stderr and message in result.stderr
    assert "Traceback" not in result.output
    assert ask(store, "SELECT (COUNT(DISTINCT ?g) AS ?n) (COUNT(*) AS ?t) WHERE { GRAPH ?g { ?s ?p ?o } }") == graphs
    assert not (tmp_path / "m.csv").exists()


def test_snapshot_date_is_needed(runner, store, tmp_path):
    plain = tmp_path / "sdn.csv"
    plain.write_bytes((SDN / "sdn_2022-08-02.csv").read_bytes())
    result = run(runner, store, "import", "ofac-sdn", str(plain))
    assert result.exit_code == 2
    assert "pass --date YYYY-MM-DD" in result.stderr


def test_diff_sdn(runner):
    result = runner.invoke(main, ["diff-sdn", str(SDN / "sdn_2022-08-02.csv"), str(SDN / "sdn_2024-05-03.csv")])
    assert result.exit_code == 0, result.output
    assert "2 added, 1 removed, 0 redesignated, 1 changed" in result.stdout
    lines = result.stdout.splitlines()
    assert "+ 39796 TORNADO CASH [DPRK3; CYBER2] entity, 12 address(es)" in lines
    assert "+ 44437 SINBAD [DPRK3; CYBER2] entity, 2 address(es)" in lines
    assert "- 2831 MIDCO FINANCE S.A. [IRAQ2] entity" in lines
    assert (
        "~ 7226 ZAMBADA GARCIA, Ismael [SDNTK; ILLICIT-DRUGS-EO -> SDNTK; ILLICIT-DRUGS-EO14059] "
        "programs: -ILLICIT-DRUGS-EO, +ILLICIT-DRUGS-EO14059"
    ) in lines
    # every line after the summary names the entry's programs
    assert all(re.search(r"\[[A-Z0-9;> -]+\]", line) for line in lines[1:])


@pytest.mark.shared
def test_real_snapshots_diff_shows_tornado_cash(runner, shared_data):
    folder = shared_data / "ofac_sdn_csv"
    result = runner.invoke(
        main, ["diff-sdn", str(folder / "sdn_2022-08-02.csv"), str(folder / "sdn_2022-08-08.csv"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["counts"] == {"added": 1, "removed": 0, "redesignated": 0, "changed": 0}
    added = found["changes"][0]
    assert (added["change"], added["ent_num"], added["name"], added["programs"], added["addresses"]) == (
        "added",
        38499,
        "TORNADO CASH",
        ["CYBER2"],
        12,
    )


@pytest.mark.shared
def test_real_snapshots_redesignation_of_tornado_cash(runner, shared_data):
    folder = shared_data / "ofac_sdn_csv"
    result = runner.invoke(
        main,
        [
            "diff-sdn",
            str(folder / "sdn_2022-08-08.csv"),
            str(folder / "sdn_2024-05-03.csv"),
            "--program",
            "DPRK*",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    tornado = [c for c in found["changes"] if c["name"] == "TORNADO CASH"]
    assert len(tornado) == 1
    assert (tornado[0]["change"], tornado[0]["old_ent_num"], tornado[0]["ent_num"]) == ("redesignated", 38499, 39796)
    assert tornado[0]["old_programs"] == ["CYBER2"] and tornado[0]["programs"] == ["DPRK3", "CYBER2"]
    assert {"field": "programs", "removed": [], "added": ["DPRK3"]} in tornado[0]["fields"]
    # the DPRK filter keeps only entries listed under a DPRK program in either snapshot
    assert all(any(p.startswith("DPRK") for p in c["programs"] + c["old_programs"]) for c in found["changes"])
    assert not any(c["name"] == "TORNADO CASH" for c in found["changes"] if c["change"] == "added")


@pytest.mark.shared
def test_real_snapshot_imports(runner, store, shared_data, tmp_path):
    _, report = run_json(
        runner,
        store,
        "import",
        "ofac-sdn",
        str(shared_data / "ofac_sdn_csv" / "sdn_2024-05-03.csv"),
        "--matches",
        str(tmp_path / "m.csv"),
    )
    assert report["counts"]["entries"] == 14965
    text = (tmp_path / "m.csv").read_text()
    for entry, curated in (
        ("27307", "lazarus-group"),
        ("39796", "tornado-cash"),
        ("44437", "sinbad"),
        ("37070", "blender-io"),
    ):
        assert f"dataset:ofac-sdn/entry/{entry},kg:{curated}," in text


def _sdn(path, rows):
    """An SDN file in OFAC's layout: CRLF lines, -0- for empty, a closing \\x1a byte."""
    lines = [",".join(v if v == "-0- " or v.isdigit() else f'"{v}"' for v in row) for row in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n\x1a").encode())
    return path


E = "-0- "


def test_diff_sdn_every_field_redesignation_filter_and_formats(runner, tmp_path):
    old = _sdn(
        tmp_path / "old.csv",
        [
            [
                "100",
                "SEA STAR",
                "vessel",
                "DPRK3",
                E,
                "HMXX1",
                "Oil Tanker",
                "1000",
                "600",
                "Korea, North",
                "OWNER A",
                "Vessel Registration Identification IMO 1.",
            ],
            ["200", "KIM, Il", "individual", "DPRK3", "Officer", E, E, E, E, E, E, "a.k.a. 'KIM ONE'."],
            ["38499", "TORNADO CASH", E, "CYBER2", E, E, E, E, E, E, E, "Website tornado.cash."],
            ["300", "OTHER CO", E, "IRAN", E, E, E, E, E, E, E, E],
        ],
    )
    new = _sdn(
        tmp_path / "new.csv",
        [
            [
                "100",
                "SEA STAR",
                "vessel",
                "DPRK3",
                E,
                "HMXX2",
                "Oil Tanker",
                "1200",
                "600",
                "Panama",
                "OWNER A",
                "Vessel Registration Identification IMO 1.",
            ],
            [
                "200",
                "KIM, Il",
                "individual",
                "DPRK3",
                "Director",
                E,
                E,
                E,
                E,
                E,
                E,
                "a.k.a. 'KIM ONE'; a.k.a. 'KIM TWO'.",
            ],
            ["39796", "TORNADO CASH", E, "DPRK3] [CYBER2", E, E, E, E, E, E, E, "Website tornado.cash."],
            ["300", "OTHER CO", E, "IRAN", E, E, E, E, E, E, E, "Website other.example."],
        ],
    )
    result = runner.invoke(main, ["diff-sdn", str(old), str(new), "--format", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["counts"] == {"added": 0, "removed": 0, "redesignated": 1, "changed": 3}
    by = {c["ent_num"]: c for c in found["changes"]}
    assert {f["field"]: (f["removed"], f["added"]) for f in by[100]["fields"]} == {
        "call_sign": (["HMXX1"], ["HMXX2"]),
        "tonnage": (["1000"], ["1200"]),
        "vessel_flag": (["Korea, North"], ["Panama"]),
    }
    assert {f["field"]: (f["removed"], f["added"]) for f in by[200]["fields"]} == {
        "title": (["Officer"], ["Director"]),
        "aliases": ([], ["KIM TWO"]),
        "remarks": (["a.k.a. 'KIM ONE'."], ["a.k.a. 'KIM ONE'; a.k.a. 'KIM TWO'."]),
    }
    assert by[300]["fields"] == [{"field": "remarks", "removed": [], "added": ["Website other.example."]}]
    assert (by[39796]["change"], by[39796]["old_ent_num"], by[39796]["entry_type"]) == ("redesignated", 38499, "entity")
    # --program keeps entries listed under a matching program in either snapshot (a glob)
    dprk = runner.invoke(main, ["diff-sdn", str(old), str(new), "--program", "dprk*", "--format", "csv"])
    assert dprk.exit_code == 0, dprk.output
    rows = list(csv.DictReader(io.StringIO(dprk.stdout)))
    assert {r["ent_num"] for r in rows} == {"100", "200", "39796"}
    assert {r["programs"] for r in rows} == {"DPRK3", "DPRK3; CYBER2"}
    assert next(r for r in rows if r["ent_num"] == "39796")["old_programs"] == "CYBER2"
    table = runner.invoke(main, ["diff-sdn", str(old), str(new), "--program", "CYBER2"])
    assert table.stdout.splitlines()[1:] == [
        "= 38499 -> 39796 TORNADO CASH [CYBER2 -> DPRK3; CYBER2] re-designated",
        "= 38499 -> 39796 TORNADO CASH [CYBER2 -> DPRK3; CYBER2] programs: +DPRK3",
    ]
    unknown = runner.invoke(main, ["diff-sdn", str(old), str(new), "--program", "SDGT"])
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output
    assert unknown.stderr.splitlines() == [unknown.stderr.strip()]
    assert "--program 'SDGT' matches no program of either snapshot" in unknown.stderr
