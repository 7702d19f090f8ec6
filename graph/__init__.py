"""dprk-kg: a sourced knowledge graph of North Korea's crypto theft.

The package is split by concern: ``parse`` (safe RDF reading), ``build`` (curated data to a
dataset), ``validate`` (SHACL), ``export`` (deterministic, atomic files), ``store`` (the embedded
Oxigraph store), ``query``, ``analyze``, ``views`` and ``importers``.
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``graph.__version__``: the installed package's version, read from its metadata when asked
    (pyproject.toml is the one place it is written)."""
    if name == "__version__":
        from importlib.metadata import version

        return version("dprk-kg")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
