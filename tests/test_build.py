"""`dprk-kg build` and `validate`: summary, exports, provenance, determinism, atomicity, bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from cli import main
from graph import export, paths
from graph.build import load_files, source_files
from graph.namespace import KG, SRC
from tests.conftest import FIXTURES, REPO, build_into, snapshot

BAD = FIXTURES / "bad"
EXPORTS = ("graph.ttl", "graph.trig", "graph.nt", "graph.jsonld", "graph.html", "timeline.html")


@pytest.fixture
def previous(tmp_path, built) -> dict[str, Path]:
    """A copy of a good build, to check that a failing build leaves it untouched."""
    exports = tmp_path / "exports"
    shutil.copytree(built["exports"], exports)
    return {"exports": exports, "store": tmp_path / "store", "sources": tmp_path / "sources"}


def build_with(runner, previous, *files: Path):
    """Run build on the curated sources plus ``files``, into the previous exports."""
    shutil.copytree(paths.SOURCES_DIR, previous["sources"])
    for file in files:
        shutil.copy(file, previous["sources"] / file.name)
    return build_into(runner, previous)


def test_build_prints_a_summary_and_writes_every_export(built, runner, tmp_path) -> None:
    result = runner.invoke(main, ["--store", str(tmp_path / "s"), "build", "--out", str(tmp_path / "e")])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Built the dprk-kg graph in ")
    for needle in ("entities", "dkg:Incident", "sources", "facts", "conflicts", "graph.trig", "store"):
        assert needle in result.stdout
    assert "... validating against the SHACL shapes" in result.stderr
    assert sorted(p.name for p in (tmp_path / "e").iterdir()) == sorted(EXPORTS)


def by_value(graph: Graph) -> Graph:
    """The graph with decimals in one lexical form: Turtle may write "7" as 7.0, same value."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            o = Literal(str(o.toPython().normalize()), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


@pytest.mark.parametrize("name,fmt", [("graph.ttl", "turtle"), ("graph.nt", "nt"), ("graph.jsonld", "json-ld")])
def test_single_graph_exports_parse_back_with_provenance(built, name: str, fmt: str) -> None:
    graph = by_value(Graph().parse(built["exports"] / name, format=fmt))
    trig = Dataset().parse(built["exports"] / "graph.trig", format="trig")
    sources_of = {}
    for g in trig.graphs():
        for triple in by_value(g):
            sources_of.setdefault(triple, set()).add(g.identifier)
    assert sources_of, "the TriG export is empty"
    for triple, sources in sources_of.items():
        s = triple[0]
        stated = set(graph.objects(s, PROV.wasDerivedFrom))
        for statement in graph.subjects(RDF.subject, s):
            if (statement, RDF.predicate, triple[1]) in graph and (statement, RDF.object, triple[2]) in graph:
                stated |= set(graph.objects(statement, PROV.wasDerivedFrom))
        if s in sources:
            stated.add(s)  # a source document's own description is stated by that document
        assert triple in graph
        assert stated == sources, f"{triple} should be sourced to {sources}, export says {stated}"


def test_trig_keeps_one_named_graph_per_source(built) -> None:
    trig = Dataset().parse(built["exports"] / "graph.trig", format="trig")
    names = {str(g.identifier) for g in trig.graphs() if len(g)}
    assert names == {str(SRC[p.stem]) for p in source_files()}


def test_no_blank_nodes_and_every_entity_labelled(built) -> None:
    graph = Graph().parse(built["exports"] / "graph.ttl")
    assert not [t for t in graph if any(type(term).__name__ == "BNode" for term in t)]
    typed = {s for s in graph.subjects(RDF.type) if (s, RDF.type, RDF.Statement) not in graph}
    unlabelled = [s for s in typed if (s, URIRef("http://www.w3.org/2000/01/rdf-schema#label"), None) not in graph]
    assert unlabelled == []


def test_committed_exports_are_current(built) -> None:
    for name in ("graph.ttl", "graph.trig"):
        committed = REPO / "exports" / name
        assert committed.is_file(), f"{committed} is not committed"
        assert committed.read_bytes() == (built["exports"] / name).read_bytes(), (
            f"{committed} is stale: run `dprk-kg build` and commit exports/"
        )


def test_exports_do_not_depend_on_file_order() -> None:
    from graph.build import memory_store
    from graph.views import export_pages

    def every_export(files: list[Path]) -> dict[str, bytes]:
        quads = load_files(files)
        return {**export.render_quads(quads), **export_pages(memory_store(quads))}

    files = source_files()
    assert every_export(files) == every_export(list(reversed(files)))


def test_exports_do_not_depend_on_hash_seed(tmp_path) -> None:
    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, str(REPO / "cli.py"), "--store", str(out / "store"), "build", "-q", "--out", str(out)],
            check=True,
            env=env,
            capture_output=True,
            cwd=tmp_path,
        )
        outputs.append({name: (out / name).read_bytes() for name in EXPORTS})
    assert outputs[0] == outputs[1]


BAD_INPUTS = {
    "syntax-error.ttl": (2, ":15: A dot is expected"),
    "unknown-prefix.ttl": (2, ":15: The prefix foo: has not been declared"),
    "invalid-iri.ttl": (2, ":15: Invalid IRI code point ' '"),
    "relative-iri.ttl": (2, ":15: No scheme found in an absolute IRI"),
    "ill-typed-decimal.ttl": (2, ':15: ill-typed literal "12.5 EUR" (not a valid xsd:decimal)'),
    "impossible-date.ttl": (2, ':15: ill-typed literal "2024-02-30" (not a valid xsd:date)'),
    "control-character.ttl": (2, 'control character in literal "bell\\x07here"'),
    "empty.ttl": (2, "empty.ttl: empty file"),
    "non-utf8.ttl": (2, ":14: not UTF-8: byte 0xe9"),
    "no-self-description.ttl": (2, "does not describe src:no-self-description as a dkg:SourceDocument"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_refused_and_exports_are_untouched(runner, previous, name: str) -> None:
    before = snapshot(previous["exports"])
    result = build_with(runner, previous, BAD / name)
    code, message = BAD_INPUTS[name]
    assert result.exit_code == code
    assert result.stderr.startswith("Error: ") and message in result.stderr, result.stderr
    assert str(previous["sources"] / name) in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(previous["exports"]) == before


def test_a_bom_is_accepted(runner, previous) -> None:
    result = build_with(runner, previous, BAD / "with-bom.ttl")
    assert result.exit_code == 0, result.output


def test_money_as_float_fails_validation_naming_file_and_property(runner, previous) -> None:
    before = snapshot(previous["exports"])
    result = build_with(runner, previous, FIXTURES / "shapes" / "money-float.ttl")
    assert result.exit_code == 1
    assert f"{previous['sources'] / 'money-float.ttl'}: https://example.org/amount schema:value:" in result.stdout
    assert "Error: 1 SHACL violation(s)" in result.stderr
    assert snapshot(previous["exports"]) == before


def test_missing_sources_folder(runner, tmp_path) -> None:
    result = runner.invoke(main, ["build", "--sources", str(tmp_path / "nope"), "--out", str(tmp_path / "e")])
    assert result.exit_code == 2
    assert f"Error: {tmp_path / 'nope'}: no sources folder" in result.stderr


def test_unwritable_exports_folder_fails_before_work(runner, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(main, ["--store", str(tmp_path / "s"), "build", "--out", str(blocker / "exports")])
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: cannot create")
    assert not (tmp_path / "s").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_exports_folder(runner, tmp_path) -> None:
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    result = runner.invoke(main, ["--store", str(tmp_path / "s"), "build", "--out", str(out)])
    assert result.exit_code == 4


def test_interrupt_during_export_keeps_previous_exports(runner, previous, monkeypatch) -> None:
    before = snapshot(previous["exports"])

    def interrupted(merged):
        raise KeyboardInterrupt

    monkeypatch.setitem(export.MERGED_WRITERS, "graph.jsonld", interrupted)
    result = runner.invoke(main, ["--store", str(previous["store"]), "build", "-q", "--out", str(previous["exports"])])
    assert result.exit_code == 130
    assert "interrupted" in result.stderr
    assert snapshot(previous["exports"]) == before


def test_failed_write_leaves_no_temp_files(tmp_path, monkeypatch) -> None:
    target = tmp_path / "a.ttl"
    target.write_bytes(b"old")
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(Exception, match="No space left on device"):
        export.write_atomically({tmp_path / "z.ttl": b"new", target: b"new"})
    # The set switches as a whole: z.ttl, renamed before the failure, is taken back out.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ttl"]
    assert target.read_bytes() == b"old"


def test_validate_on_the_built_store(runner, built) -> None:
    result = runner.invoke(main, ["--store", str(built["store"]), "validate"])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stdout


def test_validate_unreadable_file_exits_2(runner, tmp_path) -> None:
    result = runner.invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path}: is a folder, expected a file\n"


def test_store_is_rebuilt_when_the_data_changes(runner, previous) -> None:
    from graph.storage import open_store

    shutil.copytree(paths.SOURCES_DIR, previous["sources"])
    assert (
        runner.invoke(
            main,
            [
                "--store",
                str(previous["store"]),
                "build",
                "-q",
                "--sources",
                str(previous["sources"]),
                "--out",
                str(previous["exports"]),
            ],
        ).exit_code
        == 0
    )
    shutil.copy(BAD / "with-bom.ttl", previous["sources"])
    notes: list[str] = []
    dataset = open_store(previous["store"], notes.append)  # rebuilt from the folder it was built from
    assert notes and "rebuilding" in notes[0]
    assert (URIRef("https://example.org/incident"), RDF.type, None) in dataset
    assert (KG["lazarus-group"], RDF.type, None) in dataset


def test_runs_as_python_cli_py_from_the_checkout() -> None:
    result = subprocess.run([sys.executable, "cli.py", "--help"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0
    assert "Usage: cli.py" in result.stdout


def test_every_command_has_help_with_an_example(runner) -> None:
    def walk(group, prefix):
        for name, command in sorted(group.commands.items()):
            yield [*prefix, name], command
            if hasattr(command, "commands"):
                yield from walk(command, [*prefix, name])

    for words, _ in walk(main, []):
        result = runner.invoke(main, [*words, "--help"])
        assert result.exit_code == 0, words
        assert "Example" in result.stdout, f"`dprk-kg {' '.join(words)} --help` shows no example"


def test_pip_install_outside_the_checkout_ships_ontology_and_data(tmp_path) -> None:
    target = tmp_path / "site"
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
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    script = f"import graph, cli; assert graph.__file__.startswith({str(target)!r}), graph.__file__; cli.main()"
    result = subprocess.run(
        [sys.executable, "-c", script, "build", "-q"], cwd=work, capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert (work / "exports" / "graph.ttl").read_bytes() == (REPO / "exports" / "graph.ttl").read_bytes()


@pytest.mark.parametrize("step", ["reading", "validating", "drawing", "writing the store", "writing exports"])
def test_sigterm_during_build_leaves_complete_exports(previous, step: str) -> None:
    """SIGTERM as soon as the build says it starts a step (so the signal lands in that step
    however fast or loaded the machine is)."""
    import signal

    before = snapshot(previous["exports"])
    process = subprocess.Popen(
        [
            sys.executable,
            str(REPO / "cli.py"),
            "--store",
            str(previous["store"]),
            "build",
            "--out",
            str(previous["exports"]),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    said = ""
    for line in iter(process.stderr.readline, ""):
        said += line
        if line.startswith(f"... {step}"):
            break
    process.send_signal(signal.SIGTERM)
    _, rest = process.communicate(timeout=60)
    stderr = said + rest
    assert process.returncode in (0, 130), stderr
    assert "Traceback" not in stderr
    after = snapshot(previous["exports"])
    assert set(after) == set(before), "temporary files were left behind"
    if process.returncode == 130:
        assert "interrupted" in stderr
        assert after == before


def test_build_summary_as_json(runner, tmp_path) -> None:
    import json

    result = runner.invoke(
        main, ["--store", str(tmp_path / "store"), "build", "--quiet", "--out", str(tmp_path / "x"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert set(summary) == {"entities", "sources", "facts", "conflicts", "files", "unchanged", "store", "seconds"}
    assert summary["entities"]["dkg:Mixer"] == 3 and summary["conflicts"] > 0
    assert {Path(f).name for f in summary["files"]} >= {"graph.ttl", "graph.trig", "graph.html"}
