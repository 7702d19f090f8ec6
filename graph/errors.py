"""The library's errors. The CLI prints each as ``Error: ...`` and exits with its ``exit_code``.

Exit codes (also in the README and ``dprk-kg --help``):
0 success; 1 the graph violates its shapes (or an ASK query is false); 2 bad input (a data file,
a query, an option value, a reading command's --endpoint that is not an Oxigraph server); 3 the
store or a server is missing, stale, locked, unreachable or refuses a request; 4 an output
cannot be written; 5 a query or a server request ran past its time limit (or a result past a
size cap); 6 a server cut a result (row cap or its own time limit); 130 interrupted; 141 the
output pipe was closed by its reader.
"""

from __future__ import annotations

from pathlib import Path


class DprkKgError(Exception):
    """Base class: every error the CLI reports without a traceback."""

    exit_code = 1


class InputError(DprkKgError):
    """Unreadable or malformed input, located as ``file:line: message`` where known."""

    exit_code = 2

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        self.path = Path(path) if path is not None else None
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)


class ValidationFailed(DprkKgError):
    """The graph does not conform to the SHACL shapes; ``violations`` lists why."""

    exit_code = 1

    def __init__(self, violations: list):
        self.violations = violations
        super().__init__(f"{len(violations)} SHACL violation(s)")


class StoreError(DprkKgError):
    """The embedded store is missing, locked or unreadable."""

    exit_code = 3


class OutputError(DprkKgError):
    """An export or output file cannot be written."""

    exit_code = 4


class QueryTimeout(DprkKgError):
    """A query ran past its time limit; no partial result is printed."""

    exit_code = 5


class ResultTooLarge(DprkKgError):
    """A query's result passed the size cap the caller set; nothing of it is sent."""

    exit_code = 5


class Interrupted(DprkKgError):
    """Ctrl-C or SIGTERM arrived while a set of files was being switched; the message says which
    set (old or new) is in place."""

    exit_code = 130


class IncompleteResult(DprkKgError):
    """A server cut a result (a row cap or its own time limit); nothing partial is printed."""

    exit_code = 6
