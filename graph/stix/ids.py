"""Deterministic STIX identifiers and timestamps: the same graph always gives the same ids.

Domain objects (SDOs), relationships (SROs), reports and the bundle get UUIDv5 ids in the
project's own namespace, computed from the IRIs they stand for; observables (SCOs) get the id the
STIX 2.1 specification prescribes (section 2.9): UUIDv5 in the namespace the spec reserves for
SCOs, over the canonical JSON (RFC 8785, as ``stix2`` implements it) of their id-contributing
properties. Timestamps come from dates in the data, never from the clock.

>>> sdo_id("intrusion-set", "https://w3id.org/dprk-kg/id/lazarus-group")
'intrusion-set--...'
>>> sdo_id("intrusion-set", "https://w3id.org/dprk-kg/id/lazarus-group") == \\
...     sdo_id("intrusion-set", "https://w3id.org/dprk-kg/id/lazarus-group")
True
>>> timestamp("2023-06"), timestamp("2025-02-21")
('2023-06-01T00:00:00.000Z', '2025-02-21T00:00:00.000Z')
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid

#: The project's namespace for SDO and SRO ids: uuid5(NAMESPACE_URL, "https://w3id.org/dprk-kg/stix").
PROJECT_NAMESPACE = uuid.UUID("e731bc8c-c321-567f-839f-76703873bce1")
#: The namespace STIX 2.1 reserves for deterministic SCO ids (never used for SDOs or SROs).
SCO_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")

_NAMESPACE_BYTES = PROJECT_NAMESPACE.bytes
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def sdo_id(stix_type: str, *key: str) -> str:
    """The id of a domain object, relationship or report standing for ``key`` (IRIs, a role):
    ``uuid.uuid5(PROJECT_NAMESPACE, key)``, computed without building UUID objects (an export
    makes one per object).

    >>> sdo_id("report", "a", "b") != sdo_id("report", "a b")
    True
    >>> sdo_id("report", "a", "b") == f"report--{uuid.uuid5(PROJECT_NAMESPACE, 'a' + chr(31) + 'b')}"
    True
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + chr(31).join(key).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{stix_type}--{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@functools.lru_cache(maxsize=4096)
def report_id(graph: str) -> str:
    """The id of the report standing for a source graph (asked for by every amount it states)."""
    return sdo_id("report", graph)


def sco_id(stix_type: str, contributing: dict[str, str]) -> str:
    """The spec's deterministic id of an observable from its id-contributing properties.

    >>> sco_id("cryptocurrency-wallet", {"value": "0xabc"}).startswith("cryptocurrency-wallet--")
    True
    """
    from stix2.canonicalization.Canonicalize import canonicalize  # type: ignore[import-untyped]

    return f"{stix_type}--{uuid.uuid5(SCO_NAMESPACE, canonicalize(contributing, utf8=False))}"


def day(value: str) -> str | None:
    """The ``YYYY-MM-DD`` a date literal starts with, padding a year or month to its first day.

    >>> day("2022"), day("2022-11"), day("2022-11-08T10:00:00Z"), day("spring")
    ('2022-01-01', '2022-11-01', '2022-11-08', None)
    """
    found = _DATE.match(value)
    if not found:
        return None
    year, month, dom = found.groups()
    return f"{year}-{month or '01'}-{dom or '01'}"


def is_full_date(value: str) -> bool:
    """Whether a date literal names a day (``first_seen`` and ``start_time`` need one).

    >>> is_full_date("2023-06-02"), is_full_date("2023-06")
    (True, False)
    """
    found = _DATE.match(value)
    return bool(found and found.group(3))


@functools.lru_cache(maxsize=4096)
def timestamp(value: str) -> str:
    """A STIX timestamp (UTC, milliseconds) for the day a date literal names."""
    return f"{day(value)}T00:00:00.000Z"
