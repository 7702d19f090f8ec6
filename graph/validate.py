"""SHACL validation of the graph against ``ontology/shapes.ttl``.

Each violation names its focus node, property, value and message, and the named graphs (source
documents or datasets) that state the focus node, so a user can open the file to fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import SH, XSD

from . import paths
from .namespace import ONTOLOGY_GRAPH, PREFIXES
from .parse import parse_file


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result: what is wrong, where, and which graphs state the offending node."""

    focus: str
    path: str
    value: str
    message: str
    graphs: tuple[str, ...]


def shorten(iri: str) -> str:
    """Write an IRI with the project prefixes: ``kg:lazarus-group`` rather than the full IRI."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def data_graph(dataset: Dataset) -> Graph:
    """The union of every named graph except the ontology, as a plain in-memory graph."""
    from .export import data_graphs

    union = Graph()
    for graph in data_graphs(dataset):
        for s, p, o in graph:
            # Oxigraph returns plain strings typed xsd:string; sh:in compares terms exactly.
            if isinstance(o, Literal) and o.datatype == XSD.string:
                o = Literal(str(o))
            union.add((s, p, o))
    return union


def validate(dataset: Dataset) -> list[Violation]:
    """Validate the dataset's data graphs; return the violations, sorted (empty when it conforms).

    Example:
        >>> from graph.build import load_dataset
        >>> validate(load_dataset())
        []
    """
    import pyshacl

    data = data_graph(dataset)
    conforms, results, _ = pyshacl.validate(
        data,
        shacl_graph=parse_file(paths.SHAPES_FILE),
        ont_graph=parse_file(paths.ONTOLOGY_FILE),
        inference="none",
        allow_warnings=True,
    )
    if conforms:
        return []
    violations = set()
    for result in results.subjects(SH.resultSeverity, SH.Violation):
        focus = results.value(result, SH.focusNode)
        if isinstance(focus, Literal):
            continue  # a nested sh:node check on a value; its property shape reports it too
        path = results.value(result, SH.resultPath)
        value = results.value(result, SH.value)
        graphs = tuple(sorted(
            str(g.identifier) for g in dataset.graphs()
            if g.identifier not in (ONTOLOGY_GRAPH, DATASET_DEFAULT_GRAPH_ID) and (focus, None, None) in g
        ))
        violations.add(Violation(
            focus=f"_:{focus} (a blank node)" if isinstance(focus, BNode) else shorten(str(focus)),
            path=shorten(str(path)) if isinstance(path, URIRef) else "",
            value="" if value is None else (shorten(str(value)) if isinstance(value, URIRef) else str(value)),
            message=str(results.value(result, SH.resultMessage) or "constraint violated"),
            graphs=graphs,
        ))
    return sorted(violations)
