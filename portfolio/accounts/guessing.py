"""Limits on guessing passwords and on probing email addresses.

Logins are limited by django-axes (settings AXES_*): after LOGIN_FAILURE_LIMIT failures for one account,
or from one client address, logging in is paused for LOGIN_COOLOFF_MINUTES. The functions here tell it
who is trying: the client address the same way the rest of the site takes it (NUM_PROXIES), and the email
in the one case every spelling of it shares.

Password-reset requests are limited per client address and per email (PASSWORD_RESET_RATE), counted in
the cache whether or not an account uses the email, so that the limit says nothing about who has one.
"""

import hashlib
import ipaddress
import math
import time

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from integrations.partners.counters import window_count
from integrations.partners.failed_auth import client_ident


def login_client_address(request) -> str | None:
    """The address axes counts failures of: REMOTE_ADDR, or the right hop of X-Forwarded-For behind
    NUM_PROXIES proxies; an IPv6 client as the first address of its /64 (axes keeps an address, not a
    network). None when there is no address to count."""
    ident = client_ident(request).split("/", 1)[0]
    try:
        return str(ipaddress.ip_address(ident))
    except ValueError:
        return None


def login_username(request, credentials: dict | None) -> str:
    """The account axes counts failures of: the email as typed, trimmed and in lower case."""
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(username).strip().lower()


def _rate() -> tuple[int, int]:
    allowed, window = SimpleRateThrottle.parse_rate(None, settings.PASSWORD_RESET_RATE)  # type: ignore[arg-type]  # needs no instance
    assert allowed is not None and window is not None  # settings.py refuses a rate that does not parse
    return allowed, window


def password_reset_attempt(request, *, email: str) -> int | None:
    """Counts one reset request from this client for this email; returns the seconds to wait when either
    is over PASSWORD_RESET_RATE, None otherwise."""
    limit, duration = _rate()
    now = time.time()
    window = int(now // duration)
    email_digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]  # no address in cache keys
    counts = [
        window_count(f"limit:password-reset:address:{client_ident(request)}:{window}", timeout=duration + 1),
        window_count(f"limit:password-reset:email:{email_digest}:{window}", timeout=duration + 1),
    ]
    if max(counts) <= limit:
        return None
    return max(1, math.ceil(duration - (now % duration)))
