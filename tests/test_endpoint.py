"""`dprk-kg query --endpoint`: every named query gives the same rows on a real server (Oxigraph,
Virtuoso) as on the local store; the server's system graphs stay out; a result the server cut is
refused with exit 6; failures are one line with the URL and status; no server-side timeout is
ever asked for. Stub servers on 127.0.0.1 play the answers a real server gives only sometimes."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from urllib.parse import parse_qs

import pytest

from cli import main
from graph.query import named_queries
from graph.remote import KNOWN_ROW_CAPS
from tests import servers
from tests.servers import error_line

JSON = {"Content-Type": "application/sparql-results+json"}
EMPTY = (200, JSON, b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}')
#: Named queries a server answers differently, and why.
KNOWN_DIFFERENCES = {
    ("virtuoso", "lazarus-incidents"): "Virtuoso 7.2.5 drops rows of this GROUP BY over OPTIONAL "
    "graphs (1 row instead of 12); a server bug",
}


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def pushed(request, tmp_path_factory, built):
    """A server of each kind holding the curated graph and three imported datasets, and the
    local store it was pushed from."""
    from click.testing import CliRunner

    store = servers.imported_store(tmp_path_factory, built["store"])
    server = getattr(servers, request.param)(tmp_path_factory.mktemp(request.param))
    try:
        result = CliRunner().invoke(main, ["--store", str(store), "push", *server.push_args()], env=server.env())
        assert result.exit_code == 0, result.output
        yield server, store
    finally:
        server.kill()


def rows(output: str) -> Counter:
    """CSV rows as a multiset; each cell as the multiset of its items, since GROUP_CONCAT's
    order is open, with booleans as 1/0 (Virtuoso returns them as integers)."""

    def cell(value: str) -> tuple[str, ...]:
        value = {"true": "1", "false": "0"}.get(value, value)
        return tuple(sorted(x for x in re.split(r"[\s,;]+", value) if x))

    table = list(csv.reader(io.StringIO(output)))
    return Counter(tuple(cell(v) for v in row) for row in table[1:])


def remote(runner, url: str, *args: str):
    """`dprk-kg query --endpoint URL ARGS` (no store involved)."""
    return runner.invoke(main, ["--store", "/nonexistent", "query", "--endpoint", url, *args])


@pytest.mark.shared
@pytest.mark.parametrize("name", [q.name for q in named_queries()])
def test_named_query_same_rows_as_local(runner, pushed, name):
    server, store = pushed
    if (server.name, name) in KNOWN_DIFFERENCES:
        pytest.skip(KNOWN_DIFFERENCES[server.name, name])
    local = runner.invoke(main, ["--store", str(store), "query", "-n", name, "--format", "csv", "--timeout", "300"])
    assert local.exit_code == 0, local.output
    expected = rows(local.stdout)
    result = remote(runner, server.read_endpoint, "-n", name, "--format", "csv", "--timeout", "300")
    if server.name == "virtuoso" and sum(expected.values()) >= min(KNOWN_ROW_CAPS):
        assert result.exit_code == 6, result.output  # past the server's row cap: refused
        assert "the server cut the result" in result.stderr and result.stdout == ""
        return
    assert result.exit_code == 0, result.output
    assert rows(result.stdout) == expected


@pytest.mark.shared
def test_system_graphs_left_out(runner, pushed):
    server, store = pushed
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    local = runner.invoke(main, ["--store", str(store), "query", query, "--format", "csv"])
    result = remote(runner, server.read_endpoint, query, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert rows(result.stdout) == rows(local.stdout)  # no virtrdf#, no marker, no staging graph
    union = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert (
        remote(runner, server.read_endpoint, union, "--format", "csv").stdout
        == runner.invoke(main, ["--store", str(store), "query", union, "--format", "csv"]).stdout
    )


@pytest.mark.shared
def test_table_output_and_ask_as_local(runner, pushed):
    server, store = pushed
    for args in (
        ["-n", "yearly-totals", "--format", "table"],
        ["ASK { kg:lazarus-group rdfs:label ?l }"],
        ["ASK { kg:lazarus-group rdfs:label 'no such label' }"],
    ):
        local = runner.invoke(main, ["--store", str(store), "query", *args])
        result = remote(runner, server.read_endpoint, *args)
        assert result.exit_code == local.exit_code, result.output
        mine, theirs = result.stdout.splitlines(), local.stdout.splitlines()
        assert mine[:2] == theirs[:2]  # header and rule: same columns, same widths
        assert sorted(mine[2:]) == sorted(theirs[2:])  # rows tied in ORDER BY may come in any order


@pytest.mark.shared
def test_param_binds_as_local(runner, pushed):
    server, store = pushed
    args = ["-n", "actor-aliases", "-p", "actor=kg:lazarus-group", "--format", "csv"]
    local = runner.invoke(main, ["--store", str(store), "query", *args])
    result = remote(runner, server.read_endpoint, *args)
    assert result.exit_code == 0, result.output
    assert sum(rows(local.stdout).values()) > 1
    assert rows(result.stdout) == rows(local.stdout)


@pytest.mark.shared
def test_query_past_the_server_row_cap_is_refused(runner, pushed):
    server, _ = pushed
    if server.name != "virtuoso":
        pytest.skip("the Oxigraph server has no row cap")
    result = remote(runner, server.read_endpoint, "SELECT * WHERE { ?s ?p ?o }", "--format", "csv")
    assert result.exit_code == 6
    assert result.stdout == ""
    assert "X-SPARQL-MaxRows: 10000" in result.stderr


@pytest.mark.shared
def test_wrong_url_is_one_line(runner, pushed):
    server, _ = pushed
    url = server.read_endpoint.rsplit("/", 1)[0] + "/no-such-endpoint"
    result = remote(runner, url, "-n", "sources")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {url}: HTTP 404") and result.stderr.count("\n") == 1


def test_cut_results_are_refused(runner):
    """A response with X-SQL-State (Virtuoso's partial result past its time limit), with
    X-SPARQL-MaxRows, or with exactly a known cap of rows, is refused with exit 6."""
    row = {"s": {"type": "uri", "value": "https://w3id.org/dprk-kg/id/x"}}
    capped = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [row] * KNOWN_ROW_CAPS[0]}})
    one = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [row]}}).encode()
    for answer, shown in (
        (
            (
                200,
                {
                    **JSON,
                    "X-SQL-State": "S1TAT",
                    "X-SQL-Message": "RC...: Returning incomplete results, query interrupted by result timeout.",
                },
                one,
            ),
            "X-SQL-State: S1TAT",
        ),
        ((200, {**JSON, "X-SPARQL-MaxRows": "1"}, one), "X-SPARQL-MaxRows: 1"),
        ((200, JSON, capped.encode()), "exactly the server's usual row cap"),
    ):
        with servers.StubServer(EMPTY, EMPTY, answer) as stub:
            result = remote(runner, stub.url, "SELECT ?s WHERE { ?s ?p ?o }", "--format", "csv")
        assert result.exit_code == 6, result.output
        assert result.stdout == ""
        assert result.stderr.startswith(f"Error: {stub.url}: ") and shown in result.stderr


def test_no_server_side_timeout_is_sent(runner):
    answer = (200, JSON, b'{"head": {"vars": ["s"]}, "results": {"bindings": []}}')
    with servers.StubServer(answer) as stub:
        result = remote(runner, stub.url, "SELECT ?s WHERE { ?s ?p ?o }", "--timeout", "7")
    assert result.exit_code == 0, result.output
    sent = [parse_qs(body.decode()) for _, _, body in stub.requests]
    assert sent and all("timeout" not in form for form in sent)
    assert all(key in ("query", "default-graph-uri", "named-graph-uri") for form in sent for key in form)


def test_virtuoso_integer_ask_answers(runner):
    for values, code, printed in ((["1"], 0, "true\n"), (["0"], 1, "false\n"), ([], 1, "false\n")):
        ask = {
            "head": {"vars": ["__ASK_RETVAL"]},
            "results": {
                "bindings": [
                    {
                        "__ASK_RETVAL": {
                            "type": "typed-literal",
                            "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                            "value": v,
                        }
                    }
                    for v in values
                ]
            },
        }
        with servers.StubServer(EMPTY, EMPTY, (200, JSON, json.dumps(ask).encode())) as stub:
            result = remote(runner, stub.url, "ASK { ?s ?p ?o }")
        assert (result.exit_code, result.stdout) == (code, printed)


def test_server_error_is_one_line(runner):
    with servers.StubServer((500, {"Content-Type": "text/plain"}, b"Virtuoso 37000 Error SP030: boom\n")) as stub:
        result = remote(runner, stub.url, "-n", "sources")
    assert result.exit_code == 3
    assert result.stderr == f"Error: {stub.url}: HTTP 500 Internal Server Error: Virtuoso 37000 Error SP030: boom\n"


def test_hanging_server_stops_at_the_timeout(runner):
    with servers.StubServer(hang=True) as stub:
        result = remote(runner, stub.url, "-n", "sources", "--timeout", "1")
    assert result.exit_code == 5
    assert result.stderr.startswith(f"Error: {stub.url}: no answer within 1 s")


def test_server_down_is_one_line(runner):
    url = f"http://127.0.0.1:{servers.free_port()}/sparql"
    result = remote(runner, url, "-n", "sources")
    assert result.exit_code == 3
    assert result.stderr.startswith(f"Error: {url}: cannot reach the server: ")
    assert result.stderr.count("\n") == 1


def test_unsafe_query_refused_before_any_request(runner):
    with servers.StubServer(EMPTY) as stub:
        for query in (
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            "DELETE WHERE { ?s ?p ?o }",
        ):
            result = remote(runner, stub.url, query)
            assert result.exit_code == 2
            assert "is refused" in result.stderr
    assert stub.requests == []


# -- show, screen, timeline and conflicts with --endpoint ------------------------------------------

#: Reading commands as a user runs them; each must print the same JSON on the server as on the store.
READING_COMMANDS = [
    ["show", "Lazarus Group"],
    ["show", "Tornado Cash", "--as-of", "2024-06-01"],
    ["show", "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"],
    ["timeline"],
    ["timeline", "--entity", "Tornado Cash", "--event", "designation", "--event", "delisting"],
    ["conflicts"],
    ["conflicts", "--entity", "Ronin bridge hack", "--as-of", "2023-01-01"],
    ["screen", "-"],
    ["screen", "-", "--as-of", "2024-06-01"],
    ["show", "No Such Entity Anywhere"],
]
#: What `screen -` reads: addresses held by designated entities, one unknown, one not an address.
SCREENED = (
    "0xd96f2B1c14Db8458374d9Aca76E26c3D18364307\n"
    "bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecd\n"
    "0x098B716B8Aaf21512996dC57EB0615e2383E2f96\n"
    "0x0000000000000000000000000000000000000001\n"
    "not-an-address\n"
)


@pytest.fixture(scope="module")
def real_oxigraph(tmp_path_factory, real_store):
    """An Oxigraph server holding the store with every shared dataset, pushed as a user would;
    and the environment of a user whose cache folder is new."""
    from click.testing import CliRunner

    server = servers.oxigraph(tmp_path_factory.mktemp("real-oxigraph"))
    try:
        result = CliRunner().invoke(main, ["--store", str(real_store), "push", *server.push_args()])
        assert result.exit_code == 0, result.output
        yield server, {"XDG_CACHE_HOME": str(tmp_path_factory.mktemp("cache"))}
    finally:
        server.kill()


@pytest.mark.shared
@pytest.mark.parametrize("args", READING_COMMANDS, ids=" ".join)
def test_reading_commands_same_json_as_local(runner, real_store, real_oxigraph, args):
    server, env = real_oxigraph
    stdin = SCREENED if args[0] == "screen" else None
    local = runner.invoke(main, ["--store", str(real_store), *args, "--format", "json"], input=stdin)
    result = runner.invoke(
        main,
        ["--store", "/nonexistent", *args, "--format", "json", "--endpoint", server.read_endpoint],
        input=stdin,
        env=env,
    )
    assert result.exit_code == local.exit_code, result.output
    if local.exit_code:
        assert result.stderr == local.stderr  # the same one-line error (an unknown name)
    else:
        assert json.loads(result.stdout) == json.loads(local.stdout)


@pytest.mark.shared
def test_reading_commands_refuse_a_server_other_than_oxigraph(runner, pushed):
    """Virtuoso answers the project's internal queries differently (no LATERAL, unbound values
    in CONCAT): the command stops in one line, exit 2, before reading anything."""
    server, _ = pushed
    if server.name != "virtuoso":
        pytest.skip("the Oxigraph server is the one these commands run on")
    for args in (["show", "Lazarus Group"], ["timeline"], ["conflicts"], ["screen", "-"]):
        result = runner.invoke(
            main, ["--store", "/nonexistent", *args, "--endpoint", server.read_endpoint], input=SCREENED
        )
        assert result.exit_code == 2, result.output
        line = error_line(result.stderr)
        assert line.startswith(f"Error: {args[0]} --endpoint runs on the Oxigraph server only")
        assert "Virtuoso" in line and server.read_endpoint in line


def test_reading_command_on_a_server_down_is_one_line(runner):
    url = f"http://127.0.0.1:{servers.free_port()}/query"
    result = runner.invoke(main, ["--store", "/nonexistent", "timeline", "--endpoint", url])
    assert result.exit_code == 3
    assert error_line(result.stderr).startswith(f"Error: {url}: cannot reach the server")
