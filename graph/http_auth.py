"""HTTP authentication for the SPARQL servers ``graph.remote`` talks to: Basic and Digest
(RFC 7616, MD5 and SHA-256, ``auth`` quality of protection), answering the server's challenge.
The password lives in ``Credentials`` only: it is never shown, logged or put in a URL.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import InputError


@dataclass(frozen=True)
class Credentials:
    """A user and password for Basic or Digest authentication; the password is never shown."""

    user: str
    password: str = field(repr=False)
    source: str = ""  # where the password came from, e.g. "$DPRK_KG_PASSWORD", for messages

    @classmethod
    def from_env(cls, user: str | None, variable: str) -> Credentials | None:
        """The credentials for ``user`` with the password read from environment ``variable``;
        None without a user. A user whose variable is unset or empty is an InputError."""
        if not user:
            return None
        password = os.environ.get(variable, "")
        if not password:
            raise InputError(
                f"--user {user} needs a password in the environment variable "
                f"{variable} (it is never read from the command line)"
            )
        return cls(user, password, f"${variable}")


def parse_challenges(values: Iterable[str]) -> dict[str, dict[str, str]]:
    """The schemes and parameters of ``WWW-Authenticate`` headers, keyed by lower-case scheme.

    >>> parse_challenges(['Digest realm="SPARQL", nonce="n1", qop="auth"'])["digest"]["nonce"]
    'n1'
    """
    found: dict[str, dict[str, str]] = {}
    for value in values:
        for match in re.finditer(
            r'(?:^|,)\s*([A-Za-z][\w-]*)\s+((?:[\w-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^,\s]*)'
            r"\s*(?:,\s*|$))*)",
            value,
        ):
            params = {
                k.lower(): v[1:-1].replace('\\"', '"') if v.startswith('"') else v
                for k, v in re.findall(r'([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^,\s]*)', match.group(2))
            }
            found[match.group(1).lower()] = params
    return found


class Auth:
    """The authentication state for one server origin: its last challenge and Digest counter."""

    def __init__(self, credentials: Credentials):
        self.credentials = credentials
        self.scheme: str | None = None
        self.params: dict[str, str] = {}
        self.count = 0

    def accept(self, challenges: dict[str, dict[str, str]]) -> bool:
        """Take the strongest challenge offered (Digest before Basic); False if none fits."""
        for scheme in ("digest", "basic"):
            if scheme in challenges:
                self.scheme, self.params, self.count = scheme, challenges[scheme], 0
                return True
        return False

    def header(self, method: str, target: str) -> str | None:
        """The Authorization header for a request, or None before any challenge."""
        user, password = self.credentials.user, self.credentials.password
        if self.scheme == "basic":
            import base64

            return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        if self.scheme != "digest":
            return None
        algorithm = self.params.get("algorithm", "MD5")
        digest = hashlib.sha256 if algorithm.upper().startswith("SHA-256") else hashlib.md5

        def h(text: str) -> str:
            return digest(text.encode()).hexdigest()

        realm, nonce = self.params.get("realm", ""), self.params.get("nonce", "")
        self.count += 1
        nc, cnonce = f"{self.count:08x}", os.urandom(8).hex()
        ha1 = h(f"{user}:{realm}:{password}")
        if algorithm.lower().endswith("-sess"):
            ha1 = h(f"{ha1}:{nonce}:{cnonce}")
        ha2 = h(f"{method}:{target}")
        qops = [q.strip() for q in self.params.get("qop", "").split(",") if q.strip()]
        fields = {"username": user, "realm": realm, "nonce": nonce, "uri": target, "algorithm": algorithm}
        if "auth" in qops:
            fields["response"] = h(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
            fields.update(qop="auth", nc=nc, cnonce=cnonce)
        else:
            fields["response"] = h(f"{ha1}:{nonce}:{ha2}")
        if "opaque" in self.params:
            fields["opaque"] = self.params["opaque"]
        unquoted = ("qop", "nc", "algorithm")
        return "Digest " + ", ".join(f"{k}={v}" if k in unquoted else f'{k}="{v}"' for k, v in fields.items())
