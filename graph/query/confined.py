"""The confined query process: a forked child that cannot open a network socket (``sandbox``),
opens the store read-only, dies with its parent, and streams its result back piece by piece
through a pipe, so memory stays bounded whatever the result's size. ``run_confined`` never lets
the child outlive the call, however the call ends (time limit, a closed output, Ctrl-C).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import DprkKgError, InputError, OutputError, QueryTimeout, ResultTooLarge, StoreError
from ..terms import PREFIXES
from .results import QueryResult, param_term, results_format, serialize_result
from .safety import CheckedQuery, check_dataset, syntax_error

#: Bytes the query process gathers before it hands a piece of the result to its parent.
CHUNK = 1 << 16


@dataclass(frozen=True)
class QueryDataset:
    """A dataset chosen by the caller (the SPARQL protocol's default-graph-uri and
    named-graph-uri, or ``--as-of``): the graphs merged into the default graph, and the named
    graphs. Both may only name graphs of the store; it replaces the query's own FROM and FROM
    NAMED and the union of all graphs."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


class _Pipe:
    """The query process's side of the result stream: a writable file that hands the parent
    pieces of at most ``CHUNK`` bytes and counts the records it carries.

    Counting follows each format's framing: CSV records end at newlines outside quotes, TSV
    escapes newlines, XML has one ``<result>`` element per row; JSON only tells if it is empty.
    """

    def __init__(self, conn, fmt: str):
        self.conn, self.fmt = conn, fmt
        self.buffer = bytearray()
        self.newlines = 0
        self.quoted = False  # inside a quoted CSV value at the end of what was written
        self.results = 0
        self.tail = b""

    def write(self, data) -> int:
        data = bytes(data)
        if self.fmt == "csv":
            parts = data.split(b'"')
            start = 1 if self.quoted else 0
            self.newlines += sum(part.count(b"\n") for part in parts[start::2])
            self.quoted = self.quoted != (len(parts) % 2 == 0)
        elif self.fmt == "tsv":
            self.newlines += data.count(b"\n")
        elif self.fmt == "xml":
            joined = self.tail + data
            self.results += joined.count(b"<result>") - self.tail.count(b"<result>")
        self.tail = (self.tail + data)[-32:]
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self.conn.send_bytes(b"D" + self.buffer)
            self.buffer = bytearray()

    def count(self) -> int | None:
        if self.fmt in ("csv", "tsv"):
            return max(self.newlines - 1, 0)
        if self.fmt == "xml":
            return self.results
        return 0 if self.tail.endswith(b'"bindings":[]}}') else None


def _dataset_options(store, dataset: QueryDataset) -> dict:
    """The ``store.query`` arguments of a caller's dataset, each graph checked to be in the store."""
    import pyoxigraph as ox

    stored = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    for parameter, iris in (("default-graph-uri", dataset.default), ("named-graph-uri", dataset.named)):
        for iri in iris:
            if iri not in stored:
                raise InputError(
                    f"{parameter} {iri} is refused: a query may only name graphs of the "
                    "local store (list them with `dprk-kg query -n sources`)"
                )
    return {
        "default_graph": [ox.NamedNode(i) for i in dataset.default],
        "named_graphs": [ox.NamedNode(i) for i in dataset.named],
    }


@dataclass(frozen=True)
class Job:
    """What the query process runs: the query as checked, on which store and dataset, with
    which ``--param`` values, and the formats of its result (``wide``: a table cuts no cell)."""

    store_path: Path
    text: str
    fmt: str
    substitutions: Mapping[str, str]
    checked: CheckedQuery
    graph_fmt: str = "turtle"
    dataset: QueryDataset | None = None
    wide: bool = True


def _evaluate(job: Job, out: _Pipe) -> tuple[str, int | None, bool | None]:
    """Run the query in this (confined) process, writing its result to ``out``."""
    import pyoxigraph as ox

    from ..storage import InterruptedSwap, open_ox, staging_graphs

    store = open_ox(job.store_path, read_only=True)
    if staging_graphs(store):
        raise InterruptedSwap(f"the store at {job.store_path} holds an interrupted import")
    if job.dataset is not None and (job.dataset.default or job.dataset.named):
        options = _dataset_options(store, job.dataset)
    else:
        if job.checked.has_dataset:
            stored = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
            check_dataset(job.text, job.checked, stored)
        options = {"use_default_graph_as_union": not job.checked.has_dataset}
    bindings = {ox.Variable(name): param_term(value) for name, value in job.substitutions.items()}
    try:
        result = store.query(job.text, prefixes=PREFIXES, substitutions=bindings or None, **options)
    except SyntaxError as exc:
        raise syntax_error(job.text, exc) from None
    except RuntimeError as exc:  # pyoxigraph's message for a --param the query does not select
        raise InputError(f"--param can only bind a variable the query selects: {exc}") from None
    if job.checked.unreadable:
        raise InputError(job.checked.unreadable)
    if isinstance(result, ox.QuerySolutions) and job.fmt != "table":
        # streamed as it comes; pyoxigraph's stub says IO[bytes], serialize() takes any writer
        result.serialize(out, format=results_format(job.fmt))  # type: ignore[arg-type]
        out.flush()
        return "select", out.count(), None
    done = serialize_result(result, job.fmt, job.graph_fmt, job.wide)
    out.write(done.data)
    return done.kind, done.count, done.truth


def _child(conn, job: Job, parent: int) -> None:
    """The query process: confine itself, run the query, stream the result, report the end
    (``parent``: the process id of the process that forked it)."""
    import signal

    from .. import sandbox

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which ends this
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    pipe = _Pipe(conn, job.fmt)
    try:
        sandbox.die_with_parent(parent)
        sandbox.cut_network()
        kind, count, truth = _evaluate(job, pipe)
        pipe.flush()
        status = {"kind": kind, "count": count, "truth": truth}
    except DprkKgError as exc:
        status = {"error": type(exc).__name__, "message": str(exc)}
    except OSError as exc:  # the store failed while being read: damaged
        from ..storage import unreadable

        status = {"error": "StoreError", "message": str(unreadable(job.store_path, exc))}
    except Exception as exc:  # the engine's own failure (an IO error...) is reported, not lost
        status = {"error": "StoreError", "message": f"the query failed: {exc}"}
    conn.send_bytes(b"S" + json.dumps(status).encode())
    conn.close()


def run_confined(job: Job, timeout: float, out: BinaryIO | None, max_bytes: int | None = None) -> QueryResult:
    """Run ``job`` in a forked process and collect its result; the process never
    outlives this call, however the call ends."""
    import multiprocessing

    if not hasattr(os, "fork"):
        from ..sandbox import SandboxError

        raise SandboxError("queries need a system that can fork a confined query process")
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, job, os.getpid()), daemon=True)
    for stream in (out, sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()  # nothing buffered here may be written twice by the child
    process.start()
    sender.close()
    try:
        return _collect(receiver, process, timeout, out, max_bytes)
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()


def _write(out: BinaryIO, data: bytes | None) -> None:
    """Write (or, given None, flush) ``out``; a failure other than a closed pipe is an
    OutputError (the CLI exits 4), a closed pipe propagates (the CLI exits quietly)."""
    try:
        if data is None:
            out.flush()
        else:
            out.write(data)
    except BrokenPipeError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write the query result: {exc.strerror or exc}") from exc


def _collect(receiver, process, timeout: float, out: BinaryIO | None, max_bytes: int | None = None) -> QueryResult:
    """Pass the child's pieces on to ``out`` (or gather them) until its status, or the limit."""
    import time

    deadline = time.monotonic() + timeout
    gathered: list[bytes] = []
    written = printed = 0
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not receiver.poll(left):
            done = "nothing was printed" if not printed else f"the output stops early, after {printed:,} bytes"
            raise QueryTimeout(
                f"the query ran past the {timeout:g} s limit and was stopped; {done}. Narrow it, or raise --timeout"
            )
        try:
            message = receiver.recv_bytes()
        except EOFError:
            process.join()
            raise StoreError(
                f"the query process ended without a complete result (exit code {process.exitcode})"
            ) from None
        tag, body = message[:1], message[1:]
        if tag == b"S":
            break
        if max_bytes is not None and written + len(body) > max_bytes:
            raise ResultTooLarge(
                f"the result is larger than the {max_bytes:,}-byte cap and was "
                "not sent. Narrow the query or add a LIMIT"
            )
        if out is None:
            gathered.append(body)
        else:
            _write(out, body)
            printed += len(body)
        written += len(body)
    status = json.loads(body)
    if "error" in status:
        from ..sandbox import SandboxError
        from ..storage import InterruptedSwap

        kinds = {
            "InputError": InputError,
            "QueryTimeout": QueryTimeout,
            "SandboxError": SandboxError,
            "InterruptedSwap": InterruptedSwap,
        }
        raise kinds.get(status["error"], StoreError)(status["message"])
    if out is not None:
        _write(out, None)
    return QueryResult(b"".join(gathered), status["kind"], status["count"], status["truth"])
