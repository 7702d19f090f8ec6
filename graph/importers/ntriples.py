"""Terms in N-Triples form, and the ``Quads`` buffer an importer fills.

An importer writes plain N-Quads text (no rdflib objects): every term goes through ``iri`` or
``lit``, which pyoxigraph checks and escapes. Text from data is cleaned of terminal control
characters (C0 but tab and line breaks, C1, bidi overrides and isolates) before it becomes a
literal: each is written as a visible escape such as ``\\x1b``, and a name that needed it is
reported with its record.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..namespace import DKG, PREFIXES
from ..render import safe
from ..terms import shorten

XSD = PREFIXES["xsd"]
RDF_TYPE = f"<{PREFIXES['rdf']}type>"
LABEL = f"<{PREFIXES['rdfs']}label>"
COMMENT = f"<{PREFIXES['rdfs']}comment>"
ALT_LABEL = f"<{PREFIXES['skos']}altLabel>"
CLOSE_MATCH = f"<{PREFIXES['skos']}closeMatch>"
RELATED = f"<{PREFIXES['skos']}related>"
EDITORIAL_NOTE = f"<{PREFIXES['skos']}editorialNote>"

_SLUG = re.compile(r"[^a-z0-9]+")
ADDRESS = re.compile(r"^[A-Za-z0-9:._-]{8,128}$")


#: C0 controls except tab, LF and CR; DEL and C1; bidi embeddings, overrides and isolates.
@functools.cache
def dkg(term: str) -> str:
    """A ``dkg:`` term as an N-Triples IRI, checked against the closed namespace.

    >>> dkg("uses")
    '<https://w3id.org/dprk-kg/ns#uses>'
    """
    return f"<{getattr(DKG, term)}>"


def term(curie: str) -> str:
    """A prefixed name as an N-Triples IRI.

    >>> term("dcterms:title")
    '<http://purl.org/dc/terms/title>'
    """
    prefix, local = curie.split(":", 1)
    return f"<{PREFIXES[prefix]}{local}>"


def iri(value: str) -> str:
    """An IRI built from data, checked (``ValueError`` when invalid) and in N-Triples form."""
    return str(ox.NamedNode(value))


def lit(value: str, datatype: str | None = None, lang: str | None = None) -> str:
    """A literal in N-Triples form, escaped by pyoxigraph, control characters made visible.

    >>> lit('say "hi"')
    '"say \\\\"hi\\\\""'
    >>> lit("1.5", "decimal")
    '"1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    """
    value = safe(value)
    if lang:
        return str(ox.Literal(value, language=lang))
    if datatype:
        return str(ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)))
    return str(ox.Literal(value))


def sparql(name: str) -> str:
    """The text of the importers' SPARQL query ``<name>.rq`` (run with the project prefixes)."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")


def slug(text: str) -> str:
    """A lower-case IRI-safe slug.

    >>> slug("Ronin Bridge (Axie)")
    'ronin-bridge-axie'
    """
    return _SLUG.sub("-", text.lower()).strip("-") or "unnamed"


def normal(name: str) -> str:
    """A name as compared for matching: case-folded, single-spaced, no trailing dot.

    >>> normal("  TORNADO   CASH. ")
    'tornado cash'
    """
    return " ".join(name.casefold().split()).rstrip(".").strip()


def parse_date(value: str) -> str | None:
    """An ISO date string if ``value`` is a real calendar date, else None.

    >>> parse_date("2022-08-08"), parse_date("2022-02-30")
    ('2022-08-08', None)
    """
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        return None


@dataclass(frozen=True)
class Skipped:
    """A record left out (or a value of it), with its file, line or record, and the reason.

    >>> str(Skipped("a.csv", "date '2022-02-30' is not a date", line=5))
    "a.csv:5: date '2022-02-30' is not a date"
    >>> str(Skipped("t.json", "no uuid", record="cluster 3"))
    't.json: cluster 3: no uuid'
    """

    file: str
    reason: str
    line: int | None = None
    record: str | None = None

    @classmethod
    def of(cls, error: InputError) -> Skipped:
        """A refused file of a folder import as one skipped record."""
        where = f"{error.path}:{error.line}: " if error.line is not None else f"{error.path}: "
        return cls(str(error.path), str(error).removeprefix(where), error.line)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:" if self.line is not None else f"{self.file}:"
        return f"{where} {self.record}: {self.reason}" if self.record else f"{where} {self.reason}"


@dataclass
class Entity:
    """What the matcher needs to know of an imported entity."""

    iri: str
    label: str
    aliases: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()


@dataclass
class IncidentRecord:
    """What the incident matcher needs to know of an imported incident: its date as stated
    (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) and its victims (IRI and names)."""

    iri: str
    label: str
    date: str
    victims: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass
class Quads:
    """The N-Quads of one named graph, written as text, with what the import found: counts,
    skipped records, and the entities and incidents to match."""

    graph: str
    file: Path = Path()
    lines: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    incidents: list[IncidentRecord] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """Add one statement; all three terms are already in N-Triples form."""
        self.lines.append(f"{subject} {predicate} {obj} <{self.graph}> .\n")

    def node(self, subject: str, cls: str, label: str) -> None:
        """Type a node with a ``dkg:`` class (or a full IRI) and give it its label."""
        self.add(subject, RDF_TYPE, dkg(cls) if not cls.startswith("<") else cls)
        self.name(subject, LABEL, label)

    def name(self, subject: str, predicate: str, value: str) -> None:
        """State a name (label or alias); one with control characters is escaped and reported."""
        if safe(value) != value:
            self.skipped.append(
                Skipped(
                    str(self.file),
                    f"name {safe(value)[:80]!r} holds control characters; kept with them escaped",
                    record=shorten(subject.strip("<>")),
                )
            )
        self.add(subject, predicate, lit(value))

    def entity(self, entity: Entity) -> None:
        """Register an imported entity as a candidate for matching to curated ones."""
        self.entities.append(entity)

    def __len__(self) -> int:
        return len(self.lines)
