"""One entity, many records: the one resolver every command uses to find an entity.

A *record* is a node some source or dataset states (``kg:lazarus-group``, ATT&CK's intrusion set,
MISP's cluster, SDN entry 27307). Records that a person confirmed to be the same thing (a
``skos:closeMatch`` link or a confirmed match in ``links/matches.csv``, recorded in the store by
the import) form one *cluster*, whose canonical record is the curated one where there is one.
Nothing is merged in the data: the cluster is computed from the links, so rejecting a match and
re-importing undoes it. Rejected matches never join records; proposed ones are only "possible
matches". Two curated entities are never joined through imported records.

Names, aliases, identifiers (ATT&CK ids, SDN entry numbers, MISP and STIX ids) and crypto
addresses all resolve to their cluster. The index of names and clusters is computed once per
store state and kept beside the store (``dprk-kg.entities.sqlite``), so a lookup costs
milliseconds however large the imported lists are.

>>> import pyoxigraph as ox
>>> db = ox.Store()
>>> db.load(b'''@prefix dkg: <https://w3id.org/dprk-kg/ns#> . @prefix kg: <https://w3id.org/dprk-kg/id/> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
... kg:tornado-cash a dkg:Mixer ; rdfs:label "Tornado Cash" .''', format=ox.RdfFormat.TURTLE,
...     to_graph=ox.NamedNode("https://w3id.org/dprk-kg/source/s"))
>>> db.load(b'''<https://e.org/sdn/38499> a <https://w3id.org/dprk-kg/ns#DesignatedParty> ;
...     <http://www.w3.org/2000/01/rdf-schema#label> "TORNADO CASH" ;
...     <http://www.w3.org/2004/02/skos/core#closeMatch> <https://w3id.org/dprk-kg/id/tornado-cash> .''',
...     format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("https://w3id.org/dprk-kg/dataset/sdn"))
>>> entities = Entities.of_store(db)
>>> entities.resolve("tornado cash").members
('https://w3id.org/dprk-kg/id/tornado-cash', 'https://e.org/sdn/38499')
>>> [(h.label, h.match) for h in entities.search("tornad")]
[('Tornado Cash', 'prefix')]
"""

from __future__ import annotations

import difflib
import hashlib
import os
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import sparql
from .errors import InputError
from .kinds import table
from .terms import PREFIXES, expand, is_iri_like, shorten

if TYPE_CHECKING:
    import pyoxigraph as ox

INDEX_FILE = "dprk-kg.entities.sqlite"
#: Bump when the index's tables or what goes into them change: old index files are rebuilt.
INDEX_VERSION = "4"

_SKOS = PREFIXES["skos"]
_DKG = PREFIXES["dkg"]
#: How strongly a property names its node: 0 a label or an address, 1 an alias, title or id.
_RANK = {
    PREFIXES["rdfs"] + "label": 0,
    PREFIXES["schema"] + "name": 0,
    _DKG + "address": 0,
    _SKOS + "altLabel": 1,
    PREFIXES["dcterms"] + "title": 1,
    _DKG + "attackId": 1,
    _DKG + "listEntryId": 1,
    _DKG + "mispUuid": 1,
    _DKG + "stixId": 1,
}
#: What a name is, by property, as ``search`` and ``show`` say it.
FIELD = {
    PREFIXES["rdfs"] + "label": "name",
    PREFIXES["schema"] + "name": "name",
    _SKOS + "altLabel": "alias",
    PREFIXES["dcterms"] + "title": "title",
    _DKG + "attackId": "ATT&CK id",
    _DKG + "listEntryId": "list entry",
    _DKG + "mispUuid": "MISP uuid",
    _DKG + "stixId": "STIX id",
    _DKG + "address": "address",
}
MATCH_RANKS = ("exact", "prefix", "substring", "close")

_SCHEMA = """
CREATE TABLE meta (key TEXT NOT NULL);
CREATE TABLE records (iri TEXT PRIMARY KEY, cluster TEXT NOT NULL, label TEXT NOT NULL,
                      kind TEXT NOT NULL, curated INTEGER NOT NULL);
CREATE TABLE names (key TEXT NOT NULL, name TEXT NOT NULL, iri TEXT NOT NULL, prop TEXT NOT NULL,
                    rank INTEGER NOT NULL, graph TEXT NOT NULL);
CREATE TABLE links (subject TEXT NOT NULL, object TEXT NOT NULL, status TEXT NOT NULL,
                    basis TEXT NOT NULL, graph TEXT NOT NULL);
CREATE TABLE warnings (message TEXT NOT NULL);
CREATE INDEX names_key ON names (key);
CREATE INDEX names_iri ON names (iri);
CREATE INDEX records_cluster ON records (cluster);
CREATE INDEX links_subject ON links (subject);
CREATE INDEX links_object ON links (object);
"""


def normal(name: str) -> str:
    """A name as compared: case-folded and single-spaced.

    >>> normal("  LAZARUS   Group ")
    'lazarus group'
    """
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class Cluster:
    """An entity: its canonical record, label and kind, and every record confirmed to be it."""

    canonical: str
    label: str
    kind: str
    members: tuple[str, ...]

    @property
    def curie(self) -> str:
        """The canonical record as a CURIE, e.g. ``kg:lazarus-group``."""
        return shorten(self.canonical)


@dataclass(frozen=True)
class Hit:
    """One search result: the entity (cluster) found, how its name matched, and who states it."""

    entity: str
    label: str
    kind: str
    match: str
    name: str
    field: str
    record: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    """A recorded match between two records: ``proposed``, ``confirmed`` or ``rejected``."""

    subject: str
    object: str
    status: str
    basis: str
    graph: str


class Entities:
    """Names and clusters of one store state (see the module docstring)."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db
        self._cluster_cache: dict[str, Cluster] = {}

    # ------------------------------------------------------------------ opening

    @classmethod
    def of_store(cls, ox_store: ox.Store, store_path: Path | None = None) -> Entities:
        """The index of ``ox_store``: read from beside the store when current, else rebuilt.

        Without ``store_path`` (or when the store folder cannot be written) the index is built
        in memory for this process only.
        """
        key = state_key(ox_store, store_path)
        if store_path is not None:
            path = Path(store_path) / INDEX_FILE
            db = _open_existing(path, key)
            if db is not None:
                return cls(db)
            if os.access(store_path, os.W_OK):
                _write_index(ox_store, path, key)
                db = _open_existing(path, key)
                if db is not None:
                    return cls(db)
        db = sqlite3.connect(":memory:")
        _fill(db, ox_store, key)
        return cls(db)

    # ------------------------------------------------------------------ clusters

    def cluster(self, iri: str) -> Cluster:
        """The cluster of a record (a record no match joins is a cluster of one)."""
        row = self._db.execute("SELECT cluster FROM records WHERE iri = ?", (iri,)).fetchone()
        canonical = row[0] if row else iri
        if canonical not in self._cluster_cache:
            members = tuple(
                r[0]
                for r in self._db.execute(
                    "SELECT iri FROM records WHERE cluster = ? ORDER BY curated DESC, iri", (canonical,)
                )
            )
            head = self._db.execute("SELECT label, kind FROM records WHERE iri = ?", (canonical,)).fetchone()
            label, kind = head if head else (shorten(canonical), "other")
            self._cluster_cache[canonical] = Cluster(canonical, label, kind, members or (canonical,))
        return self._cluster_cache[canonical]

    def canonical_map(self) -> dict[str, str]:
        """Record -> canonical record, for every record that belongs to a larger cluster."""
        return dict(self._db.execute("SELECT iri, cluster FROM records WHERE iri != cluster"))

    def records(self) -> list[tuple[str, str, str, str]]:
        """Every record as (iri, canonical, label, kind), sorted by IRI."""
        return self._db.execute("SELECT iri, cluster, label, kind FROM records ORDER BY iri").fetchall()

    def aliases(self, iri: str) -> list[str]:
        """The names of a record other than identifiers and addresses (labels and aliases)."""
        return sorted(
            {
                n
                for (n,) in self._db.execute(
                    "SELECT name FROM names WHERE iri = ? AND prop IN (?, ?, ?)",
                    (iri, PREFIXES["rdfs"] + "label", _SKOS + "altLabel", PREFIXES["schema"] + "name"),
                )
            }
        )

    def address_records(self, value: str) -> list[str]:
        """Records whose address is ``value``: EVM addresses in any case, others exactly."""
        key = address_key(value)
        return sorted(
            {
                iri
                for iri, name in self._db.execute(
                    "SELECT iri, name FROM names WHERE key = ? AND prop = ?", (normal(key), _DKG + "address")
                )
                if address_key(name) == key
            }
        )

    def short_name(self, iri: str) -> str:
        """The shortest name of a record (``OFAC`` for the Office of Foreign Assets Control)."""
        return min(self.aliases(iri) or [self.label(iri)], key=lambda n: (len(n), n))

    def is_record(self, iri: str) -> bool:
        """Whether the store holds this node as an entity (typed with a kind)."""
        return self._db.execute("SELECT 1 FROM records WHERE iri = ?", (iri,)).fetchone() is not None

    def kind(self, iri: str) -> str:
        """The kind of a record (``other`` when it is no entity)."""
        row = self._db.execute("SELECT kind FROM records WHERE iri = ?", (iri,)).fetchone()
        return row[0] if row else "other"

    def label(self, iri: str) -> str:
        """The label of a record, or its CURIE."""
        row = self._db.execute("SELECT label FROM records WHERE iri = ?", (iri,)).fetchone()
        return row[0] if row else shorten(iri)

    def links(self, members: Iterable[str]) -> list[Link]:
        """Every recorded match that involves one of ``members``, sorted."""
        found: set[Link] = set()
        for member in members:
            for row in self._db.execute(
                "SELECT subject, object, status, basis, graph FROM links WHERE subject = ? OR object = ?",
                (member, member),
            ):
                found.add(Link(*row))
        return sorted(found, key=lambda link: (link.status, link.subject, link.object, link.graph))

    def possible_matches(self, cluster: Cluster) -> list[tuple[Link, Cluster]]:
        """Proposed matches from a member to a record of another cluster, with that cluster."""
        inside = set(cluster.members)
        found = []
        for link in self.links(cluster.members):
            if link.status != "proposed":
                continue
            other = link.object if link.subject in inside else link.subject
            other_cluster = self.cluster(other)
            if other_cluster.canonical != cluster.canonical:
                found.append((link, other_cluster))
        return found

    def warnings(self) -> list[str]:
        """What the clustering refused to do (e.g. joining two curated entities)."""
        return [r[0] for r in self._db.execute("SELECT message FROM warnings ORDER BY message")]

    # ------------------------------------------------------------------ names

    def names_of(self, members: Iterable[str]) -> list[tuple[str, str, str, str]]:
        """(name, field, record, graph) of every name of ``members``."""
        rows = []
        for member in members:
            rows += [
                (name, FIELD.get(prop, prop), member, graph)
                for name, prop, graph in self._db.execute(
                    "SELECT name, prop, graph FROM names WHERE iri = ?", (member,)
                )
            ]
        return sorted(set(rows))

    def resolve(self, name: str) -> Cluster:
        """The entity called ``name``: a label, alias, identifier, address, CURIE or IRI.

        A label beats an alias (``APT38`` is the group of that name, not an alias of another);
        a name is ambiguous only when it names records of *different* clusters, and then the
        InputError lists them with their kinds and sources and says which CURIE to give.
        """
        text = name.strip()
        if not text:
            raise InputError("an entity name is empty; give a name, alias, address or kg: CURIE")
        if is_iri_like(text):
            iri = expand(text)
            if self.is_record(iri):
                return self.cluster(iri)
        found = self._db.execute("SELECT iri, rank FROM names WHERE key = ?", (normal(text),)).fetchall()
        found = [(iri, rank) for iri, rank in found if self.is_record(iri)]
        if not found and not is_iri_like(text) and "/" not in text:
            found = [
                (iri, 2)
                for (iri,) in self._db.execute("SELECT iri FROM records WHERE iri LIKE ?", (f"%/{text}",))
                if iri.rsplit("/", 1)[-1].casefold() == text.casefold()
            ]
        if found:
            best = min(rank for _, rank in found)
            clusters = {self.cluster(iri).canonical: self.cluster(iri) for iri, level in found if level == best}
            if len(clusters) == 1:
                return next(iter(clusters.values()))
            raise InputError(self._ambiguous(name, sorted(clusters.values(), key=lambda c: c.canonical)))
        raise InputError(f"no entity named {name!r}{self._suggest(text)}")

    def _ambiguous(self, name: str, clusters: list[Cluster]) -> str:
        lines = [f"{name!r} names {len(clusters)} different entities:"]
        for cluster in clusters:
            graphs = sorted({g for _, _, _, g in self.names_of(cluster.members)})
            shown = ", ".join(shorten(g) for g in graphs[:3]) + (", ..." if len(graphs) > 3 else "")
            lines.append(f"  {cluster.curie}  {cluster.label} ({cluster.kind}; {shown})")
        lines.append(f"give one of these CURIEs instead, e.g. `{clusters[0].curie}`")
        return "\n".join(lines)

    def _suggest(self, text: str) -> str:
        hits = self.search(text, limit=5)
        if not hits:
            return "; search with `dprk-kg search TEXT`"
        shown = list(dict.fromkeys(f"{h.label} ({h.entity})" for h in hits))
        return f"; did you mean: {', '.join(shown)}?"

    def search(self, text: str, limit: int = 20, kinds: Iterable[str] = ()) -> list[Hit]:
        """Entities whose names contain ``text`` or are spelt close to it, best first.

        Ranked exact, prefix, substring, then close spelling (ignoring case and spacing), then
        by how strongly the name names its record (label before alias); one hit per entity.
        The HTML views' search box uses the same order.
        """
        key = normal(text)
        if not key:
            return []
        wanted = set(kinds)
        rows: list[tuple[int, int, str, str, str]] = []
        pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        for name, iri, prop, rank, k in self._db.execute(
            "SELECT name, iri, prop, rank, key FROM names WHERE key LIKE ? ESCAPE '\\'", (f"%{pattern}%",)
        ):
            level = 0 if k == key else 1 if k.startswith(key) else 2
            rows.append((level, rank, name, iri, prop))
        if len({r[3] for r in rows}) < limit:
            keys = [
                k
                for (k,) in self._db.execute(
                    "SELECT DISTINCT key FROM names WHERE rank = 0 AND length(key) BETWEEN ? AND ?",
                    (max(1, len(key) - 3), len(key) + 3),
                )
            ]
            for close in difflib.get_close_matches(key, keys, n=limit, cutoff=0.75):
                for name, iri, prop, rank in self._db.execute(
                    "SELECT name, iri, prop, rank FROM names WHERE key = ?", (close,)
                ):
                    rows.append((3, rank, name, iri, prop))
        hits: dict[str, Hit] = {}
        canonical_first = lambda r: (r[0], r[1], self.cluster(r[3]).canonical != r[3], len(r[2]), r[2], r[3])  # noqa: E731
        for level, _, name, iri, prop in sorted(rows, key=canonical_first):
            if not self.is_record(iri):
                continue
            cluster = self.cluster(iri)
            if cluster.canonical in hits or (wanted and cluster.kind not in wanted):
                continue
            graphs = tuple(
                sorted(
                    {g for (g,) in self._db.execute("SELECT graph FROM names WHERE iri = ? AND name = ?", (iri, name))}
                )
            )
            hits[cluster.canonical] = Hit(
                cluster.curie,
                cluster.label,
                cluster.kind,
                MATCH_RANKS[level],
                name,
                FIELD.get(prop, prop),
                shorten(iri),
                tuple(shorten(g) for g in graphs),
            )
            if len(hits) >= limit:
                break
        return list(hits.values())


# ---------------------------------------------------------------------- building the index


def state_key(ox_store: ox.Store, store_path: Path | None) -> str:
    """What the index depends on: the curated fingerprint and every import's graph and time."""
    from .storage import built_from

    digest = hashlib.sha256(INDEX_VERSION.encode())
    built = built_from(Path(store_path)) if store_path is not None else None
    digest.update((built.fingerprint if built else str(len(ox_store))).encode())
    for row in sparql.select(ox_store, "store-state"):
        digest.update(f"{row['g']} {row['t']}\n".encode())
    return digest.hexdigest()


def _open_existing(path: Path, key: str) -> sqlite3.Connection | None:
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        row = db.execute("SELECT key FROM meta").fetchone()
    except sqlite3.DatabaseError:
        return None
    if row is None or row[0] != key:
        db.close()
        return None
    return db


def _write_index(ox_store: ox.Store, path: Path, key: str) -> None:
    """Build the index into a temporary file beside ``path`` and rename it into place."""
    handle, temp = tempfile.mkstemp(prefix=".entities-", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        db = sqlite3.connect(temp)
        try:
            _fill(db, ox_store, key)
        finally:
            db.close()
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _fill(db: sqlite3.Connection, ox_store: ox.Store, key: str) -> None:
    """Read records, names and links from the store and compute the clusters."""
    kinds = table()
    src = PREFIXES["src"]
    classes: dict[str, set[str]] = defaultdict(set)
    curated: set[str] = set()
    for row in sparql.select(ox_store, "entity-types"):
        node, cls = row["node"] or "", row["type"] or ""
        classes[node].add(cls)
        if (row["g"] or "").startswith(src):
            curated.add(node)
    kind_of = {}
    for node, types in classes.items():
        kind = kinds.kind_of(types)
        if kind is not None and not kinds.is_folded(types):
            kind_of[node] = kind
    labels: dict[str, str] = {}
    names = []
    for row in sparql.select(ox_store, "entity-names"):
        node, prop, name, graph = row["node"] or "", row["p"] or "", row["name"] or "", row["g"] or ""
        if node not in kind_of:
            continue
        names.append((normal(name), name, node, prop, _RANK.get(prop, 1), graph))
        if _RANK.get(prop) == 0 and prop != _DKG + "address" and (node not in labels or name < labels[node]):
            labels[node] = name
    links = _same_address_links(names, curated)
    for row in sparql.select(ox_store, "entity-links"):
        status = (row["status"] or "").rsplit("#Match", 1)[-1].lower()
        links.append((row["s"] or "", row["o"] or "", status, row["basis"] or "", row["g"] or ""))
    clusters, warnings = _clusters(kind_of, curated, links)
    db.executescript(_SCHEMA)
    db.execute("INSERT INTO meta VALUES (?)", (key,))
    db.executemany(
        "INSERT INTO records VALUES (?, ?, ?, ?, ?)",
        (
            (node, clusters.get(node, node), labels.get(node, shorten(node)), kind, int(node in curated))
            for node, kind in sorted(kind_of.items())
        ),
    )
    db.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?, ?)", sorted(set(names)))
    db.executemany("INSERT INTO links VALUES (?, ?, ?, ?, ?)", sorted(set(links)))
    db.executemany("INSERT INTO warnings VALUES (?)", ((w,) for w in warnings))
    db.commit()


def address_key(value: str) -> str:
    """How an address value is compared: EVM addresses (``0x`` + 40 hex) ignore case and
    surrounding space; every other format (Bitcoin-style, ...) matches exactly.

    >>> address_key(" 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 ")
    '0x098b716b8aaf21512996dc57eb0615e2383e2f96'
    >>> address_key("bc1qXY")
    'bc1qXY'
    """
    value = value.strip()
    if len(value) == 42 and value[:2].lower() == "0x" and all(c in "0123456789abcdefABCDEF" for c in value[2:]):
        return value.lower()
    return value


def _same_address_links(names: list[tuple], curated: set[str]) -> list[tuple[str, str, str, str, str]]:
    """Address records with the same value are one address: link each to the first of them."""
    by_value: dict[str, set[str]] = defaultdict(set)
    for _, name, node, prop, _, _ in names:
        if prop == _DKG + "address":
            by_value[address_key(name)].add(node)
    links = []
    for nodes in by_value.values():
        ordered = sorted(nodes, key=lambda n: (n not in curated, n))
        links += [(ordered[0], other, "confirmed", "same address", "") for other in ordered[1:]]
    return links


def _clusters(
    kind_of: dict[str, str], curated: set[str], links: list[tuple[str, str, str, str, str]]
) -> tuple[dict[str, str], list[str]]:
    """Record -> canonical record, from confirmed links; rejected pairs never join.

    Union-find over the confirmed links whose both ends are records; a link that would put two
    curated entities into one cluster is refused and reported.
    """
    rejected = {frozenset((s, o)) for s, o, status, _, _ in links if status == "rejected"}
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    has_curated: dict[str, str] = {}
    warnings = []
    confirmed = sorted(
        {
            (s, o)
            for s, o, status, _, _ in links
            if status == "confirmed" and s in kind_of and o in kind_of and s != o and frozenset((s, o)) not in rejected
        }
    )
    for s, o in confirmed:
        a, b = root(s), root(o)
        if a == b:
            continue
        ca = has_curated.get(a, a if a in curated else "")
        cb = has_curated.get(b, b if b in curated else "")
        if ca and cb:
            warnings.append(
                f"not joined: {shorten(s)} ~ {shorten(o)} would make {shorten(ca)} and "
                f"{shorten(cb)} one entity; reject one of the matches"
            )
            continue
        parent[b] = a
        has_curated[a] = ca or cb
    groups: dict[str, list[str]] = defaultdict(list)
    for node in parent:
        groups[root(node)].append(node)
    canonical = {}
    for members in groups.values():
        head = next((m for m in sorted(members) if m in curated), min(members))
        for member in members:
            canonical[member] = head
    return canonical, warnings
