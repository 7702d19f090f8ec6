"""Node kinds, read from ``ontology/kinds.toml``: which class is which kind, how views draw it,
whether it is an actor or a service, matchable, or folded into the facts of other nodes.

>>> table().kind_of({"https://w3id.org/dprk-kg/ns#Mixer", "https://w3id.org/dprk-kg/ns#Company"})
'mixer'
>>> table().kinds["group"].role, table().kinds["mixer"].matchable
('actor', True)
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass

from . import paths
from .terms import expand

KINDS_FILE = paths.ONTOLOGY_DIR / "kinds.toml"


@dataclass(frozen=True)
class Kind:
    """One node kind: its name, the classes that make it, and how it is drawn and used."""

    name: str
    classes: tuple[str, ...]
    shape: str
    colour: str
    symbol: str
    role: str
    matchable: bool
    path: bool


@dataclass(frozen=True)
class KindTable:
    """The whole table: kinds in the file's order (most specific first) and the folded classes."""

    kinds: dict[str, Kind]
    folded: tuple[str, ...]

    @functools.cached_property
    def _by_class(self) -> dict[str, tuple[int, str]]:
        ranked = ((cls, kind.name) for kind in self.kinds.values() for cls in kind.classes)
        return {cls: (rank, name) for rank, (cls, name) in enumerate(ranked)}

    def classes(self) -> list[str]:
        """Every class IRI that makes a node an entity, most specific first."""
        return sorted(self._by_class, key=lambda c: self._by_class[c][0])

    def kind_of(self, classes: Iterable[str]) -> str | None:
        """The kind of a node typed with ``classes`` (the most specific), or None."""
        ranked = sorted(self._by_class[c] for c in classes if c in self._by_class)
        return ranked[0][1] if ranked else None

    def is_folded(self, classes: Iterable[str]) -> bool:
        """Whether a node of these classes is an n-ary fact shown through other nodes."""
        return any(c in self.folded for c in classes)

    def with_role(self, role: str) -> frozenset[str]:
        """The names of the kinds with this analysis role (``actor`` or ``service``)."""
        return frozenset(k.name for k in self.kinds.values() if k.role == role)


@functools.cache
def table() -> KindTable:
    """The kind table, read once from ``ontology/kinds.toml``."""
    with open(KINDS_FILE, "rb") as handle:
        data = tomllib.load(handle)
    kinds = {
        name: Kind(
            name,
            tuple(expand(c) for c in entry["classes"]),
            entry["shape"],
            entry["colour"],
            entry["symbol"],
            entry["role"],
            entry["matchable"],
            entry["path"],
        )
        for name, entry in data["kind"].items()
    }
    return KindTable(kinds, tuple(expand(c) for c in data["folded"]["classes"]))
