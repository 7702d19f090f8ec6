"""Hostile inputs on every import path (issue 13): each is refused with one line and exit 2, or
becomes one skipped record with its file, line or record and reason while the rest of the import
goes on; nothing hangs, no traceback, the store and the match file stay as they were on refusal.
And the match file: spreadsheet formulas neutralised, hand-edit errors located, never written
into an installed package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from graph import paths
from tests.conftest import FIXTURES, REPO, ask, run

DATA = FIXTURES / "import"
COUNT = "SELECT (COUNT(DISTINCT ?g) AS ?n) (COUNT(*) AS ?t) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _refused(runner, store, tmp_path, args, message):
    """The import is refused with one line naming the problem; store and match file untouched."""
    before = ask(store, COUNT)
    result = run(runner, store, "import", *args, "--matches", str(tmp_path / "m.csv"))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert ask(store, COUNT) == before
    assert not (tmp_path / "m.csv").exists()
    return errors[0]


def _json(runner, store, tmp_path, *args):
    result = run(runner, store, "import", *args, "--matches", str(tmp_path / "m.csv"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "kind, head, tail",
    [
        ("attack", '{"type": "bundle", "objects": ', "}"),
        ("misp-galaxy", '{"values": ', "}"),
    ],
)
def test_deeply_nested_json(runner, store, tmp_path, kind, head, tail):
    path = tmp_path / "deep.json"
    path.write_text(head + "[" * 200_000 + "]" * 200_000 + tail)
    line = _refused(runner, store, tmp_path, [kind, str(path)], "nested 200001 levels deep")
    assert str(path) in line


@pytest.mark.parametrize("number", ["1" * 5000, "1e999999999", "-2.5E+10000"])
def test_huge_numbers_in_json(runner, store, tmp_path, number):
    path = tmp_path / "bundle.json"
    path.write_text(f'{{"type": "bundle",\n "objects": [{{"type": "x", "n": {number}}}]}}')
    line = _refused(runner, store, tmp_path, ["attack", str(path)], "is too large")
    assert f"{path}:2:" in line


def test_nan_in_json(runner, store, tmp_path):
    path = tmp_path / "galaxy.json"
    path.write_text('{"values": [], "version": NaN}')
    _refused(runner, store, tmp_path, ["misp-galaxy", str(path)], "NaN is not a JSON number")


@pytest.mark.parametrize("amount", ["1e999999999", "9" * 5000, "NaN", "-5"])
def test_absurd_amount_is_left_out_and_the_row_kept(runner, store, tmp_path, amount):
    path = tmp_path / "hacks.csv"
    lines = (DATA / "defillama-hacks.csv").read_text().splitlines()
    lines[1] = lines[1].replace(",2100000.0,", f",{amount},")
    path.write_text("\n".join(lines) + "\n")
    report = _json(runner, store, tmp_path, "incidents", str(path))
    assert report["counts"]["incidents"] == 3 and report["counts"]["losses"] == 2
    assert {
        "file": str(path),
        "line": 2,
        "record": None,
        "reason": f"amount {amount[:40]!r} is not a number in range; loss left out",
    } in report["skipped"]


def _folder(tmp_path):
    folder = tmp_path / "incidents"
    shutil.copytree(DATA / "dn", folder)
    (folder / "broken-front-matter.md").unlink()
    return folder


def test_one_bad_record_does_not_abort_a_folder(runner, store, tmp_path):
    folder = _folder(tmp_path)
    (folder / "impossible.md").write_text('---\ndate: 2022-02-30\ntitle: "Impossible"\n---\n')
    (folder / "huge-int.md").write_text('---\ndate: 2022-02-01\ntitle: "Huge"\nloss: ' + "7" * 5000 + "\n---\n")
    (folder / "latin1.md").write_bytes('---\ndate: 2022-02-01\ntitle: "caf\xe9"\n---\n'.encode("latin-1"))
    (folder / "bomb.md").write_text(
        '---\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\ndate: 2022-02-01\ntitle: "x"\n---\n'
    )
    (folder / "deep.md").write_text("---\ndate: 2022-02-01\ntitle: x\ntags: " + "[" * 20_000 + "]" * 20_000 + "\n---\n")
    os.mkfifo(folder / "pipe.md")
    report = _json(runner, store, tmp_path, "incidents", str(folder))
    assert report["counts"]["incidents"] == 2
    reasons = {os.path.basename(s["file"]): s["reason"] for s in report["skipped"]}
    assert reasons["impossible.md"] == "date '2022-02-30' is not a date (YYYY-MM-DD)"
    assert reasons["huge-int.md"].startswith("a number of more than 64 digits")
    assert reasons["latin1.md"].startswith("not UTF-8")
    assert reasons["bomb.md"] == "front matter is not valid YAML (YAML anchors and aliases are not accepted)"
    assert reasons["deep.md"] == "front matter nested too deeply (more than 64 levels)"
    assert reasons["pipe.md"].startswith("not a regular file")


def test_alias_bomb_alone_is_refused(runner, store, tmp_path):
    path = tmp_path / "bomb.md"
    path.write_text('---\na: &a ["lol","lol"]\nb: [*a,*a]\ndate: 2022-02-01\ntitle: "x"\n---\n')
    _refused(runner, store, tmp_path, ["incidents", str(path)], "YAML anchors and aliases are not accepted")


@pytest.mark.parametrize("kind", ["ofac-sdn", "attack", "misp-galaxy", "incidents"])
def test_fifo_and_devices_are_refused_without_reading(runner, store, tmp_path, kind):
    fifo = tmp_path / "sdn_2022-08-02.csv"
    os.mkfifo(fifo)  # opening it for reading would block forever
    _refused(runner, store, tmp_path, [kind, str(fifo)], "not a regular file")
    extra = ["--date", "2022-08-02"] if kind == "ofac-sdn" else []
    _refused(runner, store, tmp_path, [kind, "/dev/zero", *extra], "not a regular file")


def test_control_characters_in_names_are_escaped_and_reported(runner, store, tmp_path):
    path = tmp_path / "sdn_2024-05-03.csv"
    row = '90001,"EVIL\x1b[2J CORP",-0- ,"CYBER2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'GOOD\u202eLIVE\'."\r\n'
    path.write_bytes((DATA / "sdn_2024-05-03.csv").read_bytes().replace(b"\x1a", row.encode() + b"\x1a"))
    result = run(
        runner, store, "import", "ofac-sdn", str(path), "--matches", str(tmp_path / "m.csv"), "--format", "json"
    )
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\u202e" not in result.output
    flagged = [s for s in json.loads(result.stdout)["skipped"] if "ofac-sdn/entry/90001" in (s["record"] or "")]
    assert len(flagged) == 3  # the name, the alias, the sanction's label that repeats the name
    assert all("control characters; kept with them escaped" in s["reason"] for s in flagged)
    names = ask(
        store,
        "SELECT ?n WHERE { <https://w3id.org/dprk-kg/dataset/ofac-sdn/entry/90001> "
        "rdfs:label|skos:altLabel ?n } ORDER BY ?n",
    )
    assert names == [("EVIL\\x1b[2J CORP",), ("GOOD\\u202eLIVE",)]


def test_match_file_cells_cannot_carry_formulas(runner, store, tmp_path):
    matches = tmp_path / "m.csv"
    formula = '=HYPERLINK("http://example.invalid","click")'
    quoted = '"' + formula.replace('"', '""') + '"'
    matches.write_text(
        "imported,curated,basis,status,label,note\n"
        f"dataset:ofac-sdn/entry/39796,kg:tornado-cash,exact name,confirmed,@SUM(1),{quoted}\n"
    )
    result = run(runner, store, "import", "ofac-sdn", str(DATA / "sdn_2024-05-03.csv"), "--matches", str(matches))
    assert result.exit_code == 0, result.output
    written = matches.read_text()
    assert "'@SUM(1)" in written and "'=HYPERLINK(" in written
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in written.splitlines() for cell in line.split(","))
    # read back: the apostrophes go again, and the note reaches the graph as written
    assert ask(
        store,
        "SELECT ?n WHERE { ?m dkg:matchSubject <https://w3id.org/dprk-kg/dataset/ofac-sdn/entry/39796> ;"
        " rdfs:comment ?n }",
    ) == [(formula,)]
    again = run(runner, store, "import", "ofac-sdn", str(DATA / "sdn_2024-05-03.csv"), "--matches", str(matches))
    assert again.exit_code == 0 and matches.read_text() == written


@pytest.mark.parametrize(
    "row, message",
    [
        ("not an iri,kg:sinbad,exact name,proposed,,", "m.csv:2: imported 'not an iri' is not an IRI"),
        ("dataset:ofac-sdn/entry/1,kg:sin bad,exact name,proposed,,", "m.csv:2: curated 'kg:sin bad' is not an IRI"),
        ("dataset:ofac-sdn/entry/1,kg:sinbad,exact name,maybe,,", "m.csv:2: status 'maybe' is not one of"),
        ("dataset:ofac-sdn/entry/1,kg:sinbad,gut feeling,proposed,,", "m.csv:2: basis 'gut feeling' is not one of"),
    ],
)
def test_hand_edited_match_file_errors_name_their_row(runner, store, tmp_path, row, message):
    matches = tmp_path / "m.csv"
    matches.write_text("imported,curated,basis,status,label,note\n" + row + "\n")
    before = matches.read_bytes()
    result = run(runner, store, "import", "ofac-sdn", str(DATA / "sdn_2024-05-03.csv"), "--matches", str(matches))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.count("Error: ") == 1 and message in result.stderr
    assert matches.read_bytes() == before


def test_default_match_file_is_the_checkouts():
    assert paths.MATCHES_FILE == REPO / "links" / "matches.csv"


def test_installed_tool_writes_matches_to_the_user_folder(tmp_path):
    target, xdg, work = tmp_path / "site", tmp_path / "xdg", tmp_path / "elsewhere"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    work.mkdir()
    shipped = target / "graph" / "_data" / "links" / "matches.csv"
    before = shipped.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(target), "XDG_DATA_HOME": str(xdg)}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import cli; cli.main()",
            "--store",
            str(work / "store"),
            "import",
            "ofac-sdn",
            str(DATA / "sdn_2024-05-03.csv"),
            "--format",
            "json",
        ],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["match_file"] == str(xdg / "dprk-kg" / "matches.csv")
    assert shipped.read_bytes() == before
    written = (xdg / "dprk-kg" / "matches.csv").read_text()
    # it starts from the reviewed matches the project ships, then adds the new proposals
    assert "kg:lazarus-group,shared identifier,confirmed,Lazarus Group,ATT&CK G0032" in written
    assert "dataset:ofac-sdn/entry/39796,kg:tornado-cash," in written


def test_oversize_file_is_refused_before_reading(runner, store, tmp_path):
    from graph.files import MAX_FILE_BYTES

    big = tmp_path / "sdn_2022-08-02.csv"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written to disk
    _refused(runner, store, tmp_path, ["ofac-sdn", str(big)], f"over the {MAX_FILE_BYTES:,}-byte limit")


def test_match_file_that_is_a_fifo_is_refused(runner, store, tmp_path):
    matches = tmp_path / "m.csv"
    os.mkfifo(matches)
    result = run(runner, store, "import", "ofac-sdn", str(DATA / "sdn_2024-05-03.csv"), "--matches", str(matches))
    assert result.exit_code == 2 and "not a regular file" in result.stderr and "Traceback" not in result.output
