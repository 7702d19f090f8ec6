"""dprk-kg: a sourced knowledge graph of North Korea's crypto theft.

The package is split by concern: ``parse`` (safe RDF reading), ``build`` (curated data to a
dataset), ``validate`` (SHACL), ``export`` (deterministic, atomic files), ``store`` (the embedded
Oxigraph store), ``query``, ``analyze``, ``views`` and ``importers``.
"""

__version__ = "0.1.0"
