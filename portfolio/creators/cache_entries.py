"""Cache entries of what creators show (partner API anchors, short links, public pages) and how a change
drops them.

Deleting an entry is not enough: a reader that read the database just before a change committed could
write what it read just after the change deleted the entry, and the old answer would stand until the
entry expired. So a change replaces each entry with a short-lived marker, and readers only ever *add*
entries: an add never replaces the marker, so such a late reader caches nothing. While the marker lives
(INVALIDATED_SECONDS), readers of that entry read the database; then the next one caches again.

Readers treat an unreachable cache as a miss and cache nothing (common/cache.py): they read the
database, and a stalled cache costs at most one read timeout every CACHE_OUTAGE_SECONDS.
"""

from contextlib import suppress

from common import cache
from common.cache import CacheAway

INVALIDATED = "creators:invalidated"
# Longer than any read of the database that a reader does between its cache miss and its cache write.
INVALIDATED_SECONDS = 30


def entries_invalidate(keys) -> None:
    """Drops these entries for good: what a reader read before now can no longer be cached."""
    keys = list(keys)
    if keys:
        cache.set_many(dict.fromkeys(keys, INVALIDATED), timeout=INVALIDATED_SECONDS, guarded=False)


def entry_or_none(value):
    """A value read from the cache, or None for a missing or dropped entry."""
    return None if value is None or value == INVALIDATED else value


def entries_get_many(keys: list[str]) -> dict:
    """The live entries among these keys ({} while the cache is away): missing and dropped ones left out."""
    try:
        found = cache.get_many(keys)
    except CacheAway:
        return {}
    return {key: value for key, value in found.items() if entry_or_none(value) is not None}


def entries_add(values: dict, *, timeout: int) -> None:
    """Caches what was read from the database, where no entry (and no marker of a drop) is in the way (SET
    NX for them all, in one round trip on Redis); nothing while the cache is away."""
    with suppress(CacheAway):
        cache.add_many(values, timeout=timeout)
