"""The network projection as GraphML, GEXF or CSV, for Gephi, Cytoscape and spreadsheets.

Nodes carry their kind, label, aliases and sanction state; edges carry the relation and the
sources that state it. Files are byte-identical for the same graph and replace old ones
atomically.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .export import write_atomically
from .validate import shorten

if TYPE_CHECKING:
    import networkx as nx

FORMATS = ("graphml", "gexf", "csv")


def flat(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are strings (lists joined by "; "), as GraphML and GEXF need."""
    import networkx as nx

    out = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        out.add_node(node, label=data["label"], kind=data["kind"], id=shorten(node),
                     aliases="; ".join(data["aliases"]), sanction=data["sanction"])
    for u, v, key, data in graph.edges(keys=True, data=True):
        out.add_edge(u, v, key=key, relation=data["relation"],
                     sources="; ".join(shorten(s) for s in data["sources"]))
    return out


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def render(graph: nx.MultiDiGraph, fmt: str) -> dict[str, bytes]:
    """File name -> content for the format: ``graph.graphml``, ``graph.gexf`` or two CSV files."""
    import networkx as nx

    g = flat(graph)
    if fmt == "graphml":
        return {"graph.graphml": "\n".join(nx.generate_graphml(g, prettyprint=True)).encode() + b"\n"}
    if fmt == "gexf":
        text = "\n".join(nx.generate_gexf(g, prettyprint=True))
        # networkx stamps today's date into <meta>; drop it so the file depends on the graph only.
        text = re.sub(r' lastmodifieddate="[^"]*"', "", text)
        return {"graph.gexf": text.encode() + b"\n"}
    nodes = [["id", "iri", "label", "kind", "aliases", "sanction"]]
    nodes += [[d["id"], n, d["label"], d["kind"], d["aliases"], d["sanction"]] for n, d in g.nodes(data=True)]
    edges = [["source", "target", "relation", "sources"]]
    edges += [[shorten(u), shorten(v), d["relation"], d["sources"]] for u, v, d in g.edges(data=True)]
    return {"graph-nodes.csv": _csv(nodes), "graph-edges.csv": _csv(edges)}


def export_network(graph: nx.MultiDiGraph, fmt: str, out_dir: Path) -> list[Path]:
    """Write the network in ``fmt`` into ``out_dir`` atomically; return the files written."""
    from .export import check_writable

    check_writable(Path(out_dir))
    files = {Path(out_dir) / name: data for name, data in render(graph, fmt).items()}
    write_atomically(files)
    return sorted(files)
