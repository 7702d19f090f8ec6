"""SPARQL over the embedded store: safety checks, a time limit, result formats, named queries.

A query runs on the store that ``build`` writes, with the project prefixes predeclared and the
union of all named graphs as its default graph (``GRAPH ?source { ... }`` tells who says so),
unless it names its own dataset with FROM / FROM NAMED graphs of the store.

Two lines keep it local: ``check_safe`` refuses SERVICE, LOAD and updates on a real parse of the
query (``safety``); and it runs in a forked process that cannot open a network socket, opens
the store read-only, dies with its parent, and streams its result back piece by piece
(``confined``), so memory stays bounded whatever the result's size. ``run_query`` is the one
entry point, for every caller; ``results`` serializes what a query returns, for local and
remote queries alike; ``library`` reads the named queries of ``queries/``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError, StoreError
from .confined import Job, QueryDataset, run_confined
from .library import NamedQuery, named_queries, named_query
from .results import FORMATS, GRAPH_FORMATS, QueryResult, serialize_result
from .results import param_term as _term  # noqa: F401 (graph.remote_query imports it by this name)
from .safety import CheckedQuery, check_dataset, check_safe

__all__ = [
    "DEFAULT_TIMEOUT",
    "FORMATS",
    "GRAPH_FORMATS",
    "MAX_TIMEOUT",
    "CheckedQuery",
    "NamedQuery",
    "QueryDataset",
    "QueryResult",
    "check_dataset",
    "check_safe",
    "check_timeout",
    "named_queries",
    "named_query",
    "run_query",
    "serialize_result",
]

DEFAULT_TIMEOUT = 30.0
#: The longest time limit ``--timeout`` accepts, in seconds (a day).
MAX_TIMEOUT = 86_400.0


def check_timeout(timeout: float) -> float:
    """A time limit in seconds, refused unless it is a number in (0, MAX_TIMEOUT].

    >>> check_timeout(float("inf"))
    Traceback (most recent call last):
    ...
    graph.errors.InputError: --timeout inf: give a number of seconds above 0 and at most 86400
    """
    if not 0 < timeout <= MAX_TIMEOUT:  # also false for NaN
        raise InputError(f"--timeout {timeout:g}: give a number of seconds above 0 and at most {MAX_TIMEOUT:g}")
    return timeout


def run_query(
    store_path: Path,
    text: str,
    fmt: str = "table",
    timeout: float = DEFAULT_TIMEOUT,
    substitutions: Mapping[str, str] | None = None,
    out: BinaryIO | None = None,
    progress: Callable[[str], None] = lambda _: None,
    *,
    graph_fmt: str = "turtle",
    dataset: QueryDataset | None = None,
    max_bytes: int | None = None,
    wide: bool = True,
) -> QueryResult:
    """Run a read-only SPARQL query on the store within ``timeout`` seconds: the one entry
    point for every command and server that runs SPARQL, with every guard.

    The query is checked (``check_safe``) before anything runs; it then runs in a forked process
    that cannot open a network connection (``sandbox``), dies with this one, and opens the store
    read-only. Its result is streamed: to ``out`` when given (then ``data`` is empty), else
    gathered into ``data``. Syntax errors and undeclared prefixes raise InputError with the line
    and column; the time limit raises QueryTimeout and stops the process; a failed write to
    ``out`` raises OutputError (BrokenPipeError when the reader went away) and stops it too.
    Staging graphs of an interrupted import are removed first (said through ``progress``).
    ``graph_fmt`` serializes CONSTRUCT and DESCRIBE results; ``dataset`` replaces the union of
    all graphs; a result past ``max_bytes`` raises ResultTooLarge and nothing of it is returned;
    a table cuts long cells only when ``wide`` is off (for a terminal, ``graph.render.render_table``).
    """
    from ..storage import InterruptedSwap, recover

    store_path = Path(store_path)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if graph_fmt not in GRAPH_FORMATS:
        raise InputError(f"unknown graph format {graph_fmt!r}; choose one of {', '.join(GRAPH_FORMATS)}")
    check_timeout(timeout)
    if not store_path.is_dir():
        raise StoreError(f"no store at {store_path}: run `dprk-kg build` first")
    checked = check_safe(text)
    job = Job(store_path, text, fmt, dict(substitutions or {}), checked, graph_fmt, dataset, wide)
    try:
        return run_confined(job, timeout, out, max_bytes)
    except InterruptedSwap:
        recover(store_path, progress)
        return run_confined(job, timeout, out, max_bytes)
