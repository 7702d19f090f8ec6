"""How a write to the store is marked and journaled, so that a crash at any point leaves the old
data or the new, and readers never see half of it.

Oxigraph's fast writes (bulk loads) are not transactions, and its transactions are slow for more
than a few thousand quads; so a write that is not one small transaction runs under a *marker*
(``dprk-kg.swap`` in the store folder), written before the store changes and rewritten with a
fresh token once it is done:

* a write that only adds graphs (a first import, a new store) records the graphs the store held
  before; if it dies, the graphs it was adding are removed (``finish``): the old data;
* a write that changes graphs first writes its *journal* (the N-Quads lines it removes and adds,
  the graphs it drops whole) beside the store, then the marker; it removes the lost quads and
  bulk-loads the gained ones; if it dies, ``finish`` applies the journal again (every step can
  be repeated): the new data.

A write that fails in its own process (a full disk, Ctrl-C) is finished there at once. Readers
(``storage.open_ox``) wait while a live writer's marker is up and call ``finish`` (through
``storage.recover``) when its writer died; they take their snapshot between two reads of the
marker that agree, so no write began or ended while they opened the store.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StoreError

if TYPE_CHECKING:
    import pyoxigraph

#: The write marker: while a write runs, who writes and how to finish it (``Write``); once it
#: is done, a fresh token, so a reader can tell that a write began or ended.
MARKER_FILE = "dprk-kg.swap"
#: The journal of a write that changes graphs: the quads it removes, and the quads it adds.
LOST_FILE = "dprk-kg.journal-lost.nq"
GAINED_FILE = "dprk-kg.journal-gained.nq"

#: Stores written by this process right now (a marker naming this process elsewhere is a
#: write it gave up, to be finished like a dead process's).
_ACTIVE: set[Path] = set()


def write_small(target: Path, data: str | bytes, sync: bool = False) -> None:
    """Write a file atomically (temporary sibling, then rename); ``sync`` makes it durable
    before the rename."""
    import tempfile

    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Change:
    """What a write does to graphs the store holds: the graphs it drops whole, and the N-Quads
    lines it removes (``lost``) and adds (``gained``), each parsed and valid."""

    drop: tuple[str, ...]
    lost: bytes
    gained: bytes


@dataclass(frozen=True)
class Write:
    """A write in progress, as its marker records it: the writer, and either the graphs the
    store held before it (a write that adds graphs; ``empty`` if it held nothing at all) or None
    and the graphs it drops whole (a journaled change)."""

    pid: int
    command: str
    before: tuple[str, ...] | None
    drop: tuple[str, ...] = ()
    empty: bool = False

    def alive(self, path: Path) -> bool:
        """Whether the write still runs: in this process, while it writes ``path``; elsewhere,
        while its process runs (a zombie, killed but not reaped, does not)."""
        if self.pid == os.getpid():
            return Path(path) in _ACTIVE
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        try:
            return Path(f"/proc/{self.pid}/stat").read_text().rpartition(") ")[2][:1] != "Z"
        except OSError:
            return True


def marker(path: Path) -> str:
    """The text of the write marker ('' when there is none: no write since this version)."""
    try:
        return (Path(path) / MARKER_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def running(text: str) -> Write | None:
    """The write a marker's text records as running, or None when no write runs."""
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError:
        data = {}
    if not isinstance(data, dict) or "pid" not in data:
        return None
    before = data.get("before")
    return Write(
        int(data["pid"]),
        str(data["command"]),
        tuple(before) if before is not None else None,
        tuple(data.get("drop", ())),
        bool(data.get("empty")),
    )


def command() -> str:
    """This process's command line as the user typed it, for messages naming a writer."""
    import sys

    return " ".join(["dprk-kg", *sys.argv[1:]])[:200]


@contextmanager
def writing(path: Path, store: pyoxigraph.Store, change: Change | None = None) -> Iterator[None]:
    """Mark a write to ``store`` (opened for writing at ``path``) as running while the block
    runs, the block adding graphs (``change`` None) or applying ``change`` (journaled here
    first). A block that fails is finished at once (``finish``: what it added is removed, a
    change is completed); if even that fails, the marker stays for the next command."""
    path = Path(path)
    record: dict[str, object] = {"pid": os.getpid(), "command": command()}
    if change is None:
        record["before"] = sorted(g.value for g in store.named_graphs())
        record["empty"] = next(iter(store), None) is None
    else:
        write_small(path / LOST_FILE, change.lost, sync=True)
        write_small(path / GAINED_FILE, change.gained, sync=True)
        record["drop"] = list(change.drop)
    _ACTIVE.add(path)
    try:
        write_small(path / MARKER_FILE, json.dumps(record) + "\n")
        yield
        store.flush()
    except BaseException as exc:
        _ACTIVE.discard(path)
        write = running(marker(path))
        try:
            if write is not None:
                finish(path, store, write)
        except Exception as again:  # the marker stays: the next command finishes the write
            exc.add_note(f"the write to {path} is left for the next command to finish ({again})")
        raise
    finally:
        _ACTIVE.discard(path)
    done(path)


def done(path: Path) -> None:
    """Mark the store's writes done with a fresh token (readers compare the marker), and
    remove the journal."""
    write_small(Path(path) / MARKER_FILE, json.dumps({"done": uuid.uuid4().hex}) + "\n")
    for name in (LOST_FILE, GAINED_FILE):
        (Path(path) / name).unlink(missing_ok=True)


def apply(store: pyoxigraph.Store, change: Change) -> None:
    """Apply a change: drop its graphs, remove the lost quads, then bulk-load the gained ones
    (in this order, so a quad written differently on each side ends up present). Every step
    can run again on its own result, which is how ``finish`` completes it after a crash."""
    import pyoxigraph as ox

    for graph in change.drop:
        store.remove_graph(ox.NamedNode(graph))
    for quad in ox.parse(change.lost, format=ox.RdfFormat.N_QUADS):
        store.remove(quad)
    store.bulk_extend(ox.parse(change.gained, format=ox.RdfFormat.N_QUADS))  # blank nodes keep their labels
    store.flush()


def finish(path: Path, store: pyoxigraph.Store, write: Write) -> str:
    """Finish a write its process left (``store`` open for writing): remove what a write
    adding graphs had loaded, or apply a change again from its journal; and the files a bulk
    load it cut short left beside the store. What was done and where the store stands, for a
    message."""
    import pyoxigraph as ox

    path = Path(path)
    for stale in path.glob("bulk-*.sst"):  # the bulk loader's files, never ingested
        stale.unlink()
    if write.before is not None:
        before = set(write.before)
        left = [g for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in before]
        if write.empty:
            store.clear()
        for graph in [] if write.empty else left:
            store.remove_graph(graph)
        store.flush()
        done(path)
        return f"removed the {len(left)} graph(s) it was adding; the store is as it was before it"
    try:
        change = Change(write.drop, (path / LOST_FILE).read_bytes(), (path / GAINED_FILE).read_bytes())
    except OSError as exc:
        raise StoreError(
            f"the store at {path} holds an unfinished write whose journal cannot be read ({exc}): "
            "run `dprk-kg build` and import the datasets again"
        ) from exc
    apply(store, change)
    done(path)
    return "completed it from its journal; the store holds its new data"
