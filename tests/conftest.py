"""Shared fixtures: a CLI runner, a graph built once per session, and the real datasets."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def runner() -> CliRunner:
    """A click runner; stdout and stderr are kept apart so tests can check each."""
    return CliRunner()


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    """The curated graph built once into a temporary folder: ``exports`` and ``store`` paths."""
    root = tmp_path_factory.mktemp("built")
    exports, store = root / "exports", root / "store"
    result = CliRunner().invoke(main, ["--store", str(store), "build", "--quiet", "--out", str(exports)])
    assert result.exit_code == 0, result.output
    return {"exports": exports, "store": store}


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` beside the checkout; tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATA} (../shared is absent)")
    return SHARED_DATA
