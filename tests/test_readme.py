"""The README's transcripts are the tool's real output: replayed in order on a fresh store.

Every ``$ `` command of the README's ```console blocks is run, in the order the README gives
them, in one shell environment where ``dprk-kg`` is on the PATH and ``DPRK_KG_STORE`` names a
fresh store, exactly as a new user following the README would (build, the imports of
../shared/data, then the reading commands). The output must match what the README prints, with
run-dependent values masked: durations, import times, today's date. Paths print as a user in the
checkout sees them (the store as ``exports/store``). A line ``...`` in the README stands for any
number of lines. (```text blocks, such as a server's, are not run.)

A server a transcript starts in the background (``oxigraph serve --bind 127.0.0.1:7878 ... &``)
listens on a free port instead: each port of ``SERVER_PORTS`` is replaced in the commands by a
free one, and back in their output. Whatever a command leaves running is stopped at the end.

To refresh the transcripts after a change of output, run
``DPRK_KG_README=update .venv/bin/python -m pytest tests/test_readme.py`` and review the diff.
"""

from __future__ import annotations

import datetime
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, SHARED_DATA

README = REPO / "README.md"
_BLOCK = re.compile(r"```console\n(.*?)```", re.S)
#: The loopback ports the README's servers listen on.
SERVER_PORTS = ("127.0.0.1:7878",)
_MASKS = [
    (re.compile(r"\b\d+(\.\d+)? s\b"), "N s"),
    (re.compile(r"\b[0-9a-f]{64}\b"), "DIGEST"),  # a push's build: imported graphs carry their import time
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ?"), "TIMESTAMP"),
    (re.compile(r"(as of:?\s+)\d{4}-\d\d-\d\d\b"), r"\1TODAY"),  # the default --as-of is the day it runs
]


def _mask(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    text = text.replace(datetime.date.today().isoformat(), "TODAY")
    return "\n".join(line.rstrip() for line in text.splitlines())


def _commands(block: str) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for each ``$ `` line of a console block."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
    return steps


def _matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` fits ``expected``, where a ``...`` line stands for any lines.

    >>> _matches(["a", "...", "z"], ["a", "b", "c", "z"]), _matches(["a", "z"], ["a", "b", "z"])
    (True, False)
    """
    segments: list[list[str]] = [[]]
    for line in expected:
        if line == "...":
            segments.append([])
        else:
            segments[-1].append(line)
    if len(segments) == 1:
        return expected == actual
    first, *middle, last = segments
    if actual[: len(first)] != first or (last and actual[len(actual) - len(last) :] != last):
        return False
    position, end = len(first), len(actual) - len(last)
    for segment in middle:
        starts = range(position, end - len(segment) + 1)
        found = next((i for i in starts if actual[i : i + len(segment)] == segment), None)
        if found is None:
            return False
        position = found + len(segment)
    return position <= end


def _free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


def _run(command: str, env: dict[str, str], ports: dict[str, str], groups: list[int]) -> list[str]:
    """The command's output lines (stdout and stderr, as a terminal shows them), with the test's
    store shown as the checkout's, the checkout's own paths relative and the servers' ports as
    the README gives them. The command runs in a process group of its own, kept in ``groups``
    when something of it is still running (a server started with ``&``)."""
    for port, free in ports.items():
        command = command.replace(port, free)
    process = subprocess.Popen(
        ["bash", "-c", "exec 2>&1\n" + command],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    text = process.communicate(timeout=600)[0]
    try:
        os.killpg(process.pid, 0)  # signal 0: is any process of the group still running?
    except ProcessLookupError:
        pass
    else:
        groups.append(process.pid)
    text = text.replace(env["DPRK_KG_STORE"], "exports/store").replace(f"{REPO}/", "")
    for port, free in ports.items():
        text = text.replace(free, port)
    return [line.rstrip() for line in text.splitlines()]


def _stop(groups: list[int]) -> None:
    """Stop what the commands left running."""
    for group in groups:
        try:
            os.killpg(group, signal.SIGTERM)
        except ProcessLookupError:  # it stopped by itself meanwhile
            continue


@pytest.mark.shared
def test_readme_transcripts_are_real_output(tmp_path):
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATA} (../shared is absent)")
    text = README.read_text(encoding="utf-8")
    env = {
        **os.environ,
        "DPRK_KG_STORE": str(tmp_path / "store"),
        "COLUMNS": "100",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    update = os.environ.get("DPRK_KG_README") == "update"
    mismatches = []
    new_text, last = [], 0
    ports = {port: _free_port() for port in SERVER_PORTS}
    groups: list[int] = []
    try:
        for block in _BLOCK.finditer(text):
            rebuilt = []
            for command, expected in _commands(block.group(1)):
                actual = _run(command, env, ports, groups)
                if not _matches([_mask(line) for line in expected], [_mask(line) for line in actual]):
                    mismatches.append(
                        f"$ {command}\n--- README\n" + "\n".join(expected) + "\n--- real output\n" + "\n".join(actual)
                    )
                rebuilt.append(
                    f"$ {command}\n" + "".join(f"{line}\n" for line in (actual if "..." not in expected else expected))
                )
            if update and rebuilt:
                new_text.append(text[last : block.start(1)] + "".join(rebuilt))
                last = block.end(1)
    finally:
        _stop(groups)
    if update:
        README.write_text("".join(new_text) + text[last:], encoding="utf-8")
        return
    assert not mismatches, "README transcripts differ from the real output:\n\n" + "\n\n".join(mismatches)
