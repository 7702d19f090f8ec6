"""SHACL shapes, tested with a conforming file and one failing file per constraint: each failing
file must fail on exactly the node and property it was written to break."""

from __future__ import annotations

import pytest

from cli import main
from tests.conftest import FIXTURES

SHAPES = FIXTURES / "shapes"

FAILING = {
    "money-float": ("https://example.org/amount", "schema:value"),
    "missing-label": ("https://example.org/incident", "rdfs:label"),
    "bad-status": ("https://example.org/sanction", "dkg:status"),
    "address-chain-not-string": ("https://example.org/address", "dkg:chain"),
    "attribution-without-incident": ("https://example.org/attribution", "dkg:attributedIncident"),
    "share-out-of-range": ("https://example.org/estimate", "dkg:shareOfTotal"),
    "date-as-string": ("https://example.org/incident", "dkg:eventDate"),
    "unknown-qualifier": ("https://example.org/amount", "dkg:amountQualifier"),
    "document-without-kind": ("src:document-without-kind-copy", "dkg:documentKind"),
}


def test_conforming_file_passes(runner) -> None:
    result = runner.invoke(main, ["validate", str(SHAPES / "valid.ttl")])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


@pytest.mark.parametrize("name", sorted(FAILING))
def test_failing_file_fails_on_the_broken_property(runner, name: str) -> None:
    path = SHAPES / f"{name}.ttl"
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    focus, prop = FAILING[name]
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines == [line for line in lines if line.startswith(f"{path}: {focus} {prop}: ")], result.stdout
    assert len(lines) == 1


def test_blank_nodes_are_refused(runner) -> None:
    path = SHAPES / "blank-node-incident.ttl"
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 2  # refused as the file is read, before the shapes run
    assert result.stderr.startswith(f"Error: {path}:17: blank node refused")


def test_every_failing_fixture_is_listed() -> None:
    on_disk = {p.stem for p in SHAPES.glob("*.ttl")} - {"valid", "blank-node-incident"}
    assert on_disk == set(FAILING)
