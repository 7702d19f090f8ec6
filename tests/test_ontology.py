"""The vocabulary is closed, documented and shaped: every term has a label and a comment, every
class has a SHACL shape, and the namespace refuses unknown terms."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, URIRef
from rdflib.namespace import SH, SKOS

from graph import paths
from graph.namespace import DKG
from graph.parse import parse_file

ONTOLOGY = parse_file(paths.ONTOLOGY_FILE)
SHAPES = parse_file(paths.SHAPES_FILE)


def namespace_terms() -> list[str]:
    """Every term declared in the closed namespace class."""
    return sorted(name for name in DKG.__annotations__)


@pytest.mark.parametrize("term", namespace_terms())
def test_every_term_has_an_english_label_and_comment(term: str) -> None:
    iri = DKG[term]
    labels = [o for o in ONTOLOGY.objects(iri, RDFS.label) if o.language == "en"]
    comments = [o for o in ONTOLOGY.objects(iri, RDFS.comment) if o.language == "en"]
    assert labels, f"dkg:{term} has no English rdfs:label in {paths.ONTOLOGY_FILE.name}"
    assert comments, f"dkg:{term} has no English rdfs:comment in {paths.ONTOLOGY_FILE.name}"


def test_ontology_declares_no_term_missing_from_the_namespace() -> None:
    declared = {str(s) for s in ONTOLOGY.subjects() if str(s).startswith(str(DKG._NS)) and str(s) != str(DKG._NS)}
    assert declared == {str(DKG[t]) for t in namespace_terms()}


def test_namespace_is_closed() -> None:
    with pytest.raises(AttributeError):
        DKG.Sanctoin  # noqa: B018 - the misspelling is the point


@pytest.mark.parametrize("cls", sorted(str(c) for c in ONTOLOGY.subjects(RDF.type, OWL.Class)))
def test_every_class_has_a_shape(cls: str) -> None:
    assert (None, SH.targetClass, URIRef(cls)) in SHAPES, f"no sh:targetClass shape for {cls}"


@pytest.mark.parametrize("concept", sorted(str(c) for c in ONTOLOGY.subjects(RDF.type, SKOS.Concept)))
def test_every_concept_is_in_a_scheme(concept: str) -> None:
    assert (URIRef(concept), SKOS.inScheme, None) in ONTOLOGY
