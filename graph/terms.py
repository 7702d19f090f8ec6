"""Term helpers every module shares: the project prefixes, shortening and expanding IRIs, dates.

This module imports nothing heavy (no rdflib), so a reading command can use it and stay fast.

>>> shorten("https://w3id.org/dprk-kg/id/lazarus-group")
'kg:lazarus-group'
>>> expand("kg:lazarus-group")
'https://w3id.org/dprk-kg/id/lazarus-group'
"""

from __future__ import annotations

import functools
import re
from datetime import date

from .errors import InputError

#: Prefixes bound in every export and predeclared in every query.
PREFIXES: dict[str, str] = {
    "dkg": "https://w3id.org/dprk-kg/ns#",
    "kg": "https://w3id.org/dprk-kg/id/",
    "src": "https://w3id.org/dprk-kg/source/",
    "dataset": "https://w3id.org/dprk-kg/dataset/",
    "stmt": "https://w3id.org/dprk-kg/statement/",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_LONGEST_FIRST = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@functools.lru_cache(maxsize=65536)
def shorten(iri: str) -> str:
    """An IRI as a prefixed name where a project prefix fits, else the IRI itself (memoized: a
    page or a table shortens the same IRIs many times).

    >>> shorten("https://w3id.org/dprk-kg/ns#Sanction"), shorten("https://example.org/x")
    ('dkg:Sanction', 'https://example.org/x')
    """
    for prefix, namespace in _LONGEST_FIRST:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def shorten_text(value: str) -> str:
    """Shorten every project IRI inside a text, e.g. a GROUP_CONCAT of source graphs.

    >>> shorten_text("https://w3id.org/dprk-kg/source/a https://w3id.org/dprk-kg/id/b")
    'src:a kg:b'
    """
    for prefix, namespace in _LONGEST_FIRST:
        value = value.replace(namespace, f"{prefix}:")
    return value


def expand(name: str) -> str:
    """The full IRI of a prefixed name (``kg:x``) or ``<iri>``; anything else is returned as is.

    >>> expand("dkg:Mixer"), expand("<https://e.org/x>"), expand("Tornado Cash")
    ('https://w3id.org/dprk-kg/ns#Mixer', 'https://e.org/x', 'Tornado Cash')
    """
    name = name.strip()
    if name.startswith("<") and name.endswith(">"):
        return name[1:-1]
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and " " not in name and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


def is_iri_like(name: str) -> bool:
    """Whether ``name`` is written as an IRI or a project CURIE rather than as a name.

    >>> is_iri_like("kg:sinbad"), is_iri_like("https://e.org/x"), is_iri_like("Sinbad")
    (True, True, False)
    """
    return expand(name) != name.strip() or name.strip().startswith(("http://", "https://"))


def check_date(value: str, option: str = "--since") -> str:
    """Accept ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a real calendar date) for ``option``.

    >>> check_date("2023-09")
    '2023-09'
    >>> check_date("2025-02-30", "--as-of")
    Traceback (most recent call last):
    ...
    graph.errors.InputError: --as-of: '2025-02-30' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)
    """
    message = f"{option}: {value!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
    value = value.strip()
    if not _DATE.match(value):
        raise InputError(message)
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        date(parts[0], parts[1], parts[2])
    except ValueError as exc:
        raise InputError(message) from exc
    return value


def check_period(since: str | None, until: str | None) -> tuple[str | None, str | None]:
    """Both dates checked, and ``since`` not after ``until`` (compared at their common precision).

    >>> check_period("2024", "2023-05")
    Traceback (most recent call last):
    ...
    graph.errors.InputError: --since 2024 is after --until 2023-05
    """
    since = check_date(since, "--since") if since else None
    until = check_date(until, "--until") if until else None
    if since and until and not on_or_before(since, until):
        raise InputError(f"--since {since} is after --until {until}")
    return since, until


def on_or_after(day: str, since: str) -> bool:
    """Whether a date (possibly only a year or month) reaches ``since``: periods that overlap count.

    >>> on_or_after("2023", "2023-06-01"), on_or_after("2022-12-31", "2023")
    (True, False)
    """
    width = min(len(day), len(since))
    return bool(day) and day[:width] >= since[:width]


def on_or_before(day: str, until: str) -> bool:
    """Whether a date (possibly only a year or month) is not after ``until``.

    >>> on_or_before("2025-03", "2025-03-21"), on_or_before("2025-04-01", "2025-03-21")
    (True, False)
    """
    width = min(len(day), len(until))
    return bool(day) and day[:width] <= until[:width]


def today() -> str:
    """Today's date as ``YYYY-MM-DD`` (the default of ``--as-of``)."""
    return date.today().isoformat()
