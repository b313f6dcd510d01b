"""A limit on failed API-key checks per client address: PARTNER_API_FAILED_AUTH_RATE (common/rate_limits.py).

Made-up keys are not remembered in the cache (each would take an entry that anyone can create, and on
the local-memory and database caches enough of them make the cache cull useful entries). Each one then
costs an indexed lookup instead, and this limit bounds how many of those one address gets per window;
over it, a key not already in the cache is refused without a query. Keys already in the cache are never
held up here: the partner API's warm path reads nothing but its own cached record.

The count lives in the cache too, one entry per address and window (an IPv6 client counts per /64), so a
flood grows the cache by one entry per address, not per key.
"""

from django.conf import settings

from common import rate_limits

LIMIT = "partner-auth-failed"


def failed_auth_wait(request) -> int | None:
    """Seconds until this address may have keys checked again; None while it is under the limit."""
    return rate_limits.limit_reached(LIMIT, settings.PARTNER_API_FAILED_AUTH_RATE, rate_limits.client_ident(request))


def failed_auth_record(request) -> None:
    """Counts one failed key check of this address."""
    rate_limits.limit_hit(LIMIT, settings.PARTNER_API_FAILED_AUTH_RATE, rate_limits.client_ident(request))
