"""Calls to a cache that may be away: one that failed is skipped for a few seconds.

A Redis that is down refuses at once, but a stalled one (it accepts the connection and never answers)
holds every call until the read timeout (CACHE_READ_TIMEOUT) ends it. So after one failure, every
caller in this process treats that cache server as away for CACHE_OUTAGE_SECONDS and takes its
fallback (the database) without waiting; then the next call tries the server again. One log line is
written when a server goes away and one when it answers again, not one per request.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What an unreachable or failing cache raises: Redis' errors, a socket's, the database cache's.
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError, DatabaseError)

T = TypeVar("T")

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


def _server(alias: str) -> str:
    """Aliases on the same server share its state: `default` and `clicks` are one Redis in production."""
    config = settings.CACHES.get(alias, {})
    return f"{config.get('BACKEND', '')}|{config.get('LOCATION', alias)}"


def cache_is_away(alias: str) -> bool:
    until = _away_until.get(_server(alias))
    return until is not None and time.monotonic() < until


def cache_call(alias: str, call: Callable[..., T], *args, **kwargs) -> T:
    """`call(caches[alias], *args, **kwargs)`; raises CacheAway when the cache fails or failed lately."""
    server = _server(alias)
    until = _away_until.get(server)
    if until is not None and time.monotonic() < until:
        raise CacheAway(alias)
    try:
        result = call(caches[alias], *args, **kwargs)
    except CACHE_ERRORS as exc:
        if server not in _away_until:
            logger.warning(
                "cache unreachable: reading from the database, counting in the database and per process, "
                "for %ss at a time",
                settings.CACHE_OUTAGE_SECONDS,
                extra={"cache": alias, "error": f"{type(exc).__name__}: {exc}"[:300]},
            )
        _away_until[server] = time.monotonic() + settings.CACHE_OUTAGE_SECONDS
        raise CacheAway(alias, maybe_applied=_was_sent(exc)) from exc
    if until is not None:
        _away_until.pop(server, None)
        logger.warning("cache reachable again", extra={"cache": alias})
    return result


def _was_sent(exc: Exception) -> bool:
    """A read that timed out: the command reached the server, which may still run it."""
    return isinstance(exc, RedisTimeoutError) and "connecting" not in str(exc)


def cache_outage_forget() -> None:
    """Tries every cache again at the next call (tests, and a process that knows the outage is over)."""
    _away_until.clear()
