"""Store writes under crashes and beside readers (issues 13 and 15): an import or a re-import
killed at any point leaves the old dataset or the new one, never a mix; the next command undoes
what the killed writer left and says so; a reader waits for a write in progress and never sees
half of it; a re-import writes only what changed."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import journal, query, storage
from graph.journal import Change
from graph.store import difference, replace_graphs
from tests.conftest import FIXTURES, REPO, run

SDN = FIXTURES / "import" / "sdn_2024-05-03.csv"
GRAPH = "https://w3id.org/dprk-kg/dataset/ofac-sdn-2024-05-03"
CLI = [sys.executable, str(REPO / "cli.py")]

#: Run the CLI with the store's writer killed (SIGKILL, as by ``kill -9``) just before or just
#: after its n-th call of one pyoxigraph method: argv is method, before|after, n, CLI arguments.
KILLED_AT = """
import os, signal, sys
import graph.store
from cli import main

method, when, nth = sys.argv[1], sys.argv[2], int(sys.argv[3])
real_open = graph.store.open_ox
calls = []


class Killing:
    def __init__(self, store):
        self._store = store

    def __iter__(self):
        return iter(self._store)

    def __getattr__(self, name):
        attr = getattr(self._store, name)
        if name != method:
            return attr

        def call(*args, **kwargs):
            calls.append(name)
            if when == "before" and len(calls) == nth:
                os.kill(os.getpid(), signal.SIGKILL)
            result = attr(*args, **kwargs)
            if len(calls) == nth:
                os.kill(os.getpid(), signal.SIGKILL)
            return result

        return call


graph.store.open_ox = lambda path, read_only=False: Killing(real_open(path, read_only))
main(sys.argv[4:])
"""

#: Hold a write open: bulk-load one quad into a new graph inside ``storage.writing``, say
#: "ready", and finish only when a line arrives on stdin.
HOLD = """
import sys
from pathlib import Path
import pyoxigraph as ox
from graph import journal, storage

path = Path(sys.argv[1])
store = storage.open_ox(path)
with journal.writing(path, store):
    quad = b'<https://e.org/s> <https://e.org/p> "held" <https://e.org/held> .\\n'
    store.bulk_load(quad, format=ox.RdfFormat.N_QUADS)
    print("ready", flush=True)
    sys.stdin.readline()
"""


def _content(store: Path, graph: str = GRAPH) -> set[str]:
    """The quads of ``graph`` as text, without the import time (it differs between runs)."""
    db = ox.Store.read_only(str(store))
    try:
        return {
            str(q) for q in db.quads_for_pattern(None, None, None, ox.NamedNode(graph)) if "importedAt" not in str(q)
        }
    finally:
        del db


def _graphs(store: Path) -> list[str]:
    db = ox.Store.read_only(str(store))
    try:
        return sorted(g.value for g in db.named_graphs())
    finally:
        del db


def _import(store: Path, file: Path, matches: Path) -> list[str]:
    return ["--store", str(store), "import", "ofac-sdn", str(file), "--matches", str(matches)]


@pytest.fixture
def versions(built, tmp_path) -> dict:
    """Two versions of one SDN snapshot (the second loses a row and gains one) and what the
    dataset's graph holds after importing each into the curated store."""
    second = tmp_path / "v2" / SDN.name
    second.parent.mkdir()
    lines = SDN.read_bytes().split(b"\r\n")
    extra = b'90001,"NEW ROW CORP",-0- ,"CYBER2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    second.write_bytes(b"\r\n".join(lines[:1] + lines[2:]).replace(b"\x1a", extra + b"\x1a"))
    content = {}
    for name, file in (("old", SDN), ("new", second)):
        reference = tmp_path / f"reference-{name}"
        shutil.copytree(built["store"], reference)
        done = subprocess.run([*CLI, *_import(reference, file, tmp_path / f"m-{name}.csv")], capture_output=True)
        assert done.returncode == 0, done.stderr
        content[name] = _content(reference)
    assert content["old"] != content["new"] and content["old"] and content["new"]
    return {"files": {"old": SDN, "new": second}, **content}


def _killed(args: list[str], method: str, when: str, nth: int = 1) -> None:
    command = [sys.executable, "-c", KILLED_AT, method, when, str(nth), *args]
    done = subprocess.run(command, cwd=REPO, capture_output=True)
    assert done.returncode == -signal.SIGKILL, f"the kill did not land: {done.stderr.decode()[-2000:]}"


@pytest.mark.parametrize("method", ["bulk_load", "flush"])
def test_a_first_import_killed_leaves_no_part_of_it(runner, store, tmp_path, versions, method) -> None:
    before = _graphs(store)
    _killed(_import(store, SDN, tmp_path / "m.csv"), method, "after")
    assert GRAPH in _graphs(store)  # the kill landed with the graph (partly) written
    result = run(runner, store, "sources")
    assert result.exit_code == 0, result.output
    assert f"a write to the store at {store} was left unfinished by process " in result.stderr
    assert "removed the 1 graph(s) it was adding; the store is as it was before it" in result.stderr
    assert _graphs(store) == before and GRAPH not in result.stdout
    again = run(runner, store, "sources")
    assert again.exit_code == 0 and "interrupted" not in again.stderr  # repaired once, said once
    assert run(runner, store, *_import(store, SDN, tmp_path / "m.csv")[2:]).exit_code == 0
    assert _content(store) == versions["old"]


@pytest.mark.parametrize(
    "method, when, nth, left",
    [
        ("dump", "after", 1, "old"),  # the old graph read back, nothing journaled yet
        ("remove", "before", 1, "new"),  # journaled, nothing applied: completed from the journal
        ("remove", "after", 1, "new"),  # one lost quad removed
        ("bulk_extend", "after", 1, "new"),  # every change applied
        ("flush", "after", 1, "new"),  # all written, the marker not yet rewritten
    ],
)
def test_a_re_import_killed_leaves_the_old_dataset_or_the_new(
    runner, store, tmp_path, versions, method, when, nth, left
) -> None:
    matches = tmp_path / "m.csv"
    assert run(runner, store, *_import(store, versions["files"]["old"], matches)[2:]).exit_code == 0
    _killed(_import(store, versions["files"]["new"], matches), method, when, nth)
    result = run(runner, store, "query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert _content(store) == versions[left]
    if left == "new":
        assert f"a write to the store at {store} was left unfinished by process " in result.stderr
        assert "completed it from its journal; the store holds its new data" in result.stderr
    else:
        assert "interrupted" not in result.stderr
    assert not list(store.glob("dprk-kg.journal*"))
    assert int(result.stdout.splitlines()[1]) == sum(1 for _ in ox.Store.read_only(str(store)))
    assert run(runner, store, *_import(store, versions["files"]["new"], matches)[2:]).exit_code == 0
    assert _content(store) == versions["new"]


@pytest.mark.parametrize("method", ["bulk_load", "flush"])
def test_a_first_build_killed_in_its_store_write_is_undone_then_rebuilt(runner, built, tmp_path, method) -> None:
    store = tmp_path / "store"
    _killed(["--store", str(store), "build", "-q", "--out", str(tmp_path / "exports")], method, "after")
    assert not list((tmp_path / "exports").glob("graph.*"))  # the exports come after the store
    result = run(runner, store, "query", "-n", "sources", "--format", "csv")
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"... a write to the store at {store} was left unfinished by process ")
    assert lines[0].endswith("graph(s) it was adding; the store is as it was before it")
    assert lines[1] == f"... building the curated part of the store at {store} from {REPO / 'sources'}"
    assert result.stdout == run(runner, built["store"], "query", "-n", "sources", "--format", "csv").stdout
    assert not list(store.glob("bulk-*.sst"))


def test_re_imports_switch_between_versions_whole(runner, store, tmp_path, versions) -> None:
    matches = tmp_path / "m.csv"
    for name in ("old", "new", "old", "new"):
        assert run(runner, store, *_import(store, versions["files"][name], matches)[2:]).exit_code == 0
        assert _content(store) == versions[name]
        assert json.loads((store / journal.MARKER_FILE).read_text()).keys() == {"done"}
        assert not list(store.glob("dprk-kg.journal*"))


def test_a_change_journals_only_what_differs(tmp_path) -> None:
    g, h = "https://e.org/g", "https://e.org/h"
    lines = [f'<https://e.org/s{i}> <https://e.org/p> "{i}" <{g}> .\n' for i in range(1000)]
    other = f"_:b1 <https://e.org/p> _:b2 <{h}> .\n"
    replace_graphs(tmp_path / "s", "".join([*lines, other]).encode(), lambda name: False)
    db = storage.open_ox(tmp_path / "s")
    try:
        new = [
            *lines[1:],
            f'<https://e.org/new> <https://e.org/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> <{g}> .\n',
        ]
        change = difference(db, "".join(new).encode(), [g, h])
    finally:
        del db
    assert change == Change((h,), lines[0].encode(), new[-1].encode())  # h keeps nothing: dropped whole
    replace_graphs(tmp_path / "s", "".join(new).encode(), lambda name: name in (g, h))
    assert _graphs(tmp_path / "s") == [g]
    assert len(_content(tmp_path / "s", g)) == 1000


def test_blank_nodes_keep_their_labels_through_a_change(tmp_path) -> None:
    g = "https://e.org/g"
    first = f"_:x <https://e.org/p> _:y <{g}> .\n"
    replace_graphs(tmp_path / "s", first.encode(), lambda name: False)
    second = first + f'_:y <https://e.org/p> "o" <{g}> .\n'
    replace_graphs(tmp_path / "s", second.encode(), lambda name: name == g)
    assert _content(tmp_path / "s", g) == {f"_:x <https://e.org/p> _:y <{g}>", f'_:y <https://e.org/p> "o" <{g}>'}


def _hold(store: Path) -> subprocess.Popen:
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(store)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    assert writer.stdout.readline() == "ready\n"
    return writer


COUNT_HELD = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://e.org/held> { ?s ?p ?o } }"


def test_a_reader_waits_for_a_write_in_progress(store) -> None:
    writer = _hold(store)
    try:
        reader = subprocess.Popen(
            [*CLI, "--store", str(store), "query", COUNT_HELD, "--format", "csv"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = reader.stderr.readline()
        assert (
            line == f"... waiting for process {writer.pid} (dprk-kg {store}) to finish writing the store at {store}\n"
        )
        writer.communicate("\n", timeout=60)
        out, err = reader.communicate(timeout=60)
    finally:
        writer.kill()
    assert reader.returncode == 0, err
    assert out.splitlines()[1] == "1"  # the whole write, never a part of it


def test_a_reader_opens_again_when_a_write_began_or_ended_while_it_opened(store, monkeypatch) -> None:
    texts = iter([json.dumps({"done": "a"})] + [json.dumps({"done": "b"})] * 3)
    read: list[str] = []
    monkeypatch.setattr(journal, "marker", lambda path: read.append(next(texts)) or read[-1])
    db = storage.open_ox(store, read_only=True)
    assert len(read) == 4  # before and after the first opening disagreed: a second one
    assert len(db) > 0


def test_a_query_finds_a_write_whose_process_died_and_undoes_it(store) -> None:
    writer = _hold(store)
    writer.kill()
    writer.wait()
    assert "https://e.org/held" in _graphs(store)
    notes: list[str] = []
    result = query.run_query(store, COUNT_HELD, "csv", 60, progress=notes.append)
    assert result.data.decode().splitlines()[1] == "0"
    assert len(notes) == 1 and "removed the 1 graph(s) it was adding" in notes[0]
    assert "https://e.org/held" not in _graphs(store)


def _kill_during_the_write(command: list[str], store: Path, delay: float) -> bool:
    """Start ``command``, watch the store's write marker, and kill the process (SIGKILL)
    ``delay`` seconds after its write began; whether the kill landed inside the write (its
    marker is left behind) rather than after the write had ended."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while journal.running(journal.marker(store)) is None:
            assert process.poll() is None, "the import ended before its write began"
            time.sleep(0.001)
        time.sleep(delay)
    finally:
        process.kill()
        process.wait()
    return journal.running(journal.marker(store)) is not None


@pytest.mark.shared
def test_a_real_re_import_killed_during_its_write_leaves_the_old_or_the_new(runner, shared_data, store, tmp_path):
    sdn = shared_data / "ofac_sdn_csv"
    graph = "https://w3id.org/dprk-kg/dataset/ofac-sdn-2022-08-08"
    matches = tmp_path / "m.csv"
    first = [*CLI, *_import(store, sdn / "sdn_2022-08-08.csv", matches)]
    # the same dataset name with other content: a newer snapshot, dated as the older one
    second = [*CLI, *_import(store, sdn / "sdn_2024-05-03.csv", matches), "--date", "2022-08-08"]
    subprocess.run(first, check=True, capture_output=True)
    old = _content(store, graph)
    reference = tmp_path / "reference"
    shutil.copytree(store, reference)
    subprocess.run([*second[:3], str(reference), *second[4:]], check=True, capture_output=True)
    new = _content(reference, graph)
    assert old != new
    interrupted = []
    for delay in (0.0, 0.05, 0.2, 0.5):
        interrupted.append(_kill_during_the_write(second, store, delay))
        result = run(runner, store, "sources")
        assert result.exit_code == 0, result.output
        # a write that ended before the kill (a fast machine, a long delay) leaves nothing to say
        assert ("was left unfinished by process" in result.stderr) == interrupted[-1], result.stderr
        assert _content(store, graph) in (old, new), f"a mix after a kill {delay} s into the write"
        if not interrupted[-1]:
            assert _content(store, graph) == new
        assert not list(store.glob("dprk-kg.journal*"))
        if _content(store, graph) == new:
            subprocess.run(first, check=True, capture_output=True)
    assert any(interrupted), "no kill landed inside the write: nothing was tested"
