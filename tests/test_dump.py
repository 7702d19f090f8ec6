"""`dprk-kg dump` and `dprk-kg load-dump`: whole-store dumps, sorted, atomic, restorable to the byte."""

from __future__ import annotations

import io
import shutil

import pyoxigraph as ox
import pytest

from graph import dump as dumper
from graph.store import replace_graphs
from tests.conftest import FIXTURES, run

HEADER = "# dprk-kg dump; curated sources fingerprint "


def quads_of(store) -> set[str]:
    db = ox.Store.read_only(str(store))
    try:
        return {str(q) for q in db}
    finally:
        del db


def parsed(path, fmt=ox.RdfFormat.N_QUADS) -> set[str]:
    return {str(q) for q in ox.parse(path=str(path), format=fmt)}


def test_dump_holds_every_quad_sorted_by_graph_then_line(runner, built, tmp_path):
    out = tmp_path / "store.nq"
    result = run(runner, built["store"], "dump", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert parsed(out) == quads_of(built["store"])
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith(HEADER)
    graphs = [line.rsplit(" ", 2)[1] for line in lines[1:]]
    assert graphs == sorted(graphs)
    for graph in set(graphs):
        mine = [line.encode() for line in lines[1:] if line.endswith(f" {graph} .")]
        assert mine == sorted(mine)
    assert f"Dumped {len(lines) - 1:,} quads" in result.stderr


def test_the_same_store_gives_the_same_bytes_in_both_formats(runner, built, tmp_path):
    for fmt in ("nquads", "trig"):
        first, second = tmp_path / f"1.{fmt}", tmp_path / f"2.{fmt}"
        for path in (first, second):
            assert run(runner, built["store"], "dump", "--format", fmt, "-o", str(path)).exit_code == 0
        assert first.read_bytes() == second.read_bytes()
    assert parsed(tmp_path / "1.trig", ox.RdfFormat.TRIG) == parsed(tmp_path / "1.nquads")
    assert "@prefix src: <https://w3id.org/dprk-kg/source/> ." in (tmp_path / "1.trig").read_text()


def test_dump_to_standard_output(runner, built, tmp_path):
    result = run(runner, built["store"], "dump")
    assert result.exit_code == 0
    (tmp_path / "out.nq").write_bytes(result.stdout_bytes)
    assert parsed(tmp_path / "out.nq") == quads_of(built["store"])


def test_runs_merged_from_disk_give_the_bytes_sorted_in_memory(built):
    whole, in_runs = io.BytesIO(), io.BytesIO()
    dumper.dump_store(built["store"], whole)
    dumper.dump_store(built["store"], in_runs, chunk=100)
    assert in_runs.getvalue() == whole.getvalue()


def test_graph_selection_by_curie_and_iri(runner, built, tmp_path):
    out = tmp_path / "two.nq"
    result = run(
        runner,
        built["store"],
        "dump",
        "--graph",
        "src:trm-labs-ronin-bridge-hack",
        "--graph",
        "<https://w3id.org/dprk-kg/source/fbi-2023-01-23-harmony-horizon-lazarus>",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    graphs = {q.rsplit(" ", 1)[1] for q in parsed(out)}
    assert graphs == {
        "<https://w3id.org/dprk-kg/source/trm-labs-ronin-bridge-hack>",
        "<https://w3id.org/dprk-kg/source/fbi-2023-01-23-harmony-horizon-lazarus>",
    }


def test_an_unknown_graph_fails_and_leaves_the_old_file(runner, built, tmp_path):
    out = tmp_path / "keep.nq"
    out.write_text("old\n")
    result = run(runner, built["store"], "dump", "--graph", "src:trm-labs-ronin-bridge-hak", "-o", str(out))
    assert result.exit_code == 2
    assert "did you mean https://w3id.org/dprk-kg/source/trm-labs-ronin-bridge-hack" in result.stderr
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.nq"]


@pytest.mark.parametrize("suffix", ["nq", "trig"])
def test_load_dump_restores_a_store_that_dumps_to_the_same_bytes(runner, built, tmp_path, suffix):
    first, second = tmp_path / f"first.{suffix}", tmp_path / f"second.{suffix}"
    fmt = "nquads" if suffix == "nq" else "trig"
    assert run(runner, built["store"], "dump", "--format", fmt, "-o", str(first)).exit_code == 0
    restored = tmp_path / "restored"
    loaded = run(runner, restored, "load-dump", str(first))
    assert loaded.exit_code == 0, loaded.output
    assert f"Loaded {len(quads_of(built['store'])):,} quads" in loaded.stdout
    again = run(runner, restored, "dump", "--format", fmt, "-o", str(second))
    assert again.exit_code == 0
    assert "rebuilding" not in again.stderr  # the curated fingerprint came back with the quads
    assert second.read_bytes() == first.read_bytes()


def test_load_dump_refuses_a_store_that_is_not_empty_unless_replacing(runner, built, store, tmp_path):
    dumped = tmp_path / "one.nq"
    assert (
        run(runner, built["store"], "dump", "--graph", "src:trm-labs-ronin-bridge-hack", "-o", str(dumped)).exit_code
        == 0
    )
    refused = run(runner, store, "load-dump", str(dumped))
    assert refused.exit_code == 2
    assert "is not empty" in refused.stderr and "--replace" in refused.stderr
    assert quads_of(store) == quads_of(built["store"])
    replaced = run(runner, store, "load-dump", "--replace", str(dumped))
    assert replaced.exit_code == 0, replaced.output
    assert quads_of(store) == parsed(dumped)


def test_a_broken_dump_leaves_the_store_empty(runner, tmp_path):
    broken = tmp_path / "broken.nq"
    broken.write_text('<https://e.org/s> <https://e.org/p> "o" <https://e.org/g> .\n<https://e.org/s> oops\n')
    result = run(runner, tmp_path / "restored", "load-dump", str(broken))
    assert result.exit_code == 2
    assert str(broken) in result.stderr and "not a valid dump" in result.stderr
    assert quads_of(tmp_path / "restored") == set()


def test_blank_nodes_keep_their_labels(tmp_path):
    replace_graphs(
        tmp_path / "a",
        b'_:x <https://e.org/p> _:y <https://e.org/g> .\n_:y <https://e.org/p> "o" <https://e.org/g> .\n',
        lambda g: False,
    )
    first, second = tmp_path / "1.nq", tmp_path / "2.nq"
    dumper.write_dump(tmp_path / "a", first)
    dumper.load_dump(tmp_path / "b", first)
    dumper.write_dump(tmp_path / "b", second)
    assert second.read_bytes() == first.read_bytes()


def test_an_unknown_file_extension_needs_format(runner, tmp_path):
    shutil.copy(FIXTURES / "query" / "ronin-sources.rq", tmp_path / "dump.txt")
    result = run(runner, tmp_path / "restored", "load-dump", str(tmp_path / "dump.txt"))
    assert result.exit_code == 2 and "--format" in result.stderr


@pytest.mark.shared
def test_real_data_round_trip(runner, shared_data, store, tmp_path):
    matches = str(tmp_path / "matches.csv")
    imports = [("ofac-sdn", p) for p in sorted((shared_data / "ofac_sdn_csv").glob("sdn_*.csv"))]
    imports += [
        ("attack", shared_data / "mitre_attack_enterprise" / "enterprise-attack.json"),
        ("misp-galaxy", shared_data / "misp_galaxy_threat_actor" / "threat-actor.json"),
        ("incidents", shared_data / "defillama_hacks_csv" / "defi_exploits.csv"),
        ("incidents", shared_data / "dn_institute_crypto_incidents"),
    ]
    for kind, path in imports:
        result = run(runner, store, "import", kind, str(path), "--matches", matches)
        assert result.exit_code == 0, result.output
    first, second = tmp_path / "first.nq", tmp_path / "second.nq"
    assert run(runner, store, "dump", "-o", str(first)).exit_code == 0
    assert run(runner, tmp_path / "restored", "load-dump", str(first)).exit_code == 0
    assert run(runner, tmp_path / "restored", "dump", "-o", str(second)).exit_code == 0
    assert second.read_bytes() == first.read_bytes()
    assert len(parsed(first)) == len(quads_of(store)) > 400_000
