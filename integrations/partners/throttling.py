"""Per-key rate limit of the partner API (PARTNER_API_RATE): DRF's throttle over common/rate_limits.py.

DRF's own throttle keeps every request's timestamp in one cache entry and rewrites it on each request:
thousands of floats pickled per call at partner rates. This one counts per key and window in the cache
(one round trip, no database query), as every limit of the project does.
"""


from django.conf import settings
from rest_framework.throttling import BaseThrottle

from common import rate_limits
from integrations.partners.authentication import PartnerClient

LIMIT = "partner"


def partner_throttle_key(prefix: str, *, now: float) -> str:
    """The counter of the key with this prefix in the window that holds `now`. Per key prefix (unique per
    key, and known before the key's record is read), so that the API's hot path counts in the same round
    trip as it reads the record (common/cache.gated_read)."""
    return rate_limits.window_key(LIMIT, prefix, rate=rate_limits.parse_rate(settings.PARTNER_API_RATE), now=now)


class PartnerApiKeyRateThrottle(BaseThrottle):
    """At most PARTNER_API_RATE requests per API key and window ("6000/min": per calendar minute)."""

    _wait: int | None = None

    def allow_request(self, request, view):
        client = request.auth
        if not isinstance(client, PartnerClient):
            return True
        self._wait = rate_limits.limit_hit(LIMIT, settings.PARTNER_API_RATE, client.api_key_prefix)
        return self._wait is None

    def wait(self):
        """Seconds until the next window opens (Retry-After)."""
        return self._wait
