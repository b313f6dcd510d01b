"""The cache: every read and write of a cache in the project goes through here, with the outage breaker.

No other module imports django.core.cache (an import contract in pyproject.toml holds this), so no cache
call can escape the breaker:

- **The breaker.** A Redis that is down refuses at once, but a stalled one (it accepts the connection and
  never answers) holds every call until the read timeout (CACHE_READ_TIMEOUT) ends it. So after one
  failure, every caller in this process treats that cache server as away for CACHE_OUTAGE_SECONDS and
  gets CacheAway at once, without waiting; then the next call tries the server again. Each caller takes
  its own fallback (the database, a per-process count). One log line is written when a server goes away
  and one when it answers again, not one per request.
- **The hot paths.** Django's Redis cache builds a `redis.Redis` client on every call (about 0.2 ms each,
  more than the round trip it makes). Here, on Redis, a client is built once per process and alias over
  the backend's own connection pool, keys and values are made exactly as Django's cache makes them (so
  both read each other's entries), and server-side scripts are registered once. On the embedded defaults
  (local-memory or database cache) the same functions call Django's cache API.
- **Scripts that count.** A script that timed out may still run when the server answers again, or may
  never have been sent (the timeout came while the connection was being set up). `run_script` tells the
  two apart (CacheAway.maybe_applied), so a caller counts elsewhere only what the server cannot count.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import time
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import default_key_func
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisSerializer
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.dispatch import receiver
from redis import Redis
from redis.commands.core import Script
from redis.exceptions import NoScriptError, RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from common import metrics

logger = logging.getLogger(__name__)

T = TypeVar("T")

# --- The breaker ----------------------------------------------------------------------------------

# What an unreachable or failing cache raises: Redis' errors, a socket's, the database cache's.
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError, DatabaseError)

_away_until: dict[str, float] = {}


class CacheAway(Exception):
    """The cache did not answer (or failed lately and is skipped for now).

    `maybe_applied` is True when the command had been sent when the answer timed out: the server may
    still carry it out once it answers again, so the caller must not do the same work elsewhere too.
    """

    def __init__(self, alias: str, *, maybe_applied: bool = False):
        super().__init__(f"The cache {alias!r} is unreachable.")
        self.alias = alias
        self.maybe_applied = maybe_applied


class _SentUnanswered(RedisTimeoutError):
    """A script reached the server, which did not answer in time (run_script raises it)."""


def _server(alias: str) -> str:
    """Aliases on the same server share its state: `default` and `clicks` are one Redis in production."""
    config = settings.CACHES.get(alias, {})
    return f"{config.get('BACKEND', '')}|{config.get('LOCATION', alias)}"


def call(alias: str, function: Callable[..., T], *args, always: bool = False, **kwargs) -> T:
    """`function(<the alias's Django cache>, *args, **kwargs)`; raises CacheAway when the cache fails or
    failed lately. The door's own functions below are built on it; callers with a sequence of their own
    (the click counters) pass it the whole sequence, so that it meets the breaker once.

    `always` tries the cache even while it is skipped as away (a failure still keeps it skipped): for
    writes that drop what would otherwise stay stale (a revocation, an invalidation), worth a try always.
    """
    server = _server(alias)
    until = _away_until.get(server)
    if not always and until is not None and time.monotonic() < until:
        raise CacheAway(alias)
    try:
        result = function(caches[alias], *args, **kwargs)
    except CACHE_ERRORS as exc:
        if server not in _away_until:
            metrics.CACHE_BREAKER_OPENED.labels(cache=alias).inc()
            metrics.CACHE_BREAKER_OPEN.labels(cache=alias).set(1)
            logger.warning(
                "cache unreachable: reading from the database, counting in the database and per process, "
                "for %ss at a time",
                settings.CACHE_OUTAGE_SECONDS,
                extra={"cache": alias, "error": f"{type(exc).__name__}: {exc}"[:300]},
            )
        _away_until[server] = time.monotonic() + settings.CACHE_OUTAGE_SECONDS
        raise CacheAway(alias, maybe_applied=isinstance(exc, _SentUnanswered)) from exc
    if until is not None:
        _away_until.pop(server, None)
        metrics.CACHE_BREAKER_OPEN.labels(cache=alias).set(0)
        logger.warning("cache reachable again", extra={"cache": alias})
    return result


def outage_forget() -> None:
    """Tries every cache again at the next call (tests, and a process that knows the outage is over)."""
    _away_until.clear()
    for alias in settings.CACHES:
        metrics.CACHE_BREAKER_OPEN.labels(cache=alias).set(0)


def probe(alias: str, value: str) -> bool:
    """Writes a value and reads it back, past the breaker, letting any failure through (for /readyz, which
    must see the cache itself, not this process's memory of it)."""
    backend = caches[alias]
    backend.set("readyz:probe", value, timeout=10)
    return backend.get("readyz:probe") == value


# --- What a cache is ------------------------------------------------------------------------------


def is_database(alias: str = "default") -> bool:
    """Django's database cache: its `incr` is a read then a write, so counters lock the row themselves."""
    return isinstance(caches[alias], DatabaseCache)


def is_process_local(alias: str = "default") -> bool:
    """The local-memory cache: what it holds, no other process sees."""
    return isinstance(caches[alias], LocMemCache)


# --- The hot paths' Redis client ------------------------------------------------------------------


@dataclass(frozen=True)
class RedisHandle:
    """A Redis cache alias as the hot paths use it: one client, the cache's key function and serializer."""

    client: Redis
    make_key: Callable[[str], str]
    dumps: Callable[[Any], Any]
    loads: Callable[[Any], Any]

    def key(self, key: str) -> str:
        return self.make_key(key)


def _loads(serializer) -> Callable[[Any], Any]:
    """The serializer's loads; Django's own reads a pickle without first trying it as an integer (the
    ValueError it raises and catches costs more than the unpickling of a small entry)."""
    if type(serializer) is not RedisSerializer:
        return serializer.loads

    def loads(data):
        if data[:1] == _PICKLE_PROTOCOL:  # protocol 2 and later open with PROTO; no integer does
            return pickle.loads(data)  # noqa: S301 - our own cache's entries, as Django's serializer reads them
        return serializer.loads(data)

    return loads


_PICKLE_PROTOCOL = pickle.PROTO


def _key_maker(backend) -> Callable[[str], str]:
    """The backend's make_key; with Django's default key function, the same as a plain concatenation."""
    if backend.key_func is default_key_func:
        start = f"{backend.key_prefix}:{backend.version}:"
        return start.__add__
    return backend.make_key


_handles: dict[str, tuple[dict | None, RedisHandle | None]] = {}  # alias -> (its CACHES entry, handle)
_scripts: dict[str, Script] = {}


def redis_handle(alias: str = "default") -> RedisHandle | None:
    """The alias's reused client (None when the alias is not a Redis cache)."""
    config = settings.CACHES.get(alias)
    known = _handles.get(alias)
    if known is not None and known[0] is config:
        return known[1]
    backend = caches[alias]
    if not isinstance(backend, RedisCache):
        _handles[alias] = (config, None)
        return None
    cache_client = backend._cache
    # The backend's own pool (the primary's): connections are shared with Django's cache calls.
    pool = cache_client._get_connection_pool(write=True)  # type: ignore[attr-defined]
    serializer = cache_client._serializer  # type: ignore[attr-defined]
    handle = RedisHandle(
        client=cache_client._client(connection_pool=pool),  # type: ignore[attr-defined]
        make_key=_key_maker(backend),
        dumps=serializer.dumps,
        loads=_loads(serializer),
    )
    _handles[alias] = (config, handle)
    return handle


def redis_client(alias: str = "default") -> Redis:
    """The alias's reused Redis client, for callers that already know the alias is Redis."""
    handle = redis_handle(alias)
    if handle is None:
        raise TypeError(f"The cache {alias!r} is not Redis.")
    return handle.client


@receiver(setting_changed)
def _forget_handles(*, setting, **kwargs):
    if setting == "CACHES":
        _handles.clear()


def script(name: str, source: str) -> Script:
    """A server-side script registered once per process (EVALSHA, loaded again when the server lost it)."""
    found = _scripts.get(name)
    if found is None or found.script != source.encode():
        # Registering needs no connection: Script only hashes the source here.
        found = _scripts[name] = Script(None, source.encode())  # type: ignore[arg-type]
    return found


def run_script(
    alias: str, name: str, source: str, *, keys: list[str], args: list, made_keys: Iterable[str] = ()
) -> Any:
    """Runs a script on the alias's Redis with the cache's own keys (then `made_keys`, keys already made by
    another alias's key function), in one round trip; raises CacheAway.

    CacheAway.maybe_applied is True only when the script reached the server and the answer timed out: a
    timeout while the connection was being made (the server accepts it, then answers nothing, not even the
    connection's own setup) sent nothing, and the caller may do the work elsewhere. Only for Redis
    aliases: callers check `redis_handle(alias)` first and count another way elsewhere.
    """

    def operation(_backend):
        handle = redis_handle(alias)
        if handle is None:
            raise TypeError(f"The cache {alias!r} is not Redis.")
        return _run_exactly(handle, script(name, source), [*(handle.key(k) for k in keys), *made_keys], args)

    return call(alias, operation)


def _run_exactly(handle: RedisHandle, found: Script, keys: list[str], args: list) -> Any:
    pool = handle.client.connection_pool
    connection = pool.get_connection()  # connected (and set up) first: a failure here sent nothing
    try:
        connection.send_command("EVALSHA", found.sha, len(keys), *keys, *args)
        try:
            return connection.read_response()
        except NoScriptError:  # the server lost its scripts (a restart): the source itself, once
            connection.send_command("EVAL", found.script, len(keys), *keys, *args)
            return connection.read_response()
    except RedisTimeoutError as exc:
        connection.disconnect()  # its late answer must never be read as another command's
        raise _SentUnanswered(str(exc)) from exc
    finally:
        pool.release(connection)


def get_many(keys: list[str], *, alias: str = "default") -> dict:
    """{key: value} for the keys the cache holds; raises CacheAway. One MGET on Redis."""
    if not keys:
        return {}

    def operation(backend):
        handle = redis_handle(alias)
        if handle is None:
            return backend.get_many(keys)
        values = handle.client.mget([handle.key(k) for k in keys])
        return {key: handle.loads(value) for key, value in zip(keys, values, strict=True) if value is not None}

    return call(alias, operation)


def add_many(values: dict, *, timeout: int | None, alias: str = "default") -> None:
    """Adds each entry where the key is free (SET NX, one pipelined round trip on Redis); raises CacheAway."""
    if not values:
        return

    def operation(backend):
        handle = redis_handle(alias)
        if handle is None:
            for key, value in values.items():
                backend.add(key, value, timeout)
            return
        pipeline = handle.client.pipeline(transaction=False)
        seconds = backend.get_backend_timeout(timeout)
        expires = None if seconds is None else max(1, int(seconds))
        for key, value in values.items():
            pipeline.set(handle.key(key), handle.dumps(value), nx=True, ex=expires)
        pipeline.execute()

    call(alias, operation)


def set_many(values: dict, *, timeout: int | None, alias: str = "default", guarded: bool = True) -> None:
    """Sets each entry (one pipelined round trip on Redis); raises CacheAway.

    `guarded=False` tries the cache even while it is skipped as away (`call`'s `always`).
    """
    if not values:
        return

    def operation(backend):
        handle = redis_handle(alias)
        if handle is None:
            backend.set_many(values, timeout)
            return
        pipeline = handle.client.pipeline(transaction=False)
        seconds = backend.get_backend_timeout(timeout)
        expires = None if seconds is None else max(1, int(seconds))
        for key, value in values.items():
            pipeline.set(handle.key(key), handle.dumps(value), ex=expires)
        pipeline.execute()

    call(alias, operation, always=not guarded)


# The partner API's warm request in one round trip: the API key's record; when the cache holds it, one
# more on the key's counter of the window (INCR, and EXPIRE on the window's first count, as counters.py
# does) and the entries asked for. A key the cache does not hold counts nothing here: the caller then
# takes its slow path (the database), which counts.
#
# With a version check (ARGV[2] > 0 tags the client already holds), KEYS[3 .. 2+n] are the entries'
# version keys and KEYS[3+n ..] the entries: the versions are read first and, when every one is there,
# their digest (`version_digest`) is compared with the tags; a match answers without reading the entries.
# Versions are integers (stored as digits, as Django's Redis serializer stores ints).
_GATED_READ = """
local record = redis.call('GET', KEYS[1])
if not record then return {false} end
local count = redis.call('INCR', KEYS[2])
if count == 1 then redis.call('EXPIRE', KEYS[2], ARGV[1]) end
local tags = tonumber(ARGV[2])
local result = {record, count, false}
if #KEYS == 2 then return result end
if tags > 0 then
  local n = (#KEYS - 2) / 2
  local versions = redis.call('MGET', unpack(KEYS, 3, 2 + n))
  local parts = {ARGV[3 + tags]}
  local whole = true
  for i = 1, n do
    local version = versions[i]
    if not version or not string.match(version, '^%d+$') then
      whole = false
      break
    end
    parts[2 * i] = ARGV[3 + tags + i]
    parts[2 * i + 1] = version
  end
  if whole then
    local digest = string.sub(redis.sha1hex(table.concat(parts, '\\n')), 1, 32)
    for i = 1, tags do
      if ARGV[2 + i] == digest then
        result[3] = digest
        return result
      end
    end
  end
  for i = 1, n do result[3 + i] = versions[i] end
  local entries = redis.call('MGET', unpack(KEYS, 3 + n))
  for i = 1, #entries do result[3 + n + i] = entries[i] end
  return result
end
local entries = redis.call('MGET', unpack(KEYS, 3))
for i = 1, #entries do result[3 + i] = entries[i] end
return result
"""


def version_digest(head: str, labels: list[str], versions: list[int]) -> str:
    """32 hex digits naming (head, each label with its version), in order: what the script computes."""
    parts = [head]
    for label, version in zip(labels, versions, strict=True):
        parts += (label, str(version))
    return hashlib.sha1("\n".join(parts).encode(), usedforsecurity=False).hexdigest()[:32]


def is_version(value) -> bool:
    return type(value) is int and value >= 0


@dataclass(frozen=True)
class VersionCheck:
    """The entries' version keys (one per entry, in the same order), the digest's head and labels, and the
    digests the client holds."""

    keys: list[str]
    head: str
    labels: list[str]
    tags: list[str]


@dataclass(frozen=True)
class GatedRead:
    record: Any  # the gate's record, None when the cache does not hold it (then nothing was counted or read)
    count: int  # the counter's new value
    entries: dict  # {key: value} of the entries the cache holds (nothing when `matched`)
    matched: str | None = None  # the tag the versions' digest matched: the entries were not read
    versions: dict | None = None  # {key: value} of the version keys held, when a check was asked and failed


def gated_read(
    *, record_key: str, counter_key: str, counter_timeout: int, keys: list[str], check: VersionCheck | None = None
) -> GatedRead:
    """A record, a counter and entries in ONE round trip on Redis (a script); raises CacheAway.

    With `check`, the entries' versions are read first: when all are held and their digest is one of the
    tags, the answer is `matched` and no entry is read. On other caches: the record, then (when there is
    one) the counter, the versions and the entries, one call each.
    """
    checked = check if check is not None and check.tags and check.keys else None

    def operation(backend):
        handle = redis_handle("default")
        if handle is None:
            record = backend.get(record_key)
            if record is None:
                return GatedRead(None, 0, {})
            count = _incr_or_start(backend, counter_key, counter_timeout)
            versions = None
            if checked is not None:
                versions = backend.get_many(checked.keys)
                held = [versions.get(key) for key in checked.keys]
                if all(is_version(v) for v in held):
                    digest = version_digest(checked.head, checked.labels, held)
                    if digest in checked.tags:
                        return GatedRead(record, count, {}, matched=digest)
            return GatedRead(record, count, backend.get_many(keys), versions=versions)
        names = [*(checked.keys if checked else ()), *keys]
        stored_keys = [handle.key(k) for k in (record_key, counter_key, *names)]
        args: list = [counter_timeout, 0]
        if checked is not None:
            args = [counter_timeout, len(checked.tags), *checked.tags, checked.head, *checked.labels]
        result = script("gated_read", _GATED_READ)(keys=stored_keys, args=args, client=handle.client)
        if not result[0]:
            return GatedRead(None, 0, {})
        loads = handle.loads
        record, count = loads(result[0]), int(result[1])
        if result[2]:
            return GatedRead(record, count, {}, matched=result[2].decode())
        values = {key: loads(value) for key, value in zip(names, result[3:], strict=False) if value is not None}
        if checked is None:
            return GatedRead(record, count, values)
        versions = {key: values.pop(key) for key in checked.keys if key in values}
        return GatedRead(record, count, values, versions=versions)

    return call("default", operation)


def _incr_or_start(backend, key: str, timeout: int) -> int:
    try:
        return backend.incr(key)
    except ValueError:  # the window's first count; add() fails when another request started it meanwhile
        return 1 if backend.add(key, 1, timeout=timeout) else backend.incr(key)


# Takes one back only from a counter that still exists: DECR on a key that expired meanwhile would create
# one at -1 that never expires.
_UNCOUNT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0
"""


def decr(key: str, *, alias: str = "default") -> None:
    """Takes one back from a counter (an undone count), if it has not expired; raises CacheAway."""

    def operation(backend):
        handle = redis_handle(alias)
        if handle is not None:
            script("uncount", _UNCOUNT)(keys=[handle.key(key)], client=handle.client)
            return
        with suppress(ValueError):  # expired meanwhile: nothing to take back
            backend.decr(key)

    call(alias, operation)


def add(key: str, value: Any, *, timeout: int, alias: str = "default") -> bool:
    """Sets the key only where it is free (SET NX with an expiry, one round trip on Redis); True when this
    call set it. Raises CacheAway."""

    def operation(backend):
        handle = redis_handle(alias)
        if handle is None:
            return bool(backend.add(key, value, timeout))
        return bool(handle.client.set(handle.key(key), handle.dumps(value), nx=True, ex=max(1, int(timeout))))

    return call(alias, operation)


def delete(key: str, *, alias: str = "default") -> None:
    """Deletes the key (one round trip on Redis), even while the cache is skipped as away (`call`'s
    `always`); raises CacheAway."""

    def operation(backend):
        handle = redis_handle(alias)
        if handle is None:
            backend.delete(key)
            return
        handle.client.delete(handle.key(key))

    call(alias, operation, always=True)


def delete_many(keys: list[str], *, alias: str = "default") -> None:
    """Deletes the keys; raises CacheAway."""
    if keys:
        call(alias, lambda backend: backend.delete_many(keys))


def get(key: str, *, alias: str = "default") -> Any:
    """The value the cache holds for the key (None for none); raises CacheAway."""
    return get_many([key], alias=alias).get(key)


def set_value(key: str, value: Any, *, timeout: int | None, alias: str = "default") -> None:
    """Sets the key; raises CacheAway."""
    set_many({key: value}, timeout=timeout, alias=alias)


# A counter of a window: INCR, and EXPIRE on the window's first count (one round trip).
_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def count(key: str, *, timeout: int, alias: str = "default") -> int:
    """Adds one to the counter `key` (created with this timeout) and returns the new count; raises CacheAway.

    On Redis one round trip (a script: INCR, and EXPIRE on the counter's first count); elsewhere the
    cache's `incr`, atomic on the local-memory cache and memcached, a read then a write on the database
    cache (so a burst of concurrent requests may be under-counted there).
    """

    def operation(backend):
        handle = redis_handle(alias)
        if handle is not None:
            return int(script("count", _COUNT)(keys=[handle.key(key)], args=[timeout], client=handle.client))
        return _incr_or_start(backend, key, timeout)

    return call(alias, operation)
