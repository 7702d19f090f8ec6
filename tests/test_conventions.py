"""The project's plain rules, checked on the tree: short modules, no page markup in Python
strings, a README Layout section that names what is there (and nothing that is not), and an
``Example:`` in the help of every command."""

from __future__ import annotations

import ast
import re

import click
import pytest

from cli import main
from tests.conftest import REPO

GRAPH = REPO / "graph"
MODULES = sorted(p for p in GRAPH.rglob("*.py") if "__pycache__" not in p.parts)
#: What is built or ignored at the top of a checkout, never named in the Layout section.
UNLISTED = {"README.md", "__pycache__", "build", "dist"}


def _commands(group: click.Group, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name)


def _strings(text: str) -> list[str]:
    """Every string constant of a module but its docstrings."""
    tree = ast.parse(text)
    docstrings = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
    ]


def _layout() -> tuple[set[str], set[str]]:
    """The names the README's Layout block gives: at the top of the checkout, and in graph/."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^## Layout\n\n```\n(.*?)^```", readme, re.S | re.M)
    assert block, "the README has no Layout section with a code block"
    top: set[str] = set()
    graph: set[str] = set()
    for line in block.group(1).splitlines():
        names = re.split(r",\s*", re.split(r"\s{2,}", line.strip())[0])
        (graph if line.startswith("  ") else top).update(n.rstrip("/") for n in names if n)
    return top, graph


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(REPO)))
def test_modules_are_short_and_hold_no_page_markup(module):
    text = module.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 500
    tags = "html|head|body|div|p|a|ul|li|dl|dt|dd|code|style|script|table|span"
    markup = re.compile(rf"</?({tags})[ >]|function *\(|\{{[a-z-]+:")
    assert not [s for s in _strings(text) if markup.search(s)]


def test_the_readme_layout_names_what_is_there():
    top, graph = _layout()
    there = {p.name for p in REPO.iterdir() if not p.name.startswith(".") and not p.name.endswith(".egg-info")}
    assert top == there - UNLISTED, "README Layout vs the top of the checkout"
    in_graph = {p.name for p in GRAPH.iterdir() if p.name != "__pycache__" and (p.is_dir() or p.suffix == ".py")} - {
        "__init__.py"
    }
    assert graph == in_graph, "README Layout vs graph/"


@pytest.mark.parametrize("command", list(_commands(main)), ids=" ".join)
def test_every_command_has_an_example_in_its_help(runner, command):
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0, result.output
    example = result.stdout.split("Example:", 1)
    assert len(example) == 2, "no Example: in the help"
    assert f"dprk-kg {' '.join(command)}" in example[1]
