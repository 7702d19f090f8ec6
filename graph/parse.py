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
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD

from .errors import InputError

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
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_IRI_SCHEMES = ("http://", "https://", "urn:", "mailto:")


def read_bytes(path: Path) -> bytes:
    """A file's bytes; a missing file, a folder or an empty file is an InputError naming the path."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", path)
    if path.is_dir():
        raise InputError("is a folder, expected a file", path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from exc
    if not raw.strip(b"\x1a \r\n\t"):
        raise InputError("empty file", path)
    return raw


def decode(raw: bytes, path: Path) -> str:
    """UTF-8 text (a BOM is accepted); anything else is an InputError with the line and byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}", path, line) from exc


def read_text(path: Path) -> str:
    """Read a UTF-8 file (a BOM is accepted) or raise an InputError that names the real path."""
    return decode(read_bytes(path), Path(path))


def line_of(text: str, needle: str) -> int | None:
    """The 1-based line where ``needle`` first occurs in ``text``, or None."""
    index = text.find(needle)
    return None if index < 0 else text.count("\n", 0, index) + 1


def _refuse_hazards(text: str, path: Path, fmt: ox.RdfFormat) -> None:
    """Refuse inputs that make parsers hang or reach out: DTDs, remote contexts, huge lines."""
    for number, line in enumerate(text.split("\n"), 1):
        if len(line) > MAX_LINE:
            raise InputError(f"line longer than {MAX_LINE:,} characters (a huge literal?)", path, number)
    if fmt == ox.RdfFormat.RDF_XML and re.search(r"<!(DOCTYPE|ENTITY)", text):
        raise InputError("RDF/XML with a DTD or entity declarations is refused", path, line_of(text, "<!"))
    if fmt == ox.RdfFormat.JSON_LD and re.search(r'"@context"\s*:\s*(\[\s*)?"', text):
        raise InputError("JSON-LD with a remote @context is refused (inline the context)", path,
                         line_of(text, '"@context"'))


def _term(node: ox.NamedNode | ox.BlankNode | ox.Literal, path: Path, text: str):
    """Convert an Oxigraph term to rdflib, refusing what a curated graph must not hold."""
    if isinstance(node, ox.NamedNode):
        if not node.value.startswith(_IRI_SCHEMES):
            raise InputError(f"unsupported IRI <{node.value}> (use http, https, urn or mailto)",
                             path, line_of(text, node.value))
        return URIRef(node.value)
    if isinstance(node, ox.BlankNode):
        return BNode(node.value)
    if node.language:
        return Literal(node.value, lang=node.language)
    if node.datatype.value == str(XSD.string):
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


def iter_quads(path: Path, text: str | None = None) -> Iterator[tuple]:
    """Yield checked rdflib quads ``(s, p, o, graph_iri_or_None)`` from an RDF file."""
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
    with _quiet_rdflib():
        for quad in quads:
            s, p, o = (_term(t, path, text) for t in (quad.subject, quad.predicate, quad.object))
            if isinstance(o, Literal) and _CONTROL.search(o):
                shown = str(o).encode("unicode_escape").decode("ascii")[:60]
                raise InputError(f'control character in literal "{shown}" on <{s}> <{p}>', path)
            if isinstance(o, Literal) and o.ill_typed:
                datatype = str(o.datatype).replace(str(XSD), "xsd:")
                raise InputError(f'ill-typed literal "{o}" (not a valid {datatype}) on <{s}> <{p}>',
                                 path, line_of(text, f'"{o}"'))
            graph = None if isinstance(quad.graph_name, ox.DefaultGraph) else URIRef(quad.graph_name.value)
            yield s, p, o, graph


def parse_file(path: Path) -> Graph:
    """Parse one RDF file into a Graph, checking every term (see module docstring)."""
    graph = Graph()
    for s, p, o, _ in iter_quads(path):
        graph.add((s, p, o))
    return graph


def parse_into(dataset: Dataset, path: Path, graph_iri: URIRef | None = None) -> int:
    """Add a file's quads to ``dataset``: triples go to ``graph_iri``, named graphs keep theirs."""
    graphs: dict[URIRef, Graph] = {}
    count = 0
    for s, p, o, g in iter_quads(path):
        target = g or graph_iri or DATASET_DEFAULT_GRAPH_ID
        if target not in graphs:
            graphs[target] = dataset.graph(target)
        graphs[target].add((s, p, o))
        count += 1
    return count
