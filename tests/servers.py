"""Real SPARQL servers for the tests, each a private instance in a temporary folder on 127.0.0.1
ephemeral ports: the Oxigraph server (the ``oxigraph`` package of the test extra) and Virtuoso
Open Source 7 (Debian's ``virtuoso-opensource-7-bin``, installed by ``.ci/run``).

Where a server's program is missing the tests that need it skip with the reason, except in CI
(``CI=true``), where they fail: CI must run them.

Also here: ``BasicAuthProxy``, a loopback proxy that asks for Basic authentication in front of
a server without any (Oxigraph), ``StubServer``, a loopback server that answers every request
with one canned response and records what it was sent, and ``error_line``, the one line a
failed command prints.
"""

from __future__ import annotations

import base64
import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

#: The password of the Virtuoso loader user, given to ``dprk-kg`` through this variable.
PASSWORD_ENV = "DPRK_KG_TEST_PASSWORD"
_START_TIMEOUT = 60.0


def program(name: str) -> str:
    """The path of a server program: beside this Python (the venv) or on PATH; a skip (or in CI
    a failure) with the reason when it is missing."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.is_file() else shutil.which(name)
    if found:
        return found
    reason = (
        f"{name} is not installed (Oxigraph: pip install -e '.[test]'; Virtuoso: "
        "apt-get install virtuoso-opensource-7-bin, as .ci/run does)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the server tests")
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: {log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"the server did not listen on port {port} within {_START_TIMEOUT:g} s")


@dataclass
class Running:
    """A started server: its URLs, credentials, and how to stop or restart it."""

    name: str
    endpoint: str
    update: str
    gsp: str
    command: list[str]
    folder: Path
    port: int
    user: str | None = None
    password: str | None = None
    sql_port: int | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> Running:
        """Start (or restart, on the same folder and ports) and wait until it answers."""
        log = self.folder / "server.log"
        self.process = subprocess.Popen(
            self.command, cwd=self.folder, stdout=log.open("ab"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        try:
            _wait_for_port(self.port, self.process, log)
        except BaseException:
            self.kill()
            raise
        return self

    def kill(self) -> None:
        """Kill the server at once (SIGKILL), as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    @property
    def read_endpoint(self) -> str:
        """The query URL a reader uses: Virtuoso's anonymous /sparql, Oxigraph's /query."""
        return self.endpoint.replace("/sparql-auth", "/sparql")

    def push_args(self) -> list[str]:
        """The ``dprk-kg push`` options for this server."""
        args = ["--endpoint", self.endpoint, "--update", self.update, "--gsp", self.gsp]
        if self.user:
            args += ["--user", self.user, "--password-env", PASSWORD_ENV]
        return args

    def env(self) -> dict[str, str]:
        """Environment for ``dprk-kg`` with this server's password, if any."""
        return {PASSWORD_ENV: self.password} if self.password else {}


def oxigraph(folder: Path) -> Running:
    """A started Oxigraph server with its database in ``folder`` (made if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [program("oxigraph"), "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"]
    return Running("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store", command, folder, port).start()


_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {folder}
NumberOfBuffers = 170000
MaxDirtyBuffers = 130000
CheckpointInterval = 0
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 10000
MaxQueryExecutionTime = 60
"""


def isql(server: Running, sql: str, password: str) -> str:
    """Run SQL on a Virtuoso server as dba through isql-vt; its output."""
    done = subprocess.run(
        [program("isql-vt"), f"127.0.0.1:{server.sql_port}", "dba", password, f"exec={sql}"],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql-vt failed: {done.stdout[-1000:]} {done.stderr[-1000:]}")
    return done.stdout


def virtuoso(folder: Path, password: str = "loader-secret") -> Running:
    """A started Virtuoso with its own ini and database in ``folder``, a new dba password, and
    a ``loader`` user granted SPARQL_UPDATE (Digest authentication on /sparql-auth and
    /sparql-graph-crud-auth)."""
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(folder=folder, sql_port=sql_port, http_port=http_port))
    base = f"http://127.0.0.1:{http_port}"
    server = Running(
        "virtuoso",
        f"{base}/sparql-auth",
        f"{base}/sparql-auth",
        f"{base}/sparql-graph-crud-auth",
        [program("virtuoso-t"), "-c", str(ini), "+foreground"],
        folder,
        http_port,
        "loader",
        password,
        sql_port=sql_port,
    ).start()
    try:
        _wait_for_port(sql_port, server.process, folder / "server.log")
        isql(
            server,
            f"DB.DBA.USER_CREATE('loader', '{password}'); GRANT SPARQL_UPDATE TO \"loader\"; "
            f"DB.DBA.USER_CHANGE_PASSWORD('dba', 'dba', 'dba-{password}');",
            "dba",
        )
    except BaseException:
        server.kill()  # a server that could not be set up is not left running
        raise
    return server


class _Quiet(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))


class BasicAuthProxy:
    """A loopback proxy that asks for Basic authentication (user ``loader``), then forwards the
    request to ``target`` (an origin such as ``127.0.0.1:7878``). Use as a context manager."""

    def __init__(self, target: str, user: str = "loader", password: str = "basic-secret"):
        self.user, self.password = user, password
        expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

        class Handler(_Quiet):
            def _forward(self) -> None:
                body = self._body()
                if self.headers.get("Authorization") != expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="dprk-kg test"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                upstream = http.client.HTTPConnection(target, timeout=600)
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
                upstream.request(self.command, self.path, body=body or None, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
                self.send_response(answer.status)
                for name in ("Content-Type", "Server"):
                    if answer.getheader(name):
                        self.send_header(name, answer.getheader(name))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                upstream.close()

            do_GET = do_POST = do_PUT = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> BasicAuthProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class StubServer:
    """A loopback server that answers requests in turn with ``answers`` (status, headers, body;
    the last one repeats), or never answers with ``hang=True``, and records each request's
    method, path and body; ``product`` is the ``Server`` header it sends."""

    def __init__(self, *answers: tuple[int, dict[str, str], bytes], hang: bool = False, product: str = ""):
        self.requests: list[tuple[str, str, bytes]] = []
        self.release = threading.Event()
        stub = self

        class Handler(_Quiet):
            def version_string(self) -> str:
                """The ``Server`` header: ``product`` (e.g. ``Oxigraph/0.5.13``) when given."""
                return product or super().version_string()

            def _answer(self) -> None:
                stub.requests.append((self.command, self.path, self._body()))
                if hang:
                    stub.release.wait(30)
                    return
                status, headers, body = answers[min(len(stub.requests), len(answers)) - 1]
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_HEAD = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"

    def __enter__(self) -> StubServer:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def error_line(stderr: str) -> str:
    """The one ``Error:`` line of a failed command (progress lines aside), never a traceback."""
    lines = [line for line in stderr.splitlines() if not line.startswith("... ")]
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    return lines[0]


_IMPORTED: dict[str, Path] = {}


def imported_store(factory, built_store: Path) -> Path:
    """A store with the curated graph and three shared datasets imported (MISP galaxy, DeFiLlama
    hacks, DN Institute incidents), made once per test session; tests copy it or read it.
    Skips when ../shared/data is absent."""
    from tests.conftest import SHARED_DATA as data

    if not data.is_dir():
        pytest.skip(f"real datasets not found at {data} (../shared is absent)")
    if "store" not in _IMPORTED:
        from graph.importers.driver import run_import
        from graph.importers.incidents import IncidentsImporter
        from graph.importers.misp import MispImporter

        root = factory.mktemp("imported")
        store, matches = root / "store", root / "matches.csv"
        shutil.copytree(built_store, store)
        run_import(MispImporter(), data / "misp_galaxy_threat_actor" / "threat-actor.json", store, matches)
        run_import(IncidentsImporter(None), data / "defillama_hacks_csv" / "defi_exploits.csv", store, matches)
        run_import(IncidentsImporter(None), data / "dn_institute_crypto_incidents", store, matches)
        _IMPORTED["store"] = store
    return _IMPORTED["store"]
