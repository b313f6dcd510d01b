"""A local-memory cache that lets a test put a change between a reader's database read and its cache write.

`RacingLocMemCache.before_write` (a callable, or None) runs once, just before the first write of an
entry whose key contains `RacingLocMemCache.key_part`: the moment a reader that has read the database is
about to cache what it read. Used as the test's CACHES backend; it is Django's cache, not our code.
"""

from django.core.cache.backends.locmem import LocMemCache


class RacingLocMemCache(LocMemCache):
    before_write = None
    key_part = ""

    def _race(self, key: str) -> None:
        cls = type(self)
        if cls.before_write is not None and cls.key_part and cls.key_part in key:
            change, cls.before_write = cls.before_write, None
            change()

    def add(self, key, *args, **kwargs):
        self._race(key)
        return super().add(key, *args, **kwargs)

    def set(self, key, *args, **kwargs):
        self._race(key)
        return super().set(key, *args, **kwargs)
