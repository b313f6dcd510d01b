"""Per-key rate limit of the partner API, counted in the cache (no database query)."""

import math

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from integrations.partners.authentication import PartnerClient
from integrations.partners.counters import window_count


def partner_throttle_key(prefix: str, *, now: float, duration: int) -> str:
    """The counter of the key with this prefix in the window that holds `now`."""
    return PartnerApiKeyRateThrottle.cache_format % {"ident": prefix, "window": int(now // duration)}


class PartnerApiKeyRateThrottle(SimpleRateThrottle):
    """At most PARTNER_API_RATE requests per API key and window ("6000/min": per calendar minute).

    DRF's default throttle keeps every request's timestamp in one cache entry and rewrites it on each
    request: thousands of floats pickled per call at partner rates. This one keeps a counter per key
    and window (one `incr`, counters.py), so the cost is the same at any rate; the price is that a burst
    may straddle two windows.
    """

    scope = "partner"
    # Per key prefix (unique per key, and known before the key's record is read), so that the API's hot
    # path counts in the same round trip as it reads the record (common/fastcache.gated_read).
    cache_format = "throttle:partner:%(ident)s:%(window)d"

    def get_rate(self):
        return settings.PARTNER_API_RATE

    # Set by SimpleRateThrottle.__init__ from the rate.
    num_requests: int
    duration: int

    def get_cache_key(self, request, view):
        client = request.auth
        if not isinstance(client, PartnerClient):
            return None
        self.now = self.timer()
        return partner_throttle_key(client.api_key_prefix, now=self.now, duration=self.duration)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return self._count(self.key) <= self.num_requests

    def _count(self, key: str) -> int:
        """This request's number in its key's window."""
        return window_count(key, timeout=self.duration + 1)

    def wait(self):
        """Seconds until the next window opens (Retry-After)."""
        return max(1, math.ceil(self.duration - (self.now % self.duration)))
