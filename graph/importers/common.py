"""What every importer shares: N-Quads writing, the dataset description, the named-graph
replacement and the reviewable match file.

An importer parses its whole file first into a ``Quads`` buffer (plain N-Quads text, no rdflib
objects), then ``commit`` matches its entities against the curated ones, describes the dataset,
and writes the dataset's named graph (``write_graph``: the description is the commit record). A
file that fails to parse leaves the store and the match file untouched.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from .. import paths, store
from ..errors import InputError, StoreError
from ..namespace import DATASET, DKG, PREFIXES, SRC

Progress = Callable[[str], None]

XSD = PREFIXES["xsd"]
RDF_TYPE = f"<{PREFIXES['rdf']}type>"
LABEL = f"<{PREFIXES['rdfs']}label>"
COMMENT = f"<{PREFIXES['rdfs']}comment>"
ALT_LABEL = f"<{PREFIXES['skos']}altLabel>"
CLOSE_MATCH = f"<{PREFIXES['skos']}closeMatch>"
RELATED = f"<{PREFIXES['skos']}related>"
EDITORIAL_NOTE = f"<{PREFIXES['skos']}editorialNote>"
DCT = PREFIXES["dcterms"]
SDO = PREFIXES["schema"]

#: The editable match file: one row per proposed, confirmed or rejected match.
MATCH_FILE = paths.MATCHES_FILE
MATCH_COLUMNS = ["imported", "curated", "basis", "status", "label", "note"]
BASES = ("shared identifier", "exact name", "alias")
STATUSES = {"proposed": DKG.MatchProposed, "confirmed": DKG.MatchConfirmed,
            "rejected": DKG.MatchRejected}

#: Curated classes whose entities imported ones may match (actors, services, software ...).
MATCHABLE = ("State", "GovernmentBody", "ThreatGroup", "Company", "Service", "Mixer", "Exchange",
             "Bridge", "Wallet", "Protocol", "DesignatedParty", "Software", "Campaign")
IDENTIFIERS = ("attackId", "mispUuid", "listEntryId", "stixId")

_SLUG = re.compile(r"[^a-z0-9]+")
ADDRESS = re.compile(r"^[A-Za-z0-9:._-]{8,128}$")


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
    """A literal in N-Triples form, escaped by pyoxigraph.

    >>> lit('say "hi"')
    '"say \\\\"hi\\\\""'
    >>> lit("1.5", "decimal")
    '"1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    """
    if lang:
        return str(ox.Literal(value, language=lang))
    if datatype:
        return str(ox.Literal(value, datatype=ox.NamedNode(XSD + datatype)))
    return str(ox.Literal(value))


def slug(text: str) -> str:
    """A lower-case IRI-safe slug.

    >>> slug("Ronin Bridge (Axie)")
    'ronin-bridge-axie'
    """
    return _SLUG.sub("-", text.lower()).strip("-") or "unnamed"


def short(iri_value: str) -> str:
    """An IRI as a prefixed name where a project prefix fits.

    >>> short("https://w3id.org/dprk-kg/id/lazarus-group")
    'kg:lazarus-group'
    """
    for prefix in ("kg", "dataset", "src", "dkg"):
        base = PREFIXES[prefix]
        if iri_value.startswith(base):
            return f"{prefix}:{iri_value[len(base):]}"
    return iri_value


def expand(name: str) -> str:
    """The full IRI of a prefixed name written in the match file (full IRIs pass through).

    >>> expand("kg:sinbad")
    'https://w3id.org/dprk-kg/id/sinbad'
    """
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


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


@dataclass
class Entity:
    """What the matcher needs to know of an imported entity."""

    iri: str
    label: str
    aliases: tuple[str, ...] = ()
    identifiers: tuple[tuple[str, str], ...] = ()


class Quads:
    """The N-Quads of one named graph, written as text, plus the entities it types."""

    def __init__(self, graph: str):
        self.graph = graph
        self._graph = f"<{graph}>"
        self.lines: list[str] = []
        self.entities: list[Entity] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """Add one statement; all three terms are already in N-Triples form."""
        self.lines.append(f"{subject} {predicate} {obj} {self._graph} .\n")

    def node(self, subject: str, cls: str, label: str) -> None:
        """Type a node with a ``dkg:`` class (or a full IRI) and give it its label."""
        self.add(subject, RDF_TYPE, dkg(cls) if not cls.startswith("<") else cls)
        self.add(subject, LABEL, lit(label))

    def entity(self, entity: Entity) -> None:
        """Register an imported entity as a candidate for matching to curated ones."""
        self.entities.append(entity)

    def __len__(self) -> int:
        return len(self.lines)


@dataclass
class DatasetInfo:
    """How a dataset describes itself as a source: its node is also its named graph."""

    name: str
    title: str
    file: Path
    version: str | None = None
    issued: str | None = None
    licence: str | None = None
    url: str | None = None
    publisher: str | None = None

    @property
    def graph(self) -> str:
        """The named graph and source node of this import, e.g. ``dataset:ofac-sdn-2022-08-08``."""
        return str(DATASET[self.name])


def dataset_info(kind: str, name: str, title_detail: str, file: Path, **fields: str | None) -> DatasetInfo:
    """The description of an import of ``kind`` (a table of ``catalog/datasets.toml``).

    ``title_detail`` is appended to the catalogued title; a kind not in the catalog gets a
    generic title and no licence or URL.

    >>> dataset_info("ofac-sdn", "ofac-sdn-2022-08-08", "2022-08-08", Path("sdn.csv")).licence
    'Public domain (U.S. Government work)'
    """
    import tomllib

    with open(paths.DATASETS_FILE, "rb") as handle:
        entry = tomllib.load(handle).get(kind, {})
    title = entry.get("title", f"Dataset {name}")
    return DatasetInfo(name=name, title=f"{title} ({title_detail})" if title_detail else title, file=file,
                       licence=entry.get("licence"), url=entry.get("url"),
                       publisher=entry.get("publisher"), **fields)


@dataclass
class ImportReport:
    """What an import did, for the summary the CLI prints."""

    graph: str
    file: Path
    counts: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    matches: dict[str, int] = field(default_factory=dict)
    triples: int = 0
    seconds: float = 0.0


def describe(quads: Quads, info: DatasetInfo, imported_at: datetime) -> None:
    """State the dataset as a ``dkg:SourceDocument`` of kind ``dkg:Dataset`` in its own graph."""
    node = iri(info.graph)
    quads.node(node, "SourceDocument", info.title)
    quads.add(node, term("dcterms:title"), lit(info.title))
    quads.add(node, dkg("documentKind"), dkg("Dataset"))
    quads.add(node, dkg("sourceFile"), lit(info.file.name))
    stamp = imported_at.astimezone(timezone.utc).replace(microsecond=0).isoformat()
    quads.add(node, dkg("importedAt"), lit(stamp.replace("+00:00", "Z"), "dateTime"))
    if info.version:
        quads.add(node, term("schema:version"), lit(info.version))
    if info.issued:
        quads.add(node, term("dcterms:issued"), lit(info.issued, "date"))
    if info.licence:
        quads.add(node, term("dcterms:license"), lit(info.licence))
    if info.url:
        quads.add(node, term("schema:url"), lit(info.url, "anyURI"))
    if info.publisher:
        quads.add(node, term("dcterms:publisher"), iri(info.publisher))


# ---------------------------------------------------------------- matching


@dataclass(frozen=True)
class Match:
    """One row of the match file."""

    imported: str
    curated: str
    basis: str
    status: str
    label: str = ""
    note: str = ""


class CuratedIndex:
    """The curated entities by identifier and by normalised name, read from the store."""

    def __init__(self, rows: Iterable[tuple[str, str, str]]):
        self.ids: dict[tuple[str, str], set[str]] = {}
        self.labels: dict[str, set[str]] = {}
        self.names: dict[str, set[str]] = {}
        for entity, prop, value in rows:
            local = prop.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            if local in IDENTIFIERS:
                self.ids.setdefault((local, value), set()).add(entity)
            else:
                if local == "label":
                    self.labels.setdefault(normal(value), set()).add(entity)
                self.names.setdefault(normal(value), set()).add(entity)

    @classmethod
    def from_store(cls, ox_store: ox.Store) -> CuratedIndex:
        """Read the labels, aliases and identifiers of curated (``src:``) entities."""
        wanted = {str(getattr(DKG, c)) for c in MATCHABLE}
        props = {f"{PREFIXES['rdfs']}label", f"{PREFIXES['skos']}altLabel",
                 *(str(getattr(DKG, p)) for p in IDENTIFIERS)}
        rdf_type = RDF_TYPE[1:-1]
        rows = []
        for graph in ox_store.named_graphs():
            if not isinstance(graph, ox.NamedNode) or not graph.value.startswith(str(SRC)):
                continue
            typed, values = set(), []
            for quad in ox_store.quads_for_pattern(None, None, None, graph):
                p = quad.predicate.value
                if p == rdf_type and quad.object.value in wanted:
                    typed.add(quad.subject.value)
                elif p in props and isinstance(quad.object, ox.Literal):
                    values.append((quad.subject.value, p, quad.object.value))
            rows += [row for row in values if row[0] in typed]
        return cls(rows)

    def find(self, entity: Entity) -> dict[str, str]:
        """Curated entities the imported one may be, each with its strongest basis."""
        found: dict[str, str] = {}
        for key in entity.identifiers:
            for curated in self.ids.get(key, ()):
                found.setdefault(curated, "shared identifier")
        for curated in self.labels.get(normal(entity.label), ()):
            found.setdefault(curated, "exact name")
        for name in (entity.label, *entity.aliases):
            for curated in self.names.get(normal(name), ()):
                found.setdefault(curated, "alias")
        return found


def read_matches(path: Path) -> list[Match]:
    """Read the match file; a bad row is an ``InputError`` with its line."""
    if not path.exists():
        return []
    from ..parse import read_text

    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None or list(reader.fieldnames)[:4] != MATCH_COLUMNS[:4]:
        raise InputError(f"the header must be {','.join(MATCH_COLUMNS)}", path, 1)
    rows = []
    for row in reader:
        line = reader.line_num
        status, basis = (row.get("status") or "").strip(), (row.get("basis") or "").strip()
        if status not in STATUSES:
            raise InputError(f"status {status!r} is not one of {', '.join(STATUSES)}", path, line)
        if basis not in BASES:
            raise InputError(f"basis {basis!r} is not one of {', '.join(BASES)}", path, line)
        imported, curated = (row.get("imported") or "").strip(), (row.get("curated") or "").strip()
        if not imported or not curated:
            raise InputError("a row needs both an imported and a curated entity", path, line)
        rows.append(Match(imported, curated, basis, status,
                          (row.get("label") or "").strip(), (row.get("note") or "").strip()))
    return rows


def render_matches(rows: Iterable[Match]) -> bytes:
    """The match file's bytes, sorted so that it diffs well under review."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MATCH_COLUMNS)
    for m in sorted(set(rows), key=lambda m: (m.imported, m.curated)):
        writer.writerow([m.imported, m.curated, m.basis, m.status, m.label, m.note])
    return out.getvalue().encode("utf-8")


def link(quads: Quads, index: CuratedIndex, existing: list[Match]) -> tuple[list[Match], dict[str, int]]:
    """Record matches of the graph's entities as ``dkg:EntityMatch`` nodes.

    Rows a person already wrote keep their status and note; new ones are proposed. Only
    confirmed rows add ``skos:closeMatch``. Returns the updated rows and counts per status.
    """
    by_key = {(expand(m.imported), expand(m.curated)): m for m in existing}
    labels = {e.iri: e.label for e in quads.entities}
    for entity in quads.entities:
        for curated, basis in sorted(index.find(entity).items()):
            key = (entity.iri, curated)
            if key not in by_key:
                by_key[key] = Match(short(entity.iri), short(curated), basis, "proposed",
                                    entity.label, "")
    counts = dict.fromkeys(STATUSES, 0)
    for (imported, curated), match in sorted(by_key.items()):
        if imported not in labels:
            continue
        counts[match.status] += 1
        node = iri(f"{quads.graph}/match/{hashlib.sha1(f'{imported} {curated}'.encode()).hexdigest()[:16]}")
        quads.node(node, "EntityMatch", f"{labels[imported]} ~ {short(curated)} ({match.basis}, {match.status})")
        quads.add(node, dkg("matchSubject"), iri(imported))
        quads.add(node, dkg("matchObject"), iri(curated))
        quads.add(node, dkg("matchBasis"), lit(match.basis))
        quads.add(node, dkg("matchStatus"), f"<{STATUSES[match.status]}>")
        if match.note:
            quads.add(node, COMMENT, lit(match.note))
        if match.status == "confirmed":
            quads.add(iri(imported), CLOSE_MATCH, iri(curated))
    return list(by_key.values()), counts


def commit(quads: Quads, info: DatasetInfo, report: ImportReport, store_path: Path,
           match_file: Path = MATCH_FILE, progress: Progress = lambda _: None) -> ImportReport:
    """Link, describe and write the parsed graph: replace its named graph, then the match file."""
    from .. import export
    from ..storage import refresh_store

    started = time.perf_counter()
    existing = read_matches(match_file)
    if match_file.parent.exists():
        export.check_writable(match_file.parent)
    refresh_store(store_path, progress)
    ox_store = store.open_ox(store_path)
    try:
        index = CuratedIndex.from_store(ox_store)
    finally:
        del ox_store
    progress(f"linking {len(quads.entities):,} entities to the curated graph")
    rows, report.matches = link(quads, index, existing)
    description = Quads(info.graph)
    describe(description, info, datetime.now(timezone.utc))
    quads.lines = list(dict.fromkeys(quads.lines))
    report.triples = len(quads) + len(description)
    progress(f"writing {report.triples:,} triples into graph {short(info.graph)} of {store_path}")
    write_graph(store_path, info.graph, quads.lines, description)
    match_file.parent.mkdir(parents=True, exist_ok=True)
    new = render_matches(rows)
    if not match_file.exists() or match_file.read_bytes() != new:
        export.write_atomically({match_file: new})
    report.seconds += time.perf_counter() - started
    return report


def write_graph(store_path: Path, graph: str, lines: list[str], description: Quads) -> None:
    """Write a dataset's graph; its description is the commit record, written last.

    A graph the store does not hold yet is bulk-loaded (fast, not transactional), and removed
    again if the load fails; the description then goes in one transaction, so a graph without
    one is an import that never finished (``list_sources`` flags it, the next import of any
    dataset removes it). A graph that already exists is replaced through the store's staging
    graphs in one transaction, so readers see the old graph or the new one, never a mix.
    """
    data = "".join(lines).encode("utf-8")
    head = "".join(description.lines).encode("utf-8")
    ox_store = store.open_ox(store_path)
    try:
        described = {str(g.value) for g in _described_graphs(ox_store)}
        existing = {g.value for g in ox_store.named_graphs()}
        for orphan in sorted(existing - described):
            if orphan.startswith(str(DATASET)) and orphan != graph:
                ox_store.remove_graph(ox.NamedNode(orphan))
        if graph not in existing:
            try:
                ox_store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            except BaseException:
                ox_store.remove_graph(ox.NamedNode(graph))
                raise
            ox_store.load(head, format=ox.RdfFormat.N_QUADS)
            ox_store.flush()
            store.record_datasets(store_path, ox_store)
            return
    except OSError as exc:
        raise StoreError(f"cannot write the store at {store_path}: {exc}") from exc
    finally:
        del ox_store
    store.replace_graphs(store_path, data + head, lambda g: g == graph)



def _described_graphs(ox_store: ox.Store):
    """Graphs that state themselves as a source document: every finished import or source."""
    query = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g <{PREFIXES['rdf']}type> "
             f"<{DKG.SourceDocument}> }} }}")
    return (row["g"] for row in ox_store.query(query))

