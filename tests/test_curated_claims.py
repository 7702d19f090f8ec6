"""Every curated claim, one by one: each must be in the built graph, in the named graph of its source.

The claims are data, in ``tests/claims/curated.toml`` (one ``[[claim]]`` per fact; the file's header
says how each is matched). Amounts are compared as exact ``xsd:decimal`` literals and dates with
their datatype, so a wrong value, a float or a missing source fails the row. Conflicting values each
have their own row in their own source.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from graph.build import load_dataset
from graph.paths import SOURCES_DIR

CLAIMS_FILE = Path(__file__).resolve().parent / "claims" / "curated.toml"
PREFIXES = """
PREFIX dkg: <https://w3id.org/dprk-kg/ns#>
PREFIX kg: <https://w3id.org/dprk-kg/id/>
PREFIX src: <https://w3id.org/dprk-kg/source/>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
SRC = "https://w3id.org/dprk-kg/source/"
MATCHES = {"iri", "literal", "amount", "text", "pattern"}


def load_claims(path: Path = CLAIMS_FILE) -> list[dict[str, str]]:
    """The claim rows of ``path``, each checked for the keys its ``match`` needs."""
    with path.open("rb") as handle:
        rows = tomllib.load(handle)["claim"]
    for row in rows:
        needs = {"id", "source", "match"} | (
            {"where"} if row.get("match") == "pattern" else {"subject", "property", "value"}
        )
        missing = needs - row.keys()
        assert not missing, f"{path.name}: claim {row.get('id')!r} lacks {sorted(missing)}"
        assert row["match"] in MATCHES, f"{path.name}: claim {row['id']!r} has unknown match {row['match']!r}"
    return rows


def pattern(row: dict[str, str]) -> str:
    """The SPARQL graph pattern a claim row asks for."""
    match, where = row["match"], row.get("where", "")
    if match == "pattern":
        return where
    subject, prop, value = row["subject"], row["property"], row["value"]
    if match in ("iri", "literal"):
        head = f"{subject} {prop} {value} ."
    elif match == "amount":
        amount, currency = value.split(" ")
        qualifier = f" ; dkg:amountQualifier {json.dumps(row['qualifier'])}" if row.get("qualifier") else ""
        head = (
            f'{subject} {prop} ?a . ?a a schema:MonetaryAmount ; schema:value "{amount}"^^xsd:decimal ; '
            f'schema:currency "{currency}"{qualifier} .'
        )
    else:
        head = (
            f"{subject} {prop} ?text . "
            f'FILTER(CONTAINS(LCASE(STR(?text)), LCASE({json.dumps(value)})) && LANG(?text) = "en")'
        )
    return f"{head} {where}".strip()


def ask(dataset, row: dict[str, str]) -> bool:
    """Whether the claim holds inside the named graph of its source."""
    query = f"{PREFIXES}\nASK {{ GRAPH <{SRC}{row['source']}> {{ {pattern(row)} }} }}"
    return bool(dataset.query(query).askAnswer)


CLAIMS = load_claims()


@pytest.fixture(scope="module")
def dataset():
    return load_dataset()


def test_claim_ids_are_unique():
    ids = [row["id"] for row in CLAIMS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_every_claim_names_a_source_file():
    missing = sorted({row["source"] for row in CLAIMS if not (SOURCES_DIR / f"{row['source']}.ttl").is_file()})
    assert not missing, f"claims name source files that do not exist: {missing}"


def test_every_source_file_has_a_claim():
    unchecked = sorted({p.stem for p in SOURCES_DIR.glob("*.ttl")} - {row["source"] for row in CLAIMS})
    assert not unchecked, f"source files with no row in {CLAIMS_FILE.name}: {unchecked}"


@pytest.mark.parametrize("row", CLAIMS, ids=[row["id"] for row in CLAIMS])
def test_claim_is_in_its_source(dataset, row):
    assert ask(dataset, row), f"not stated in src:{row['source']}:\n{pattern(row)}"


def test_a_wrong_claim_is_reported_missing(dataset, tmp_path):
    """The check can fail: a real row with a changed figure, or moved to another source, is missing."""
    rows = {row["id"]: row for row in CLAIMS}
    decrypt = rows["I1-ronin-decrypt-622m"]
    assert ask(dataset, decrypt)
    wrong = tmp_path / "wrong.toml"
    wrong.write_text(
        "[[claim]]\n"
        'id = "wrong-figure"\nsource = "decrypt-ronin-bridge-hack"\nsubject = "kg:ronin-bridge-hack"\n'
        'property = "dkg:reportedLoss"\nvalue = "623000000 USD"\nmatch = "amount"\n\n'
        "[[claim]]\n"
        'id = "wrong-source"\nsource = "trm-labs-ronin-bridge-hack"\nsubject = "kg:ronin-bridge-hack"\n'
        'property = "dkg:reportedLoss"\nvalue = "622000000 USD"\nmatch = "amount"\n'
    )
    assert [ask(dataset, row) for row in load_claims(wrong)] == [False, False]


def test_every_title_is_a_checked_claim(dataset):
    """A dcterms:title is a headline the seeds or facts.md give verbatim, each backed by a claim row."""
    checked = "\n".join(row.get("where", "") for row in CLAIMS)
    query = f'{PREFIXES} SELECT DISTINCT ?title WHERE {{ GRAPH ?g {{ ?s dcterms:title ?title }} FILTER(STRSTARTS(STR(?g), "{SRC}")) }}'
    titles = sorted(str(r.title) for r in dataset.query(query))
    assert titles, "the seed headlines are titles"
    unchecked = [title for title in titles if json.dumps(title)[1:-1] not in checked]
    assert not unchecked, f"titles no claim row states: {unchecked}"


def test_apt28_is_no_alias(dataset):
    """One FBI copy's "APT28" [sic] is a claim about that copy, never a name of the Lazarus Group."""
    assert not list(dataset.quads((None, SKOS.altLabel, Literal("APT28"), None)))
    assert ask(dataset, {row["id"]: row for row in CLAIMS}["I2-harmony-apt28-sic-claim"])


@pytest.mark.parametrize("path", sorted(SOURCES_DIR.glob("*.ttl")), ids=lambda p: Path(p).stem)
def test_source_file_describes_itself(dataset, path):
    graph_iri = URIRef(SRC + path.stem)
    graph = dataset.graph(graph_iri)
    assert (graph_iri, RDF.type, URIRef("https://w3id.org/dprk-kg/ns#SourceDocument")) in graph
