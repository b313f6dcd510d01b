"""API keys, the one door for every holder of them (partners' `rfk` keys, organizations' `rfo` keys).

A key is `<kind>_<prefix>_<secret>`: the prefix finds the row and only a SHA-256 of the secret is stored,
so the key itself exists only in its holder's hands. Keys are scoped and revoked, never deleted.

- this module: the shape of a key, making one, and checking a secret against its hash in constant time;
- `models.AbstractApiKey`: the columns and checks every stored key has;
- `authentication`: the DRF authentication base (`Authorization: Bearer <key>`), the caller it makes and the
  one scope check (`HasScopes`, reading the scopes an operation needs from the view);
- `schema`: how drf-spectacular describes a kind of key;
- `commands`: what the management commands that print a new key share.
"""

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from functools import cache
from typing import Protocol

from common.errors import ApplicationError

INVALID_KEY = "Invalid API key."
REVOKED_KEY = "This API key has been revoked."


@cache
def _key_format(kind: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(kind)}_(?P<prefix>[0-9a-f]{{12}})_(?P<secret>[A-Za-z0-9_-]{{43}})$")


def new_api_key(*, kind: str) -> tuple[str, str, str]:
    """A fresh key as (full key, lookup prefix, SHA-256 of its secret part)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{kind}_{prefix}_{secret}", prefix, secret_hash(secret)


def parse_api_key(key: str, *, kind: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key of this kind, None for anything else."""
    match = _key_format(kind).match(key)
    return (match["prefix"], match["secret"]) if match else None


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)


class StoredKey(Protocol):
    """What a key's check needs of its stored record: a row of an AbstractApiKey, or a cached copy of it."""

    secret_hash: str

    @property
    def is_revoked(self) -> bool: ...


def key_refusal(record: StoredKey | None, *, secret: str) -> str:
    """Why a key whose stored record is `record` (None: no key has its prefix) is refused; "" when it is
    not. An unknown key and a wrong secret are refused alike, so a caller learns nothing of which."""
    if record is None or not secret_matches(secret, record.secret_hash):
        return INVALID_KEY
    if record.is_revoked:
        return REVOKED_KEY
    return ""


def clean_scopes(scopes: Iterable[str], *, known: Iterable[str]) -> list[str]:
    """The scopes of a new key, sorted and once each; an unknown scope or none at all is refused."""
    known = list(known)
    scopes = sorted(set(scopes))
    unknown = [scope for scope in scopes if scope not in known]
    if unknown:
        raise ApplicationError.on_field("scopes", f"Unknown scope {unknown[0]!r}; the scopes are: {', '.join(known)}.")
    if not scopes:
        raise ApplicationError.on_field("scopes", "Give the key at least one scope.")
    return scopes
