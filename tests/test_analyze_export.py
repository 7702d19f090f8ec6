"""`dprk-kg analyze` and `dprk-kg export --format graphml|gexf|csv`."""

from __future__ import annotations

import csv
import json

import networkx as nx
import pytest

from cli import main
from graph.analyze import _bridges


def run(runner, built, *args):
    return runner.invoke(main, ["--store", str(built["store"]), *args])


def test_analyze_table_names_central_actors(runner, built):
    result = run(runner, built, "analyze")
    assert result.exit_code == 0, result.output
    for heading in ("Most central actors and services", "Connected components", "Communities", "Bridge nodes"):
        assert heading in result.stdout
    assert "kg:lazarus-group" in result.stdout
    assert "... centrality on" in result.stderr


def test_analyze_json_is_deterministic(runner, built):
    first, second = run(runner, built, "analyze", "--format", "json"), run(runner, built, "analyze", "--format", "json")
    assert first.exit_code == 0 and first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["central"][0]["kind"] in {
        "group",
        "state",
        "person",
        "designated party",
        "mixer",
        "exchange",
        "service",
    }
    assert sum(c["size"] for c in data["components"]) <= data["nodes"]


def test_bridges_count_separated_actor_service_pairs():
    g = nx.MultiDiGraph()
    for node, kind in [("a1", "group"), ("a2", "group"), ("hub", "incident"), ("m", "mixer"), ("x", "exchange")]:
        g.add_node(node, kind=kind, label=node, aliases=[], sanction="")
    for u, v in [("a1", "hub"), ("a2", "hub"), ("hub", "m"), ("m", "x")]:
        g.add_edge(u, v, key="r", relation="r", sources=[])
    simple = nx.Graph(g.to_undirected())
    # hub separates {a1}, {a2} and {m, x}: 2 actors x 2 services; m separates x from a1 and a2.
    assert _bridges(simple, g) == [("hub", 4), ("m", 2)]


@pytest.mark.parametrize(
    "fmt, names",
    [("graphml", ["graph.graphml"]), ("gexf", ["graph.gexf"]), ("csv", ["graph-edges.csv", "graph-nodes.csv"])],
)
def test_export_is_deterministic_and_readable(runner, built, tmp_path, fmt, names):
    first = run(runner, built, "export", "--format", fmt, "--out", str(tmp_path / "a"))
    second = run(runner, built, "export", "--format", fmt, "--out", str(tmp_path / "b"))
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == names
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    if fmt == "graphml":
        g = nx.read_graphml(tmp_path / "a" / "graph.graphml")
        assert g.nodes["https://w3id.org/dprk-kg/id/tornado-cash"]["kind"] == "mixer"
        assert any(
            u.endswith("/lazarus-group")
            and v.endswith("/dprk")
            and d["relation"] == "controlled by"
            and d["sources"].startswith("src:")
            for u, v, d in g.edges(data=True)
        )
    if fmt == "gexf":
        g = nx.read_gexf(tmp_path / "a" / "graph.gexf")
        assert g.number_of_nodes() > 0
    if fmt == "csv":
        with open(tmp_path / "a" / "graph-nodes.csv", newline="") as f:
            nodes = {r["id"]: r for r in csv.DictReader(f)}
        assert nodes["kg:tornado-cash"]["sanction"] == "delisted"
        assert nodes["kg:sinbad"]["sanction"] == "listed"


def test_export_to_unwritable_folder(runner, built, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run(runner, built, "export", "--format", "csv", "--out", str(blocker / "sub"))
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: cannot create")
