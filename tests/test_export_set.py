"""The export set under faults, the build cache, the curated label check and CSV formulas.

A signal among the renames of the export set, a process killed among them, stale temporary
files of a killed build, a second build with nothing changed, two files naming one entity
differently, and names that a spreadsheet would run as formulas.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main
from graph import export, paths
from graph.errors import Interrupted
from tests.conftest import FIXTURES, REPO

LABELS = FIXTURES / "labels"


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file in a folder, hidden ones included, by name."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_signal_among_the_renames_waits_until_the_set_is_new(tmp_path, monkeypatch) -> None:
    for name in ("a.ttl", "b.ttl", "c.ttl"):
        (tmp_path / name).write_bytes(b"old")
    real_replace = os.replace

    def replace_then_signal(src, dst):
        real_replace(src, dst)
        signal.raise_signal(signal.SIGINT)  # Ctrl-C after the first rename, and after each one

    monkeypatch.setattr(os, "replace", replace_then_signal)
    with pytest.raises(Interrupted, match="after the new files were all in place"):
        export.write_atomically({tmp_path / n: b"new" for n in ("a.ttl", "b.ttl", "c.ttl")})
    assert files_in(tmp_path) == {"a.ttl": b"new", "b.ttl": b"new", "c.ttl": b"new"}


def test_build_interrupted_among_the_renames_says_the_new_exports_are_in_place(
    runner, built, tmp_path, monkeypatch
) -> None:
    exports = tmp_path / "exports"
    shutil.copytree(built["exports"], exports)
    for path in exports.iterdir():
        path.write_bytes(b"old")
    real_replace = os.replace

    def replace_then_signal(src, dst):
        real_replace(src, dst)
        if Path(dst).parent == exports:
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(os, "replace", replace_then_signal)
    result = runner.invoke(main, ["--store", str(tmp_path / "store"), "build", "-q", "--out", str(exports)])
    assert result.exit_code == 130
    assert result.stderr == ("Error: interrupted after the new files were all in place; they are complete\n")
    assert files_in(exports) == files_in(built["exports"])


KILLED_AMONG_RENAMES = """
import os, signal, sys
from pathlib import Path
from graph import export
folder = Path(sys.argv[1])
real_replace, done = os.replace, []
def replace_then_die(src, dst):
    real_replace(src, dst)
    done.append(dst)
    if len(done) == 2:
        os.kill(os.getpid(), signal.SIGKILL)
os.replace = replace_then_die
export.write_atomically({folder / name: b"new" for name in ("a.ttl", "b.ttl", "c.ttl", "d.ttl")})
"""


def test_a_writer_killed_among_the_renames_leaves_the_old_set_to_the_next_one(runner, tmp_path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("a.ttl", "b.ttl", "c.ttl"):
        (folder / name).write_bytes(b"old")
    killed = subprocess.run([sys.executable, "-c", KILLED_AMONG_RENAMES, str(folder)], cwd=REPO)
    assert killed.returncode == -signal.SIGKILL
    visible = {n: d for n, d in files_in(folder).items() if not n.startswith(".")}
    assert visible == {"a.ttl": b"new", "b.ttl": b"new", "c.ttl": b"old"}, "the kill did not land among the renames"
    assert any(n.startswith(export.JOURNAL_PREFIX) for n in files_in(folder))
    result = runner.invoke(main, ["--store", str(tmp_path / "store"), "build", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"... restored {folder / 'a.ttl'} from an interrupted write" in result.stderr
    assert f"... restored {folder / 'b.ttl'} from an interrupted write" in result.stderr
    assert sorted(files_in(folder)) == [
        "a.ttl",
        "b.ttl",
        "c.ttl",
        "graph.html",
        "graph.jsonld",
        "graph.nt",
        "graph.trig",
        "graph.ttl",
        "timeline.html",
    ]
    assert files_in(folder)["a.ttl"] == b"old"


def test_recover_restores_the_old_set_and_removes_what_the_killed_writer_left(tmp_path) -> None:
    for name in ("a.ttl", "b.ttl"):
        (tmp_path / name).write_bytes(b"old")
    subprocess.run([sys.executable, "-c", KILLED_AMONG_RENAMES, str(tmp_path)], cwd=REPO)
    done = export.recover(tmp_path)
    assert files_in(tmp_path) == {"a.ttl": b"old", "b.ttl": b"old"}
    assert any("restored" in line for line in done) and any("removed" in line for line in done)


def test_stale_temporary_files_of_a_killed_build_are_swept(runner, built, tmp_path) -> None:
    exports = tmp_path / "exports"
    shutil.copytree(built["exports"], exports)
    stale = exports / f".graph.ttl.dprk-kg-{dead_pid()}.k1ll3d.tmp"
    stale.write_bytes(b"half a file")
    running = exports / f".graph.ttl.dprk-kg-{os.getpid()}.w0rk1ng.tmp"
    running.write_bytes(b"a writer that still runs")
    unrelated = exports / f".notes.{dead_pid()}.x.tmp"
    unrelated.write_bytes(b"someone else's file")
    result = runner.invoke(main, ["--store", str(tmp_path / "store"), "build", "--out", str(exports)])
    assert result.exit_code == 0, result.output
    assert f"... removed {stale}, left by an interrupted write" in result.stderr
    assert not stale.exists()
    assert running.exists(), "the temporary file of a running process was removed"
    assert unrelated.exists(), "a file dprk-kg did not write was removed"


def test_a_second_build_with_nothing_changed_rewrites_nothing(runner, tmp_path) -> None:
    args = ["--store", str(tmp_path / "store"), "build", "--out", str(tmp_path / "exports"), "--format", "json"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "exports").iterdir()}
    again = runner.invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "... nothing changed since the last build" in again.stderr
    built, unchanged = json.loads(first.stdout), json.loads(again.stdout)
    assert (built.pop("unchanged"), unchanged.pop("unchanged")) == (False, True)
    assert str(tmp_path / "exports" / "graph.ttl") in unchanged["files"]
    # The same summary (entities, sources, facts, conflicts, files) but for the time it took.
    del built["seconds"], unchanged["seconds"]
    assert unchanged == built
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "exports").iterdir()} == before


def test_a_changed_export_file_is_written_again(runner, tmp_path) -> None:
    args = ["--store", str(tmp_path / "store"), "build", "-q", "--out", str(tmp_path / "exports")]
    assert runner.invoke(main, args).exit_code == 0
    good = (tmp_path / "exports" / "graph.nt").read_bytes()
    (tmp_path / "exports" / "graph.nt").write_bytes(b"edited by hand\n")
    again = runner.invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "wrote      " in again.stdout
    assert (tmp_path / "exports" / "graph.nt").read_bytes() == good


def test_a_changed_source_is_built_again(runner, tmp_path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(paths.SOURCES_DIR, sources)
    args = [
        "--store",
        str(tmp_path / "store"),
        "build",
        "-q",
        "--sources",
        str(sources),
        "--out",
        str(tmp_path / "exports"),
    ]
    assert runner.invoke(main, args).exit_code == 0
    shutil.copy(FIXTURES / "shapes" / "valid.ttl", sources)
    again = runner.invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "unchanged" not in again.stdout
    assert b"https://example.org/" in (tmp_path / "exports" / "graph.nt").read_bytes()


def test_two_labels_for_one_entity_in_two_files_name_both_files(runner) -> None:
    a, b = LABELS / "label-a.ttl", LABELS / "label-b.ttl"
    result = runner.invoke(main, ["validate", str(a), str(b)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines == [
        f"{a}, {b}: https://example.org/fixture-mixer rdfs:label: source files give different "
        f'labels ("Fixture Mixer" in src:label-a; "Fixture Mixer Protocol" in src:label-b); keep '
        f"one and move the others to skos:altLabel (value: Fixture Mixer | Fixture Mixer Protocol)"
    ]
    assert runner.invoke(main, ["validate", str(a)]).exit_code == 0


def test_build_refuses_two_labels_for_one_curated_entity(runner, tmp_path) -> None:
    sources = tmp_path / "sources"
    shutil.copytree(paths.SOURCES_DIR, sources)
    for name in ("label-a.ttl", "label-b.ttl"):
        shutil.copy(LABELS / name, sources)
    result = runner.invoke(
        main,
        [
            "--store",
            str(tmp_path / "store"),
            "build",
            "-q",
            "--sources",
            str(sources),
            "--out",
            str(tmp_path / "exports"),
        ],
    )
    assert result.exit_code == 1
    assert (
        f"{sources / 'label-a.ttl'}, {sources / 'label-b.ttl'}: https://example.org/fixture-mixer rdfs:label"
        in result.stdout
    )
    assert not (tmp_path / "exports" / "graph.ttl").exists()


def test_validate_shows_progress_on_stderr(runner, built) -> None:
    result = runner.invoke(main, ["--store", str(built["store"]), "validate"])
    assert result.exit_code == 0, result.output
    assert "... reading " in result.stderr
    assert " triples against the SHACL shapes" in result.stderr


def test_csv_export_neutralises_formulas(tmp_path) -> None:
    import pyoxigraph as ox

    from graph.build import load_files, source_files
    from graph.netexport import export_network
    from graph.network import project
    from graph.reader import Reader

    db = ox.Store()
    db.extend(load_files([*source_files(), FIXTURES / "labels" / "formula.ttl"]))
    graph = project(Reader(db))
    written = export_network(graph, "csv", tmp_path)
    with open(tmp_path / "graph-nodes.csv", newline="", encoding="utf-8") as handle:
        nodes = {row["iri"]: row for row in csv.DictReader(handle)}
    group = nodes["https://example.org/formula-group"]
    assert group["label"] == '\'=HYPERLINK("https://example.org/","click")'
    assert group["aliases"] == "'@SUM(1+1)"
    assert nodes["https://example.org/formula-other"]["label"] == "'-2+3"
    cells = [cell for path in written for row in csv.reader(path.open(encoding="utf-8")) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@"))]
