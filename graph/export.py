"""Deterministic, atomic RDF exports: one writer per format.

``graph.trig`` keeps one named graph per source. ``graph.ttl``, ``graph.nt`` and
``graph.jsonld`` are single graphs that still say where each fact comes from:

- a node whose every triple is stated by the same sources gets ``prov:wasDerivedFrom`` each of
  them (most amounts, attributions, estimates and claims are stated by one source);
- otherwise each of its triples gets an ``rdf:Statement`` node (IRI ``stmt:<hash>``) with
  ``rdf:subject``, ``rdf:predicate``, ``rdf:object`` and ``prov:wasDerivedFrom`` its sources;
- a source document's own description is stated by that document.

Every writer sorts what it writes, so the bytes depend only on the data; every file goes to a
temporary file in the same folder and is renamed into place only when all were written.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import PROV, RDF

from .errors import OutputError
from .namespace import ONTOLOGY_GRAPH, PREFIXES, STMT, bind_prefixes


def _sorted_graph(triples) -> Graph:
    """A Graph filled in sorted order, so that serializers that keep insertion order are stable."""
    graph = Graph()
    bind_prefixes(graph)
    for triple in sorted(triples, key=lambda t: tuple(term.n3() for term in t)):
        graph.add(triple)
    return graph


def data_graphs(dataset: Dataset) -> list[Graph]:
    """The dataset's named graphs except the ontology, sorted by IRI."""
    skip = (ONTOLOGY_GRAPH, DATASET_DEFAULT_GRAPH_ID)
    graphs = [g for g in dataset.graphs() if g.identifier not in skip and len(g)]
    return sorted(graphs, key=lambda g: str(g.identifier))


def statement_iri(triple) -> URIRef:
    """The stable IRI of the statement node for a triple."""
    key = " ".join(term.n3() for term in triple).encode("utf-8")
    return STMT[hashlib.sha256(key).hexdigest()[:24]]


def provenance_graph(dataset: Dataset) -> Graph:
    """The union of the data graphs, with provenance links as described in the module docstring."""
    sources: dict[tuple, set[URIRef]] = defaultdict(set)
    for graph in data_graphs(dataset):
        for triple in graph:
            sources[triple].add(URIRef(str(graph.identifier)))
    by_subject: dict = defaultdict(list)
    for triple, graphs in sources.items():
        by_subject[triple[0]].append((triple, frozenset(graphs)))
    out = set(sources)
    for subject, items in by_subject.items():
        source_sets = {graphs for _, graphs in items}
        if len(source_sets) == 1:
            (graphs,) = source_sets
            out.update((subject, PROV.wasDerivedFrom, g) for g in graphs if g != subject)
            continue
        for triple, graphs in items:
            node = statement_iri(triple)
            out.update({(node, RDF.type, RDF.Statement), (node, RDF.subject, triple[0]),
                        (node, RDF.predicate, triple[1]), (node, RDF.object, triple[2])})
            out.update((node, PROV.wasDerivedFrom, g) for g in graphs)
    return _sorted_graph(out)


def turtle(merged: Graph) -> bytes:
    """Turtle: the merged graph with its provenance links."""
    return merged.serialize(format="turtle", encoding="utf-8")


def ntriples(merged: Graph) -> bytes:
    """N-Triples, one line per triple, sorted."""
    text = merged.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8")


def trig(dataset: Dataset) -> bytes:
    """TriG: one named graph per source document or dataset, graphs and triples sorted."""
    header = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in sorted(PREFIXES.items()))
    parts = [header]
    for graph in data_graphs(dataset):
        named = _sorted_graph(graph)
        body = named.serialize(format="turtle")
        lines = [line for line in body.splitlines() if not line.startswith("@prefix")]
        inner = "\n".join(("    " + line) if line.strip() else "" for line in lines).strip("\n")
        name = URIRef(str(graph.identifier)).n3(named.namespace_manager)
        parts.append(f"\n{name} {{\n{inner}\n}}\n")
    return "".join(parts).encode("utf-8")


def _canonical(value):
    """Sort JSON-LD arrays (they are sets here) and keys, recursively."""
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def jsonld(merged: Graph) -> bytes:
    """JSON-LD: the Turtle content, compacted with the project prefixes, canonically ordered."""
    raw = merged.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    document = json.loads(raw)
    return (json.dumps(_canonical(document), indent=1, ensure_ascii=False) + "\n").encode("utf-8")


#: The single-graph exports, written from the merged graph with provenance links.
MERGED_WRITERS: dict[str, Callable[[Graph], bytes]] = {
    "graph.ttl": turtle,
    "graph.nt": ntriples,
    "graph.jsonld": jsonld,
}
#: The exports that keep one named graph per source, written from the dataset.
DATASET_WRITERS: dict[str, Callable[[Dataset], bytes]] = {"graph.trig": trig}


def render_all(dataset: Dataset) -> dict[str, bytes]:
    """Every export's bytes, by file name."""
    merged = provenance_graph(dataset)
    files = {name: writer(merged) for name, writer in MERGED_WRITERS.items()}
    files.update((name, writer(dataset)) for name, writer in DATASET_WRITERS.items())
    return dict(sorted(files.items()))


def check_writable(folder: Path) -> None:
    """Fail before any work if ``folder`` cannot be created or written to."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {folder}: {exc.strerror}") from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{folder} is not writable")


def write_atomically(files: dict[Path, bytes]) -> None:
    """Write every file to a temporary sibling, then rename all into place.

    If anything fails (disk full, Ctrl-C), the temporary files are removed and the previous
    files are left as they were.
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            temps.append((Path(name), path))
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(name, 0o644)
        for temp, path in temps:
            os.replace(temp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {exc.filename or path}: {exc.strerror}") from exc
    finally:
        for temp, _ in temps:
            temp.unlink(missing_ok=True)


def export_all(dataset: Dataset, folder: Path, extra: dict[str, bytes] | None = None) -> list[Path]:
    """Write every export, and any ``extra`` files, into ``folder`` atomically; return the paths."""
    check_writable(folder)
    files = {folder / name: data for name, data in {**render_all(dataset), **(extra or {})}.items()}
    write_atomically(files)
    return list(files)
