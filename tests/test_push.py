"""`dprk-kg push` against real servers started here on 127.0.0.1: the Oxigraph server and
Virtuoso 7. Pushes the curated graph and imported datasets, checks what the server holds graph
by graph, re-pushes, kills the server mid-push and re-runs, and checks every failure is one line
with the URL and status (wrong password, server down, a server error at one graph, a hanging
server), with the password never shown."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from cli import main
from graph.remote import MARKER_GRAPH, Credentials, Server
from tests import servers
from tests.servers import error_line

pytestmark = pytest.mark.shared

DPRK_KG = str(Path(sys.executable).parent / "dprk-kg")


@pytest.fixture(scope="module")
def data_store(tmp_path_factory, built):
    """The curated graph with three shared datasets imported (made once per session)."""
    return servers.imported_store(tmp_path_factory, built["store"])


def local_counts(store: Path) -> dict[str, int]:
    """Triples per named graph in a local store."""
    db = ox.Store.read_only(str(store))
    try:
        rows = db.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return {row["g"].value: int(row["n"].value) for row in rows}
    finally:
        del db


def server_counts(server: servers.Running) -> dict[str, int]:
    """Triples per graph on a server, every graph but the server's own system graphs."""
    client = Server(server.endpoint, credentials=Credentials(server.user, server.password) if server.user else None)
    with client:
        rows = client.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            'FILTER(STRSTARTS(STR(?g), "https://w3id.org/dprk-kg/") '
            '|| STRSTARTS(STR(?g), "urn:dprk-kg:")) } GROUP BY ?g'
        )
    return {row["g"]: int(row["n"]) for row in rows}


def push(runner, store: Path, server: servers.Running, *extra: str, env: dict | None = None):
    """Invoke `dprk-kg push` on ``store`` to ``server``."""
    return runner.invoke(
        main, ["--store", str(store), "push", *server.push_args(), *extra], env={**server.env(), **(env or {})}
    )


def summary(stdout: str) -> list[tuple[str, str]]:
    """The indented ``key  value`` lines of push's summary, as (key, value) pairs."""
    return [(key, value.strip()) for key, _, value in (line.strip().partition(" ") for line in stdout.splitlines()[1:])]


def assert_holds(server: servers.Running, store: Path) -> None:
    """The server holds every graph of the store with the same triple count, the run marker,
    and nothing else of the project (no staging graph)."""
    counts = server_counts(server)
    marker = counts.pop(MARKER_GRAPH, 0)
    assert counts == local_counts(store)
    assert marker > 0


@pytest.fixture(params=["oxigraph", "virtuoso"])
def server(request, tmp_path):
    """A fresh, empty server of each kind."""
    started = getattr(servers, request.param)(tmp_path)
    yield started
    started.kill()


def test_push_and_repush_converge(runner, data_store, server, tmp_path):
    first = push(runner, data_store, server)
    assert first.exit_code == 0, first.output
    pushed = local_counts(data_store)
    assert f"Pushed {len(pushed)} graph(s), {sum(pushed.values()):,} triples" in first.stdout
    assert "unchanged" not in first.stdout
    assert_holds(server, data_store)
    build = dict(summary(first.stdout))["build"]
    again = push(runner, data_store, server)
    assert again.exit_code == 0, again.output
    assert dict(summary(again.stdout))["build"] == build  # same content, same build
    assert dict(summary(again.stdout))["unchanged"] == f"{len(pushed)} graph(s) the server already held, not sent"
    assert_holds(server, data_store)


def touched(store: Path, target: Path) -> Path:
    """A copy of ``store`` with one more triple in every named graph: each graph's content
    changes, so a push must replace every graph the server holds."""
    shutil.copytree(store, target)
    db = ox.Store(str(target))
    db.update("INSERT { GRAPH ?g { ?g <urn:dprk-kg:test#touched> true } } WHERE { GRAPH ?g { } }")
    db.flush()
    del db
    return target


def test_graphs_gone_from_the_store_are_dropped(runner, built, server, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(built["store"], store)
    assert push(runner, store, server).exit_code == 0
    gone = "https://w3id.org/dprk-kg/source/seed-article-1-trm-2023"
    db = ox.Store(str(store))
    db.remove_graph(ox.NamedNode(gone))
    db.flush()
    del db
    result = push(runner, store, server)
    assert result.exit_code == 0, result.output
    assert ("dropped", "src:seed-article-1-trm-2023 (no longer in the store)") in summary(result.stdout)
    assert gone not in server_counts(server)
    assert_holds(server, store)


def test_one_graph_and_its_marker(runner, built, server):
    result = push(runner, built["store"], server, "--graph", "src:seed-article-1-trm-2023")
    assert result.exit_code == 0, result.output
    counts = server_counts(server)
    assert counts.pop(MARKER_GRAPH) > 0
    assert counts == {
        "https://w3id.org/dprk-kg/source/seed-article-1-trm-2023": local_counts(built["store"])[
            "https://w3id.org/dprk-kg/source/seed-article-1-trm-2023"
        ]
    }
    unknown = push(runner, built["store"], server, "--graph", "src:no-such-source")
    assert unknown.exit_code == 2
    assert "src:no-such-source: the store has no such graph" in unknown.stderr


def _kill_at(server: servers.Running, command: list[str], line: bytes, env: dict) -> str:
    """Run ``command``, kill the server (SIGKILL) once the command prints ``line``; the error
    line the command then ends with (exit 3)."""
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    assert process.stderr is not None
    for printed in process.stderr:
        if printed.startswith(line):
            server.kill()
            break
    err = process.communicate(timeout=120)[1].decode()
    assert process.returncode == 3, err
    found = error_line(err)
    assert f"127.0.0.1:{server.port}" in found and "re-run `dprk-kg push`" in found
    return found


def test_killed_during_a_first_push_leaves_each_graph_absent_or_whole(real_store, tmp_path):
    """On a fresh Oxigraph server the graphs load straight under their names, several requests
    in flight while the store is read: killed mid-way, the server holds each graph whole or not
    at all, no marker, and a re-run converges."""
    server = servers.oxigraph(tmp_path)
    env = {**os.environ, **server.env()}
    try:
        command = [DPRK_KG, "--store", str(real_store), "push", *server.push_args()]
        _kill_at(server, command, b"... pushing dataset:ofac-sdn-2024-05-03", env)
        server.start()
        local = local_counts(real_store)
        after_crash = server_counts(server)
        assert MARKER_GRAPH not in after_crash  # the marker says the push did not finish
        assert all(count == local[graph] for graph, count in after_crash.items()), after_crash
        rerun = subprocess.run(command, capture_output=True, env=env, timeout=600)
        assert rerun.returncode == 0, rerun.stderr
        assert_holds(server, real_store)
    finally:
        server.kill()


def test_killed_while_replacing_graphs_then_rerun_converges(built, tmp_path):
    """Graphs the server holds are replaced through staging graphs: killed mid-way, each live
    graph is the old one or the new one, whole, and a re-run converges."""
    server = servers.oxigraph(tmp_path / "server")
    env = {**os.environ, **server.env()}
    store = touched(built["store"], tmp_path / "store")
    try:
        first = [DPRK_KG, "--store", str(built["store"]), "push", *server.push_args()]
        assert subprocess.run(first, capture_output=True, env=env, timeout=600).returncode == 0
        before, new = server_counts(server), local_counts(store)
        command = [DPRK_KG, "--store", str(store), "push", *server.push_args()]
        _kill_at(server, command, b"... pushing src:bbc", env)
        server.start()
        after_crash = server_counts(server)
        assert MARKER_GRAPH not in after_crash
        for graph, count in after_crash.items():  # every live graph is whole, old or new
            assert graph.startswith("urn:dprk-kg:staging:") or count in (before[graph], new[graph])
        assert any(count == new.get(graph) != before.get(graph) for graph, count in after_crash.items())
        rerun = subprocess.run(command, capture_output=True, env=env, timeout=600)
        assert rerun.returncode == 0, rerun.stderr
        assert_holds(server, store)
    finally:
        server.kill()


def test_wrong_password_is_one_line_without_the_password(runner, built, tmp_path):
    server = servers.virtuoso(tmp_path, password="right-horse-battery")
    try:
        result = push(runner, built["store"], server, env={servers.PASSWORD_ENV: "wrong-staple-77"})
        assert result.exit_code == 3
        line = error_line(result.stderr)
        assert f"{server.endpoint}: HTTP 401" in line and "refused user 'loader'" in line
        for secret in ("wrong-staple-77", "right-horse-battery"):
            assert secret not in result.output
        no_password = push(runner, built["store"], server, env={servers.PASSWORD_ENV: ""})
        assert no_password.exit_code == 2
        assert servers.PASSWORD_ENV in no_password.stderr
    finally:
        server.kill()


def test_basic_auth_through_a_proxy(runner, built, tmp_path):
    server = servers.oxigraph(tmp_path)
    try:
        origin = f"127.0.0.1:{server.port}"
        with servers.BasicAuthProxy(origin) as proxy:
            args = [
                "--endpoint",
                f"{proxy.origin}/query",
                "--update",
                f"{proxy.origin}/update",
                "--gsp",
                f"{proxy.origin}/store",
                "--user",
                "loader",
                "--password-env",
                "PW",
            ]
            result = runner.invoke(main, ["--store", str(built["store"]), "push", *args], env={"PW": proxy.password})
            assert result.exit_code == 0, result.output
            assert_holds(server, built["store"])
            refused = runner.invoke(main, ["--store", str(built["store"]), "push", *args[:6]])
            assert refused.exit_code == 3
            assert "HTTP 401" in error_line(refused.stderr) and "asks for a user and password" in refused.stderr
    finally:
        server.kill()


def test_password_never_on_the_command_line(runner, built):
    result = runner.invoke(
        main, ["--store", str(built["store"]), "push", "--endpoint", "http://loader:hunter2@127.0.0.1:9/sparql"]
    )
    assert result.exit_code == 2
    assert "hunter2" not in result.output
    assert "must not carry a user or password" in result.stderr
    assert "--password" not in [p.opts[0] for p in main.commands["push"].params]


def test_server_down_is_one_line(runner, built):
    url = f"http://127.0.0.1:{servers.free_port()}/sparql"
    result = runner.invoke(main, ["--store", str(built["store"]), "push", "--endpoint", url])
    assert result.exit_code == 3
    assert error_line(result.stderr).startswith(f"Error: {url}: cannot reach the server")


def test_hanging_server_times_out(runner, built):
    with servers.StubServer(hang=True) as stub:
        result = runner.invoke(main, ["--store", str(built["store"]), "push", "--endpoint", stub.url, "--timeout", "1"])
    assert result.exit_code == 5
    assert error_line(result.stderr).startswith(f"Error: {stub.url}: no answer within 1 s")


def test_server_error_at_one_graph_leaves_live_graphs(runner, built, tmp_path):
    """A Graph Store endpoint that fails: the push stops at the first graph, names it with the
    status and the server's message, and the graphs already live on the server stay as they were."""
    server = servers.oxigraph(tmp_path / "server")
    try:
        assert push(runner, built["store"], server).exit_code == 0
        before = server_counts(server)
        store = touched(built["store"], tmp_path / "store")  # every graph changed: each must be sent
        with servers.StubServer((507, {}, b"Insufficient storage: disk full\n")) as stub:
            args = ["--endpoint", server.endpoint, "--update", server.update, "--gsp", stub.url]
            result = runner.invoke(main, ["--store", str(store), "push", *args])
        assert result.exit_code == 3
        line = error_line(result.stderr)
        assert line.startswith("Error: graph <https://w3id.org/dprk-kg/ns#>: ")  # the first graph
        assert f"{stub.url}: HTTP 507" in line and "disk full" in line
        after = server_counts(server)
        before.pop(MARKER_GRAPH)
        assert after == before  # live graphs intact; the marker is gone: no complete build
    finally:
        server.kill()


def test_count_check_drops_a_graph_loaded_short(runner, built):
    """A server that loads atomically (the Oxigraph server's answers, played by a stub) but then
    holds fewer triples than were sent: the graph, new on the server, is dropped again, the push
    stops naming it, and no marker is written."""
    empty = b'{"head": {"vars": ["g", "n"]}, "results": {"bindings": []}}'
    graph = "https://w3id.org/dprk-kg/ns#"
    short = json.dumps(
        {
            "head": {"vars": ["g", "n"]},
            "results": {"bindings": [{"g": {"type": "uri", "value": graph}, "n": {"type": "literal", "value": "1"}}]},
        }
    ).encode()
    results = {"Content-Type": "application/sparql-results+json"}
    answers = [(200, results, empty), (200, results, empty), (204, {}, b""), (204, {}, b""), (200, results, short)]
    with servers.StubServer(*answers, (204, {}, b""), product="Oxigraph/0.5.13") as stub:
        result = runner.invoke(main, ["--store", str(built["store"]), "push", "--endpoint", stub.url])
        sent = list(stub.requests)
    assert result.exit_code == 3, result.output
    line = error_line(result.stderr)
    assert line.startswith(f"Error: graph <{graph}>: the server holds 1 of the ") and "dropped it again" in line
    loads = [r for r in sent if r[0] == "POST" and "no_transaction" in r[1]]
    assert len(loads) == 1 and f"<{graph}> .".encode() in loads[0][2]  # one N-Quads request, every graph
    assert ("POST", "/sparql", f"DROP SILENT GRAPH <{graph}>".encode()) in sent
    assert not any(MARKER_GRAPH in r[1] for r in sent if r[0] == "PUT")  # no marker
