"""Shared fixtures: a CLI runner, a graph built once per session, and the real datasets."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from cli import main

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def runner() -> CliRunner:
    """A click runner; stdout and stderr are kept apart so tests can check each."""
    return CliRunner()


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    """The curated graph built once into a temporary folder: ``exports`` and ``store`` paths."""
    root = tmp_path_factory.mktemp("built")
    exports, store = root / "exports", root / "store"
    result = CliRunner().invoke(main, ["--store", str(store), "build", "--quiet", "--out", str(exports)])
    assert result.exit_code == 0, result.output
    return {"exports": exports, "store": store}


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` beside the checkout; tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATA} (../shared is absent)")
    return SHARED_DATA


@pytest.fixture
def store(built, tmp_path):
    """A private copy of the built store, so imports do not leak into other tests."""
    path = tmp_path / "store"
    shutil.copytree(built["store"], path)
    return path


def run(runner, store, *args):
    """Invoke the CLI on ``store``."""
    return runner.invoke(main, ["--store", str(store), *args])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in a folder (not the store), by name: what a failed command must leave as is."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def build_into(runner, previous: dict[str, Path]):
    """Run ``build`` from ``previous["sources"]`` into ``previous["exports"]`` and its store."""
    sources, exports = str(previous["sources"]), str(previous["exports"])
    return run(runner, previous["store"], "build", "-q", "--sources", sources, "--out", exports)


def run_json(runner, store, *args):
    """Invoke the CLI on ``store`` with ``--format json``: the result, and its stdout parsed
    (the command must succeed)."""
    result = run(runner, store, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    return result, json.loads(result.stdout)


def ask(store, query: str) -> list:
    """Rows of a SELECT over the union of the store's graphs, as plain strings."""
    prefixes = (
        "PREFIX dkg: <https://w3id.org/dprk-kg/ns#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    )
    db = ox.Store.read_only(str(store))
    try:
        return [
            tuple(str(v.value) if v is not None else None for v in row)
            for row in db.query(prefixes + query, use_default_graph_as_union=True)
        ]
    finally:
        del db


@pytest.fixture(scope="session")
def real_store(tmp_path_factory) -> Path:
    """A store holding the curated graph and every dataset of ../shared/data, set up once by
    ``bench/real_store.py`` exactly as a user would (build, then one import per file); the match
    file is a copy, so the reviewed ``links/matches.csv`` is never edited."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATA} (../shared is absent)")
    from bench.real_store import set_up

    store = tmp_path_factory.mktemp("real") / "store"
    set_up(store)
    return store


@pytest.fixture
def listener():
    """A loopback TCP listener: its port, and the list of connections it received (one
    ``"connection"`` each), for tests that prove nothing reached out."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    hits: list[str] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            hits.append("connection")
            conn.close()

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1], hits
    server.close()
