"""Counters per window in the cache (no database query), shared by the partner API's rate limits.

While the cache is away (common/cache_guard.py) each web process counts on its own, in memory: the
limits then hold per process rather than for the whole service, and requests keep being answered.
"""

import time

from common import fastcache
from common.cache_guard import CacheAway, cache_call

_REDIS_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
_local: dict[str, tuple[int, float]] = {}  # while the cache is away: key -> (count, expiry on time.monotonic())
_LOCAL_MAX = 100_000


def window_count(key: str, *, timeout: int) -> int:
    """Adds one to the counter `key` (created with this timeout) and returns the new count.

    On Redis it is one round trip (a script: INCR, and EXPIRE on the window's first count); elsewhere it
    is the cache's `incr`, atomic on the local-memory cache and memcached, a read then a write on the
    database cache (so a burst of concurrent requests may be under-counted there). While the cache is
    away it is this process's count.
    """
    try:
        return cache_call("default", _count_in_cache, key, timeout)
    except CacheAway:
        return _count_locally(key, timeout)


def _count_in_cache(backend, key: str, timeout: int) -> int:
    handle = fastcache.redis_handle("default")
    if handle is not None:
        script = fastcache.script("count", _REDIS_COUNT)
        return int(script(keys=[handle.key(key)], args=[timeout], client=handle.client))
    try:
        return backend.incr(key)
    except ValueError:  # the window's first count
        # add() fails when another request started the window at the same moment.
        started = backend.add(key, 1, timeout=timeout)
        return 1 if started else backend.incr(key)


def window_value(key: str) -> int:
    """The counter's current value (0 when the window has not started)."""
    try:
        return int(cache_call("default", lambda backend: backend.get(key)) or 0)
    except CacheAway:
        count, expires = _local.get(key, (0, 0.0))
        return count if expires > time.monotonic() else 0


def _count_locally(key: str, timeout: int) -> int:
    now = time.monotonic()
    if len(_local) >= _LOCAL_MAX:
        for stale in [k for k, (_count, expires) in _local.items() if expires <= now]:
            del _local[stale]
        if len(_local) >= _LOCAL_MAX:
            _local.clear()
    count, expires = _local.get(key, (0, 0.0))
    if expires <= now:
        count, expires = 0, now + timeout
    _local[key] = (count + 1, expires)
    return count + 1
