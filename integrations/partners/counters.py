"""Counters per window in the cache (no database query), shared by the partner API's rate limits."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.commands.core import Script

_REDIS_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
_scripts: dict[str, Script] = {}  # registered once per process, callable with any client


def window_count(key: str, *, timeout: int) -> int:
    """Adds one to the counter `key` (created with this timeout) and returns the new count.

    On Redis it is one round trip (a script: INCR, and EXPIRE on the window's first count); elsewhere it
    is the cache's `incr`, atomic on the local-memory cache and memcached, a read then a write on the
    database cache (so a burst of concurrent requests may be under-counted there).
    """
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(key, write=True)
        script = _scripts.get("count") or _scripts.setdefault("count", client.register_script(_REDIS_COUNT))
        return int(script(keys=[backend.make_and_validate_key(key)], args=[timeout], client=client))
    try:
        return backend.incr(key)
    except ValueError:  # the window's first count
        # add() fails when another request started the window at the same moment.
        started = backend.add(key, 1, timeout=timeout)
        return 1 if started else backend.incr(key)


def window_value(key: str) -> int:
    """The counter's current value (0 when the window has not started)."""
    return int(caches["default"].get(key) or 0)
