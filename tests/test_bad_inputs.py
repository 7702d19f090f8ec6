"""The cases of ``../shared/reference/bad_inputs.md`` and issue 13 that no other test module
shows, or shows only in part (``tests/hardening_cases.toml`` lists every case and its tests):
variants of hostile files on every command that reads a file, reads and connections a refused
query never makes, exports under a read-only folder and a full disk, statement order and hash
seed, a wrong URL, a million rows in bounded memory, control characters in a dump, damaged and
busy stores, and hostile text in every HTML export."""

from __future__ import annotations

import json
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest

from cli import main
from graph import paths
from tests import servers
from tests.conftest import FIXTURES, REPO, ask, build_into, run, snapshot

CLI = [sys.executable, str(REPO / "cli.py")]
IMPORTS = FIXTURES / "import"
EXPORTS = ("graph.ttl", "graph.trig", "graph.nt", "graph.jsonld", "graph.html", "timeline.html")
EX = "https://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
HEAD = (
    "@prefix dkg: <https://w3id.org/dprk-kg/ns#> .\n@prefix src: <https://w3id.org/dprk-kg/source/> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n@prefix dcterms: <http://purl.org/dc/terms/> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)


def _command(store: Path, *args: str | Path) -> list[str]:
    """The CLI run as a user runs it, on ``store``."""
    return [*CLI, "--store", str(store), *map(str, args)]


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error: ")]


@pytest.fixture
def previous(built, tmp_path) -> dict[str, Path]:
    """A copy of a good build (exports and store), and a copy of the curated sources."""
    shutil.copytree(built["exports"], tmp_path / "exports")
    shutil.copytree(built["store"], tmp_path / "store")
    shutil.copytree(paths.SOURCES_DIR, tmp_path / "sources")
    return {"exports": tmp_path / "exports", "store": tmp_path / "store", "sources": tmp_path / "sources"}


# -- curated files: every bad value named with its file, line, subject, property and value ------


def test_ill_typed_values_are_each_named_with_file_subject_property_and_value(runner, previous) -> None:
    before = snapshot(previous["exports"])
    path = previous["sources"] / "bad-values.ttl"
    path.write_text(
        HEAD + 'src:bad-values a dkg:SourceDocument ; rdfs:label "x" ; dcterms:title "x" ;\n'
        "    dkg:documentKind dkg:NewsArticle .\n"
        f'<{EX}a> <{EX}amount> "12.50 EUR"^^xsd:decimal .\n'
        f'<{EX}b> <{EX}when> "2024-02-30"^^xsd:date .\n',
        encoding="utf-8",
    )
    result = build_into(runner, previous)
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f'Error: {path}:8: ill-typed literal "12.50 EUR" (not a valid xsd:decimal) on <{EX}a> <{EX}amount>'
    )
    assert lines[1] == f'{path}:9: ill-typed literal "2024-02-30" (not a valid xsd:date) on <{EX}b> <{EX}when>'
    assert snapshot(previous["exports"]) == before


def test_a_blank_node_in_a_source_stops_the_build(runner, previous) -> None:
    before = snapshot(previous["exports"])
    path = previous["sources"] / "blank.ttl"
    path.write_text(
        HEAD + 'src:blank a dkg:SourceDocument ; rdfs:label "x" ; dcterms:title "x" ;\n'
        "    dkg:documentKind dkg:NewsArticle .\n"
        f'<{EX}a> <{EX}p> [ <{EX}q> "x" ] .\n',
        encoding="utf-8",
    )
    result = build_into(runner, previous)
    assert result.exit_code == 2
    assert _error_lines(result.stderr) == [
        f"Error: {path}:8: blank node refused: curated data names every node with an IRI "
        "(a blank node gets a new label on every build)"
    ]
    assert snapshot(previous["exports"]) == before


# -- RDF files that would make a parser hang or reach out ---------------------------------------

LONG = ("x" * 99 + "\n") * 20_000  # two million characters, no line longer than 100

HOSTILE_FILES = {
    "external-entity.rdf": (
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">'
        '<rdf:Description rdf:about="https://example.org/a"><ex:p>&x;</ex:p></rdf:Description></rdf:RDF>\n',
        ":2: RDF/XML with a DTD or entity declarations is refused",
    ),
    "after-a-comment.owl": (
        '<?xml version="1.0"?>\n<!-- a comment first -->\n<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
        ":3: RDF/XML with a DTD or entity declarations is refused",
    ),
    "long-lines.ttl": (
        f'<{EX}a> <{EX}p> """{LONG}""" .\n',
        f":1: literal of 2,000,000 characters (more than 1,000,000) on <{EX}a> <{EX}p>",
    ),
    "long-lines.rdf": (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">\n'
        f'<rdf:Description rdf:about="https://example.org/a"><ex:p>{LONG}</ex:p></rdf:Description></rdf:RDF>\n',
        f"literal of 2,000,000 characters (more than 1,000,000) on <{EX}a> <{EX}p>",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_FILES))
def test_dtds_and_huge_literals_are_refused_in_every_spelling(runner, tmp_path, name) -> None:
    text, message = HOSTILE_FILES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    for command in (["validate", str(path)], ["viz", str(path), "-o", str(tmp_path / "out.html")]):
        result = runner.invoke(main, command)
        assert result.exit_code == 2, result.output
        assert _error_lines(result.stderr) == [result.stderr.strip()]
        assert result.stderr.startswith(f"Error: {path}") and message in result.stderr
    assert not (tmp_path / "out.html").exists()


def test_utf16_rdfxml_is_refused_as_not_utf8(runner, tmp_path) -> None:
    path = tmp_path / "utf16.rdf"
    path.write_bytes(HOSTILE_FILES["external-entity.rdf"][0].encode("utf-16"))
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2 and result.stderr == f"Error: {path}:1: not UTF-8: byte 0xff at offset 0\n"


# -- a refused query opens no connection and reads no file --------------------------------------


@pytest.fixture
def watched(tmp_path, listener):
    """A loopback listener and a FIFO, each recording whether anything reached it: a connection,
    or an opening of the FIFO for reading (which would also block a reader forever)."""
    port, hits = listener
    fifo = tmp_path / "secret.ttl"
    os.mkfifo(fifo)
    done = threading.Event()

    def watch() -> None:
        fd = os.open(fifo, os.O_WRONLY)  # returns once a reader opens the FIFO
        if not done.is_set():
            hits.append("file read")
        os.close(fd)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    yield f"http://127.0.0.1:{port}/g", fifo.as_uri(), hits
    done.set()
    os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # let the watcher go
    watcher.join(5)


@pytest.mark.parametrize(
    "template",
    [
        "LOAD <{url}>",
        "LOAD SILENT <{file}> INTO GRAPH <urn:x>",
        "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM <{file}> WHERE {{ ?s ?p ?o }}",
        "select * from named <{url}> where {{ graph ?g {{ ?s ?p ?o }} }}",
        "ASK FROM <{file}> {{ ?s ?p ?o }}",
        "CONSTRUCT {{ ?s ?p ?o }} FROM <{url}> WHERE {{ ?s ?p ?o }}",
        "DESCRIBE ?s FROM NAMED <{file}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ],
)
def test_a_query_naming_a_remote_graph_or_a_file_is_refused_before_anything_is_read(
    runner, built, watched, template
) -> None:
    url, file, hits = watched
    result = run(runner, built["store"], "query", template.format(url=url, file=file), "--format", "csv")
    assert result.exit_code == 2, result.output
    assert len(_error_lines(result.stderr)) == 1 and "refused" in result.stderr
    assert result.stdout == ""
    time.sleep(0.2)  # anything started would have reached the listener or the FIFO by now
    assert hits == []


def test_a_named_query_parameter_is_a_value_never_query_text(runner, built, watched) -> None:
    url, _, hits = watched
    injected = f"kg:x> }} SERVICE <{url}> {{ ?a ?b ?c }} #"
    result = run(runner, built["store"], "query", "-n", "lazarus-incidents", "-p", f"actor={injected}")
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2)
    assert hits == []


# -- every command that reads a file: empty, missing, a folder, a FIFO, a device, a BOM -------

READERS = {
    "validate": ["validate", "{path}"],
    "viz": ["viz", "{path}", "-o", "{out}/v.html"],
    "query -f": ["query", "-f", "{path}"],
    "screen": ["screen", "{path}"],
    "load-dump": ["--store", "{out}/fresh", "load-dump", "{path}", "--format", "nquads"],
    "import ofac-sdn": ["import", "ofac-sdn", "{path}", "--date", "2024-05-03", "--matches", "{out}/m.csv"],
    "import attack": ["import", "attack", "{path}", "--matches", "{out}/m.csv"],
    "import misp-galaxy": ["import", "misp-galaxy", "{path}", "--matches", "{out}/m.csv"],
    "import incidents": ["import", "incidents", "{path}", "--matches", "{out}/m.csv"],
}


def _kind_of_path(tmp_path: Path, kind: str) -> tuple[str, str]:
    """A path of this kind and the message naming it."""
    if kind == "empty":
        (tmp_path / "empty.ttl").write_bytes(b"\n \n")
        return str(tmp_path / "empty.ttl"), "empty file"
    if kind == "missing":
        return str(tmp_path / "missing.ttl"), "no such file"
    if kind == "fifo":
        os.mkfifo(tmp_path / "pipe.ttl")
        return str(tmp_path / "pipe.ttl"), "not a regular file"
    if kind == "device":
        return "/dev/zero", "not a regular file"
    (tmp_path / "folder.ttl").mkdir()
    return str(tmp_path / "folder.ttl"), "folder|directory"


@pytest.mark.parametrize("kind", ["empty", "missing", "fifo", "device", "folder"])
@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_path_that_is_no_readable_file_is_one_line_naming_it(runner, store, tmp_path, reader, kind) -> None:
    path, message = _kind_of_path(tmp_path, kind)
    if reader == "import incidents" and kind == "folder":
        message = re.escape("no Markdown (.md) incident write-ups in this folder")
    before = ask(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    args = [a.format(path=path, out=tmp_path) for a in READERS[reader]]
    result = run(runner, store, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = _error_lines(result.stderr)
    assert len(lines) == 1 and re.search(message, lines[0]), result.stderr
    assert path in lines[0]
    assert ask(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == before
    assert not (tmp_path / "m.csv").exists() and not (tmp_path / "v.html").exists()


def test_a_fifo_among_the_sources_stops_the_build_before_any_work(runner, previous) -> None:
    before = snapshot(previous["exports"])
    os.mkfifo(previous["sources"] / "pipe.ttl")
    result = build_into(runner, previous)
    assert result.exit_code == 2
    assert _error_lines(result.stderr) == [
        f"Error: {previous['sources'] / 'pipe.ttl'}: not a regular file (a FIFO, device or socket); give a file"
    ]
    assert snapshot(previous["exports"]) == before


BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize(
    "args, file",
    [
        (["import", "attack"], IMPORTS / "attack-bundle.json"),
        (["import", "misp-galaxy"], IMPORTS / "misp-threat-actor.json"),
        (["import", "ofac-sdn"], IMPORTS / "sdn_2024-05-03.csv"),
        (["import", "incidents"], IMPORTS / "defillama-hacks.csv"),
    ],
)
def test_a_bom_is_accepted_by_every_import(runner, store, tmp_path, args, file) -> None:
    plain, marked = tmp_path / "plain" / file.name, tmp_path / "marked" / file.name
    for copy, head in ((plain, b""), (marked, BOM)):
        copy.parent.mkdir()
        copy.write_bytes(head + file.read_bytes())
    reports = []
    for copy in (plain, marked):
        result = run(runner, store, *args, str(copy), "--matches", str(tmp_path / "m.csv"), "--format", "json")
        assert result.exit_code == 0, result.output
        reports.append(json.loads(result.stdout))
    assert reports[0]["counts"] == reports[1]["counts"] and reports[0]["triples"] == reports[1]["triples"]


def test_a_bom_is_accepted_in_a_query_file_a_screen_list_and_a_match_file(runner, store, tmp_path) -> None:
    query = tmp_path / "q.rq"
    query.write_bytes(BOM + b"SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n")
    assert run(runner, store, "query", "-f", str(query), "--format", "csv").exit_code == 0
    names = tmp_path / "names.txt"
    names.write_bytes(BOM + b"0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n")
    screened = run(runner, store, "screen", str(names), "--format", "json")
    assert screened.exit_code == 0 and "\ufeff" not in screened.stdout
    matches = tmp_path / "m.csv"
    matches.write_bytes(BOM + (REPO / "links" / "matches.csv").read_bytes())
    imported = run(runner, store, "import", "ofac-sdn", str(IMPORTS / "sdn_2024-05-03.csv"), "--matches", str(matches))
    assert imported.exit_code == 0, imported.output
    assert not matches.read_bytes().startswith(BOM)


# -- exports under a read-only folder and a full disk -------------------------------------------


@pytest.fixture
def read_only_folder(tmp_path):
    """An existing folder no one can write, not even root (made immutable when running as root)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    (folder / "graph.ttl").write_bytes(b"previous\n")
    if os.geteuid() != 0:
        folder.chmod(0o555)
    elif subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("running as root without chattr: no folder root cannot write")
    yield folder
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
    folder.chmod(0o755)


def test_a_read_only_exports_folder_is_refused_before_any_work(runner, tmp_path, read_only_folder) -> None:
    result = runner.invoke(main, ["--store", str(tmp_path / "s"), "build", "--out", str(read_only_folder)])
    assert result.exit_code == 4
    assert _error_lines(result.stderr) == [f"Error: {read_only_folder} is not writable"]
    assert not (tmp_path / "s").exists()  # refused before the store was touched
    assert snapshot(read_only_folder) == {"graph.ttl": b"previous\n"}


def _limited(limit: int):
    """Run a child with files capped at ``limit`` bytes: a write past it fails as on a full disk."""
    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize("limit", [700_000, 300_000])  # the exports, or the store's entity index, fail first
def test_a_full_disk_during_the_exports_leaves_the_previous_set(previous, limit) -> None:
    shutil.copy(FIXTURES / "bad" / "with-bom.ttl", previous["sources"])  # a valid source more
    before = snapshot(previous["exports"])
    done = subprocess.run(
        _command(previous["store"], "build", "-q", "--sources", previous["sources"], "--out", previous["exports"]),
        capture_output=True,
        text=True,
        preexec_fn=_limited(limit),
    )
    assert done.returncode == 4, done.stderr
    assert _error_lines(done.stderr) == [done.stderr.strip()]
    assert "File too large" in done.stderr or ("entity index" in done.stderr and "disk I/O error" in done.stderr)
    assert snapshot(previous["exports"]) == before  # byte for byte, no temporary file left
    assert sorted(p.name for p in previous["exports"].iterdir()) == sorted(before)


@pytest.mark.shared
def test_a_full_disk_during_an_import_leaves_the_store_as_it_was(runner, shared_data, store, tmp_path) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = ask(store, count)
    done = subprocess.run(
        _command(
            store,
            "import",
            "ofac-sdn",
            shared_data / "ofac_sdn_csv" / "sdn_2022-08-08.csv",
            "--matches",
            tmp_path / "m.csv",
        ),
        capture_output=True,
        text=True,
        preexec_fn=_limited(2_000_000),
    )
    assert done.returncode == 3 and "Traceback" not in done.stderr
    assert _error_lines(done.stderr) == [done.stderr.splitlines()[-1]] and "File too large" in done.stderr
    after = run(runner, store, "sources")
    assert after.exit_code == 0 and "unfinished" not in after.stderr  # undone by the import itself
    assert ask(store, count) == before and not list(store.glob("bulk-*.sst"))


# -- the same exports whatever the hash seed and the order of statements ------------------------


def _shuffled_sources(target: Path, seed: int) -> None:
    """The curated sources with each file's statements in another order (as N-Triples lines)."""
    target.mkdir()
    for path in sorted(paths.SOURCES_DIR.glob("*.ttl")):
        triples = [f"{t.subject} {t.predicate} {t.object} .\n" for t in ox.parse(path=str(path))]
        random.Random(seed).shuffle(triples)
        (target / path.name).write_text("".join(triples), encoding="utf-8")


def test_exports_do_not_depend_on_statement_order_or_hash_seed(tmp_path) -> None:
    outputs = []
    for seed in (1, 4242):
        _shuffled_sources(tmp_path / f"sources-{seed}", seed)
        out = tmp_path / f"out-{seed}"
        subprocess.run(
            _command(out / "store", "build", "-q", "--sources", tmp_path / f"sources-{seed}", "--out", out),
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
        )
        outputs.append({name: (out / name).read_bytes() for name in EXPORTS})
    assert outputs[0] == outputs[1]
    assert outputs[0]["graph.ttl"] == (REPO / "exports" / "graph.ttl").read_bytes()


# -- remote endpoints: a wrong URL --------------------------------------------------------------


def test_a_wrong_url_is_one_line_and_nothing_is_sent_to_write(runner, built) -> None:
    with servers.StubServer((404, {"Content-Type": "text/plain"}, b"Not Found\n")) as stub:
        asked = runner.invoke(main, ["query", "--endpoint", stub.url, "-n", "sources"])
        pushed = runner.invoke(main, ["--store", str(built["store"]), "push", "--endpoint", stub.url])
    for result in (asked, pushed):
        assert result.exit_code == 3
        assert _error_lines(result.stderr) == [f"Error: {stub.url}: HTTP 404 Not Found: Not Found"]
    assert {method for method, _, body in stub.requests} == {"POST"}
    assert all(body.startswith(b"query=") for _, _, body in stub.requests)  # reads only, no update


# -- a million rows in bounded memory -----------------------------------------------------------


def test_a_million_rows_stream_in_bounded_memory(built) -> None:
    values = " ".join(map(str, range(1000)))
    text = f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} }}"
    with open(os.devnull, "wb") as sink:
        process = subprocess.Popen(
            [*CLI, "--store", str(built["store"]), "query", text, "--format", "csv", "--timeout", "600"],
            stdout=sink,
            stderr=subprocess.PIPE,
        )
        _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, process.stderr.read()
    assert usage.ru_maxrss < 400 * 1024, f"peak {usage.ru_maxrss // 1024} MiB for a 1,000,000-row result"


def test_a_query_stopped_mid_stream_says_its_output_stops_early(built, tmp_path) -> None:
    out = tmp_path / "rows.csv"
    with out.open("wb") as sink:
        done = subprocess.run(
            _command(built["store"], "query", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "--timeout", "1"),
            stdout=sink,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert done.returncode == 5
    written = out.stat().st_size
    assert done.stderr == (
        f"Error: the query ran past the 1 s limit and was stopped; the output stops early, after {written:,} bytes. "
        "Narrow it, or raise --timeout\n"
    )


# -- control characters in a dump ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["\\u001B[2J", "\\u202Egnp.exe", "bell\\u0007", "c1\\u0085"])
def test_a_dump_with_control_characters_is_refused(runner, built, tmp_path, value) -> None:
    dump = tmp_path / "d.nq"
    assert run(runner, built["store"], "dump", "-o", str(dump)).exit_code == 0
    with dump.open("a", encoding="utf-8") as handle:
        handle.write(f'<{EX}evil> <http://www.w3.org/2000/01/rdf-schema#label> "EVIL{value}" <{EX}g> .\n')
    fresh = run(runner, tmp_path / "fresh", "load-dump", str(dump))
    assert fresh.exit_code == 2
    assert _error_lines(fresh.stderr) == [fresh.stderr.strip()] and "control character in literal" in fresh.stderr
    assert re.search(r"\\x1b|\\u202e|\\x07|\\x85", fresh.stderr) and not re.search("[\x1b\u202e\x07\x85]", fresh.stderr)
    replaced = run(runner, built["store"], "load-dump", "--replace", str(dump))
    assert replaced.exit_code == 2 and "control character in literal" in replaced.stderr
    assert ask(built["store"], f"SELECT ?p WHERE {{ <{EX}evil> ?p ?o }}") == []


# -- damaged and busy stores -------------------------------------------------------------------


def test_a_store_path_that_is_a_file_is_one_line(runner, tmp_path) -> None:
    path = tmp_path / "store"
    path.write_text("not a store")
    for command in (["sources"], ["query", "-n", "sources"], ["show", "Tornado Cash"]):
        result = run(runner, path, *command)
        assert result.exit_code == 3
        assert result.stderr == f"Error: {path} is a file, not a store folder: give another --store\n"


def test_a_corrupted_table_is_damage_not_a_lock(runner, store, tmp_path) -> None:
    for table in store.glob("*.sst"):
        with table.open("r+b") as handle:
            handle.seek(200)
            handle.write(os.urandom(64))
    for command in (["sources"], ["query", "-n", "sanctioned-mixers"], ["show", "Tornado Cash"]):
        result = run(runner, store, *command)
        assert result.exit_code == 3
        assert result.stderr.startswith(f"Error: the store at {store} cannot be read (")
        assert "being written" not in result.stderr and result.stderr.count("\n") == 1


def test_an_import_into_an_unwritable_store_folder_is_refused_before_any_work(runner, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run(
        runner,
        blocker / "store",
        "import",
        "ofac-sdn",
        str(IMPORTS / "sdn_2024-05-03.csv"),
        "--matches",
        str(tmp_path / "m.csv"),
    )
    assert result.exit_code == 4
    assert _error_lines(result.stderr) == [result.stderr.splitlines()[-1]] and "not writable" in result.stderr
    assert not (tmp_path / "m.csv").exists()


def test_two_builds_at_once_name_each_other_or_both_finish(previous) -> None:
    store = previous["store"].parent / "new-store"
    processes = [
        subprocess.Popen(
            [*CLI, "--store", str(store), "build", "-q", "--out", str(previous["exports"].parent / f"out-{n}")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    errors = [p.communicate(timeout=300)[1] for p in processes]
    for process, other, err in zip(processes, reversed(processes), errors, strict=True):
        assert "Traceback" not in err and "While lock" not in err
        assert process.returncode in (0, 3), err
        if process.returncode == 3:
            assert f"is being written by process {other.pid} (dprk-kg --store {store} build" in err
    assert 0 in [p.returncode for p in processes]
    assert ask(store, "SELECT ?t WHERE { <https://w3id.org/dprk-kg/id/tornado-cash> a ?t }")


def test_a_build_while_a_reader_holds_the_store(previous) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    reader = subprocess.Popen(
        [*CLI, "--store", str(previous["store"]), "query", slow, "--timeout", "20"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1)
        (previous["sources"] / "trm-labs-ronin-bridge-hack.ttl").write_text(
            (previous["sources"] / "trm-labs-ronin-bridge-hack.ttl").read_text() + "\n# changed\n"
        )
        built = subprocess.run(
            _command(previous["store"], "build", "-q", "--sources", previous["sources"], "--out", previous["exports"]),
            capture_output=True,
            text=True,
        )
        assert built.returncode == 0, built.stderr  # readers hold no lock: the build goes on
    finally:
        reader.send_signal(signal.SIGTERM)
        _, err = reader.communicate(timeout=60)
    assert reader.returncode in (0, 5, 130) and "Traceback" not in err


# -- hostile text in every HTML export ---------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


HOSTILE_TTL = (
    HEAD
    + "@prefix kg: <https://w3id.org/dprk-kg/id/> .\n@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
    + "@prefix schema: <https://schema.org/> .\n"
    + 'src:h a dkg:SourceDocument ; rdfs:label "S <script>alert(1)</script>" ;\n'
    + '    dcterms:title "<img src=x onerror=alert(2)> title" ; dcterms:issued "2022-03-29"^^xsd:date ;\n'
    + '    dcterms:description "<iframe src=https://example.org/></iframe> description" ;\n'
    + '    schema:url "javascript:alert(3)"^^xsd:anyURI .\n'
    + 'kg:h-group a dkg:ThreatGroup ; rdfs:label "</script><script>alert(4)</script>" ;\n'
    + '    rdfs:comment "<svg onload=alert(5)> comment" ;\n'
    + '    skos:altLabel "<style>@import url(https://example.org/x.css)</style>" .\n'
    + "<https://w3id.org/dprk-kg/id/%3C/script%3E%3Cscript%3Ealert(6)%3C/script%3E> a dkg:Mixer ;\n"
    + '    rdfs:label "mixer" ; dkg:affiliatedWith kg:h-group .\n'
    + 'kg:h-incident a dkg:Incident ; rdfs:label "<script>alert(7)</script> incident" ;\n'
    + '    dkg:eventDate "2022-03-29"^^xsd:date ; dkg:victim kg:h-group .\n'
)


@pytest.mark.parametrize("page", ["graph", "timeline"])
def test_hostile_text_stays_text_in_every_html_export(runner, tmp_path, page) -> None:
    source, benign = tmp_path / "hostile.ttl", tmp_path / "benign.ttl"
    source.write_text(HOSTILE_TTL, encoding="utf-8")
    benign.write_text(re.sub(r"<(/?)(script|img|iframe|svg|style)", r"\2", HOSTILE_TTL), encoding="utf-8")
    option = ["--timeline"] if page == "timeline" else []
    pages = {}
    for name, path in (("hostile", source), ("benign", benign)):
        result = runner.invoke(main, ["viz", *option, str(path), "-o", str(tmp_path / f"{name}.html")])
        assert result.exit_code == 0, result.output
        pages[name] = (tmp_path / f"{name}.html").read_text(encoding="utf-8")
    html = pages["hostile"]
    for raw in ("<script>alert", "</script><script>", "<img src=x", "<iframe", "<svg onload", "<style>@import"):
        assert raw not in html, raw
    tags = _tags(html)
    assert [t for t, _ in tags] == [t for t, _ in _tags(pages["benign"])]  # the data adds no element
    for tag, attrs in tags:  # nothing loads from elsewhere
        assert not any(
            (value or "").startswith(("http:", "https:", "//"))
            for name, value in attrs.items()
            if name in ("src", "href")
        ), (tag, attrs)
    assert "javascript:alert(3)" not in [attrs.get("href") for _, attrs in tags]
