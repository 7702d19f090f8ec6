"""`dprk-kg serve`: a real server on an ephemeral loopback port, spoken to over HTTP.

The W3C SPARQL 1.1 Protocol cases that apply to a read-only endpoint (sparql11/protocol in
w3c/rdf-tests) are written here from their descriptions, with the store's own graphs in place of
the test data graphs: queries by GET, POST form and POST direct, dataset selection, content
types, every ``bad_*`` case (4xx) and the update cases (403/405). Then what the project adds:
the guards of `dprk-kg query` with the same message, a loopback listener that SERVICE must not
reach, the time limit, the result cap, CORS, the Host check and the start page.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest

from graph import query
from graph.serve import ServeOptions, make_server
from tests.conftest import FIXTURES, ask, run
from tests.test_browser import browser  # noqa: F401 (the headless Chromium fixture)

SRC = "https://w3id.org/dprk-kg/source/"
A, B, C = (
    SRC + name
    for name in (
        "fbi-2023-01-23-harmony-horizon-lazarus",
        "trm-labs-ronin-bridge-hack",
        "chainalysis-2023-02-01-crypto-hacking-2022",
    )
)
# The W3C cases' data: each source document is typed in its own graph only.
BOTH_TYPED = f"ASK {{ <{A}> a ?type . <{B}> a ?type . }}"
NAMED_TYPED = f"ASK {{ GRAPH ?g1 {{ <{A}> a ?type }} GRAPH ?g2 {{ <{B}> a ?type }} }}"
SLOW = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        assert self.headers["Content-Type"] == "application/sparql-results+json", self.text
        return json.loads(self.body)


class Server:
    """A running endpoint; ``request`` sends one HTTP request and reads the whole answer."""

    def __init__(self, options: ServeOptions):
        self.endpoint = make_server(options)
        self.port = self.endpoint.server_address[1]
        self.thread = threading.Thread(target=self.endpoint.serve_forever, daemon=True)
        self.thread.start()

    def request(
        self, method: str, path: str, body: bytes | str | None = None, headers: dict[str, str] | None = None
    ) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            answer = connection.getresponse()
            return Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()

    def get(self, text: str, accept: str | None = None, **params) -> Response:
        fields = [("query", text), *((k.replace("_", "-"), v) for k, vs in params.items() for v in vs)]
        return self.request("GET", "/sparql?" + urlencode(fields), headers={"Accept": accept} if accept else {})

    def post(self, text: str, query_string: str = "", accept: str | None = None) -> Response:
        headers = {"Content-Type": "application/sparql-query"} | ({"Accept": accept} if accept else {})
        return self.request(
            "POST", "/sparql" + (f"?{query_string}" if query_string else ""), text.encode("utf-8"), headers
        )

    def stop(self) -> None:
        self.endpoint.shutdown()
        self.endpoint.server_close()
        self.thread.join()


@pytest.fixture
def serving(built):
    """Start endpoints on the built store (options may be changed) and stop them all after."""
    started: list[Server] = []

    def start(**changes) -> Server:
        options = replace(ServeOptions(store=built["store"], port=0, views=built["exports"]), **changes)
        started.append(Server(options))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(serving) -> Server:
    return serving()


def boolean(response: Response) -> bool:
    assert response.status == 200, response.text
    return response.json()["boolean"]


# -- W3C protocol cases: queries --------------------------------------------------------------


def test_query_get(server):
    assert boolean(server.get("ASK {}")) is True


def test_query_post_form(server):
    response = server.request(
        "POST", "/sparql", "query=ASK%20%7B%7D", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert boolean(response) is True


def test_query_post_direct(server):
    assert boolean(server.post("ASK {}")) is True


def test_dataset_default_graphs_get_and_post(server):
    chosen = urlencode([("default-graph-uri", A), ("default-graph-uri", B)])
    assert boolean(server.get(BOTH_TYPED, default_graph_uri=[A, B])) is True
    assert boolean(server.post(BOTH_TYPED, chosen)) is True
    # Only A in the default graph: B's type is not in it, so the same query fails.
    assert boolean(server.get(BOTH_TYPED, default_graph_uri=[A])) is False


def test_dataset_named_graphs_get_and_post(server):
    chosen = urlencode([("named-graph-uri", A), ("named-graph-uri", B)])
    assert boolean(server.get(NAMED_TYPED, named_graph_uri=[A, B])) is True
    assert boolean(server.post(NAMED_TYPED, chosen)) is True
    assert boolean(server.get(NAMED_TYPED, named_graph_uri=[A])) is False


def test_dataset_full(server):
    text = f"ASK {{ <{C}> a ?type GRAPH ?g1 {{ <{A}> a ?type }} GRAPH ?g2 {{ <{B}> a ?type }} }}"
    chosen = urlencode([("default-graph-uri", C), ("named-graph-uri", A), ("named-graph-uri", B)])
    assert boolean(server.post(text, chosen)) is True


def test_protocol_dataset_overrides_the_query_dataset(server):
    text = f"ASK FROM <{C}> {{ GRAPH ?g1 {{ <{A}> a ?type }} GRAPH ?g2 {{ <{B}> a ?type }} }}"
    assert boolean(server.post(text, urlencode([("named-graph-uri", A), ("named-graph-uri", B)]))) is True
    own = f"ASK FROM <{C}> {{ <{A}> a ?type }}"
    assert boolean(server.post(own)) is False
    assert boolean(server.post(own, urlencode([("default-graph-uri", A)]))) is True


def test_default_graph_is_the_union_and_prefixes_are_predeclared(server):
    assert boolean(server.get(BOTH_TYPED)) is True
    assert boolean(server.get("ASK { kg:tornado-cash a dkg:Mixer }")) is True


def test_dataset_outside_the_store_is_refused(server):
    response = server.get("ASK {}", default_graph_uri=["http://kasei.us/2009/09/sparql/data/data0.rdf"])
    assert response.status == 400
    assert "default-graph-uri http://kasei.us/2009/09/sparql/data/data0.rdf is refused" in response.text


@pytest.mark.parametrize(
    "accept, content_type, parse",
    [
        (None, "application/sparql-results+json", lambda b: json.loads(b)["results"]["bindings"][0]["value"]["value"]),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            lambda b: next(s["value"].value for s in ox.parse_query_results(b, format=ox.QueryResultsFormat.XML)),
        ),
        ("text/csv", "text/csv; charset=utf-8", lambda b: list(csv.reader(io.StringIO(b.decode())))[1][0]),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", lambda b: b.decode().splitlines()[1]),
    ],
)
def test_content_type_select(server, accept, content_type, parse):
    response = server.post("SELECT (1 AS ?value) {}", accept=accept)
    assert response.status == 200
    assert response.headers["Content-Type"] == content_type
    assert parse(response.body) == "1"


@pytest.mark.parametrize(
    "accept, content_type",
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
    ],
)
def test_content_type_ask(server, accept, content_type):
    response = server.post("ASK {}", accept=accept)
    assert response.status == 200 and response.headers["Content-Type"] == content_type
    results = ox.parse_query_results(response.body, format=ox.QueryResultsFormat.from_media_type(content_type))
    assert bool(results) is True


@pytest.mark.parametrize(
    "text", ["DESCRIBE kg:tornado-cash", "CONSTRUCT { <http://e.org/s> <http://e.org/p> 1 } WHERE {}"]
)
@pytest.mark.parametrize(
    "accept, content_type",
    [
        (None, "text/turtle; charset=utf-8"),
        ("application/n-triples", "application/n-triples"),
        ("application/n-quads", "application/n-quads"),
        ("application/ld+json", "application/ld+json"),
    ],
)
def test_content_type_describe_and_construct(server, text, accept, content_type):
    response = server.post(text, accept=accept)
    assert response.status == 200
    assert response.headers["Content-Type"] == content_type
    triples = list(ox.parse(response.body, format=ox.RdfFormat.from_media_type(content_type.split(";")[0])))
    assert triples


def test_content_negotiation_follows_q_values(server):
    response = server.get("SELECT (1 AS ?v) {}", accept="text/csv;q=0.5, application/sparql-results+xml")
    assert response.headers["Content-Type"] == "application/sparql-results+xml"
    response = server.get("SELECT (1 AS ?v) {}", accept="application/sparql-results+json;q=0, text/*;q=0.3")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    graph = server.get(
        "CONSTRUCT { <http://e.org/s> <http://e.org/p> 1 } WHERE {}",
        accept="text/turtle;q=0.2, application/n-triples;q=0.8",
    )
    assert graph.headers["Content-Type"] == "application/n-triples"


@pytest.mark.parametrize(
    "text, accept",
    [
        ("SELECT (1 AS ?v) {}", "text/html"),
        ("SELECT (1 AS ?v) {}", "text/turtle"),
        ("CONSTRUCT { <http://e.org/s> <http://e.org/p> 1 } WHERE {}", "application/sparql-results+json"),
    ],
)
def test_unacceptable_formats_get_406(server, text, accept):
    response = server.get(text, accept=accept)
    assert response.status == 406
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "cannot answer in" in response.text


# -- W3C protocol cases: bad requests and updates ------------------------------------------------

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
DIRECT_UTF16 = {"Content-Type": "application/sparql-query; charset=UTF-16"}
UPDATE = {"Content-Type": "application/sparql-update"}


@pytest.mark.parametrize(
    "case, method, path, body, headers, status",
    [
        ("bad_query_method", "PUT", "/sparql?query=ASK%20%7B%7D", "", FORM, 405),
        ("bad_multiple_queries", "GET", "/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D", None, {}, 400),
        ("bad_query_wrong_media_type", "POST", "/sparql", "ASK {}", {"Content-Type": "text/plain"}, 415),
        ("bad_query_missing_form_type", "POST", "/sparql", "query=ASK%20%7B%7D", {}, 415),
        ("bad_query_missing_direct_type", "POST", "/sparql", "ASK {}", {}, 415),
        ("bad_query_non_utf8", "POST", "/sparql", "ASK {}".encode("utf-16"), DIRECT_UTF16, 415),
        ("bad_query_syntax", "GET", "/sparql?query=ASK%20%7B", None, {}, 400),
        ("bad_update_get", "GET", "/sparql?update=CLEAR%20ALL", None, {}, 403),
        ("bad_multiple_updates", "POST", "/sparql", "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", FORM, 403),
        ("bad_update_wrong_media_type", "POST", "/sparql", "CLEAR NAMED", {"Content-Type": "text/plain"}, 415),
        ("bad_update_missing_form_type", "POST", "/sparql", "update=CLEAR%20NAMED", {}, 415),
        (
            "bad_update_non_utf8",
            "POST",
            "/sparql",
            "CLEAR NAMED".encode("utf-16"),
            {"Content-Type": "application/sparql-update; charset=UTF-16"},
            403,
        ),
        ("bad_update_syntax", "POST", "/sparql", "update=CLEAR%20XYZ", FORM, 403),
        (
            "bad_update_dataset_conflict",
            "POST",
            "/sparql?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople",
            "WITH <http://example/addresses> DELETE { ?p <http://e.org/n> 'Bill' } "
            "WHERE { ?p <http://e.org/n> 'Bill' }",
            UPDATE,
            403,
        ),
        ("update_post_form", "POST", "/sparql", "update=CLEAR+ALL", FORM, 403),
        ("update_post_direct", "POST", "/sparql", "CLEAR ALL", UPDATE, 403),
        (
            "update_dataset_default_graph",
            "POST",
            "/sparql?using-graph-uri=" + quote(A, safe=""),
            f"CLEAR ALL ; INSERT DATA {{ GRAPH <{A}> {{ <{A}> a <http://e.org/Doc> }} }}",
            UPDATE,
            403,
        ),
        (
            "update_base_uri",
            "POST",
            "/sparql",
            "CLEAR GRAPH <http://example.org/b/> ; "
            "INSERT DATA { GRAPH <http://example.org/b/> { <http://e.org/s> <http://e.org/p> <test> } }",
            UPDATE,
            403,
        ),
        (
            "graph_store_put",
            "PUT",
            "/rdf-graphs/service?default",
            "<http://e.org/s> <http://e.org/p> 1 .",
            {"Content-Type": "text/turtle"},
            405,
        ),
        (
            "graph_store_post",
            "POST",
            "/rdf-graphs/service?graph=" + quote(A, safe=""),
            "<http://e.org/s> <http://e.org/p> 1 .",
            {"Content-Type": "text/turtle"},
            405,
        ),
        ("graph_store_delete", "DELETE", "/rdf-graphs/service?graph=" + quote(A, safe=""), None, {}, 405),
    ],
)
def test_bad_requests_and_updates_are_refused(server, built, case, method, path, body, headers, status):
    before = ask(built["store"], "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    response = server.request(method, path, body, headers)
    assert response.status == status, f"{case}: {response.status} {response.text}"
    assert response.text.startswith("Error: ")
    assert ask(built["store"], "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }") == before


# -- the guards of `dprk-kg query` ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "LOAD <http://example.org/data.ttl>",
        "DELETE WHERE { ?s ?p ?o }",
        "SELECT * FROM <http://example.org/elsewhere> WHERE { ?s ?p ?o }",
    ],
)
def test_guards_answer_4xx_with_the_message_of_dprk_kg_query(server, runner, built, text):
    response = server.get(text)
    cli = run(runner, built["store"], "query", text)
    assert 400 <= response.status < 500
    assert cli.exit_code == 2
    assert response.text.strip() == cli.stderr.strip()


def test_service_makes_no_connection(server, runner, built):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.5)
    text = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.getsockname()[1]}/sparql> {{ ?s ?p ?o }} }}"
    try:
        response = server.post(text)
        assert response.status == 403
        assert response.text.strip() == run(runner, built["store"], "query", text).stderr.strip()
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()


# -- time limit, result cap, concurrency --------------------------------------------------------------


def test_a_stuck_query_gets_503_and_blocks_no_other_request(serving):
    server = serving(timeout=5)
    slow: list[Response] = []
    worker = threading.Thread(target=lambda: slow.append(server.get(SLOW)))
    worker.start()
    fast = server.get("ASK { kg:tornado-cash a dkg:Mixer }")
    still_running = worker.is_alive()
    worker.join()
    assert boolean(fast) is True and still_running
    assert slow[0].status == 503
    assert slow[0].headers["Content-Type"] == "text/plain; charset=utf-8"
    assert slow[0].text.startswith("Error: the query ran past the 5 s limit")
    assert boolean(server.get("ASK {}")) is True


def test_a_result_past_the_cap_is_an_error_not_a_cut(serving):
    server = serving(max_result=2000)
    response = server.get("SELECT ?s ?p ?o { ?s ?p ?o }")
    assert response.status == 507
    assert response.text.startswith("Error: the result is larger than the 2,000-byte cap")
    assert boolean(server.get("ASK {}")) is True


# -- CORS and Host ---------------------------------------------------------------------------------


def test_no_cors_header_unless_an_origin_is_given(server, serving):
    plain = server.request("GET", "/sparql?query=ASK%7B%7D", headers={"Origin": "http://localhost:3000"})
    assert plain.status == 200 and "Access-Control-Allow-Origin" not in plain.headers
    shared = serving(cors="http://localhost:3000")
    allowed = shared.request("GET", "/sparql?query=ASK%7B%7D", headers={"Origin": "http://localhost:3000"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    other = shared.request("GET", "/sparql?query=ASK%7B%7D", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = shared.request(
        "OPTIONS", "/sparql", headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]


def test_cors_refuses_a_wildcard(runner, built):
    result = run(runner, built["store"], "serve", "--port", "0", "--cors", "*")
    assert result.exit_code == 2 and "never *" in result.stderr


@pytest.mark.parametrize(
    "host, status",
    [
        ("localhost:{port}", 200),
        ("127.0.0.1:{port}", 200),
        ("[::1]:{port}", 200),
        ("evil.example:{port}", 403),
        ("evil.example", 403),
        ("127.0.0.1", 403),
        ("localhost:1", 403),
    ],
)
def test_host_header_must_name_this_server(server, host, status):
    response = server.request("GET", "/sparql?query=ASK%7B%7D", headers={"Host": host.format(port=server.port)})
    assert response.status == status, response.text


def test_remote_host_needs_allow_remote(runner, built):
    result = run(runner, built["store"], "serve", "--host", "0.0.0.0", "--port", "0")
    assert result.exit_code == 2
    assert "--allow-remote" in result.stderr and "network" in result.stderr


# -- the start page ------------------------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: dict[str, str] = {}
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")

    def handle_data(self, data):
        if self._href:
            self.links[self._href] = self.links.get(self._href, "") + data

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None


def test_start_page_lists_named_queries_and_views_under_a_strict_policy(server):
    page = server.request("GET", "/")
    assert page.status == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self'" in policy
    parser = Links()
    parser.feed(page.text)
    for named in query.named_queries():
        assert parser.links[f"/queries/{named.name}.rq"] == named.title
        served = server.request("GET", f"/queries/{named.name}.rq")
        assert served.text == named.text
    assert "/views/graph.html" in parser.links
    view = server.request("GET", "/views/graph.html")
    assert view.status == 200 and view.body.startswith(b"<!DOCTYPE html>")
    for asset in ("/serve.js", "/serve.css"):
        assert server.request("GET", asset).status == 200
    assert server.request("GET", "/views/..%2Fstore").status == 404


# -- the store changing under the server ------------------------------------------------------------


def test_a_reimport_while_serving_is_seen_whole_old_or_whole_new(serving, store, runner):
    def load(path):
        result = run(
            runner,
            store,
            "import",
            "incidents",
            str(path),
            "--name",
            "served-incidents",
            "--matches",
            str(store.parent / "matches.csv"),
        )
        assert result.exit_code == 0, result.output

    graph = "https://w3id.org/dprk-kg/dataset/served-incidents"
    count = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    load(FIXTURES / "import" / "defillama-hacks.csv")
    old = ask(store, count)[0][0]
    server = serving(store=store)
    seen: list[str] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            seen.append(server.get(count).json()["results"]["bindings"][0]["n"]["value"])

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        load(FIXTURES / "import" / "dn")
    finally:
        done.set()
        poller.join()
    new = server.get(count).json()["results"]["bindings"][0]["n"]["value"]
    assert new != old and seen and set(seen) <= {old, new}


# -- the command ---------------------------------------------------------------------------------------


def test_serve_command_prints_its_address_serves_and_stops_on_sigterm(built):
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dprk-kg"),
            "--store",
            str(built["store"]),
            "serve",
            "--port",
            "0",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith(f"Serving {built['store']} read-only at http://127.0.0.1:"), line
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/sparql?query=ASK%7B%7D")
        assert json.loads(connection.getresponse().read())["boolean"] is True
        connection.close()
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0
    assert "stopped" in stderr


@pytest.mark.browser
def test_start_page_runs_queries_in_a_browser_under_its_policy(browser, server, built):  # noqa: F811
    base = f"http://127.0.0.1:{server.port}/"
    page = browser.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: r.url.startswith(base) or outside.append(r.url))
    page.goto(base)
    page.click("a[data-query='sanctioned-mixers']")
    page.wait_for_function("document.getElementById('query').value.includes('SELECT')")
    text = query.named_query("sanctioned-mixers").text
    assert page.input_value("#query") == text
    page.click("button[type=submit]")
    page.wait_for_selector("#results table")
    expected = json.loads(query.run_query(built["store"], text, "json").data)
    assert page.locator("#results th").all_inner_texts() == expected["head"]["vars"]
    assert page.locator("#results tbody tr").count() == len(expected["results"]["bindings"]) > 0
    page.fill("#query", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    page.click("button[type=submit]")
    page.wait_for_selector("#results pre")
    assert "SERVICE is refused" in page.inner_text("#results pre")
    assert page.inner_text("#status").startswith("403")
    page.close()
    assert outside == []
    assert [e for e in errors if "403" not in e] == []  # the refused query logs its 403 status
