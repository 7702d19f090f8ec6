"""`dprk-kg screen`: crypto addresses against the store, asserted on the JSON a script reads."""

from __future__ import annotations

import json

import pytest

from cli import main

RONIN = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"  # the Lazarus address OFAC listed (curated)
KEYS = {"input", "line", "format", "hit", "status", "address", "chains", "assets", "holders", "incidents", "sources"}


def screen(runner, store, *args, stdin: str | None = None):
    return runner.invoke(main, ["--store", str(store), "screen", *args], input=stdin)


def rows(result) -> list[dict]:
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_one_row_per_input_in_order(runner, built, tmp_path):
    listing = tmp_path / "in.txt"
    listing.write_text(f"  {RONIN.lower()}  \n\nnot an address\n0x{'0' * 39}1\n")
    found = rows(screen(runner, built["store"], str(listing), "--format", "json"))
    assert [(r["line"], r["status"], r["hit"]) for r in found] == [
        (1, "listed", True),
        (3, "not an address", False),
        (4, "no hit", False),
    ]
    assert all(set(r) == KEYS for r in found)
    hit = found[0]
    assert hit["format"] == "evm" and hit["address"].startswith("kg:address-eth-0x098b716b")
    assert [h["entity"] for h in hit["holders"]] == ["kg:lazarus-group"]
    assert "kg:ronin-bridge-hack" in hit["incidents"]
    assert hit["sources"] and all(s.startswith(("src:", "dataset:")) for s in hit["sources"])


def test_bitcoin_style_addresses_match_exactly(runner, real_store):
    sinbad = "bc1qq7p0es3dv5hcynjjf40f2xjjr6qp5py47d2f6n847vduuq9gvnyq7y9ecd"
    found = rows(screen(runner, real_store, "-", "--format", "json", stdin=f"{sinbad}\n{sinbad.upper()}\n"))
    assert [r["hit"] for r in found] == [True, False]
    programs = {p for h in found[0]["holders"] for d in h["designations"] for p in d["programs"]}
    assert {"DPRK3", "CYBER2"} <= programs


def test_status_as_of_a_date(runner, real_store):
    tornado = "0xd96f2B1c14Db8458374d9Aca76E26c3D18364307"
    assert rows(screen(runner, real_store, "-", "--format", "json", stdin=tornado))[0]["status"] == "delisted"
    found = rows(screen(runner, real_store, "-", "--format", "json", "--as-of", "2024-06-01", stdin=tornado))
    assert found[0]["status"] == "listed"
    assert found[0]["holders"][0]["entity"] == "kg:tornado-cash"


def test_csv_column_and_fail_on_hit(runner, built, tmp_path):
    table = tmp_path / "wallets.csv"
    table.write_text(f"name,address\nronin,{RONIN}\nother,0x{'1' * 40}\n")
    result = screen(runner, built["store"], str(table), "--column", "address", "--format", "json", "--fail-on-hit")
    assert result.exit_code == 1
    assert [r["line"] for r in json.loads(result.stdout)] == [2, 3]
    clean = screen(runner, built["store"], "-", "--fail-on-hit", "--format", "json", stdin=f"0x{'1' * 40}\n")
    assert clean.exit_code == 0


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("", (), "empty file"),
        ("\n\n", (), "empty file"),
        ("a,b\n1,2\n", ("--column", "address"), "--column 'address' is not in the header (columns: a, b)"),
    ],
)
def test_bad_input_is_one_line(runner, built, tmp_path, content, args, message):
    path = tmp_path / "in.csv"
    path.write_text(content)
    result = screen(runner, built["store"], str(path), *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


def test_unreadable_file_and_bad_date(runner, built, tmp_path):
    result = screen(runner, built["store"], str(tmp_path / "missing.txt"))
    assert result.exit_code == 2 and "missing.txt" in result.stderr
    result = screen(runner, built["store"], "-", "--as-of", "2025-02-30", stdin=RONIN)
    assert result.exit_code == 2 and "'2025-02-30' is not a date" in result.stderr


def test_control_characters_from_input_never_reach_the_terminal_raw(runner, built):
    result = screen(runner, built["store"], "-", "--format", "table", stdin="evil\x1b[31mred\n")
    assert "\x1b" not in result.stdout and "\\x1b" in result.stdout
