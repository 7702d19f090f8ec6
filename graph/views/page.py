"""Page assembly: one self-contained HTML file from a template, a JSON data block and scripts.

The templates, styles and scripts are files of this package (``graph.html``, ``graph.css``,
``graph.js``, ``timeline.*``), read from beside this module. vis-network is inlined from the
installed pyvis package. Nothing is fetched: a Content-Security-Policy with the hash of every
inlined script forbids any other script and any request. The data travels as one JSON block
that the scripts only ever put in the page as DOM text, so HTML or script in a label shows as
text. Same input, same bytes: keys are sorted and nothing depends on the time of writing.

The JSON block of the graph page (``id="dprk-kg-data"``)::

    {"kinds":   [{"name", "shape", "colour", "symbol", "count"}],       # legend, by index
     "sources": [{"graph", "name", "publisher", "date", "urls", "dataset"}],
     "nodes":   [{"id", "label", "kind": <kinds index>, "size", "x", "y",
                  "names": [[name, field, rank]],                       # what search matches
                  "sanction": {"state": "listed"|"delisted"|"", "history": [<fact>]},
                  "records": [{"id", "kind", "sources": [<sources index>], "facts": [<fact>],
                               "more": <facts not listed>}]}],
     "edges":   [{"from", "to": <nodes index>, "relation", "curve",
                  "sources": [<sources index>], "facts": [<fact>]}]}

where a ``<fact>`` is ``[property words, value, [<sources index>]]``. The timeline page's block
has ``sources`` as above and ``events``: ``[{"date", "event", "label", "id", "involved":
[labels], "facts": [<fact>], "sources": [<sources index>]}]`` in date order.

>>> json_for_script({"l": "</script><b>&"})
'{"l":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import importlib.util
import json
import re
from pathlib import Path

from ..errors import OutputError

_VIS_JS = ("lib", "vis-9.1.2", "vis-network.min.js")


def asset(name: str) -> str:
    """The text of one of this package's page files."""
    return Path(__file__).with_name(name).read_text(encoding="utf-8")


@functools.cache
def vis_js() -> str:
    """vis-network's script, read from the installed pyvis package (found, not imported: importing
    pyvis would import Jinja and IPython, most of a second)."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or not spec.submodule_search_locations:
        raise OutputError("the pyvis package is not installed; it ships the vis-network script the page needs")
    script = Path(next(iter(spec.submodule_search_locations))).joinpath(*_VIS_JS).read_text(encoding="utf-8")
    if re.search(r"</script|<!--", script, re.IGNORECASE):
        raise OutputError("the vis-network script in the pyvis package cannot be inlined safely")
    return script


def json_for_script(value: object) -> str:
    """JSON that cannot end its ``<script>`` block or be read as HTML: ``< > &`` and the JS line
    separators are escaped (see the module doctest)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def fill(template: str, values: dict[str, str]) -> str:
    """A template with each ``@@NAME@@`` replaced by its value (values are not scanned again)."""
    return re.sub(r"@@([A-Z]+)@@", lambda m: values[m.group(1)], template)


def assemble(
    template: str, title: str, caption: str, notes: list[str], data: object, scripts: dict[str, str], style: str
) -> bytes:
    """Fill a page template: escaped text, the data block, the inlined scripts (by placeholder
    name) and their hashes in the Content-Security-Policy."""
    csp = (
        f"default-src 'none'; script-src {' '.join(_csp_hash(s) for s in scripts.values())}; "
        "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    note = asset("note.html")
    values = {
        "CSP": html.escape(csp),
        "TITLE": html.escape(title),
        "CAPTION": html.escape(caption),
        "NOTES": "".join(fill(note, {"TEXT": html.escape(n)}) for n in notes),
        "CSS": asset(style),
        "DATA": json_for_script(data),
        **scripts,
    }
    return fill(asset(template), values).encode("utf-8")
