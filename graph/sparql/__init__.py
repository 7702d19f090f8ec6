"""The project's internal SPARQL: one ``.rq`` file per query, read with ``load(name)``.

A query names its inputs as variables (``?focus``) and the caller binds them with ``bind``,
which puts each IRI in as a constant only after pyoxigraph has checked it is a valid IRI (so
nothing but an IRI can get in). Constants rather than pyoxigraph's ``substitutions``: those are
joined after the query's UNION branches are evaluated, which makes a bound neighbourhood query
as slow as the whole graph's (8.7 s instead of 0.05 s on a store with every shared dataset).
A list of IRIs binds the variable to each of them in turn: ``VALUES ?name { ... }`` and the
query's pattern inside pyoxigraph's ``LATERAL``, so the pattern is evaluated once per value from
that value outwards (a plain ``VALUES`` is joined after the pattern is evaluated for the whole
store: an entity's events take 120 ms that way, 50 ms this way). One query answers for many
nodes, and a query written for the whole store serves one entity.

>>> "SELECT" in load("entity-names")
True
>>> bind("SELECT ?focus ?p WHERE { ?focus ?p ?focused }", {"focus": "https://e.org/a"})
'SELECT (<https://e.org/a> AS ?focus) ?p WHERE { <https://e.org/a> ?p ?focused }'
>>> bind("SELECT ?p WHERE { ?focus ?p ?o }", {"focus": ["https://e.org/a", "https://e.org/b"]})
'SELECT ?p WHERE { VALUES ?focus { <https://e.org/a> <https://e.org/b> } LATERAL { ?focus ?p ?o } }'
>>> bind("ASK { ?focus ?p ?o }", {"focus": "https://e.org/a> } ; DROP ALL #"})
Traceback (most recent call last):
...
ValueError: ...
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyoxigraph as ox


@functools.cache
def load(name: str) -> str:
    """The text of ``graph/sparql/<name>.rq``."""
    return Path(__file__).with_name(f"{name}.rq").read_text(encoding="utf-8")


def values(name: str) -> list[tuple[str, ...]]:
    """The rows of the first ``VALUES (?a ?b ...) { ... }`` table of ``<name>.rq``, prefixed names
    and ``<iri>`` as full IRIs and literals as their text: code that must agree with a query
    reads the query's own table (the views draw the relations ``relations.rq`` lists).

    >>> values("relations")[0]
    ('http://www.w3.org/ns/org#subOrganizationOf', 'sub organization of')
    """
    from ..terms import expand

    table = re.search(r"VALUES\s*\([^)]*\)\s*\{(.*?)\}", load(name), re.S)
    if table is None:
        raise ValueError(f"{name}.rq has no VALUES table")
    return [
        tuple(term[1:-1] if term.startswith('"') else expand(term) for term in re.findall(r'"[^"]*"|\S+', row))
        for row in re.findall(r"\(([^()]*)\)", table.group(1))
    ]


def select(store: ox.Store, name: str, **bindings: str | Sequence[str]) -> list[dict[str, str | None]]:
    """Rows of the SELECT query ``name`` run on ``store`` (default graph: the union of all graphs),
    with ``bindings`` bound as by ``bind``, each row as plain strings (None where unbound)."""
    import pyoxigraph as ox

    from ..terms import PREFIXES

    result = store.query(bind(load(name), bindings), prefixes=PREFIXES, use_default_graph_as_union=True)
    if not isinstance(result, ox.QuerySolutions):
        raise TypeError(f"{name}.rq is not a SELECT query")
    names = [v.value for v in result.variables]
    # A solution iterates over its values in the order of ``variables``: reading them so is four
    # times as fast as looking each up by name (5,000 rows of the timeline: 0.05 s, not 0.18 s).
    return [dict(zip(names, [None if term is None else term.value for term in row], strict=True)) for row in result]


def bind(text: str, bindings: Mapping[str, str | Sequence[str]]) -> str:
    """``text`` with each ``?name`` of ``bindings`` replaced by its IRI (checked by pyoxigraph),
    or, for a list of IRIs, with ``VALUES ?name { ... } LATERAL { pattern }`` as its pattern."""
    import pyoxigraph as ox

    for name, iris in bindings.items():
        if not isinstance(iris, str):
            head, brace, body = text.partition("{")
            pattern, close, tail = body.rpartition("}")
            listed = " ".join(str(ox.NamedNode(iri)) for iri in iris)
            text = f"{head}{brace} VALUES ?{name} {{ {listed} }} LATERAL {{{pattern}}} {close}{tail}"
    return bind_terms(text, {name: ox.NamedNode(iri) for name, iri in bindings.items() if isinstance(iri, str)})


def bind_terms(text: str, bindings: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """``text`` with each ``?name`` of ``bindings`` replaced by the term in N-Triples syntax (so
    a literal cannot end early and an IRI is a checked IRI); in the SELECT clause it becomes
    ``(term AS ?name)``, so the result still has the column. For our own query files, whose
    variables appear only where they are meant."""
    head, brace, body = text.partition("{")
    pattern, close, tail = body.rpartition("}")
    for name, term in bindings.items():
        constant = str(term).replace("\\", "\\\\")
        variable = re.compile(rf"[?$]{re.escape(name)}\b")
        head = variable.sub(f"({constant} AS ?{name})", head)
        pattern = variable.sub(constant, pattern)
        tail = variable.sub(f"({constant})", tail)  # GROUP BY / ORDER BY take an expression
    return head + brace + pattern + close + tail
