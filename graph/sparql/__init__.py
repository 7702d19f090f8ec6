"""The project's internal SPARQL: one ``.rq`` file per query, read with ``load(name)``.

Values are never formatted into the text: a query names its inputs as variables (``?focus``)
that the caller binds (pyoxigraph ``substitutions``).

>>> "SELECT" in load("entity-names")
True
"""

from __future__ import annotations

import functools
from importlib import resources


@functools.cache
def load(name: str) -> str:
    """The text of ``graph/sparql/<name>.rq``."""
    return resources.files(__name__).joinpath(f"{name}.rq").read_text(encoding="utf-8")
