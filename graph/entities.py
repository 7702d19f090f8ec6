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
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .entity_index import (
    DKG,
    FIELD,
    INDEX_FILE,
    MATCH_RANKS,
    SKOS,
    address_key,
    fill,
    normal,
    open_existing,
    state_key,
    write_index,
)
from .errors import InputError
from .terms import PREFIXES, expand, is_iri_like, shorten

if TYPE_CHECKING:
    import pyoxigraph as ox


#: Values per lookup of many at once (SQLite's oldest builds take at most 999 parameters).
_CHUNK = 500


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
            db = open_existing(path, key)
            if db is not None:
                return cls(db)
            if os.access(store_path, os.W_OK):
                write_index(ox_store, path, key)
                db = open_existing(path, key)
                if db is not None:
                    return cls(db)
        db = sqlite3.connect(":memory:")
        fill(db, ox_store, key)
        return cls(db)

    # ------------------------------------------------------------------ clusters

    def cluster(self, iri: str) -> Cluster:
        """The cluster of a record (a record no match joins is a cluster of one)."""
        if iri in self._cluster_cache:  # a canonical record seen before
            return self._cluster_cache[iri]
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

    def records_of(self, iris: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Kind and canonical record of each of ``iris`` that is a record, looked up many at a
        time rather than one by one."""
        return {
            iri: (kind, cluster)
            for iri, kind, cluster in self._rows_in("SELECT iri, kind, cluster FROM records WHERE iri IN", iris)
        }

    def _rows_in(self, select: str, values: Iterable[str], *before: str) -> Iterator[tuple]:
        """The rows of ``select`` ending in ``IN`` with each of ``values`` (once each), asked
        ``_CHUNK`` at a time; ``before`` binds the query's placeholders ahead of the list."""
        wanted = list(dict.fromkeys(values))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            yield from self._db.execute(f"{select} ({', '.join('?' * len(chunk))})", (*before, *chunk))

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
                    (iri, PREFIXES["rdfs"] + "label", SKOS + "altLabel", PREFIXES["schema"] + "name"),
                )
            }
        )

    def all_aliases(self) -> dict[str, set[str]]:
        """``aliases`` of every record at once (for a projection of the whole store)."""
        found: dict[str, set[str]] = {}
        for iri, name in self._db.execute(
            "SELECT iri, name FROM names WHERE prop IN (?, ?, ?)",
            (PREFIXES["rdfs"] + "label", SKOS + "altLabel", PREFIXES["schema"] + "name"),
        ):
            found.setdefault(iri, set()).add(name)
        return found

    def address_records(self, values: Iterable[str]) -> dict[str, list[str]]:
        """The records whose address is each of ``values`` (EVM addresses in any case, others
        exactly), sorted; a value no record has is left out. One lookup for all of them."""
        wanted: dict[str, list[str]] = {}
        for value in values:
            wanted.setdefault(normal(address_key(value)), []).append(value)
        found: dict[str, set[str]] = {}
        select = "SELECT key, iri, name FROM names WHERE prop = ? AND key IN"
        for key, iri, name in self._rows_in(select, wanted, DKG + "address"):
            for value in wanted[key]:
                if address_key(name) == address_key(value):
                    found.setdefault(value, set()).add(iri)
        return {value: sorted(iris) for value, iris in found.items()}

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

    def relations(self, leave_out: Iterable[str] = ()) -> list[tuple[str, str, str, str, str]]:
        """Every relation between two records as (subject, relation words, object, graph, the
        n-ary node it was folded from or ""), sorted; ``leave_out`` names direct properties
        not wanted (a view draws no ``dcterms:publisher`` edge)."""
        skip = set(leave_out)
        return [
            row[:5]
            for row in self._db.execute(
                "SELECT subject, relation, object, graph, via, prop FROM relations ORDER BY rowid"
            )
            if row[5] not in skip
        ]

    def sources(self) -> dict[str, dict[str, str | None]]:
        """Every source document (and dataset): its label, publisher, issue date, URL and kind."""
        cursor = self._db.execute("SELECT source, label, publisher, issued, url, kind FROM sources")
        columns = [c[0] for c in cursor.description]
        return {row[0]: dict(zip(columns, row, strict=True)) for row in cursor}

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
