"""The token vault's cipher: MultiFernet over TOKEN_ENCRYPTION_KEYS (the first key encrypts, all decrypt)."""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEYS is empty: OAuth tokens cannot be stored.")
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
            "A stored OAuth token cannot be decrypted with any key of TOKEN_ENCRYPTION_KEYS: "
            "a key that encrypted it was removed before `rotate_token_keys` ran."
        ) from None


def rotate(value: str) -> str:
    """Re-encrypts under the first key; empty stays empty."""
    if not value:
        return ""
    return cipher().rotate(value.encode()).decode()
