"""Offline, interactive HTML views of the graph: the graph page and the timeline page.

Each page is one self-contained file: no request of any kind, a Content-Security-Policy with
script hashes, data shown only as text, the same bytes for the same graph. The work is split by
concern: ``reading`` (what a view reads from the store, and only that), ``selection`` (which
entities and relations a view draws), ``panel`` (facts, sources and sanction state of a node or
edge), ``layout`` (positions), ``graphpage``/``timeline`` (each page's data) and ``page``
(assembly from the HTML, CSS and JS files of this package).

>>> from graph.views import ViewOptions, ViewReader, render
>>> from graph.reader import Reader
>>> from graph.build import load_quads, memory_store
>>> reader = ViewReader(Reader(memory_store(load_quads())))
>>> view = render(reader, ViewOptions())
>>> view.html.startswith(b"<!DOCTYPE html>") and view.nodes > 0
True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from .graphpage import View
from .reading import ViewReader
from .selection import MAX_NODES, ViewOptions, check, select
from .timeline import Timeline, TimelineOptions
from .timeline import render as render_timeline

if TYPE_CHECKING:
    import pyoxigraph as ox

__all__ = [
    "MAX_NODES",
    "Timeline",
    "TimelineOptions",
    "View",
    "ViewOptions",
    "ViewReader",
    "check_output",
    "export_pages",
    "render",
    "render_timeline",
    "write_page",
]

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    """The default progress callback: say nothing."""


def render(reader: ViewReader, options: ViewOptions | None = None, progress: Progress = _quiet) -> View:
    """The graph page of a view of what ``reader`` reads (see ``ViewOptions``)."""
    from .graphpage import render as render_page

    options = options or ViewOptions()
    check(options)
    progress("choosing what to draw")
    selection = select(reader, options)
    progress(f"reading the facts of {len(selection.nodes):,} entities and laying them out")
    return render_page(reader, selection, options)


def export_pages(curated: ox.Store) -> dict[str, bytes]:
    """``graph.html`` and ``timeline.html`` of the curated graph (a store of its quads without
    the ontology, as ``build`` validated it), for ``build``'s exports."""
    from ..reader import Reader

    reader = ViewReader(Reader(curated))
    return {
        "graph.html": render(reader, ViewOptions(title="dprk-kg: the curated graph")).html,
        "timeline.html": render_timeline(reader, TimelineOptions(title="dprk-kg: timeline of the curated graph")).html,
    }


def check_output(out: Path) -> None:
    """Fail before any work when ``out``'s folder cannot be created or written."""
    from .. import export

    export.check_writable(Path(out).parent)


def write_page(html: bytes, out: Path) -> None:
    """Write a page to ``out`` atomically (a crash leaves the old file or the new one)."""
    from .. import export

    out = Path(out)
    export.check_writable(out.parent)
    export.write_atomically({out: html})
