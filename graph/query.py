"""SPARQL over the embedded store: safety checks, a time limit, result formats, named queries.

A query runs on the store that ``build`` writes, with the project prefixes predeclared and the
union of all named graphs as its default graph (``GRAPH ?source { ... }`` tells who says so).
It runs in a forked child that opens the store read-only and sends back the complete, serialized
result; the parent kills it at the time limit, so a partial result is never printed.

>>> check_safe("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
graph.errors.InputError: query line 1, column 18: SERVICE is refused: ...
"""

from __future__ import annotations

import csv
import io
import os
import re
import select
import signal
import struct
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .errors import DprkKgError, InputError, QueryTimeout, StoreError

FORMATS = ("table", "csv", "tsv", "json", "xml")
DEFAULT_TIMEOUT = 30.0
#: Longest cell in table output; longer values end with an ellipsis.
MAX_CELL = 60

_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")
# Strings, IRIs, comments, variables and prefixed names, in the order SPARQL's grammar reads them;
# matching them first keeps keywords inside them (a label "load", ?service) from counting.
_TOKENS = re.compile(
    r'(?P<long>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\')'
    r'|(?P<string>"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r'|(?P<comment>#[^\n]*)'
    r'|(?P<var>[?$]\w+)'
    r'|(?P<pname>(?:[A-Za-z][\w.-]*)?:[\w.%:-]*|_:[\w.-]+)'
    r'|(?P<word>[A-Za-z]+)',
)


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library in ``queries/``: its name (file stem), title, description, text."""

    name: str
    title: str
    description: str
    path: Path

    @property
    def text(self) -> str:
        """The query text, read when needed."""
        return self.path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class QueryResult:
    """A complete, serialized query result and what the CLI needs to report it.

    Table cells are shortened with the project prefixes and cut at MAX_CELL characters, except
    the last column (usually the sources), which is printed whole.
    """

    data: bytes
    kind: str  # "select", "ask" or "graph"
    count: int  # rows, triples, or 1/0 for ASK
    truth: bool | None = None


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _where(text: str, offset: int) -> str:
    line, column = _position(text, offset)
    return f"query line {line}, column {column}"


def _declared_prefixes(text: str) -> dict[str, str]:
    found = dict(_project_prefixes())
    for match in re.finditer(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", _blank_strings(text), re.I):
        found[match.group(1) or ""] = match.group(2)
    return found


def _blank_strings(text: str) -> str:
    """The text with strings and comments blanked out (same length, so offsets still hold)."""
    return _TOKENS.sub(lambda m: " " * len(m.group()) if m.lastgroup in ("long", "string", "comment")
                       else m.group(), text)


def check_safe(text: str, graphs: Callable[[], set[str]] | None = None) -> None:
    """Refuse, before anything runs, a query that could reach beyond the local store.

    SERVICE (a remote endpoint), LOAD and every update are refused outright. FROM and FROM NAMED
    are allowed only for graphs the store holds, which ``graphs`` lists; without ``graphs`` they
    are left for the check that runs once the store is open. The check reads the query's tokens, so words inside strings, IRIs, comments,
    variables and prefixed names do not count.

    >>> check_safe('SELECT ?s WHERE { ?s rdfs:label "service load" } # drop')
    >>> check_safe("DELETE WHERE { ?s ?p ?o }")
    Traceback (most recent call last):
    ...
    graph.errors.InputError: query line 1, column 1: DELETE is refused: ...
    """
    tokens = [(m.lastgroup, m.group(), m.start()) for m in _TOKENS.finditer(text)]
    for i, (kind, value, start) in enumerate(tokens):
        if kind != "word":
            continue
        word = value.upper()
        if word == "SERVICE":
            raise InputError(f"{_where(text, start)}: SERVICE is refused: queries only read the "
                             "local store and never open a network connection")
        if word in _UPDATE_WORDS:
            raise InputError(f"{_where(text, start)}: {word} is refused: `dprk-kg query` only reads "
                             "the store; it never updates it or loads files")
        if word == "FROM" and graphs is not None:
            rest = [t for t in tokens[i + 1:i + 3] if t[0] != "comment"]
            if rest and rest[0][0] == "word" and rest[0][1].upper() == "NAMED":
                rest = rest[1:]
            iri = _graph_iri(text, rest[0] if rest else None)
            if iri is None or iri not in graphs():
                raise InputError(f"{_where(text, start)}: FROM {iri or '(not an IRI)'} is refused: "
                                 "a query may only name graphs of the local store (list them with "
                                 "`dprk-kg query -n sources`)")


def _graph_iri(text: str, token: tuple[str | None, str, int] | None) -> str | None:
    if token is None:
        return None
    kind, value, _ = token
    if kind == "iri":
        return value[1:-1]
    if kind == "pname":
        prefix, local = value.split(":", 1)
        namespace = _declared_prefixes(text).get(prefix)
        return namespace + local if namespace is not None else None
    return None


def _project_prefixes() -> dict[str, str]:
    from .namespace import PREFIXES

    return PREFIXES


def _syntax_error(text: str, exc: SyntaxError) -> InputError:
    """A pyoxigraph SyntaxError as an InputError naming the line, column and what was wrong."""
    message = str(exc)
    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.S)
    if not match:
        return InputError(f"query: {message.splitlines()[0] if message else 'syntax error'}")
    line, column, detail = int(match.group(1)), int(match.group(2)), match.group(3)
    lines = text.splitlines() or [""]
    source = lines[line - 1] if line <= len(lines) else ""
    if "Prefix not found" in detail:
        before = re.search(r"([A-Za-z][\w.-]*)?:[\w.%-]*$", source[:column - 1])
        name = (before.group(1) or "") if before else ""
        detail = (f"undeclared prefix '{name}:' (declare it with PREFIX {name}: <...>; predeclared: "
                  f"{', '.join(sorted(_project_prefixes()))})")
    else:
        detail = " ".join(detail.split())
        if len(detail) > 160:
            detail = detail[:157] + "..."
    return InputError(f"query line {line}, column {column}: {detail}\n  {source}\n  {' ' * (column - 1)}^")


def shorten_text(value: str) -> str:
    """Shorten every project IRI inside a value, e.g. in a GROUP_CONCAT of source graphs.

    >>> shorten_text("https://w3id.org/dprk-kg/source/a https://w3id.org/dprk-kg/id/b")
    'src:a kg:b'
    """
    for prefix, namespace in sorted(_project_prefixes().items(), key=lambda kv: -len(kv[1])):
        value = value.replace(namespace, f"{prefix}:")
    return value


def _cell(term) -> str:
    import pyoxigraph as ox

    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        text = shorten_text(term.value)
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    elif isinstance(term, ox.Literal):
        text = shorten_text(term.value)
    else:
        text = str(term)
    return " ".join(text.split())


def render_table(header: list[str], rows: list[list[str]]) -> str:
    """Rows as aligned columns under a header and a rule; cells longer than ``MAX_CELL`` are cut
    with an ellipsis, except in the last column (usually the sources), printed whole.

    >>> print(render_table(["a", "bb"], [["1", "2"], ["333", ""]]), end="")
    a    bb
    ---  --
    1    2
    333
    """
    last = len(header) - 1
    rows = [[c if i == last or len(c) <= MAX_CELL else c[:MAX_CELL - 1] + "…" for i, c in enumerate(r)]
            for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    lines = [header, ["-" * w for w in widths], *rows]
    return "".join("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() + "\n" for line in lines)


def _run(store_path: Path, text: str, fmt: str, substitutions: Mapping[str, str]) -> QueryResult:
    """Run the query in this process and serialize its complete result."""
    import pyoxigraph as ox

    try:
        store = ox.Store.read_only(str(store_path))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {store_path}: {exc}") from exc
    check_safe(text, lambda: {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)})
    bindings = {ox.Variable(name): _term(value) for name, value in substitutions.items()}
    try:
        result = store.query(text, prefixes=_project_prefixes(), use_default_graph_as_union=True,
                             substitutions=bindings or None)
    except SyntaxError as exc:
        raise _syntax_error(text, exc) from None
    except RuntimeError as exc:  # pyoxigraph's message for a --param the query does not select
        raise InputError(f"--param can only bind a variable the query selects: {exc}") from None
    return serialize_result(result, fmt)


def serialize_result(result, fmt: str) -> QueryResult:
    """A complete query result, serialized in ``fmt``: ``result`` is a pyoxigraph
    ``QueryBoolean`` or ``QuerySolutions`` (from a store or parsed from a server's answer), or
    triples (a ``QueryTriples`` or a list of them). The one renderer of local and remote queries.
    """
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        truth = bool(result)
        data = (result.serialize(format=_results_format(fmt)) if fmt in ("json", "xml")
                else f"{str(truth).lower()}\n".encode())
        return QueryResult(data, "ask", int(truth), truth)
    if not isinstance(result, ox.QuerySolutions):
        triples = sorted(result, key=str)
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_project_prefixes())
        return QueryResult(data or b"", "graph", len(triples))
    if fmt != "table":
        data = result.serialize(format=_results_format(fmt))
        if fmt == "tsv" or (fmt == "csv" and b'"' not in data):  # one line per row
            count = data.count(b"\n") - 1
        elif fmt == "csv":  # quoted values may hold newlines; CSV cannot be parsed back to terms
            count = sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8")))) - 1
        else:
            count = sum(1 for _ in ox.parse_query_results(data, format=_results_format(fmt)))
        return QueryResult(data, "select", count)
    names = [v.value for v in result.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in result]
    return QueryResult(render_table(names, rows).encode(), "select", len(rows))


def _results_format(fmt: str):
    import pyoxigraph as ox

    return {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
            "json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}[fmt]


def _term(value: str):
    """A ``--param`` value as an RDF term: ``<iri>`` or a known ``prefix:name`` is an IRI,
    anything else a plain string."""
    import pyoxigraph as ox

    if value.startswith("<") and value.endswith(">"):
        return ox.NamedNode(value[1:-1])
    prefix, sep, local = value.partition(":")
    if sep and prefix in _project_prefixes() and " " not in value:
        return ox.NamedNode(_project_prefixes()[prefix] + local)
    return ox.Literal(value)


def _send(fd: int, status: bytes, payload: bytes) -> None:
    message = status + struct.pack(">Q", len(payload)) + payload
    view = memoryview(message)
    while view:
        view = view[os.write(fd, view):]


def _receive(fd: int, pid: int, timeout: float) -> tuple[bytes, bytes]:
    """Read the child's whole message before the deadline, or kill it and raise QueryTimeout."""
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        ready = select.select([fd], [], [], max(left, 0))[0] if left > 0 else []
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise QueryTimeout(f"the query ran past the {timeout:g} s limit and was stopped; "
                               "nothing was printed. Narrow it, or raise --timeout")
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.waitpid(pid, 0)
    message = b"".join(chunks)
    if len(message) < 9 or struct.unpack(">Q", message[1:9])[0] != len(message) - 9:
        raise StoreError("the query process ended without a complete result")
    return message[:1], message[9:]


def run_query(store_path: Path, text: str, fmt: str = "table", timeout: float = DEFAULT_TIMEOUT,
              substitutions: Mapping[str, str] | None = None) -> QueryResult:
    """Run a read-only SPARQL query on the store within ``timeout`` seconds.

    The query is checked (``check_safe``) before it runs; syntax errors and undeclared prefixes
    raise InputError with the line and column; the time limit raises QueryTimeout.
    """
    store_path = Path(store_path)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if not store_path.is_dir():
        raise StoreError(f"no store at {store_path}: run `dprk-kg build` first")
    check_safe(text)
    substitutions = dict(substitutions or {})
    if not hasattr(os, "fork"):
        return _run(store_path, text, fmt, substitutions)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        code = 0
        try:
            result = _run(store_path, text, fmt, substitutions)
            head = {"select": b"S", "ask": b"T" if result.truth else b"F", "graph": b"G"}[result.kind]
            _send(write_fd, head, struct.pack(">Q", result.count) + result.data)
        except DprkKgError as exc:
            _send(write_fd, b"E", f"{type(exc).__name__}\0{exc}".encode())
        except BaseException as exc:  # the child reports any failure, then must not return
            _send(write_fd, b"E", f"StoreError\0the query failed: {exc}".encode())
            code = 1
        finally:
            os._exit(code)
    os.close(write_fd)
    try:
        status, payload = _receive(read_fd, pid, timeout)
    finally:
        os.close(read_fd)
    if status in (b"S", b"T", b"F", b"G"):
        count = struct.unpack(">Q", payload[:8])[0]
        kind = {b"S": "select", b"G": "graph"}.get(status, "ask")
        truth = {b"T": True, b"F": False}.get(status)
        return QueryResult(payload[8:], kind, count, truth)
    name, _, message = payload.decode().partition("\0")
    raise {"InputError": InputError, "QueryTimeout": QueryTimeout}.get(name, StoreError)(message)


def _header(path: Path) -> tuple[str, str]:
    """The ``# title:`` and ``# description:`` of a query file's header comment."""
    fields: dict[str, str] = {}
    current = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        match = re.match(r"(title|description):\s*(.*)", body)
        if match:
            current = match.group(1)
            fields[current] = match.group(2)
        elif current == "description" and body:
            fields[current] += " " + body
        else:
            current = None
    for key in ("title", "description"):
        if not fields.get(key):
            raise InputError(f"the header comment has no '# {key}: ...' line", path, 1)
    return fields["title"], fields["description"]


def named_queries(folder: Path = paths.QUERIES_DIR) -> list[NamedQuery]:
    """The named query library: every ``.rq`` file in ``folder``, sorted by name.

    >>> [q.name for q in named_queries()][:1]
    ['actor-aliases']
    """
    return [NamedQuery(path.stem, *_header(path), path) for path in sorted(Path(folder).glob("*.rq"))]


def named_query(name: str, folder: Path = paths.QUERIES_DIR) -> NamedQuery:
    """The named query ``name``; an unknown name raises InputError with the closest names."""
    import difflib

    queries = {q.name: q for q in named_queries(folder)}
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, queries, n=3, cutoff=0.4)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise InputError(f"no named query {name!r}: {hint}`dprk-kg query --list` shows them all")


def ensure_current(store_path: Path, progress: Callable[[str], None]) -> None:
    """Check the store exists and rebuild its curated part if the sources changed since.

    Cheaper than ``build.open_current`` (it opens nothing), so a query starts fast.
    """
    from . import build

    store_path = Path(store_path)
    if not store_path.is_dir():
        raise StoreError(f"no store at {store_path}: run `dprk-kg build` first")
    build.refresh_store(store_path, progress)


def open_store(store_path: Path, progress: Callable[[str], None]):
    """The store as a read-only rdflib Dataset, current with the sources; a clear error when
    missing. Read-only, so readers never hold the store's write lock."""
    from . import store

    ensure_current(store_path, progress)
    return store.open_dataset(Path(store_path), read_only=True)
