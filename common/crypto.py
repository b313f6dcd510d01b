"""Encryption at rest: MultiFernet over TOKEN_ENCRYPTION_KEYS (the first key encrypts, all decrypt).

Every app that keeps a secret encrypted (OAuth tokens, partners' and endpoints' webhook secrets) uses
`encrypt` / `decrypt`, and registers the step that re-encrypts its rows under the first key with
`register_rotation` from its AppConfig.ready(). `manage.py rotate_token_keys` runs every step.
"""

from collections.abc import Callable
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEYS is empty: secrets cannot be stored.")
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.strip().encode()))
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"Key {position} of TOKEN_ENCRYPTION_KEYS is not a Fernet key (32 url-safe base64-encoded bytes)."
            ) from None
    return MultiFernet(fernets)


def cipher() -> MultiFernet:
    return _cipher(tuple(settings.TOKEN_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    """Empty stays empty (a token without a refresh token); anything else becomes a Fernet token."""
    if not value:
        return ""
    return cipher().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not value:
        return ""
    try:
        return cipher().decrypt(value.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with any key of TOKEN_ENCRYPTION_KEYS: "
            "a key that encrypted it was removed before `rotate_token_keys` ran."
        ) from None


def rotate(value: str) -> str:
    """Re-encrypts under the first key; empty stays empty."""
    if not value:
        return ""
    return cipher().rotate(value.encode()).decode()


# --- key rotation ------------------------------------------------------------------------------------

_rotations: dict[str, Callable[[], int]] = {}


def register_rotation(what: str, step: Callable[[], int]) -> None:
    """Registers the step that re-encrypts one kind of secret under the first key; `what` names that
    kind in the command's report (e.g. "OAuth tokens"). The step returns how many rows it re-encrypted."""
    _rotations[what] = step


def rotate_all() -> dict[str, int]:
    """Runs every registered rotation step; returns how many rows each re-encrypted."""
    return {what: step() for what, step in _rotations.items()}
