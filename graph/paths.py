"""Where the project's data folders and the store are: the one place that knows.

``DATA_ROOT`` is the checkout when running from source, or the copy of ``ontology/``,
``sources/``, ``queries/``, ``links/`` and ``catalog/`` that the wheel ships inside the package.

The store and the exports of a checkout are its own ``exports/store`` and ``exports/``, whatever
the working folder, so the tool finds them from anywhere. An installed tool never writes into its
package: its store is in the per-user data folder (``$XDG_DATA_HOME/dprk-kg/store``, by default
``~/.local/share/dprk-kg/store``) and its exports go to ``./exports``. ``--store`` or
``DPRK_KG_STORE`` choose another store.
"""

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
INSTALLED = (_PACKAGE / "_data").is_dir()
DATA_ROOT: Path = _PACKAGE / "_data" if INSTALLED else _PACKAGE.parent

ONTOLOGY_DIR = DATA_ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "dprk-kg.ttl"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
SOURCES_DIR = DATA_ROOT / "sources"
QUERIES_DIR = DATA_ROOT / "queries"
DATASETS_FILE = DATA_ROOT / "catalog" / "datasets.toml"


def user_data_dir() -> Path:
    """The per-user data folder of an installed tool (XDG base directory rules)."""
    base = os.environ.get("XDG_DATA_HOME", "")
    return (Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share") / "dprk-kg"


def user_cache_dir() -> Path:
    """The per-user cache folder (XDG base directory rules): what can be computed again."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "dprk-kg"


#: The reviewable match file: the checkout's own, or the user's when installed (an installed
#: tool never writes into its own package folder).
MATCHES_FILE = (user_data_dir() if INSTALLED else DATA_ROOT / "links") / "matches.csv"
DEFAULT_EXPORTS = Path("exports") if INSTALLED else DATA_ROOT / "exports"
DEFAULT_STORE = user_data_dir() / "store" if INSTALLED else DATA_ROOT / "exports" / "store"
