"""The checklist of hardening cases (``tests/hardening_cases.toml``) cannot drift: every case
names tests that exist, every row of the reference table (``../shared/reference/
bad_inputs.md``) is in it as written there, and every test the README's safety table names
exists."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from functools import cache

import pytest

from tests.conftest import REPO

CHECKLIST = REPO / "tests" / "hardening_cases.toml"
REFERENCE = REPO.parent / "shared" / "reference" / "bad_inputs.md"


def _checklist() -> dict:
    with CHECKLIST.open("rb") as handle:
        return tomllib.load(handle)


@cache
def _collected(files: tuple[str, ...]) -> frozenset[str]:
    """The node ids pytest collects from ``files`` (collection only: nothing runs)."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return frozenset(line for line in done.stdout.splitlines() if "::" in line)


def _missing(ids: list[str]) -> list[str]:
    """The test ids that name no collected test (an id without brackets stands for every
    parametrization of its test)."""
    collected = _collected(tuple(sorted({i.split("::")[0] for i in ids})))
    return [i for i in ids if i not in collected and ("[" in i or not any(c.startswith(i + "[") for c in collected))]


def test_every_case_names_tests_that_exist() -> None:
    checklist = _checklist()
    rows = {row["id"] for row in checklist["row"]}
    cases = checklist["case"]
    assert len({case["id"] for case in cases}) == len(cases), "two cases share an id"
    for case in cases:
        assert case["tests"], f"{case['id']}: no test"
        assert (case.get("row") in rows) != (case.get("source") == "issue 13"), f"{case['id']}: no row or source"
    assert not _missing([test for case in cases for test in case["tests"]])


def test_every_row_has_its_cases() -> None:
    checklist = _checklist()
    covered = {case.get("row") for case in checklist["case"]}
    assert [row["id"] for row in checklist["row"] if row["id"] not in covered] == []


def test_the_rows_are_the_reference_tables() -> None:
    if not REFERENCE.is_file():
        pytest.skip(f"the reference {REFERENCE} is absent (../shared)")
    text = REFERENCE.read_text(encoding="utf-8").split("## What the tool must do", 1)[1]
    table = [line for line in text.splitlines() if line.startswith("|") and not line.startswith("|---")][1:]
    reference = [tuple(cell.strip() for cell in line.strip("|").split("|")) for line in table]
    assert [(row["input"], row["expected"]) for row in _checklist()["row"]] == reference


def _readme_tests() -> list[str]:
    """The test ids the README's "Safety and atomicity" table names (``::name`` is in the file
    named before it)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Safety and atomicity", 1)[1].split("\n## ", 1)[0]
    ids, file = [], ""
    for cell in re.findall(r"`([^`]+)`", section):
        if cell.startswith("tests/"):
            file = cell.split("::")[0]
            if "::" not in cell:
                continue
            ids.append(cell)
        elif cell.startswith("::"):
            ids.append(file + cell)
    return ids


def test_the_readmes_safety_claims_name_existing_tests() -> None:
    ids = _readme_tests()
    assert ids
    assert not _missing(ids)
