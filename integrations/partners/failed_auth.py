"""A limit on failed API-key checks per client address: PARTNER_API_FAILED_AUTH_RATE.

Made-up keys are not remembered in the cache (each would take an entry that anyone can create, and on
the local-memory and database caches enough of them make the cache cull useful entries). Each one then
costs an indexed lookup instead, and this limit bounds how many of those one address gets per window;
over it, a key not already in the cache is refused without a query. Keys already in the cache are never
held up here: the partner API's warm path reads nothing but its own cached record.

The count lives in the cache too, one entry per address and window (an IPv6 client counts per /64, the
block one subscriber usually holds), so a flood grows the cache by one entry per address, not per key.
"""

import ipaddress
import math
import time

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from integrations.partners.counters import window_count, window_value

_KEY_FORMAT = "throttle:partner-auth-failed:%(ident)s:%(window)d"


def client_ident(request) -> str:
    """The caller's address (REMOTE_ADDR, or the right hop of X-Forwarded-For behind NUM_PROXIES), an
    IPv6 address as its /64 network."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.NUM_PROXIES > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= settings.NUM_PROXIES:
            address = hops[-settings.NUM_PROXIES]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _rate() -> tuple[int, int]:
    """(failed checks allowed, window in seconds) of PARTNER_API_FAILED_AUTH_RATE."""
    allowed, window = SimpleRateThrottle.parse_rate(None, settings.PARTNER_API_FAILED_AUTH_RATE)  # type: ignore[arg-type]  # needs no instance
    assert allowed is not None and window is not None  # settings.py refuses a rate that does not parse
    return allowed, window


def _key(request, duration: int, now: float) -> str:
    return _KEY_FORMAT % {"ident": client_ident(request), "window": int(now // duration)}


def failed_auth_wait(request) -> int | None:
    """Seconds until this address may have keys checked again; None while it is under the limit."""
    limit, duration = _rate()
    now = time.time()
    if window_value(_key(request, duration, now)) < limit:
        return None
    return max(1, math.ceil(duration - (now % duration)))


def failed_auth_record(request) -> None:
    """Counts one failed key check of this address."""
    _limit, duration = _rate()
    now = time.time()
    window_count(_key(request, duration, now), timeout=duration + 1)
