"""Reading the files a user names, bounded: the one place that opens them, so a hostile path
costs a one-line error naming it, never a hang or gigabytes of memory.

Only regular files are read: a FIFO would block forever, ``/dev/zero`` never ends, and both are
refused without being opened. A file is read up to a size cap (and never past it, even if it
grows meanwhile); an empty file, a folder or a missing file is an error naming the path; text is
UTF-8, a byte order mark accepted.

>>> regular(Path("/dev/zero"))
Traceback (most recent call last):
...
graph.errors.InputError: /dev/zero: not a regular file (a FIFO, device or socket); give a file
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import InputError

#: The largest file read whole (the real ATT&CK bundle is 37 MB).
MAX_FILE_BYTES = 256 * 1024 * 1024


def regular(path: Path) -> Path:
    """``path`` if it names a regular file, else an InputError saying what it is instead."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from exc
    if stat.S_ISDIR(info.st_mode):
        raise InputError("is a folder, expected a file", path)
    if not stat.S_ISREG(info.st_mode):
        raise InputError("not a regular file (a FIFO, device or socket); give a file", path)
    return path


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES, empty_ok: bool = False) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (not empty unless ``empty_ok``),
    or an InputError naming the path."""
    path = regular(path)
    size = path.stat().st_size
    if size > limit:
        raise InputError(f"file of {size:,} bytes is over the {limit:,}-byte limit", path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from exc
    if len(raw) > limit:
        raise InputError(f"file grew past the {limit:,}-byte limit while being read", path)
    if not empty_ok and not raw.strip(b"\x1a \r\n\t"):
        raise InputError("empty file", path)
    return raw


def decode(raw: bytes, path: Path) -> str:
    """UTF-8 text (a BOM is accepted); anything else is an InputError with the line and byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}", path, line) from exc


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The UTF-8 text of a regular, non-empty file of at most ``limit`` bytes."""
    return decode(read_bytes(path, limit), Path(path))
