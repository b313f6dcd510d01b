"""Per-key rate limit of the partner API, counted in the cache (no database query)."""

import math

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import SimpleRateThrottle

from integrations.partners.authentication import PartnerClient

_REDIS_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
_scripts: dict[str, object] = {}  # registered once per process, callable with any client


class PartnerApiKeyRateThrottle(SimpleRateThrottle):
    """At most PARTNER_API_RATE requests per API key and window ("6000/min": per calendar minute).

    DRF's default throttle keeps every request's timestamp in one cache entry and rewrites it on each
    request: thousands of floats pickled per call at partner rates. This one keeps a counter per key
    and window (one `incr`), so the cost is the same at any rate; the price is that a burst may straddle
    two windows. On Redis the count is one round trip (a script: INCR, and EXPIRE on the window's first
    request); elsewhere it is the cache's `incr`, atomic on the local-memory cache and memcached, a read
    then a write on the database cache (so a burst of concurrent requests may be under-counted there).
    """

    scope = "partner"
    cache_format = "throttle:partner:%(ident)s:%(window)d"

    def get_rate(self):
        return settings.PARTNER_API_RATE

    def get_cache_key(self, request, view):
        client = request.auth
        if not isinstance(client, PartnerClient):
            return None
        self.now = self.timer()
        return self.cache_format % {"ident": client.api_key_id, "window": int(self.now // self.duration)}

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return self._count() <= self.num_requests

    def _count(self) -> int:
        """This request's number in its key's window."""
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            return self._count_on_redis(backend)
        try:
            return backend.incr(self.key)
        except ValueError:  # the window's first request
            # add() fails when another request started the window at the same moment.
            started = backend.add(self.key, 1, timeout=self.duration + 1)
            return 1 if started else backend.incr(self.key)

    def _count_on_redis(self, backend: RedisCache) -> int:
        client = backend._cache.get_client(self.key, write=True)
        script = _scripts.get("count") or _scripts.setdefault("count", client.register_script(_REDIS_COUNT))
        return int(script(keys=[backend.make_and_validate_key(self.key)], args=[self.duration + 1], client=client))

    def wait(self):
        """Seconds until the next window opens (Retry-After)."""
        return max(1, math.ceil(self.duration - (self.now % self.duration)))
