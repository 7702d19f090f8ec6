"""The named query library: the ``.rq`` files of ``queries/``, each with a header comment that
gives its title, description and parameters (``# param NAME: DEFAULT``).

>>> [q.name for q in named_queries()][:1]
['actor-aliases']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import paths
from ..errors import InputError
from .results import param_term


@dataclass(frozen=True)
class NamedQuery:
    """A query of the library in ``queries/``: its name (file stem), title, description, text,
    and the parameters it takes (``# param NAME: DEFAULT`` lines) with their defaults."""

    name: str
    title: str
    description: str
    path: Path
    params: tuple[tuple[str, str], ...] = ()

    def bound_text(self, given: Mapping[str, str]) -> str:
        """The query with its parameters bound: ``given`` values, else the defaults (a parameter
        with no default and no value stays unbound). A name the query does not take is an
        InputError naming the ones it takes."""
        from ..sparql import bind_terms

        known = dict(self.params)
        for name in given:
            if name not in known:
                takes = f"its parameters: {', '.join(known)}" if known else "it takes no parameters"
                raise InputError(f"--param {name}: the query {self.name!r} has no parameter {name!r}; {takes}")
        values = {name: param_term(value) for name, value in {**known, **given}.items() if value}
        return bind_terms(self.text, values)

    @property
    def text(self) -> str:
        """The query text, read when needed."""
        return self.path.read_text(encoding="utf-8")


def _header(path: Path) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """The ``# title:``, ``# description:`` and ``# param NAME: DEFAULT`` lines of a query
    file's header comment."""
    fields: dict[str, str] = {}
    params: list[tuple[str, str]] = []
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].strip()
        match = re.match(r"(title|description):\s*(.*)", body)
        param = re.match(r"param\s+(\w+):\s*(\S*)$", body)
        if param:
            params.append((param.group(1), param.group(2)))
            current = None
        elif match:
            current = match.group(1)
            fields[current] = match.group(2)
        elif current == "description" and body:
            fields[current] += " " + body
        else:
            current = None
    for key in ("title", "description"):
        if not fields.get(key):
            raise InputError(f"the header comment has no '# {key}: ...' line", path, 1)
    return fields["title"], fields["description"], tuple(params)


def named_queries(folder: Path = paths.QUERIES_DIR) -> list[NamedQuery]:
    """The named query library: every ``.rq`` file in ``folder``, sorted by name."""
    queries = []
    for path in sorted(Path(folder).glob("*.rq")):
        title, description, params = _header(path)
        queries.append(NamedQuery(path.stem, title, description, path, params))
    return queries


def named_query(name: str, folder: Path = paths.QUERIES_DIR) -> NamedQuery:
    """The named query ``name``; an unknown name raises InputError with the closest names."""
    import difflib

    queries = {q.name: q for q in named_queries(folder)}
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, queries, n=3, cutoff=0.4)
    hint = f"did you mean {', '.join(close)}? " if close else ""
    raise InputError(f"no named query {name!r}: {hint}`dprk-kg query --list` shows them all")
