"""SPARQL over the embedded store: safety checks, a time limit, result formats, named queries.

A query runs on the store that ``build`` writes, with the project prefixes predeclared and the
union of all named graphs as its default graph (``GRAPH ?source { ... }`` tells who says so),
unless it names its own dataset with FROM / FROM NAMED graphs of the store.

Two lines keep it local: ``check_safe`` refuses SERVICE, LOAD and updates on a real parse of the
query; and it runs in a forked process that cannot open a network socket (``sandbox``), opens the
store read-only, dies with its parent, and streams its result back piece by piece, so memory
stays bounded whatever the result's size. ``run_query`` is the one entry point, for every caller.

>>> check_safe("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
graph.errors.InputError: query line 1, column 18: SERVICE is refused: ...
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from . import paths
from .errors import DprkKgError, InputError, OutputError, QueryTimeout, ResultTooLarge, StoreError
from .terms import shorten_text

FORMATS = ("table", "csv", "tsv", "json", "xml")
#: Serializations of CONSTRUCT and DESCRIBE results.
GRAPH_FORMATS = ("turtle", "ntriples", "nquads", "jsonld")
DEFAULT_TIMEOUT = 30.0
#: The longest time limit ``--timeout`` accepts, in seconds (a day).
MAX_TIMEOUT = 86_400.0
#: Longest cell in table output; longer values end with an ellipsis.
MAX_CELL = 60
#: Bytes the query process gathers before it hands a piece of the result to its parent.
CHUNK = 1 << 16

# Lower-case spellings whose absence from a query (after \u escapes) proves it holds neither a
# SERVICE pattern nor a dataset clause: keywords are plain letters in any case. Updates cannot
# run as a query at all (the engine's query grammar has none); their words are watched for a
# clearer message, except ADD, which "address" spells.
_WATCHED = ("service", "from", "load", "insert", "delete", "clear", "drop", "create", "move", "copy")
_UPDATES = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT",
    "DeleteData": "DELETE",
    "DeleteWhere": "DELETE",
    "Modify": "DELETE",
}
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")
# Strings, IRIs, comments, variables and prefixed names, in the order SPARQL's grammar reads them;
# used only to point a refusal at the line and column of its keyword.
_TOKENS = re.compile(
    r'(?P<long>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\')'
    r'|(?P<string>"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<var>[?$]\w+)"
    r"|(?P<pname>(?:[A-Za-z][\w.-]*)?:(?:[\w.%:-]|\\.)*|_:[\w.-]+)"
    r"|(?P<word>[A-Za-z]+)",
)


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library in ``queries/``: its name (file stem), title, description, text,
    and the parameters it takes (``# param NAME: DEFAULT`` lines) with their defaults."""

    name: str
    title: str
    description: str
    path: Path
    params: tuple[tuple[str, str], ...] = ()

    def bound_text(self, given: Mapping[str, str]) -> str:
        """The query with its parameters bound: ``given`` values, else the defaults (a parameter
        with no default and no value stays unbound). A name the query does not take is an
        InputError naming the ones it takes."""
        from .sparql import bind_terms

        known = dict(self.params)
        for name in given:
            if name not in known:
                takes = f"its parameters: {', '.join(known)}" if known else "it takes no parameters"
                raise InputError(f"--param {name}: the query {self.name!r} has no parameter {name!r}; {takes}")
        values = {name: _term(value) for name, value in {**known, **given}.items() if value}
        return bind_terms(self.text, values)

    @property
    def text(self) -> str:
        """The query text, read when needed."""
        return self.path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class QueryDataset:
    """A dataset chosen by the caller (the SPARQL protocol's default-graph-uri and
    named-graph-uri, or ``--as-of``): the graphs merged into the default graph, and the named
    graphs. Both may only name graphs of the store; it replaces the query's own FROM and FROM
    NAMED and the union of all graphs."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryResult:
    """A query's result and what the CLI needs to report it.

    ``data`` holds the serialized result, or is empty when it was streamed to an output.
    ``count`` is the rows, triples, or 1/0 for ASK; None for a JSON result with rows (JSON does
    not tell its row count without parsing it back). Table cells are shortened with the project
    prefixes and cut at MAX_CELL characters, except the last column (usually the sources).
    """

    data: bytes
    kind: str  # "select", "ask" or "graph"
    count: int | None
    truth: bool | None = None


@dataclass(frozen=True)
class CheckedQuery:
    """What the safety check learnt from a query: its dataset clauses, resolved to IRIs, and,
    when the check's grammar could not read it, why (the query is then refused unless the
    engine also finds a syntax error, whose message is more precise)."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    unreadable: str | None = None
    clauses: tuple[tuple[str, int | None], ...] = field(default=(), repr=False)

    @property
    def has_dataset(self) -> bool:
        """True when the query names its own dataset (FROM or FROM NAMED)."""
        return bool(self.default_graphs or self.named_graphs)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _where(text: str, offset: int | None) -> str:
    if offset is None:
        return "query"
    line, column = _position(text, offset)
    return f"query line {line}, column {column}"


def _keyword_offsets(text: str, word: str) -> list[int]:
    """Where ``word`` stands as a keyword (not inside a string, IRI, comment or name)."""
    return [m.start() for m in _TOKENS.finditer(text) if m.lastgroup == "word" and m.group().upper() == word]


def _expand_escapes(text: str) -> str:
    """The query with SPARQL's \\u and \\U escapes replaced by what they stand for, as the
    grammar reads them (before anything else)."""

    def expand(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code < 0x110000 else match.group()

    return _ESCAPE.sub(expand, text)


def _refuse(text: str, word: str, offset: int | None = None) -> InputError:
    if offset is None:
        offsets = _keyword_offsets(text, word)
        offset = offsets[0] if offsets else None
    if word == "SERVICE":
        why = "queries only read the local store and never open a network connection"
    else:
        why = "`dprk-kg query` only reads the store; it never updates it or loads files"
    return InputError(f"{_where(text, offset)}: {word} is refused: {why}")


def _walk(node: object) -> Iterator[object]:
    """Every node of an rdflib SPARQL parse tree, depth first."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, CompValue):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, ParseResults)):
            stack.extend(item)


def check_safe(text: str, graphs: Callable[[], set[str]] | None = None) -> CheckedQuery:
    """Refuse, before anything runs, a query that could reach beyond the local store.

    The query is parsed by rdflib's SPARQL 1.1 grammar and its parse tree searched: a SERVICE
    pattern anywhere (subqueries, EXISTS, OPTIONAL...) is refused; an update or LOAD is refused;
    FROM and FROM NAMED are returned, and refused unless ``graphs()`` (when given) holds them.
    A query the grammar cannot read cannot be shown safe, so it is refused later, once the query
    engine has had the chance to report a syntax error (``CheckedQuery.unreadable``). A query
    whose text never spells any of these keywords, in any case and after ``\\u`` escapes, cannot
    hold them, and skips the grammar (it takes a third of a second to load).

    >>> check_safe('SELECT ?s WHERE { ?s rdfs:label "service load" } # drop')
    CheckedQuery(default_graphs=(), named_graphs=(), unreadable=None)
    >>> check_safe("DELETE WHERE { ?s ?p ?o }")
    Traceback (most recent call last):
    ...
    graph.errors.InputError: query line 1, column 1: DELETE is refused: ...
    """
    lowered = _expand_escapes(text).lower()
    if not any(word in lowered for word in _WATCHED):
        return CheckedQuery()
    from pyparsing import ParseException
    from rdflib.plugins.sparql import parser

    try:
        tree = parser.parseQuery(text)
    except ParseException as exc:
        return _check_update(text, exc)
    except RecursionError:
        return CheckedQuery(unreadable="query: nested too deeply for the safety check")
    if any(getattr(node, "name", None) == "ServiceGraphPattern" for node in _walk(tree)):
        raise _refuse(text, "SERVICE")
    return _dataset(text, tree, graphs)


def _check_update(text: str, error) -> CheckedQuery:
    """Refuse an update with its keyword; a text that is no update either is unreadable."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import parser

    try:
        request = parser.parseUpdate(text)
    except (ParseException, RecursionError):
        detail = " ".join(str(error.msg).split())
        return CheckedQuery(
            unreadable=f"query line {error.lineno}, column {error.col}: the safety "
            f"check's SPARQL 1.1 grammar cannot read the query "
            f"({detail}), so it is refused"
        )
    operations = [op.name for op in request.request if hasattr(op, "name")]
    word = _UPDATES.get(operations[0], operations[0].upper()) if operations else "UPDATE"
    if operations and operations[0] == "Modify" and not _field(request.request[0], "delete"):
        word = "INSERT"
    raise _refuse(text, word)


def _dataset(text: str, tree, graphs: Callable[[], set[str]] | None) -> CheckedQuery:
    """The FROM / FROM NAMED graphs of a parsed query, as IRIs; refused unless in ``graphs()``."""
    prologue, body = tree[0], tree[1]
    declared = dict(_project_prefixes())
    for decl in prologue:
        if getattr(decl, "name", None) == "PrefixDecl":
            declared[_field(decl, "prefix") or ""] = str(decl["iri"])
    defaults: list[str] = []
    named: list[str] = []
    clauses: list[tuple[str, int | None]] = []
    offsets = iter(_keyword_offsets(text, "FROM"))
    for clause in _field(body, "datasetClause") or []:
        kind = "named" if _field(clause, "named") is not None else "default"
        iri = _iri(clause[kind], declared)
        offset = next(offsets, None)
        clauses.append((iri or "", offset))
        if iri is None:
            raise InputError(
                f"{_where(text, offset)}: FROM (not an IRI) is refused: a query may only name graphs of the local store"
            )
        (named if kind == "named" else defaults).append(iri)
    checked = CheckedQuery(tuple(defaults), tuple(named), None, tuple(clauses))
    if graphs is not None:
        check_dataset(text, checked, graphs())
    return checked


def _field(node, key: str):
    """A field of an rdflib parse-tree node, or None (its own ``get`` returns the key)."""
    return dict.get(node, key)


def _iri(term, declared: Mapping[str, str]) -> str | None:
    if getattr(term, "name", None) == "pname":
        namespace = declared.get(_field(term, "prefix") or "")
        local = _LOCAL_ESCAPE.sub(r"\1", _field(term, "localname") or "")
        return None if namespace is None else namespace + local
    return str(term) if term is not None else None


def check_dataset(text: str, checked: CheckedQuery, graphs: set[str]) -> None:
    """Refuse FROM / FROM NAMED naming a graph the store does not hold (it would read nothing,
    silently)."""
    for iri, offset in checked.clauses:
        if iri not in graphs:
            raise InputError(
                f"{_where(text, offset)}: FROM <{iri}> is refused: a query may only "
                "name graphs of the local store (list them with `dprk-kg query -n "
                "sources`)"
            )


def _project_prefixes() -> dict[str, str]:
    from .terms import PREFIXES

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
        before = re.search(r"([A-Za-z][\w.-]*)?:[\w.%-]*$", source[: column - 1])
        name = (before.group(1) or "") if before else ""
        detail = (
            f"undeclared prefix '{name}:' (declare it with PREFIX {name}: <...>; predeclared: "
            f"{', '.join(sorted(_project_prefixes()))})"
        )
    else:
        detail = " ".join(detail.split())
        if len(detail) > 160:
            detail = detail[:157] + "..."
    return InputError(f"query line {line}, column {column}: {detail}\n  {source}\n  {' ' * (column - 1)}^")


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
    rows = [[c if i == last or len(c) <= MAX_CELL else c[: MAX_CELL - 1] + "…" for i, c in enumerate(r)] for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    lines = [header, ["-" * w for w in widths], *rows]
    return "".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=False)).rstrip() + "\n" for line in lines)


def serialize_result(result, fmt: str) -> QueryResult:
    """A complete query result, serialized in ``fmt``: ``result`` is a pyoxigraph
    ``QueryBoolean`` or ``QuerySolutions`` (from a store or parsed from a server's answer), or
    triples (a ``QueryTriples`` or a list of them). The one renderer of local and remote queries.
    """
    import csv
    import io

    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        truth = bool(result)
        data = (
            result.serialize(format=_results_format(fmt)) or b""
            if fmt in ("json", "xml")
            else f"{str(truth).lower()}\n".encode()
        )
        return QueryResult(data, "ask", int(truth), truth)
    if not isinstance(result, ox.QuerySolutions):
        triples = sorted(result, key=str)
        turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_project_prefixes())
        return QueryResult(turtle or b"", "graph", len(triples))
    if fmt != "table":
        data = result.serialize(format=_results_format(fmt)) or b""
        if fmt == "tsv" or (fmt == "csv" and b'"' not in data):  # one line per row
            count = data.count(b"\n") - 1
        elif fmt == "csv":  # quoted values may hold newlines; CSV cannot be parsed back to terms
            count = len(list(csv.reader(io.StringIO(data.decode("utf-8"))))) - 1
        else:
            parsed = ox.parse_query_results(data, format=_results_format(fmt))
            count = len(list(parsed)) if isinstance(parsed, ox.QuerySolutions) else 1
        return QueryResult(data, "select", count)
    names = [v.value for v in result.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in result]
    return QueryResult(render_table(names, rows).encode(), "select", len(rows))


def _results_format(fmt: str):
    import pyoxigraph as ox

    return {
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
        "json": ox.QueryResultsFormat.JSON,
        "xml": ox.QueryResultsFormat.XML,
    }[fmt]


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


def _graph_format(fmt: str):
    import pyoxigraph as ox

    return {
        "turtle": ox.RdfFormat.TURTLE,
        "ntriples": ox.RdfFormat.N_TRIPLES,
        "nquads": ox.RdfFormat.N_QUADS,
        "jsonld": ox.RdfFormat.JSON_LD,
    }[fmt]


def _evaluate(
    store_path: Path,
    text: str,
    fmt: str,
    substitutions: Mapping[str, str],
    checked: CheckedQuery,
    out: _Pipe,
    graph_fmt: str = "turtle",
    dataset: QueryDataset | None = None,
) -> tuple[str, int | None, bool | None]:
    """Run the query in this (confined) process, writing its result to ``out``."""
    import pyoxigraph as ox

    from .storage import InterruptedSwap, open_ox, staging_graphs

    store = open_ox(store_path, read_only=True)
    if staging_graphs(store):
        raise InterruptedSwap(f"the store at {store_path} holds an interrupted import")
    if dataset is not None and (dataset.default or dataset.named):
        options = _dataset_options(store, dataset)
    else:
        if checked.has_dataset:
            check_dataset(text, checked, {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)})
        options = {"use_default_graph_as_union": not checked.has_dataset}
    bindings = {ox.Variable(name): _term(value) for name, value in substitutions.items()}
    try:
        result = store.query(text, prefixes=_project_prefixes(), substitutions=bindings or None, **options)
    except SyntaxError as exc:
        raise _syntax_error(text, exc) from None
    except RuntimeError as exc:  # pyoxigraph's message for a --param the query does not select
        raise InputError(f"--param can only bind a variable the query selects: {exc}") from None
    if checked.unreadable:
        raise InputError(checked.unreadable)
    if isinstance(result, ox.QueryBoolean):
        truth = bool(result)
        if fmt in ("json", "xml"):
            # pyoxigraph's stub says IO[bytes]; serialize() takes any object with write()
            result.serialize(out, format=_results_format(fmt))  # type: ignore[arg-type]
        else:
            out.write(f"{str(truth).lower()}\n".encode())
        return "ask", int(truth), truth
    if isinstance(result, ox.QueryTriples):
        triples = sorted(result, key=str)
        out.write(ox.serialize(triples, format=_graph_format(graph_fmt), prefixes=_project_prefixes()) or b"")
        return "graph", len(triples), None
    if fmt != "table":
        # pyoxigraph's stub says IO[bytes]; serialize() takes any object with write()
        result.serialize(out, format=_results_format(fmt))  # type: ignore[arg-type]
        out.flush()
        return "select", out.count(), None
    names = [v.value for v in result.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in result]
    out.write(render_table(names, rows).encode())
    return "select", len(rows), None


def _child(
    conn,
    store_path: Path,
    text: str,
    fmt: str,
    substitutions: Mapping[str, str],
    checked: CheckedQuery,
    graph_fmt: str,
    dataset: QueryDataset | None,
) -> None:
    """The query process: confine itself, run the query, stream the result, report the end."""
    import signal

    from . import sandbox

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which ends this
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    pipe = _Pipe(conn, fmt)
    try:
        sandbox.die_with_parent()
        sandbox.cut_network()
        kind, count, truth = _evaluate(store_path, text, fmt, substitutions, checked, pipe, graph_fmt, dataset)
        pipe.flush()
        status = {"kind": kind, "count": count, "truth": truth}
    except DprkKgError as exc:
        status = {"error": type(exc).__name__, "message": str(exc)}
    except OSError as exc:  # the store failed while being read: damaged
        from .storage import unreadable

        status = {"error": "StoreError", "message": str(unreadable(store_path, exc))}
    except Exception as exc:  # the engine's own failure (an IO error...) is reported, not lost
        status = {"error": "StoreError", "message": f"the query failed: {exc}"}
    conn.send_bytes(b"S" + json.dumps(status).encode())
    conn.close()


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
    all graphs; a result past ``max_bytes`` raises ResultTooLarge and nothing of it is returned.
    """
    from .storage import InterruptedSwap, recover

    store_path = Path(store_path)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if graph_fmt not in GRAPH_FORMATS:
        raise InputError(f"unknown graph format {graph_fmt!r}; choose one of {', '.join(GRAPH_FORMATS)}")
    check_timeout(timeout)
    if not store_path.is_dir():
        raise StoreError(f"no store at {store_path}: run `dprk-kg build` first")
    checked = check_safe(text)
    job = (store_path, text, fmt, dict(substitutions or {}), checked, graph_fmt, dataset)
    try:
        return _run_confined(job, timeout, out, max_bytes)
    except InterruptedSwap:
        recover(store_path, progress)
        return _run_confined(job, timeout, out, max_bytes)


def _run_confined(job: tuple, timeout: float, out: BinaryIO | None, max_bytes: int | None = None) -> QueryResult:
    """Run ``_child(*job)`` in a forked process and collect its result; the process never
    outlives this call, however the call ends."""
    import multiprocessing

    if not hasattr(os, "fork"):
        from .sandbox import SandboxError

        raise SandboxError("queries need a system that can fork a confined query process")
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, *job), daemon=True)
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
        from .sandbox import SandboxError
        from .storage import InterruptedSwap

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


def _header(path: Path) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """The ``# title:``, ``# description:`` and ``# param NAME: DEFAULT`` lines of a query
    file's header comment."""
    fields: dict[str, str] = {}
    params: list[tuple[str, str]] = []
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        match = re.match(r"(title|description):\s*(.*)", body)
        param = re.match(r"param\s+(\w+):\s*(\S*)$", body)
        if param:
            params.append((param.group(1), param.group(2)))
            current = None
        elif match:
            current = match.group(1)
            fields[current] = match.group(2)
        elif current == "description" and body:
            fields[current] += " " + body
        else:
            current = None
    for key in ("title", "description"):
        if not fields.get(key):
            raise InputError(f"the header comment has no '# {key}: ...' line", path, 1)
    return fields["title"], fields["description"], tuple(params)


def named_queries(folder: Path = paths.QUERIES_DIR) -> list[NamedQuery]:
    """The named query library: every ``.rq`` file in ``folder``, sorted by name.

    >>> [q.name for q in named_queries()][:1]
    ['actor-aliases']
    """
    queries = []
    for path in sorted(Path(folder).glob("*.rq")):
        title, description, params = _header(path)
        queries.append(NamedQuery(path.stem, title, description, path, params))
    return queries


def named_query(name: str, folder: Path = paths.QUERIES_DIR) -> NamedQuery:
    """The named query ``name``; an unknown name raises InputError with the closest names."""
    import difflib

    queries = {q.name: q for q in named_queries(folder)}
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, queries, n=3, cutoff=0.4)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise InputError(f"no named query {name!r}: {hint}`dprk-kg query --list` shows them all")
