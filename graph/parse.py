"""Read RDF files strictly: every fault becomes an ``InputError`` naming the file, line and value.

Parsing goes through Oxigraph's strict parsers (relative or malformed IRIs, undeclared prefixes and
syntax errors are refused with their position), then each term is checked for what parsers let
through: ill-typed literals (``"2024-02-30"^^xsd:date``), control characters, non-web IRIs.

>>> from pathlib import Path
>>> import tempfile
>>> p = Path(tempfile.mkdtemp()) / "x.ttl"
>>> _ = p.write_text('<https://e.org/a> <https://e.org/b> "2024-02-30"^^<http://www.w3.org/2001/XMLSchema#date> .')
>>> parse_file(p)
Traceback (most recent call last):
...
graph.errors.InputError: ...x.ttl:1: ill-typed literal "2024-02-30" (not a valid xsd:date) on <https://e.org/a> <https://e.org/b>
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .errors import InputError
from .files import read_text

if TYPE_CHECKING:
    from rdflib import Graph, Literal
    from rdflib.term import Node

#: File endings the tool reads, and Oxigraph's format for each.
FORMATS: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
}
MAX_LINE = 1_000_000
#: Longest literal kept (a literal spread over many short lines escapes ``MAX_LINE``).
MAX_LITERAL = 1_000_000
#: Deepest nesting of JSON-LD objects and arrays, or RDF/XML elements, read (Oxigraph's JSON-LD
#: reader crashes the process past a few thousand levels; real data stays under twenty).
MAX_DEPTH = 100
#: Longest lexical form of a number: longer ones (a 5,000-digit integer) are refused unread.
MAX_NUMBER = 100
# C0 controls but tab and line ends, DEL, C1 controls, and bidirectional overrides and isolates
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_XML_TAG = re.compile(r"<(/?)[A-Za-z_][^<>]*?(/?)>")
# What hides a "[", "(" or "_:" from the Turtle grammar: strings, IRIs, comments.
_TURTLE_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>|#[^\n]*'
)
_BLANK = re.compile(r"\[|\(|_:")
# A number written with an exponent of four digits or more: parsers expand some of them to
# 10^exponent characters (a decimal "1e999999999" becomes a billion digits).
_HUGE_EXPONENT = re.compile(r"(?<![\w.])[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?0*[0-9]{4,}(?![\w.])")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = _XSD + "string"
_NUMERIC = {
    f"{_XSD}{name}"
    for name in (
        "integer",
        "decimal",
        "double",
        "float",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
_IRI_SCHEMES = ("http://", "https://", "urn:", "mailto:")


def line_of(text: str, needle: str) -> int | None:
    """The 1-based line where ``needle`` first occurs in ``text``, or None."""
    index = text.find(needle)
    return None if index < 0 else text.count("\n", 0, index) + 1


def _refuse_hazards(text: str, path: Path, fmt: ox.RdfFormat) -> None:
    """Refuse inputs that make parsers hang or reach out: DTDs, remote contexts, huge lines."""
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) > MAX_LINE:
            raise InputError(f"line longer than {MAX_LINE:,} characters (a huge literal?)", path, number)
    declaration = re.search(r"<!(DOCTYPE|ENTITY)", text) if fmt == ox.RdfFormat.RDF_XML else None
    if declaration:
        at = text.count("\n", 0, declaration.start()) + 1
        raise InputError("RDF/XML with a DTD or entity declarations is refused", path, at)
    if fmt == ox.RdfFormat.JSON_LD and re.search(r'"@context"\s*:\s*(\[\s*)?"', text):
        raise InputError(
            "JSON-LD with a remote @context is refused (inline the context)", path, line_of(text, '"@context"')
        )
    huge = _HUGE_EXPONENT.search(text)
    if huge:
        raise InputError(
            f"number with an exponent of four digits or more ({huge.group()[:40]}) is refused",
            path,
            text.count("\n", 0, huge.start()) + 1,
        )
    if fmt in (ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML):
        deepest, offset = _depth(text, fmt)
        if deepest > MAX_DEPTH:
            raise InputError(f"nested deeper than {MAX_DEPTH} levels", path, text.count("\n", 0, offset) + 1)


def _depth(text: str, fmt: ox.RdfFormat) -> tuple[int, int]:
    """The deepest nesting of JSON objects and arrays (strings left out) or XML elements, and
    the offset where it first passes ``MAX_DEPTH`` (or 0)."""
    depth = deepest = 0
    if fmt == ox.RdfFormat.JSON_LD:
        blanked = _JSON_STRING.sub(lambda m: " " * len(m.group()), text)
        marks = ((m.start(), m.group() in "[{") for m in re.finditer(r"[\[\]{}]", blanked))
    else:
        marks = ((m.start(), not m.group(1)) for m in _XML_TAG.finditer(text) if not m.group(2))
    for offset, opens in marks:
        depth += 1 if opens else -1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_DEPTH:
                return deepest, offset
    return deepest, 0


def _blank_node_line(text: str) -> int | None:
    """The line of the first blank node ("[", "(" or "_:") outside strings, IRIs and comments."""
    blanked = _TURTLE_SKIP.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    match = _BLANK.search(blanked)
    return None if match is None else blanked.count("\n", 0, match.start()) + 1


def _refuse_iri(node: ox.NamedNode, path: Path, text: str) -> None:
    """Refuse an IRI outside the web schemes a curated graph may hold (``_IRI_SCHEMES``)."""
    raise InputError(
        f"unsupported IRI <{node.value}> (use http, https, urn or mailto)", path, line_of(text, node.value)
    )


def _rdflib(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """An Oxigraph term as the rdflib term it stands for."""
    from rdflib import BNode, URIRef

    if isinstance(node, ox.Triple):
        raise TypeError(f"a triple term where a term was expected: {node}")
    if isinstance(node, ox.NamedNode):
        return URIRef(node.value)
    if isinstance(node, ox.BlankNode):
        return BNode(node.value)
    return _literal(node)


def _literal(node: ox.Literal) -> Literal:
    """An Oxigraph literal as rdflib's (an ``xsd:string`` one as a plain literal), which knows
    whether its value fits its datatype and the canonical form of that value."""
    from rdflib import Literal, URIRef

    if node.language:
        return Literal(node.value, lang=node.language)
    if node.datatype.value == _XSD_STRING:
        return Literal(node.value)
    return Literal(node.value, datatype=URIRef(node.datatype.value))


@contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for each ill-typed literal; we report them ourselves."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def iter_quads(path: Path, text: str | None = None, graph: ox.NamedNode | None = None) -> Iterator[ox.Quad]:
    """Yield the checked quads of an RDF file (see the module docstring), as Oxigraph terms;
    with ``graph``, the triples of the file's default graph come in that graph.

    A typed literal comes in rdflib's canonical form of its value (``"01"^^xsd:integer`` as
    ``"1"``), the form the exports have always had; strings and IRIs come as written.
    """
    path = Path(path)
    text = read_text(path) if text is None else text
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(f"unknown file type {path.suffix!r} (expected one of {', '.join(FORMATS)})", path)
    _refuse_hazards(text, path, fmt)
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=fmt))
    except SyntaxError as exc:
        message = re.sub(r"^Parser error at line \d+ (between columns|column) [\d and]+: ", "", str(exc))
        raise InputError(re.sub(r" \(line \d+\)$", "", message), path, exc.lineno) from None
    problems: list[tuple[int | None, str]] = []
    with _quiet_rdflib():
        for quad in quads:
            subject, predicate, value, where = quad.subject, quad.predicate, quad.object, quad.graph_name
            for term in (subject, predicate, value):
                if isinstance(term, ox.NamedNode):
                    if not term.value.startswith(_IRI_SCHEMES):
                        _refuse_iri(term, path, text)
                elif isinstance(term, ox.Triple):
                    raise InputError(f"a triple term (RDF 1.2) is refused: {term}", path, None)
            if isinstance(value, ox.Literal) and (
                len(value.value) > MAX_LITERAL
                or _CONTROL.search(value.value)
                or not (value.language or value.datatype.value == _XSD_STRING)
            ):
                literal = _literal(value)
                problem = _literal_problem(literal, subject.value, predicate.value)
                if problem is not None:
                    problems.append((line_of(text, f'"{literal}"'), problem))
                    continue
                if not value.language and value.datatype.value != _XSD_STRING and str(literal) != value.value:
                    value = ox.Literal(str(literal), datatype=value.datatype)
            if graph is not None and isinstance(where, ox.DefaultGraph):
                where = graph
            if not problems:
                same = value is quad.object and where is quad.graph_name
                yield quad if same else ox.Quad(subject, predicate, value, where)
    if problems:
        problems.sort(key=lambda lp: (lp[0] or 0, lp[1]))
        (line, first), rest = problems[0], problems[1:]
        more = "".join(f"\n{path}:{n}: {message}" if n else f"\n{path}: {message}" for n, message in rest)
        raise InputError(first + more, path, line)


def _literal_problem(o: Literal, s: str, p: str) -> str | None:
    """Why a literal cannot be kept (a control character, a huge or ill-typed value), or None."""
    if len(o) > MAX_LITERAL:
        return f"literal of {len(o):,} characters (more than {MAX_LITERAL:,}) on <{s}> <{p}>"
    if _CONTROL.search(o):
        shown = str(o).encode("unicode_escape").decode("ascii")[:60]
        return f'control character in literal "{shown}" on <{s}> <{p}>'
    datatype = str(o.datatype).replace(_XSD, "xsd:")
    if o.datatype is not None and str(o.datatype) in _NUMERIC:
        if len(o) > MAX_NUMBER:
            return f"number of {len(o):,} characters (more than {MAX_NUMBER}) in a {datatype} literal on <{s}> <{p}>"
        if str(o.datatype) in (_XSD + "double", _XSD + "float") and not o.ill_typed and not math.isfinite(float(o)):
            return f'{datatype} literal "{o}" is not a finite number on <{s}> <{p}>'
    if o.ill_typed:
        return f'ill-typed literal "{o}" (not a valid {datatype}) on <{s}> <{p}>'
    return None


def parse_file(path: Path) -> Graph:
    """Parse one RDF file into an rdflib Graph, checking every term (see module docstring)."""
    from rdflib import Graph

    graph = Graph()
    for quad in iter_quads(path):
        graph.add((_rdflib(quad.subject), _rdflib(quad.predicate), _rdflib(quad.object)))
    return graph


def named_quads(path: Path, graph: ox.NamedNode | None = None) -> list[ox.Quad]:
    """A file's checked quads: its triples in ``graph`` (the default graph if None), its named
    graphs' quads in theirs.

    Curated data names every node: a blank node (``[...]``, ``(...)``, ``_:x``) would get a new
    label on every build, so the exports would differ between builds; it is refused with its line.
    """
    text = read_text(path)
    found = []
    for quad in iter_quads(path, text, graph):
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            raise InputError(
                "blank node refused: curated data names every node with an IRI "
                "(a blank node gets a new label on every build)",
                path,
                _blank_node_line(text),
            )
        found.append(quad)
    return found
