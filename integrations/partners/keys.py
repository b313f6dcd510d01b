"""The shape of API keys and webhook secrets, and how keys are checked without storing them."""

import base64
import hashlib
import hmac
import re
import secrets

KEY_PREFIX = "rfk_"
_KEY_FORMAT = re.compile(r"^rfk_(?P<prefix>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")


def new_api_key() -> tuple[str, str, str]:
    """A fresh key as (full key, lookup prefix, SHA-256 of its secret part)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    return f"{KEY_PREFIX}{prefix}_{secret}", prefix, secret_hash(secret)


def parse_api_key(key: str) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed key, None for anything else."""
    match = _KEY_FORMAT.match(key)
    return (match["prefix"], match["secret"]) if match else None


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)


def new_webhook_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
