"""The network projection as GraphML, GEXF or CSV, for Gephi, Cytoscape and spreadsheets.

Nodes carry their kind, label, aliases and sanction state; edges carry the relation and the
sources that state it. Files are byte-identical for the same graph and replace old ones
atomically.

CSV cells that a spreadsheet would read as a formula (text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return, as an imported name may) get a leading apostrophe, which
spreadsheet tools show as text and do not display; strip it to get the value back.

GEXF is written here rather than by NetworkX's writer (same elements and attributes as
``networkx.generate_gexf``, 1.2draft), which builds an XML tree of the whole graph first and
took most of the export's time on a store with every shared dataset imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .export import write_atomically
from .render import neutralise
from .terms import shorten

if TYPE_CHECKING:
    import networkx as nx

FORMATS = ("graphml", "gexf", "csv")
NODE_ATTRIBUTES = ("kind", "aliases", "sanction")
EDGE_ATTRIBUTES = ("relation", "sources", "networkx_key")
_XML_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#09;"}
)


def _node_row(node: str, data: dict) -> list[str]:
    return [shorten(node), node, data["label"], data["kind"], "; ".join(data["aliases"]), data["sanction"]]


def _edge_row(u: str, v: str, data: dict) -> list[str]:
    return [shorten(u), shorten(v), data["relation"], "; ".join(shorten(s) for s in data["sources"])]


def flat(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are strings (lists joined by "; "), as GraphML needs."""
    import networkx as nx

    out = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        _, _, label, kind, aliases, sanction = _node_row(node, data)
        out.add_node(node, label=label, kind=kind, id=shorten(node), aliases=aliases, sanction=sanction)
    for u, v, key, data in graph.edges(keys=True, data=True):
        out.add_edge(u, v, key=key, relation=data["relation"], sources=_edge_row(u, v, data)[3])
    return out


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[neutralise(cell) for cell in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


def _attvalues(values: Iterator[tuple[int, str]], indent: str) -> list[str]:
    lines = [f"{indent}<attvalues>"]
    lines += [f'{indent}  <attvalue for="{i}" value="{value.translate(_XML_ATTRIBUTE)}" />' for i, value in values]
    return [*lines, f"{indent}</attvalues>"]


def gexf(graph: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2draft: nodes with id (CURIE), label and attributes; directed edges with theirs."""
    from . import __version__

    first = len(NODE_ATTRIBUTES)
    lines = [
        '<gexf xmlns="http://www.gexf.net/1.2draft" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">',
        "  <meta>",
        f"    <creator>dprk-kg {__version__}</creator>",
        "  </meta>",
        '  <graph defaultedgetype="directed" mode="static" name="">',
        '    <attributes mode="static" class="edge">',
        *(
            f'      <attribute id="{first + i}" title="{name}" type="string" />'
            for i, name in enumerate(EDGE_ATTRIBUTES)
        ),
        "    </attributes>",
        '    <attributes mode="static" class="node">',
        *(f'      <attribute id="{i}" title="{name}" type="string" />' for i, name in enumerate(NODE_ATTRIBUTES)),
        "    </attributes>",
        "    <nodes>",
    ]
    for node, data in graph.nodes(data=True):
        curie, _, label, kind, aliases, sanction = _node_row(node, data)
        lines.append(f'      <node id="{curie.translate(_XML_ATTRIBUTE)}" label="{label.translate(_XML_ATTRIBUTE)}">')
        lines += _attvalues(enumerate((kind, aliases, sanction)), "        ")
        lines.append("      </node>")
    lines.append("    </nodes>")
    lines.append("    <edges>")
    for number, (u, v, key, data) in enumerate(graph.edges(keys=True, data=True)):
        source, target, relation, sources = _edge_row(u, v, data)
        lines.append(
            f'      <edge source="{source.translate(_XML_ATTRIBUTE)}" '
            f'target="{target.translate(_XML_ATTRIBUTE)}" id="{number}">'
        )
        lines += _attvalues(enumerate((relation, sources, str(key)), first), "        ")
        lines.append("      </edge>")
    lines += ["    </edges>", "  </graph>", "</gexf>"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def render(graph: nx.MultiDiGraph, fmt: str) -> dict[str, bytes]:
    """File name -> content for the format: ``graph.graphml``, ``graph.gexf`` or two CSV files."""
    import networkx as nx

    if fmt == "graphml":
        g = flat(graph)
        return {"graph.graphml": "\n".join(nx.generate_graphml(g, prettyprint=True)).encode() + b"\n"}
    if fmt == "gexf":
        return {"graph.gexf": gexf(graph)}
    nodes = [["id", "iri", "label", "kind", "aliases", "sanction"]]
    nodes += [_node_row(n, d) for n, d in graph.nodes(data=True)]
    edges = [["source", "target", "relation", "sources"]]
    edges += [_edge_row(u, v, d) for u, v, d in graph.edges(data=True)]
    return {"graph-nodes.csv": _csv(nodes), "graph-edges.csv": _csv(edges)}


def export_network(graph: nx.MultiDiGraph, fmt: str, out_dir: Path) -> list[Path]:
    """Write the network in ``fmt`` into ``out_dir`` atomically; return the files written."""
    from .export import check_writable

    check_writable(Path(out_dir))
    files = {Path(out_dir) / name: data for name, data in render(graph, fmt).items()}
    write_atomically(files)
    return sorted(files)
