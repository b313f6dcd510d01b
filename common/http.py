"""Outgoing HTTP: the one way Reelfolio calls another system (providers, partners, the CDN, ATS endpoints).

- `session()`: a requests Session whose every request waits at most the settings' timeouts
  (`HTTP_TIMEOUT`, read from HTTP_CONNECT_TIMEOUT and HTTP_READ_TIMEOUT): a call may ask for less, never
  more. Its GETs and HEADs, and only those, are tried again (urllib3's Retry: at most RETRIES more times,
  with a short backoff) when the connection fails or the server answers 502, 503 or 504: a POST, PUT,
  PATCH or DELETE may have been applied, so it is never sent twice. A Retry-After is not waited for.
- `request(method, url, ...)`: one call on a fresh session, closed after it.
- `TimeoutAdapter`: the adapter behind both; the SSRF-pinned adapter of ATS deliveries builds on it
  (integrations/webhooks/outbound/ssrf.py), as Authlib's clients take `timeout()` as their default.
- The exceptions and the response type callers catch and annotate, so that nothing else imports requests
  (an import contract in pyproject.toml holds that).
"""

from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

Response = requests.Response
Session = requests.Session
RequestException = requests.RequestException
Timeout = requests.Timeout
ConnectionError = requests.ConnectionError  # noqa: A001 - requests' name, in this namespace only
HTTPError = requests.HTTPError
JSONDecodeError = requests.JSONDecodeError

RETRIES = 2
RETRIED_METHODS = frozenset({"GET", "HEAD"})
RETRIED_STATUSES = (502, 503, 504)


def timeout() -> tuple[float, float]:
    """(connect, read) seconds: the most any outgoing call waits."""
    connect, read = settings.HTTP_TIMEOUT
    return float(connect), float(read)


def _capped(asked) -> tuple[float, float]:
    """The timeout a call asked for (None, seconds or (connect, read)), never above the settings'."""
    connect, read = timeout()
    if asked is None:
        return connect, read
    asked_connect, asked_read = asked if isinstance(asked, tuple) else (asked, asked)
    return (
        connect if asked_connect is None else min(float(asked_connect), connect),
        read if asked_read is None else min(float(asked_read), read),
    )


def retry() -> Retry:
    """GETs and HEADs again after a failed connection or a 502/503/504. A read that timed out is not tried
    again (read=False): it raises Timeout at once, having waited all it may."""
    return Retry(
        total=RETRIES, connect=RETRIES, read=False, status=RETRIES, other=0, redirect=False,
        allowed_methods=RETRIED_METHODS, status_forcelist=RETRIED_STATUSES, backoff_factor=0.2,
        respect_retry_after_header=False, raise_on_status=False, raise_on_redirect=False,
    )


class TimeoutAdapter(HTTPAdapter):
    """Every request it sends has the settings' timeouts at most."""

    def __init__(self, *, retries: bool = True, **kwargs):
        super().__init__(max_retries=retry() if retries else 0, **kwargs)

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        return super().send(request, stream=stream, timeout=_capped(timeout), verify=verify, cert=cert, proxies=proxies)


def session(*, adapter: HTTPAdapter | None = None, trust_env: bool = True) -> requests.Session:
    """A session that goes through `adapter` (a TimeoutAdapter unless another one built on it is given)."""
    made = requests.Session()
    made.trust_env = trust_env
    adapter = adapter or TimeoutAdapter()
    if not isinstance(adapter, TimeoutAdapter):
        raise TypeError("An outgoing call's adapter must build on common.http.TimeoutAdapter (the timeouts).")
    made.mount("http://", adapter)
    made.mount("https://", adapter)
    return made


def request(method: str, url: str, **kwargs: Any) -> requests.Response:
    """One call (`requests.request`'s arguments), on a session of its own."""
    with session() as one:
        return one.request(method, url, **kwargs)
