"""Bounded reading of the files an import is given: every check runs before a parser sees the
data, so a hostile file costs a one-line error (or one skipped record), never a hang, a crash
or gigabytes of memory.

- Files are read by ``graph.files`` (regular files only, up to a size cap); a record file of a
  folder import has its own smaller cap, ``MAX_RECORD_FILE_BYTES``.
- JSON: nesting depth, runs of digits and exponents are checked on the raw text first (Python's
  parser would recurse until it fails, spend quadratic time on a 5,000-digit integer, or read
  ``1e999999999`` as infinity); ``NaN`` and ``Infinity`` are refused.
- YAML front matter: size and nesting capped; anchors and aliases refused (an alias bomb of a few hundred
  bytes expands to gigabytes); integers of more than ``MAX_DIGITS`` digits refused; dates kept
  as the text they are, so an impossible date is that record's problem, not the parser's.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from pathlib import Path
from typing import Any

from ..errors import InputError

#: Size caps, in bytes (a DN write-up is a few KB).
MAX_RECORD_FILE_BYTES = 4 * 1024 * 1024
MAX_FRONT_MATTER_BYTES = 64 * 1024
MAX_JSON_DEPTH = 64
MAX_DIGITS = 64
#: A JSON string (no raw newline in it), written to match fast.
_JSON_STRING = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')
#: A JSON number token with too many digits or a 4-digit exponent.
_LONG_NUMBER = re.compile(rf"(?<![\w.+-])-?(?:\d{{{MAX_DIGITS + 1},}}|\d+(?:\.\d+)?[eE][+-]?\d{{4,}})(?![\w.])")
_BRACKETS = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}
_LONG_DIGITS = re.compile(rf"\d{{{MAX_DIGITS + 1},}}")


def load_json(text: str, path: Path) -> Any:
    """Parse JSON after checking its depth and numbers; any fault is an ``InputError`` with
    its line.

    The checks first run on the raw text (fast; brackets and digits inside strings can only
    make it look worse), and only when that looks wrong again with the strings blanked out.
    """
    problem = _json_problem(text)
    if problem and (problem := _json_problem(_JSON_STRING.sub('""', text))):
        raise InputError(problem[0], path, problem[1])

    def refuse(constant: str) -> None:
        raise InputError(f"{constant} is not a JSON number", path)

    try:
        return json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg}); the file may be truncated", path, exc.lineno) from exc


def _json_problem(text: str) -> tuple[str, int] | None:
    """Too deep or a number too large, with its line; None when neither."""
    depth = max(accumulate(text.encode("ascii", "ignore").translate(None, _DELETE), _step, initial=0))
    if depth > MAX_JSON_DEPTH:
        return f"JSON nested {depth} levels deep (at most {MAX_JSON_DEPTH} are read)", _depth_line(text)
    found = _LONG_NUMBER.search(text)
    if found:
        return (
            f"number {found.group()[:20]}... is too large (more than {MAX_DIGITS} digits or a 4-digit exponent)",
            text.count("\n", 0, found.start()) + 1,
        )
    return None


_DELETE = bytes(b for b in range(256) if b not in _BRACKETS)


def _step(total: int, byte: int) -> int:
    return total + _BRACKETS[byte]


def _depth_line(text: str) -> int:
    """The line where the JSON text first gets too deep."""
    depth = 0
    for index, char in enumerate(text):
        depth += _BRACKETS.get(ord(char), 0)
        if depth > MAX_JSON_DEPTH:
            return text.count("\n", 0, index) + 1
    return 1


def _yaml_loader():
    """A safe YAML loader class without anchors or aliases, with dates kept as text."""
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise yaml.composer.ComposerError(
                    None, None, "YAML anchors and aliases are not accepted", event.start_mark
                )
            return super().compose_node(parent, index)

    def timestamp_text(loader: Loader, node: yaml.ScalarNode) -> str:
        return loader.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp_text)
    return Loader


def load_front_matter(text: str) -> Any:
    """Parse a YAML front matter block; raises ``ValueError`` with the reason (and the line
    within the block where known) when it is refused."""
    import yaml

    if len(text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise ValueError(f"front matter is over {MAX_FRONT_MATTER_BYTES:,} bytes", 0)
    found = _LONG_DIGITS.search(text)
    if found:
        raise ValueError(f"a number of more than {MAX_DIGITS} digits", text.count("\n", 0, found.start()))
    indent = max((len(line) - len(line.lstrip(" ")) for line in text.splitlines()), default=0)
    brackets = max(accumulate(text.encode("ascii", "ignore").translate(None, _DELETE), _step, initial=0))
    if brackets > MAX_JSON_DEPTH or indent > 2 * MAX_JSON_DEPTH:
        raise ValueError(f"front matter nested too deeply (more than {MAX_JSON_DEPTH} levels)", 0)
    try:
        return yaml.load(text, Loader=_yaml_loader())
    except RecursionError as exc:
        raise ValueError("front matter nested too deeply for the YAML parser", 0) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ValueError(
            f"front matter is not valid YAML ({getattr(exc, 'problem', exc)})", mark.line if mark is not None else 0
        ) from exc
