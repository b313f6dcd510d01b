"""Rate limits: how a rate is written, counters per window, and who the client is.

Every limit of the project counts here, except logins (django-axes counts those in the database, asking
`client_address` who is trying):

- a rate is written "<n>/<unit>", the unit one of s, sec, second, m, min, minute, h, hour, d, day
  ("5/hour", "6000/min"), and read by `parse_rate` alone (settings.py checks each rate with it);
- a limit counts one request of an ident (an API key, an address, a person) in a fixed window of the
  rate's length (`limit_hit`), in the cache, with the window's number in the key: one counter per ident
  and window, the same cost at any rate; the price is that a burst may straddle two windows;
- the client is the connection's address, or behind NUM_PROXIES proxies that append to X-Forwarded-For
  the address that many hops from the right (`client_address`); an IPv6 client counts per /64, the block
  one subscriber usually holds (`client_ident`).

While the cache is away (common/cache.py) each web process counts on its own, in memory: the limits then
hold per process rather than for the whole service, and requests keep being answered.
"""

from __future__ import annotations

import ipaddress
import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from common import cache

_RATE = re.compile(r"(\d+)/(s|sec|second|m|min|minute|h|hour|d|day)")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    """At most `requests` per window of `seconds`."""

    requests: int
    seconds: int


@lru_cache(maxsize=64)
def parse_rate(text: str) -> Rate:
    """The rate "<n>/<unit>" says; ValueError naming the accepted form for anything else."""
    found = _RATE.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"A rate looks like 5/minute (per second, minute, hour or day), not {text!r}.")
    return Rate(requests=int(found.group(1)), seconds=_SECONDS[found.group(2)[0]])


# --- The client's address -------------------------------------------------------------------------


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind NUM_PROXIES proxies the address that many hops from the
    right of X-Forwarded-For (REMOTE_ADDR when the header has fewer): each proxy appends the address it
    was reached from, so the hops to its left are whatever the client wrote."""
    proxies = settings.NUM_PROXIES
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_ident(request) -> str:
    """Whom an address limit counts: the client's address, an IPv6 client as its /64 network (an IPv4
    client mapped into IPv6 as its IPv4 address)."""
    address = client_address(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64] or "unknown"
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def client_ident_address(request) -> str | None:
    """`client_ident` as one address, an IPv6 network as its first address; None when the client has no
    address. django-axes, which keeps an address and not a network, limits logins per this
    (AXES_CLIENT_IP_CALLABLE)."""
    try:
        return str(ipaddress.ip_address(client_ident(request).split("/", 1)[0]))
    except ValueError:
        return None


# --- Counters per window --------------------------------------------------------------------------


def window_key(name: str, ident: str, *, rate: Rate, now: float) -> str:
    """The counter of `ident` under the limit `name` in the window that holds `now`."""
    return f"limit:{name}:{ident}:{int(now // rate.seconds)}"


def retry_after(rate: Rate, *, now: float) -> int:
    """Seconds until the next window opens (at least 1): what Retry-After says."""
    return max(1, math.ceil(rate.seconds - (now % rate.seconds)))


def window_count(key: str, *, rate: Rate) -> int:
    """Counts one in the window's counter `key` and returns the new count (this process's count while the
    cache is away)."""
    try:
        return cache.count(key, timeout=rate.seconds + 1)
    except cache.CacheAway:
        return _count_locally(key, rate.seconds + 1)


def window_uncount(key: str) -> None:
    """Takes back one count of the window's counter (a request another path counts again)."""
    try:
        cache.decr(key)
    except cache.CacheAway:
        count, expires = _local.get(key, (0, 0.0))
        if count > 0:
            _local[key] = (count - 1, expires)


def limit_hit(name: str, rate: str, *idents: str) -> int | None:
    """Counts one request of each ident under the limit `name` at `rate` ("5/hour"); the seconds to wait
    (Retry-After) when any of them is over the rate, None otherwise."""
    parsed, now = parse_rate(rate), time.time()
    counts = [window_count(window_key(name, ident, rate=parsed, now=now), rate=parsed) for ident in idents]
    if max(counts) <= parsed.requests:
        return None
    return retry_after(parsed, now=now)


def limit_reached(name: str, rate: str, ident: str) -> int | None:
    """Counts nothing: the seconds to wait when `ident` has used up its requests of the window, None while
    it has some left."""
    parsed, now = parse_rate(rate), time.time()
    key = window_key(name, ident, rate=parsed, now=now)
    try:
        used = int(cache.get(key) or 0)
    except cache.CacheAway:
        count, expires = _local.get(key, (0, 0.0))
        used = count if expires > time.monotonic() else 0
    return retry_after(parsed, now=now) if used >= parsed.requests else None


# While the cache is away: key -> (count, expiry on time.monotonic()), bounded.
_local: dict[str, tuple[int, float]] = {}
_LOCAL_MAX = 100_000


def local_counts_forget() -> None:
    """Forgets what this process counted while the cache was away (tests start each outage afresh)."""
    _local.clear()


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
