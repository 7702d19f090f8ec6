"""The entity index: records, names, links and clusters of one store state, in SQLite, with
the source documents' facts (who says so, and when) that every reading command looks up, and
the relations between records that the views draw (so a view reads its edges from here, not by
scanning the store).

``graph.entities`` reads it; this module builds it. It is computed once per store state (the
curated build stamp and every import's graph and time, ``state_key``) and kept beside the store
(``dprk-kg.entities.sqlite``), written to a temporary file and renamed into place, so readers
never see half an index. A store folder that cannot be written gets an index in memory.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from . import sparql
from .errors import OutputError
from .kinds import table
from .terms import PREFIXES, shorten

if TYPE_CHECKING:
    import pyoxigraph as ox

INDEX_FILE = "dprk-kg.entities.sqlite"
#: Bump when the index's tables or what goes into them change: old index files are rebuilt.
INDEX_VERSION = "6"

SKOS = PREFIXES["skos"]
DKG = PREFIXES["dkg"]
#: How strongly a property names its node: 0 a label or an address, 1 an alias, title or id.
_RANK = {
    PREFIXES["rdfs"] + "label": 0,
    PREFIXES["schema"] + "name": 0,
    DKG + "address": 0,
    SKOS + "altLabel": 1,
    PREFIXES["dcterms"] + "title": 1,
    DKG + "attackId": 1,
    DKG + "listEntryId": 1,
    DKG + "mispUuid": 1,
    DKG + "stixId": 1,
}
#: What a name is, by property, as ``search`` and ``show`` say it.
FIELD = {
    PREFIXES["rdfs"] + "label": "name",
    PREFIXES["schema"] + "name": "name",
    SKOS + "altLabel": "alias",
    PREFIXES["dcterms"] + "title": "title",
    DKG + "attackId": "ATT&CK id",
    DKG + "listEntryId": "list entry",
    DKG + "mispUuid": "MISP uuid",
    DKG + "stixId": "STIX id",
    DKG + "address": "address",
}
MATCH_RANKS = ("exact", "prefix", "substring", "close")
_EVM = re.compile(r"0[xX][0-9a-fA-F]{40}")

_SCHEMA = """
CREATE TABLE meta (key TEXT NOT NULL);
CREATE TABLE records (iri TEXT PRIMARY KEY, cluster TEXT NOT NULL, label TEXT NOT NULL,
                      kind TEXT NOT NULL, curated INTEGER NOT NULL);
CREATE TABLE names (key TEXT NOT NULL, name TEXT NOT NULL, iri TEXT NOT NULL, prop TEXT NOT NULL,
                    rank INTEGER NOT NULL, graph TEXT NOT NULL);
CREATE TABLE links (subject TEXT NOT NULL, object TEXT NOT NULL, status TEXT NOT NULL,
                    basis TEXT NOT NULL, graph TEXT NOT NULL);
CREATE TABLE relations (subject TEXT NOT NULL, relation TEXT NOT NULL, object TEXT NOT NULL,
                        graph TEXT NOT NULL, via TEXT NOT NULL, prop TEXT NOT NULL);
CREATE TABLE warnings (message TEXT NOT NULL);
CREATE TABLE sources (source TEXT PRIMARY KEY, label TEXT, publisher TEXT, issued TEXT, url TEXT, kind TEXT);
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


def state_key(ox_store: ox.Store, store_path: Path | None) -> str:
    """What the index depends on: the curated fingerprint and every import's graph and time."""
    from .storage import built_from

    digest = hashlib.sha256(INDEX_VERSION.encode())
    built = built_from(Path(store_path)) if store_path is not None else None
    digest.update((built.fingerprint if built else str(len(ox_store))).encode())
    for row in sparql.select(ox_store, "store-state"):
        digest.update(f"{row['g']} {row['t']}\n".encode())
    return digest.hexdigest()


def open_existing(path: Path, key: str) -> sqlite3.Connection | None:
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


def write_index(ox_store: ox.Store, path: Path, key: str) -> None:
    """Build the index into a temporary file beside ``path`` and rename it into place."""
    import tempfile

    try:
        handle, temp = tempfile.mkstemp(prefix=".entities-", suffix=".tmp", dir=path.parent)
        os.close(handle)
    except OSError as exc:
        raise OutputError(f"cannot write the entity index beside the store: {path}: {exc}") from exc
    try:
        db = sqlite3.connect(temp)
        try:
            fill(db, ox_store, key)
        finally:
            db.close()
        os.replace(temp, path)
    except (OSError, sqlite3.OperationalError) as exc:  # a full disk, a file-size limit
        raise OutputError(f"cannot write the entity index beside the store: {path}: {exc}") from exc
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def fill(db: sqlite3.Connection, ox_store: ox.Store, key: str) -> None:
    """Read records, names, links and sources from the store and compute the clusters."""
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
        if _RANK.get(prop) == 0 and prop != DKG + "address" and (node not in labels or name < labels[node]):
            labels[node] = name
    links = _same_address_links(names, curated)
    for row in sparql.select(ox_store, "entity-links"):
        status = (row["status"] or "").rsplit("#Match", 1)[-1].lower()
        links.append((row["s"] or "", row["o"] or "", status, row["basis"] or "", row["g"] or ""))
    clusters, warnings = _clusters(kind_of, curated, links)
    db.executescript("BEGIN;\n" + _SCHEMA)  # tables and rows in one transaction: one sync to disk, not one per table
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
    db.executemany("INSERT INTO relations VALUES (?, ?, ?, ?, ?, ?)", _relations(ox_store, kind_of))
    db.executemany("INSERT INTO warnings VALUES (?)", ((w,) for w in warnings))
    db.executemany(
        "INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?)",
        (
            (r["source"], r["label"], r["publisher"], r["issued"], r["url"], r["kind"])
            for r in sparql.select(ox_store, "source-info")
        ),
    )
    db.commit()


def _relations(ox_store: ox.Store, records: dict[str, str]) -> list[tuple[str, str, str, str, str, str]]:
    """Every relation a view draws between two records, sorted: (subject, relation words,
    object, graph, the n-ary node it was folded from or "", its property or "" when folded).
    The direct relations are the properties of ``relations.rq``'s VALUES table
    (``view-direct.rq``), the folded ones those of ``view-folded.rq``: queries, so that an index
    of the graphs on a server is built the same way."""
    words = {prop: relation for prop, relation in sparql.values("relations")}
    found = {
        (r["s"] or "", words[r["p"] or ""], r["o"] or "", r["g"] or "", "", r["p"] or "")
        for r in sparql.select(ox_store, "view-direct", p=list(words))
    }
    found |= {
        (r["s"] or "", r["relation"] or "", r["o"] or "", r["g"] or "", r["node"] or "", "")
        for r in sparql.select(ox_store, "view-folded")
    }
    return sorted(row for row in found if row[0] in records and row[2] in records)


def address_key(value: str) -> str:
    """How an address value is compared: EVM addresses (``0x`` + 40 hex) ignore case and
    surrounding space; every other format (Bitcoin-style, ...) matches exactly.

    >>> address_key(" 0x098B716B8Aaf21512996dC57EB0615e2383E2f96 ")
    '0x098b716b8aaf21512996dc57eb0615e2383e2f96'
    >>> address_key("bc1qXY")
    'bc1qXY'
    """
    value = value.strip()
    return value.lower() if _EVM.fullmatch(value) else value


def _same_address_links(names: list[tuple], curated: set[str]) -> list[tuple[str, str, str, str, str]]:
    """Address records with the same value are one address: link each to the first of them."""
    by_value: dict[str, set[str]] = defaultdict(set)
    for _, name, node, prop, _, _ in names:
        if prop == DKG + "address":
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
