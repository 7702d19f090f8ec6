"""Find an entity by name or alias and gather everything the sources say about it.

Names are matched case-insensitively against labels, aliases and titles, and against the IRI
itself (``kg:lazarus-group``); when nothing matches, the error suggests the closest names.

>>> from graph.build import load_dataset
>>> shorten(find_entity(load_dataset(), "north korea"))
'kg:dprk'
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Dataset, Literal

from .errors import InputError
from .namespace import ONTOLOGY_GRAPH, PREFIXES
from .query import render_table
from .validate import shorten

_NAMES = """
SELECT DISTINCT ?node ?name ?rank WHERE {
  VALUES (?p ?rank) { (rdfs:label 0) (skos:altLabel 1) (dcterms:title 1) (schema:name 1) }
  GRAPH ?g { ?node ?p ?name }
  FILTER(isIRI(?node) && ?g != <%s>)
}""" % ONTOLOGY_GRAPH

_OUT = "SELECT ?p ?o ?g WHERE { GRAPH ?g { <%s> ?p ?o } FILTER(?g != <%s>) }"
_IN = "SELECT ?s ?p ?g WHERE { GRAPH ?g { ?s ?p <%s> } FILTER(?g != <%s>) }"
_NEIGHBOURS = """
SELECT ?n (MIN(STR(?l)) AS ?label) (SAMPLE(?v) AS ?value) (SAMPLE(?c) AS ?currency)
       (SAMPLE(?q) AS ?qualifier) WHERE {
  { <%s> ?p ?n } UNION { ?n ?p <%s> }
  OPTIONAL { ?n rdfs:label ?l }
  OPTIONAL { ?n schema:value ?v . OPTIONAL { ?n schema:currency ?c } OPTIONAL { ?n dkg:amountQualifier ?q } }
} GROUP BY ?n"""
_LABEL = "SELECT (MIN(STR(?l)) AS ?label) WHERE { <%s> rdfs:label ?l }"


def _names(dataset: Dataset) -> dict[str, dict[str, int]]:
    """Lower-cased name -> {entity IRI: best rank} (0 for a label, 1 for an alias or title)."""
    names: dict[str, dict[str, int]] = defaultdict(dict)
    for row in dataset.query(_NAMES):
        key = " ".join(str(row.name).split()).casefold()
        node = str(row.node)
        names[key][node] = min(int(row.rank), names[key].get(node, 9))
    return names


def _as_iri(name: str) -> str | None:
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and " " not in name:
        return PREFIXES[prefix] + local
    if name.startswith(("http://", "https://")):
        return name
    return None


def find_entity(dataset: Dataset, name: str) -> str:
    """The IRI of the entity called ``name`` (label, alias, title, ``kg:x`` or ``x``).

    A label beats an alias (``APT38`` is the group of that name, not Lazarus' alias); several
    entities with the same label or alias raise InputError listing them; no match raises
    InputError with the closest names.
    """
    names = _names(dataset)
    nodes = {node for matches in names.values() for node in matches}
    iri = _as_iri(name.strip())
    if iri in nodes:
        return iri
    by_local = [n for n in nodes if n.rsplit("/", 1)[-1].casefold() == name.strip().casefold()]
    if len(by_local) == 1:
        return by_local[0]
    matches = names.get(" ".join(name.split()).casefold(), {})
    for rank in (0, 1):
        found = sorted(n for n, r in matches.items() if r == rank)
        if len(found) == 1:
            return found[0]
        if found:
            listed = ", ".join(f"{shorten(n)} ({label_of(dataset, n)})" for n in found)
            raise InputError(f"{name!r} names {len(found)} entities: {listed}; "
                             "give one of these kg: names instead")
    raise InputError(f"no entity named {name!r}{_suggest(dataset, name, names)}")


def _suggest(dataset: Dataset, name: str, names: dict[str, dict[str, int]]) -> str:
    key = name.casefold()
    close = difflib.get_close_matches(key, names, n=5, cutoff=0.6)
    close += [n for n in sorted(names) if key and key in n and n not in close][:5 - len(close)]
    if not close:
        return "; list names with `dprk-kg query -n actor-aliases` or search with `dprk-kg query`"
    shown = []
    for candidate in close:
        for node in sorted(names[candidate]):
            shown.append(f"{label_of(dataset, node)} ({shorten(node)})")
    return f"; did you mean: {', '.join(list(dict.fromkeys(shown))[:5])}?"


def label_of(dataset: Dataset, node: str) -> str:
    """The entity's label (the smallest when sources differ), or its short IRI."""
    for row in dataset.query(_LABEL % node):
        if row.label is not None:
            return str(row.label)
    return shorten(node)


@dataclass
class EntityView:
    """Everything about one entity: its types, names, and each fact in and out with sources."""

    iri: str
    label: str
    types: list[str] = field(default_factory=list)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    facts: list[tuple[str, str, list[str]]] = field(default_factory=list)
    incoming: list[tuple[str, str, list[str]]] = field(default_factory=list)


def _describe(term, neighbours: dict[str, str]) -> str:
    """A value as a reader wants it: literals as text, amounts as figures, entities by name."""
    if isinstance(term, Literal):
        return str(term)
    short = shorten(str(term))
    return f"{neighbours[str(term)]} ({short})" if neighbours.get(str(term)) else short


def _neighbours(dataset: Dataset, iri: str) -> dict[str, str]:
    """How to name each node next to the entity: an amount by its figure, others by label."""
    names = {}
    for row in dataset.query(_NEIGHBOURS % (iri, iri)):
        if row.value is not None:
            names[str(row.n)] = " ".join(str(x) for x in (row.qualifier, row.value, row.currency)
                                         if x is not None)
        elif row.label is not None:
            names[str(row.n)] = str(row.label)
    return names


def entity_view(dataset: Dataset, iri: str) -> EntityView:
    """Gather the entity's types, aliases and facts, each with the sources that state it."""
    from rdflib.namespace import RDF, SKOS, RDFS

    view = EntityView(iri, label_of(dataset, iri))
    neighbours = _neighbours(dataset, iri)
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    aliases: dict[str, set[str]] = defaultdict(set)
    for row in dataset.query(_OUT % (iri, ONTOLOGY_GRAPH)):
        source = shorten(str(row.g))
        if row.p == RDF.type:
            view.types.append(shorten(str(row.o)))
        elif row.p == SKOS.altLabel:
            aliases[str(row.o)].add(source)
        elif row.p != RDFS.label or str(row.o) != view.label:
            out[(shorten(str(row.p)), _describe(row.o, neighbours))].add(source)
    incoming: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in dataset.query(_IN % (iri, ONTOLOGY_GRAPH)):
        incoming[(_describe(row.s, neighbours), shorten(str(row.p)))].add(shorten(str(row.g)))
    view.types = sorted(set(view.types))
    view.aliases = {a: sorted(s) for a, s in sorted(aliases.items())}
    view.facts = [(p, o, sorted(s)) for (p, o), s in sorted(out.items())]
    view.incoming = [(s, p, sorted(g)) for (s, p), g in sorted(incoming.items())]
    return view


def render_view(view: EntityView) -> str:
    """The entity as text: a heading, its types and aliases, then facts out and relations in."""
    lines = [f"{view.label} ({shorten(view.iri)})",
             f"types:   {', '.join(view.types) or '(none)'}"]
    if view.aliases:
        lines.append("aliases: " + "; ".join(f"{a} [{', '.join(s)}]" for a, s in view.aliases.items()))
    text = "\n".join(lines) + "\n"
    if view.facts:
        text += f"\nFacts ({len(view.facts)}):\n" + render_table(
            ["property", "value", "sources"], [[p, o, ", ".join(s)] for p, o, s in view.facts])
    if view.incoming:
        text += f"\nRelations in ({len(view.incoming)}):\n" + render_table(
            ["subject", "property", "sources"], [[s, p, ", ".join(g)] for s, p, g in view.incoming])
    return text
