"""Node kinds are data (ontology/kinds.toml): every class of the ontology has a kind or is folded."""

from __future__ import annotations

import pyoxigraph as ox

from graph import paths
from graph.kinds import table
from graph.terms import PREFIXES

OWL_CLASS = ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")


def ontology_classes() -> set[str]:
    quads = ox.parse(path=str(paths.ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE)
    return {
        q.subject.value
        for q in quads
        if q.predicate == RDF_TYPE
        and q.object == OWL_CLASS
        and isinstance(q.subject, ox.NamedNode)
        and q.subject.value.startswith(PREFIXES["dkg"])
    }


def test_every_ontology_class_has_a_kind_or_is_folded():
    kinds = table()
    known = set(kinds.classes()) | set(kinds.folded)
    missing = sorted(c for c in ontology_classes() if c not in known)
    assert ontology_classes(), "the ontology declares its classes as owl:Class"
    assert not missing, f"classes with no kind and not folded: {missing}"


def test_kinds_are_complete_and_consistent():
    kinds = table()
    assert set(kinds.classes()).isdisjoint(kinds.folded)
    for kind in kinds.kinds.values():
        assert kind.shape and kind.colour.startswith("#") and kind.symbol
        assert kind.role in ("actor", "service", "")
    assert kinds.kind_of({PREFIXES["dkg"] + "Mixer", PREFIXES["dkg"] + "Company"}) == "mixer", "most specific wins"
    assert kinds.with_role("actor") >= {"group", "state"}
