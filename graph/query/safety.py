"""The safety check of a query, before anything runs: no SERVICE, no update or LOAD, and FROM /
FROM NAMED only naming graphs of the store; and the messages that point at the line and column
of what is wrong (a refused keyword, a syntax error of the engine).

>>> check_safe("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
graph.errors.InputError: query line 1, column 18: SERVICE is refused: ...
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from ..errors import InputError
from ..terms import PREFIXES

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
    declared = dict(PREFIXES)
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


def syntax_error(text: str, exc: SyntaxError) -> InputError:
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
            f"{', '.join(sorted(PREFIXES))})"
        )
    else:
        detail = " ".join(detail.split())
        if len(detail) > 160:
            detail = detail[:157] + "..."
    return InputError(f"query line {line}, column {column}: {detail}\n  {source}\n  {' ' * (column - 1)}^")
