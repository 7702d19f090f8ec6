"""Where the project's data folders are: the one place that knows.

``DATA_ROOT`` is the checkout when running from source, or the copy of ``ontology/``,
``sources/``, ``queries/``, ``links/`` and ``catalog/`` that the wheel ships inside the package.
"""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
DATA_ROOT: Path = _PACKAGE / "_data" if (_PACKAGE / "_data").is_dir() else _PACKAGE.parent

ONTOLOGY_DIR = DATA_ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "dprk-kg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
SOURCES_DIR = DATA_ROOT / "sources"
QUERIES_DIR = DATA_ROOT / "queries"
MATCHES_FILE = DATA_ROOT / "links" / "matches.csv"
DATASETS_FILE = DATA_ROOT / "catalog" / "datasets.toml"

DEFAULT_EXPORTS = Path("exports")
DEFAULT_STORE = DEFAULT_EXPORTS / "store"
