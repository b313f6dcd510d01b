"""One HTTP attempt of an outbound webhook, and when to try again.

An attempt checks the endpoint's address with the SSRF guard and sends to the checked address only,
signed with Standard Webhooks headers, with the outgoing-HTTP timeouts (HTTP_CONNECT_TIMEOUT,
HTTP_READ_TIMEOUT: common/http.py) and no redirects followed (a 3xx is a
failure: register the final address). At most 2 KB of the answer is read and kept. Nothing here
touches the database: the outbound services record what happened.
"""

import email.utils
import json
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

from common import http
from integrations.webhooks.outbound import signing, ssrf

MAX_RESPONSE_BYTES = 2048
# The longest an attempt may spend reading the (first 2 KB of the) answer once it started.
READ_DEADLINE_SECONDS = 20.0
MAX_RETRY_AFTER_SECONDS = 24 * 3600
USER_AGENT = "Reelfolio-Webhooks/1.0 (+https://www.standardwebhooks.com/)"


@dataclass(frozen=True)
class Outcome:
    """What one attempt gave: an answer (status, latency, the start of the body) or an error message."""

    succeeded: bool
    status_code: int | None = None
    latency_ms: int | None = None
    response_body: str = ""
    error: str = ""
    retry_after: float | None = None  # seconds the endpoint asked us to wait (429, 503)
    abort: bool = False  # `webhook-delivery: abort-message`: no more retries of this message
    gone: bool = False  # 410: the endpoint is disabled


def retry_delay(attempt_count: int) -> float | None:
    """Seconds to wait after the `attempt_count`-th failed attempt, with up to 10% jitter; None when the
    schedule (settings.WEBHOOK_RETRY_SECONDS) is used up and the delivery is given up."""
    schedule = settings.WEBHOOK_RETRY_SECONDS
    if attempt_count < 1 or attempt_count > len(schedule):
        return None
    return schedule[attempt_count - 1] * random.uniform(0.9, 1.1)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (a number of seconds or an HTTP date), None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max((when - datetime.now(tz=UTC)).total_seconds(), 0.0), MAX_RETRY_AFTER_SECONDS)


def _dumps(event: dict) -> str:
    return json.dumps(event, separators=(",", ":"), sort_keys=True)


def body_for(*, event_type: str, timestamp: datetime, data: dict) -> str:
    """The JSON body of an event: {"type", "timestamp", "data"}."""
    stamp = timestamp.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return _dumps({"type": event_type, "timestamp": stamp, "data": data})


def data_of(body: str) -> dict:
    """The `data` of an event's JSON body."""
    return json.loads(body).get("data") or {}


def body_with_data(body: str, data: dict) -> str:
    """The same event (type, timestamp) with other data."""
    return _dumps({**json.loads(body), "data": data})


def _read_start(response: http.Response) -> bytes:
    """Up to MAX_RESPONSE_BYTES of the body, within READ_DEADLINE_SECONDS however slowly it trickles."""
    deadline = time.monotonic() + READ_DEADLINE_SECONDS
    chunks: list[bytes] = []
    size = 0
    while size < MAX_RESPONSE_BYTES and time.monotonic() < deadline:
        chunk = response.raw.read1(MAX_RESPONSE_BYTES - size, decode_content=True)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)[:MAX_RESPONSE_BYTES]


def send(*, url: str, msg_id: str, body: str, secrets: list[str]) -> Outcome:
    """Makes one attempt; never raises for anything the endpoint or the network does."""
    try:
        target = ssrf.check_url(url)
    except ssrf.UnsafeAddress as refusal:
        return Outcome(succeeded=False, error=f"Not sent: {refusal.message}")
    headers = {
        **signing.headers(secrets=secrets, msg_id=msg_id, body=body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
    started = time.monotonic()
    session = ssrf.pinned_session(target)
    try:
        response = session.post(
            target.url, data=body.encode(), headers=headers, allow_redirects=False, stream=True,
        )
        try:
            start = _read_start(response)
        finally:
            response.close()
    except http.Timeout:
        connect, read = http.timeout()
        waited = f"{connect:g} s to connect, {read:g} s to read"
        return Outcome(succeeded=False, latency_ms=_ms(started), error=f"No answer in time ({waited}).")
    except http.ConnectionError:
        return Outcome(
            succeeded=False, latency_ms=_ms(started),
            error=f"Could not connect to {target.host} (port {target.port}).",
        )
    except http.RequestException as error:
        return Outcome(succeeded=False, latency_ms=_ms(started), error=f"The request failed: {type(error).__name__}.")
    finally:
        session.close()
    latency = _ms(started)
    code = response.status_code
    text = start.decode("utf-8", errors="replace")
    if 200 <= code < 300:
        return Outcome(succeeded=True, status_code=code, latency_ms=latency, response_body=text)
    if 300 <= code < 400:
        location = response.headers.get("location", "")[:300]
        message = (
            f"Answered {code} with a redirect{f' to {location}' if location else ''}. Webhooks follow no "
            "redirects: register the final address."
        )
    elif code == 410:
        message = "Answered 410 Gone: the endpoint was disabled."
    else:
        message = f"Answered {code}."
    return Outcome(
        succeeded=False,
        status_code=code,
        latency_ms=latency,
        response_body=text,
        error=message,
        retry_after=parse_retry_after(response.headers.get("retry-after")) if code in (429, 503) else None,
        abort=response.headers.get("webhook-delivery", "").strip().lower() == "abort-message",
        gone=code == 410,
    )


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
