"""The timeline page: the graph's dated events on a time axis, each with its facts and sources.

The events are those of ``dprk-kg timeline`` (``graph.timeline.events``): incidents and their
disclosures, attributions, designations and delistings, address listings, launderings, dated
claims and published reports. The axis is drawn by the page's own script as plain SVG, since no
maintained time-axis library installs from the registries the project may use (PyPI and Debian;
npm's vis-timeline is neither): PyPI's pyvis-timeline loads vis-timeline from a CDN,
streamlit-vis-timeline is a Streamlit component's build, mpld3 carries d3 v5 only beside
matplotlib, and Debian's libjs-d3 is d3 3.5 and libjs-simile-timeline unmaintained. Nothing is
fetched.

``--entity`` keeps the events of one entity (every record of its cluster); ``--since`` and
``--until`` bound the dates; ``--as-of DATE`` shows what the sources said on that date: events
after it and sources issued after it are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..terms import check_date, check_period, expand, on_or_before
from . import panel
from .page import assemble, asset
from .reading import ViewReader

if TYPE_CHECKING:
    from ..timeline import Event


@dataclass
class TimelineOptions:
    """What part of the timeline a page shows; the defaults show every dated event."""

    entity: str | None = None
    since: str | None = None
    until: str | None = None
    as_of: str | None = None
    title: str = "dprk-kg timeline"


@dataclass
class Timeline:
    """A rendered timeline page and what it shows, for the CLI summary."""

    html: bytes
    events: int
    sources: int
    caption: str


def render(reader: ViewReader, options: TimelineOptions) -> Timeline:
    """The timeline page of the store ``reader`` reads (see the module docstring)."""
    from ..timeline import events

    since, until = check_period(options.since, options.until)
    as_of = check_date(options.as_of, "--as-of") if options.as_of else None
    entity = reader.entities.resolve(options.entity) if options.entity else None

    def keep(graph: str) -> bool:
        source = reader.sources.get(graph)
        return not as_of or source is None or not source.date or on_or_before(source.date, as_of)

    picked: list[tuple[Event, list[str], list[str], list[panel.Row]]] = []
    used: set[str] = set()
    for event in events(reader.reader, since, until, entity, as_of):
        graphs = sorted(g for g in (expand(s) for s in event.sources) if keep(g))
        if not graphs:
            continue
        used.update(graphs)
        picked.append(
            (
                event,
                graphs,
                sorted({reader.label(expand(i)) for i in event.involved}),
                panel.folded_rows(reader, [expand(event.node)], keep),
            )
        )
    ordered = sorted(used)
    position = {g: i for i, g in enumerate(ordered)}
    rows = [
        {
            "date": event.date,
            "event": event.event,
            "label": event.label,
            "id": event.node,
            "involved": involved,
            "facts": [[r.prop, r.value, [position[g] for g in sorted(r.graphs) if g in position]] for r in facts],
            "sources": [position[g] for g in graphs],
        }
        for event, graphs, involved, facts in picked
    ]
    data = {"sources": [panel.source_json(reader, g) for g in ordered], "events": rows}
    caption = _caption(reader, options, len(rows), ordered)
    page = assemble("timeline.html", options.title, caption, [], data, {"APP": asset("timeline.js")}, "timeline.css")
    return Timeline(page, len(rows), len(ordered), caption)


def _caption(reader: ViewReader, options: TimelineOptions, count: int, sources: list[str]) -> str:
    parts = [f"{count:,} dated events, stated by {len(sources):,} sources"]
    if options.entity:
        parts.append(f"involving {reader.entities.resolve(options.entity).label}")
    if options.since or options.until:
        parts.append(f"from {options.since or 'the first'} to {options.until or 'the last'}")
    if options.as_of:
        parts.append(f"as the sources said on {options.as_of} (later events and sources left out)")
    return "; ".join(parts) + ". Dates keep the precision the sources give (a year, a month or a day)."
