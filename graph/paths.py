"""Where the project's data folders are: the one place that knows.

``DATA_ROOT`` is the checkout when running from source, or the copy of ``ontology/``,
``sources/``, ``queries/``, ``links/`` and ``catalog/`` that the wheel ships inside the package.
"""

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
DATA_ROOT: Path = _PACKAGE / "_data" if (_PACKAGE / "_data").is_dir() else _PACKAGE.parent
#: Where an installed tool keeps what a user writes (it never writes into its own package).
USER_DATA_DIR = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "dprk-kg"

ONTOLOGY_DIR = DATA_ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "dprk-kg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
SOURCES_DIR = DATA_ROOT / "sources"
QUERIES_DIR = DATA_ROOT / "queries"
#: The reviewable match file: the checkout's own, or the user's when installed.
MATCHES_FILE = (USER_DATA_DIR if DATA_ROOT != _PACKAGE.parent else DATA_ROOT / "links") / "matches.csv"
DATASETS_FILE = DATA_ROOT / "catalog" / "datasets.toml"

DEFAULT_EXPORTS = Path("exports")
DEFAULT_STORE = DEFAULT_EXPORTS / "store"
