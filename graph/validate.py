"""SHACL validation of the graph against ``ontology/shapes.ttl``.

Each violation names its focus node, property, value and message, and the named graphs (source
documents or datasets) that state the focus node, so a user can open the file to fix.

The engine is ``shacl`` (a SHACL Core validator written in Rust): the data graphs go to it as
one N-Triples document, with the ontology beside them so that ``sh:class`` sees the class
hierarchy, as pySHACL's ``ont_graph`` did. On a store with every shared dataset imported it
validates in about as long as Oxigraph takes to dump the quads, where pySHACL took minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from . import paths
from .export import serialized
from .namespace import ONTOLOGY_GRAPH, SRC
from .terms import shorten

if TYPE_CHECKING:
    import shacl

Progress = Callable[[str], None]
_SH = "http://www.w3.org/ns/shacl#"
_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def _quiet(_: str) -> None:
    """The default progress callback: say nothing."""


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result: what is wrong, where, and which graphs state the offending node."""

    focus: str
    path: str
    value: str
    message: str
    graphs: tuple[str, ...]


def _ntriples(path: Path) -> bytes:
    """A project Turtle file (ontology or shapes) as N-Triples."""
    triples = [
        ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    ]
    return serialized(triples, ox.RdfFormat.N_TRIPLES)


def _dump(store: ox.Store, graph: ox.NamedNode) -> bytes:
    """One graph of the store as N-Triples."""
    out = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
    assert out is not None, "Store.dump returns bytes when given no output"
    return out


def data_graph_names(store: ox.Store) -> list[ox.NamedNode]:
    """The store's named graphs except the ontology, sorted by IRI."""
    names = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value != str(ONTOLOGY_GRAPH)]
    return sorted(names, key=lambda g: g.value)


def validate(quads: Iterable[ox.Quad], progress: Progress = _quiet) -> list[Violation]:
    """Validate quads (files as ``graph.build.load_files`` reads them); return the violations,
    sorted (empty when they conform).

    Example:
        >>> from graph.build import load_quads
        >>> validate(load_quads())
        []
    """
    store = ox.Store()
    store.extend(quads)
    return validate_ox(store, progress)


def validate_store(store_path: Path, progress: Progress = _quiet) -> list[Violation]:
    """Validate the data graphs of the store at ``store_path``, opened read-only."""
    from .storage import open_ox

    return validate_ox(open_ox(store_path, read_only=True), progress)


def validate_ox(store: ox.Store, progress: Progress = _quiet) -> list[Violation]:
    """Validate every named graph of an Oxigraph store but the ontology against the shapes."""
    import shacl

    graphs = data_graph_names(store)
    progress(f"reading {len(graphs):,} graphs")
    parts = [_dump(store, g) for g in graphs]
    data = b"".join([*parts, _ntriples(paths.ONTOLOGY_FILE)]).decode("utf-8")
    triples = sum(part.count(b"\n") for part in parts)
    progress(f"validating {triples:,} triples against the SHACL shapes")
    shapes = shacl.Shapes.from_file(str(paths.SHAPES_FILE))
    report = shapes.validate_text(data, format="ntriples", allow_warnings=True)
    violations = set(label_conflicts(store, graphs))
    if report.conforms:
        progress(f"{len(violations):,} violation(s)")
        return sorted(violations)
    shapes_store = ox.Store()
    shapes_store.load(_ntriples(paths.SHAPES_FILE), format=ox.RdfFormat.N_TRIPLES)
    blank_graphs: tuple[str, ...] | None = None
    for result in report.results:
        if result.severity != "Violation" or result.focus_node.startswith('"'):
            continue  # a nested sh:node check on a value; its property shape reports it too
        focus = result.focus_node
        if focus.startswith("_:"):
            # The engine relabels blank nodes, so the graphs are those that hold any blank node.
            if blank_graphs is None:
                blank_graphs = tuple(
                    g.value
                    for g in graphs
                    if any(isinstance(q.subject, ox.BlankNode) for q in store.quads_for_pattern(None, None, None, g))
                )
            stating, shown = blank_graphs, f"{focus} (a blank node)"
        else:
            node = ox.NamedNode(focus[1:-1])
            stating = tuple(
                sorted(
                    {
                        q.graph_name.value
                        for q in store.quads_for_pattern(node, None, None)
                        if isinstance(q.graph_name, ox.NamedNode)
                    }
                    - {str(ONTOLOGY_GRAPH)}
                )
            )
            shown = shorten(node.value)
        path = result.path or ""
        value = result.value or ""
        violations.add(
            Violation(
                focus=shown,
                path=shorten(path[1:-1]) if path.startswith("<") and path.count("<") == 1 else "",
                value=shorten(value[1:-1]) if value.startswith("<") else (result.value_plain or value),
                message=result.message or _default_message(shapes_store, result),
                graphs=stating,
            )
        )
    progress(f"{len(violations):,} violation(s)")
    return sorted(violations)


def label_conflicts(store: ox.Store, graphs: list[ox.NamedNode]) -> list[Violation]:
    """Curated entities to which two source files give different labels (in the same language).

    One entity has one name across the curated files; a second spelling belongs in
    ``skos:altLabel``. Each conflict names both files and both labels.
    """
    labels: dict[Any, dict[tuple[str, str], set[str]]] = {}
    for graph in graphs:
        if not graph.value.startswith(str(SRC)):
            continue
        for quad in store.quads_for_pattern(None, _LABEL, None, graph):
            if isinstance(quad.object, ox.Literal):
                by_value = labels.setdefault(quad.subject, {})
                by_value.setdefault((quad.object.language or "", quad.object.value), set()).add(graph.value)
    found = []
    for node, by_value in labels.items():
        for language in sorted({lang for lang, _ in by_value}):
            values = sorted((value, sorted(g)) for (lang, value), g in by_value.items() if lang == language)
            if len(values) < 2:
                continue
            said = "; ".join(f'"{value}" in {", ".join(shorten(g) for g in where)}' for value, where in values)
            found.append(
                Violation(
                    focus=shorten(node.value) if isinstance(node, ox.NamedNode) else f"_:{node.value} (a blank node)",
                    path="rdfs:label",
                    value=" | ".join(value for value, _ in values),
                    message=f"source files give different labels ({said}); keep one and move the others "
                    "to skos:altLabel",
                    graphs=tuple(sorted({g for _, where in values for g in where})),
                )
            )
    return found


def _default_message(shapes: ox.Store, result: shacl.Result) -> str:
    """What a shape without ``sh:message`` says, in pySHACL's words for the usual components."""
    component = result.component.removesuffix("ConstraintComponent")
    shape = result.source_shape or ""
    if component == "NodeKind" and shape.startswith("<"):
        kinds = list(shapes.quads_for_pattern(ox.NamedNode(shape[1:-1]), ox.NamedNode(_SH + "nodeKind"), None))
        if kinds and isinstance(kinds[0].object, ox.NamedNode):
            return f"Value is not of Node Kind {kinds[0].object.value.replace(_SH, 'sh:')}"
    return f"Value does not conform to sh:{component[:1].lower()}{component[1:]}"
