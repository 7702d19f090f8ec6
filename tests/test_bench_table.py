"""`bench/run_all.py`: one table from every bench_*.py module, a failing module shown as a row."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import REPO


@pytest.fixture
def run_all():
    spec = importlib.util.spec_from_file_location("run_all", REPO / "bench" / "run_all.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_bench(folder, name: str, rows: str, quick: bool = False) -> None:
    """A bench_NAME.py module in ``folder`` whose ``measure`` returns ``rows`` (Python source)."""
    (folder / f"bench_{name}.py").write_text(f"QUICK = {quick}\ndef measure(quick=False):\n    return {rows}\n")


@pytest.fixture
def table(run_all, tmp_path, monkeypatch, capsys):
    """Run ``run_all.py ARGS`` over the bench_*.py files written to ``tmp_path``: exit code, output."""

    def run(*args: str) -> tuple[int, str]:
        monkeypatch.setattr(sys, "argv", ["run_all.py", *args])
        code = run_all.main(tmp_path)
        return code, capsys.readouterr().out

    return run


def test_one_table_with_a_failing_module_as_a_row(table, tmp_path) -> None:
    write_bench(
        tmp_path,
        "fast",
        "[{'measure': 'fast thing', 'baseline': 'slow thing', 'baseline_s': 2.0, "
        "'project_s': 1.0 if quick else 3.0, 'goal': 1.5}]",
        quick=True,
    )
    (tmp_path / "bench_broken.py").write_text(
        "QUICK = True\ndef measure(quick=False):\n    raise ValueError('no data here')\n"
    )
    code, out = table("--quick")
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("|")]
    assert lines[0] == "| measure | baseline | baseline (s) | project (s) | ratio | goal | met |"
    assert "| bench_broken: FAILED | ValueError: no data here |  |  |  |  | ERROR |" in lines
    assert "| fast thing | slow thing | 2.000 | 1.000 | 0.50x | <= 1.50x | yes |" in lines
    assert "1 benchmark(s) failed" in out


def test_a_missed_goal_is_shown_but_does_not_fail_the_run(table, tmp_path) -> None:
    write_bench(
        tmp_path,
        "slow",
        "[{'measure': 'slow thing', 'baseline': 'engine', 'baseline_s': 1.0, 'project_s': 4.0, 'goal': 2.0, "
        "'note': 'why'}]",
    )
    code, out = table()
    assert code == 0
    assert "| slow thing (why) | engine | 1.000 | 4.000 | 4.00x | <= 2.00x | NO |" in out
    assert "1 goal(s) not met; 0 benchmark(s) failed" in out


def test_quick_runs_only_the_quick_modules_unless_modules_are_named(table, tmp_path) -> None:
    for name, quick in (("everyday", True), ("scale", False)):
        row = f"{{'measure': '{name}', 'baseline': 'b', 'baseline_s': 1.0, 'project_s': 1.0, 'goal': 1.0}}"
        write_bench(tmp_path, name, f"[{row}]", quick)
    for args, measured in ((["--quick"], "| everyday"), (["--quick", "scale"], "| scale")):
        code, out = table(*args)
        assert code == 0
        assert [line.split(" | ")[0] for line in out.splitlines() if line.startswith("| ")] == ["| measure", measured]


def test_a_row_a_module_could_not_measure_fails_the_run_and_keeps_the_others(table, tmp_path) -> None:
    write_bench(
        tmp_path,
        "servers",
        "[{'measure': 'push to A', 'baseline': 'a', 'baseline_s': 1.0, 'project_s': 1.0, 'goal': 2.0}, "
        "{'measure': 'push to B', 'baseline': 'B is not installed', 'error': True}]",
    )
    code, out = table()
    assert code == 1
    assert "| push to A | a | 1.000 | 1.000 | 1.00x | <= 2.00x | yes |" in out
    assert "| push to B | B is not installed |  |  |  |  | ERROR |" in out
    assert "1 benchmark(s) failed" in out
