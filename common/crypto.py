"""Encryption at rest: MultiFernet over TOKEN_ENCRYPTION_KEYS (the first key encrypts, all decrypt).

Every app that keeps a secret encrypted (OAuth tokens, partners' and endpoints' webhook secrets, the
sandbox's partner key) uses `encrypt` / `decrypt`, and registers its encrypted columns with
`register_rotation` from its AppConfig.ready(). `manage.py rotate_token_keys` re-encrypts them all under
the first key (`rotate_rows`), after which the other keys can be removed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, router, transaction


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

# Rows re-encrypted per transaction: each batch holds its rows' locks only while it rewrites them.
ROTATION_BATCH = 500


def rotate_rows(model: type[models.Model], fields: Sequence[str], *, batch_size: int | None = None) -> int:
    """Re-encrypts the encrypted `fields` of every row of `model` under the first key of
    TOKEN_ENCRYPTION_KEYS, `batch_size` (ROTATION_BATCH) rows at a time in primary-key order; returns how many.

    Each batch is read with its rows locked (SELECT ... FOR UPDATE) and written back in the same
    transaction, so a write to one of them meanwhile waits and is never overwritten by an older value."""
    batch_size = batch_size or ROTATION_BATCH
    using = router.db_for_write(model)
    manager = model._default_manager.db_manager(using)
    count, after = 0, None
    while True:
        with transaction.atomic(using=using):
            rows = manager.select_for_update().order_by("pk").only("pk", *fields)
            if after is not None:
                rows = rows.filter(pk__gt=after)
            batch = list(rows[:batch_size])
            if not batch:
                return count
            for row in batch:
                for field in fields:
                    setattr(row, field, rotate(getattr(row, field)))
            manager.bulk_update(batch, list(fields))
        count += len(batch)
        after = batch[-1].pk


@dataclass(frozen=True)
class _Rotation:
    model: type[models.Model]
    fields: tuple[str, ...]


_rotations: dict[str, _Rotation] = {}


def register_rotation(what: str, model: type[models.Model], fields: Sequence[str]) -> None:
    """Registers `model`'s encrypted `fields` for `rotate_token_keys`; `what` names the rows in its report
    (e.g. "OAuth token(s)")."""
    _rotations[what] = _Rotation(model=model, fields=tuple(fields))


def rotate_all() -> dict[str, int]:
    """Re-encrypts every registered column under the first key; returns how many rows of each kind."""
    return {what: rotate_rows(rotation.model, rotation.fields) for what, rotation in _rotations.items()}
