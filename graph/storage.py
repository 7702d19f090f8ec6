"""Opening the store: the one module that decides where it is, whether it is current, and how
every command opens it (read-only unless writing), so no command gets it differently.

* ``ensure_current`` (every reader, before a query or a dataset): the store must exist; a write
  left unfinished (a killed import or build, a full disk) is finished and reported; if the
  curated files changed since the store was built, its curated part is rebuilt **from the
  folder it was built from** (``build --sources DIR`` is remembered in the store's build
  stamp), never from another one.
* ``open_store``: the store as a read-only rdflib Dataset, current; readers never take the write
  lock, so they work while an import runs.
* ``open_ox``: the raw Oxigraph store; opening it for writing records this process as the writer,
  so a second writer is refused with a message naming the first one's process id, and a damaged
  store is one line naming it and what to do. Opening it for reading gives a settled snapshot,
  never one taken while a write is half done: a write in progress is waited for, one whose
  process died is finished first (``recover``; how writes are marked: ``graph.journal``).
* ``prepare_build``: before a build does any work, the store folder must be writable and no
  other process may be writing it; a damaged store is moved aside (kept) and the imported
  datasets it held are named, to be imported again.

This module imports neither rdflib nor the build pipeline unless a rebuild is needed, so a query
starts fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import journal, paths
from .errors import InputError, OutputError, StoreError
from .files import read_bytes

if TYPE_CHECKING:
    import pyoxigraph
    from rdflib import Dataset

Progress = Callable[[str], None]

STAMP_FILE = "dprk-kg.build.json"
#: The build stamp of stores written before the stamp recorded its sources folder.
OLD_STAMP_FILE = "dprk-kg.fingerprint"
WRITER_FILE = "dprk-kg.writer"
DATASETS_FILE = "dprk-kg.datasets.json"
#: Named graphs under this prefix held a dataset being swapped in by earlier versions (and
#: by ``push`` on a server); one left in the store is a swap those versions did not finish.
STAGING = "urn:dprk-kg:staging:"
#: How often a reader looks again while another process writes.
WAIT_SECONDS = 0.05
DATASET_PREFIX = "https://w3id.org/dprk-kg/dataset/"


def _quiet(_: str) -> None:
    """The default progress callback: say nothing."""


@dataclass(frozen=True)
class BuildStamp:
    """What the store's curated part was built from: the digest of the ontology, shapes and
    source files, and the folder of the sources."""

    fingerprint: str
    sources: Path


def source_files(folder: Path = paths.SOURCES_DIR) -> list[Path]:
    """The curated source files, sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("no sources folder", folder)
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise InputError("no .ttl files in the sources folder", folder)
    return files


def input_files(folder: Path = paths.SOURCES_DIR) -> list[Path]:
    """Every file the curated graph is built from: the ontology, the shapes and the sources."""
    return [paths.ONTOLOGY_FILE, paths.SHAPES_FILE, *source_files(folder)]


def fingerprint(files: Iterable[Path]) -> str:
    """A digest of file names and contents: changes when the ontology or curated data change."""
    digest = hashlib.sha256()
    for path in sorted(Path(f) for f in files):
        digest.update(path.name.encode() + b"\0" + read_bytes(path, empty_ok=True) + b"\0")
    return digest.hexdigest()


def stamp(folder: Path = paths.SOURCES_DIR) -> str:
    """The build stamp for a store built now from ``folder``, as the text of its file."""
    return stamp_text(fingerprint(input_files(Path(folder).resolve())), folder)


def stamp_text(value: str, folder: Path = paths.SOURCES_DIR) -> str:
    """The text of a build stamp: the curated fingerprint and the sources folder."""
    return json.dumps({"fingerprint": value, "sources": str(Path(folder).resolve())})


def built_from(path: Path) -> BuildStamp | None:
    """The stamp the store was last built with, or None if its curated part is not complete
    (never built, or a rebuild was interrupted: the stamp is removed first, written last)."""
    path = Path(path)
    marker = path / STAMP_FILE
    if marker.is_file():
        try:
            data = json.loads(marker.read_text(encoding="utf-8"))
            return BuildStamp(str(data["fingerprint"]), Path(data["sources"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise StoreError(f"the build stamp {marker} is damaged ({exc}): run `dprk-kg build`") from exc
    old = path / OLD_STAMP_FILE
    if old.is_file():
        return BuildStamp(old.read_text().strip(), paths.SOURCES_DIR)
    return None


def write_stamp(path: Path, value: str | None) -> None:
    """Write the build stamp (``None`` removes it, before a rebuild starts)."""
    path = Path(path)
    (path / OLD_STAMP_FILE).unlink(missing_ok=True)
    if value is None:
        (path / STAMP_FILE).unlink(missing_ok=True)
    else:
        journal.write_small(path / STAMP_FILE, value + "\n")


def check_writable(path: Path) -> None:
    """Fail before any work if the store folder cannot be created or written to (tried for
    real, so a read-only file system counts even for root)."""
    import tempfile

    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path, prefix=".dprk-kg-write-test.")
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise OutputError(f"the store folder {path} is not writable: {exc.strerror or exc}") from exc


def _writer(path: Path) -> str:
    """Who holds the store's write lock, from the record each writer leaves once it has the
    lock (waited for a moment: the holder may have just taken it), for messages."""
    for _ in range(40):
        try:
            pid, _, command = (Path(path) / WRITER_FILE).read_text(encoding="utf-8").partition(" ")
            if int(pid) != os.getpid():
                os.kill(int(pid), 0)
                return f"process {int(pid)} ({command.strip()})" if command.strip() else f"process {int(pid)}"
        except (OSError, ValueError):
            pass
        time.sleep(WAIT_SECONDS)
    return "another process"


def unreadable(path: Path, exc: Exception) -> StoreError:
    """The one-line error for a store that fails to open or read: locked (naming the writer)
    or damaged (saying how to rebuild it)."""
    detail = " ".join(str(exc).split()) or type(exc).__name__
    if re.search(r"\block\b", detail, re.IGNORECASE):  # RocksDB's LOCK file, not a "block checksum"
        return StoreError(
            f"the store at {path} is being written by {_writer(path)}; wait for it to finish and run the command again"
        )
    if len(detail) > 200:
        detail = detail[:197] + "..."
    return StoreError(
        f"the store at {path} cannot be read ({detail}): run `dprk-kg build` to "
        "rebuild it (the damaged copy is kept beside it)"
    )


class InterruptedSwap(StoreError):
    """The store holds a write that did not finish: its process died (see ``recover``)."""


def open_ox(path: Path, read_only: bool = False) -> pyoxigraph.Store:
    """The raw pyoxigraph store at ``path``, read-only (no lock: readers never wait for the
    write lock, and the snapshot is settled, see ``_settled``) or for writing. A writer records
    its process id and command, so another writer is told who holds the store; a failure to
    open is one StoreError naming the store."""
    import pyoxigraph as ox

    path = Path(path)
    if read_only and not path.is_dir():
        raise StoreError(f"no store at {path}: run `dprk-kg build` first")
    try:
        store = _settled(path) if read_only else ox.Store(str(path))
    except (OSError, RuntimeError) as exc:  # RocksDB reports a damaged store as RuntimeError
        raise unreadable(path, exc) from exc
    if not read_only:
        journal.write_small(path / WRITER_FILE, f"{os.getpid()} {journal.command()}\n")
    return store


def _settled(path: Path) -> pyoxigraph.Store:
    """A read-only snapshot of the store taken while no write runs: the write marker is read
    before and after opening and must agree; a running write is waited for, one whose process
    died raises InterruptedSwap (``recover`` finishes it)."""
    import pyoxigraph as ox

    while True:
        before = journal.marker(path)
        write = journal.running(before)
        if write is not None:
            if not write.alive(path):
                raise InterruptedSwap(f"the store at {path} holds a write its process left unfinished")
            time.sleep(WAIT_SECONDS)
            continue
        store = ox.Store.read_only(str(path))
        if journal.marker(path) == before:
            return store
        del store


def staging_graphs(store: pyoxigraph.Store) -> list[str]:
    """Graphs left by a dataset swap that did not finish."""
    return [g.value for g in store.named_graphs() if g.value.startswith(STAGING)]


def record_datasets(path: Path, store: pyoxigraph.Store) -> None:
    """Remember which imported datasets the store holds, so that if it is ever damaged the
    rebuild can say which ones to import again."""
    names = sorted(g.value for g in store.named_graphs() if g.value.startswith(DATASET_PREFIX))
    target = Path(path) / DATASETS_FILE
    text = json.dumps(names, indent=1) + "\n"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        journal.write_small(target, text)


def recover(path: Path, progress: Progress) -> None:
    """Make the store settled before reading it: wait for a write another process is doing
    (saying so), finish one whose process died (saying how), and remove staging graphs left
    by an earlier version's swap."""
    path = Path(path)
    write = journal.running(journal.marker(path))
    if write is not None and write.alive(path):
        progress(f"waiting for process {write.pid} ({write.command}) to finish writing the store at {path}")
        while write is not None and write.alive(path):
            time.sleep(WAIT_SECONDS)
            write = journal.running(journal.marker(path))
    if write is not None:
        store = open_ox(path)
        try:
            done = journal.finish(path, store, write)
        finally:
            del store
        progress(f"a write to the store at {path} was left unfinished by process {write.pid} ({write.command}): {done}")
    reader = open_ox(path, read_only=True)
    try:
        left = staging_graphs(reader)
    finally:
        del reader
    if not left:
        return
    store = open_ox(path)
    try:
        for graph in staging_graphs(store):
            store.update(f"DROP SILENT GRAPH <{graph}>")
        store.flush()
    finally:
        del store
    progress(
        f"removed {len(left)} staging graph(s) left in the store at {path} by an interrupted "
        "import; the datasets are as they were before it"
    )


def ensure_current(path: Path, progress: Progress = _quiet, create: bool = False, check_swap: bool = True) -> None:
    """Make the store ready to read: it exists (or, with ``create``, is created by building its
    curated part), no write is running or left half done in it, and its curated part is current
    with the folder it was built from. With ``check_swap`` false, only a write marker sends it
    looking further: the query process checks the store it opens itself, so a query opens it
    once."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} is a file, not a store folder: give another --store")
    exists = path.is_dir() and any(path.iterdir())
    if not exists and not create:
        raise StoreError(f"no store at {path}: run `dprk-kg build` first")
    if exists and (check_swap or journal.running(journal.marker(path))):
        recover(path, progress)
    built = built_from(path) if exists else None
    folder = built.sources if built is not None else paths.SOURCES_DIR
    if built is not None and not folder.is_dir():
        progress(f"the store at {path} was built from {folder}, which is gone; using it as it is")
        return
    if built is None or built.fingerprint != fingerprint(input_files(folder)):
        from .build import checked_dataset, write_store

        progress(
            f"curated data in {folder} changed since the store at {path} was built; rebuilding its curated part"
            if built
            else f"building the curated part of the store at {path} from {folder}"
        )
        check_writable(path)
        write_store(checked_dataset(folder), path, folder)


def refresh_store(path: Path, progress: Progress = _quiet) -> None:
    """What a writer (an import) needs before it writes: the store current, created if new."""
    check_writable(path)
    ensure_current(path, progress, create=True)


def open_store(path: Path, progress: Progress = _quiet) -> Dataset:
    """The store as a read-only rdflib Dataset (the union of all graphs as its default graph),
    current with its sources; a clear error when missing or damaged."""
    from .store import open_dataset

    ensure_current(path, progress)
    return open_dataset(Path(path), read_only=True)


def prepare_build(path: Path, progress: Progress = _quiet) -> None:
    """Before a build does any work: the store folder is writable, no other process writes the
    store, and a damaged store is moved aside (kept) with the datasets it held named."""
    path = Path(path)
    check_writable(path)
    if not any(p for p in path.iterdir() if not p.name.startswith(".")):
        return
    try:
        store = open_ox(path)
    except StoreError as exc:
        if "being written" in str(exc):
            raise
        _set_aside(path, progress)
        return
    del store


def _set_aside(path: Path, progress: Progress) -> None:
    """Move a damaged store aside and name the datasets to import again."""
    kept = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%dT%H%M%S')}")
    datasets_file = path / DATASETS_FILE
    datasets = json.loads(datasets_file.read_text(encoding="utf-8")) if datasets_file.is_file() else []
    path.rename(kept)
    path.mkdir()
    progress(f"the store at {path} could not be read; it was moved to {kept} and its curated part is rebuilt now")
    if datasets:
        progress(
            "import these datasets again (`dprk-kg import ...`): "
            + ", ".join(d.removeprefix(DATASET_PREFIX) for d in datasets)
        )
    else:
        progress("no imported dataset was recorded in it; import again any dataset you had added")
