"""The shape of API keys and webhook secrets, and how keys are checked without storing them.

A key is `<kind>_<prefix>_<secret>`: `rfk` for partners' keys, and other kinds for other holders (the
organizations' `rfo` keys). The prefix finds the row; only a SHA-256 of the secret is stored.
"""

import base64
import hashlib
import hmac
import re
import secrets
from functools import cache


@cache
def _key_format(kind: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(kind)}_(?P<prefix>[0-9a-f]{{12}})_(?P<secret>[A-Za-z0-9_-]{{43}})$")


def new_api_key(*, kind: str = "rfk") -> tuple[str, str, str]:
    """A fresh key as (full key, lookup prefix, SHA-256 of its secret part)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{kind}_{prefix}_{secret}", prefix, secret_hash(secret)


def parse_api_key(key: str, *, kind: str = "rfk") -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key of this kind, None for anything else."""
    match = _key_format(kind).match(key)
    return (match["prefix"], match["secret"]) if match else None


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
