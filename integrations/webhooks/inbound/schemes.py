"""How partners sign their webhooks, and how we check them against the raw body.

- Standard Webhooks: headers `webhook-id`, `webhook-timestamp` and `webhook-signature` (a space-separated
  list of `v1,<base64>`; any one may match, so a rotated secret and its predecessor both work). Verified
  with the `standardwebhooks` library. The event id is `webhook-id`.
- `t=,s=` (video platforms in TikTok's style): header `TikTok-Signature: t=<unix>,s=<hex>`, the HMAC-SHA256
  of "<t>.<raw body>" keyed with the partner's secret exactly as it was shown (the whole `whsec_...` text,
  UTF-8). Such events carry no id: the event id is the SHA-256 of the raw body.

Both refuse a timestamp more than 5 minutes old or ahead. Refusals raise `Refused` with the status and a
short message for the partner; neither the secret nor the signature ever appears in one.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from integrations.partners.models import Partner

TOLERANCE = timedelta(minutes=5)
TIKTOK_HEADER = "TikTok-Signature"
_UNIX_SECONDS = re.compile(r"^\d{1,12}$")
_TIKTOK_SIGNATURE = re.compile(r"^t=(?P<t>\d{1,12}),s=(?P<s>[0-9a-fA-F]{64})$")
# Headers kept with an event for audit; never a signature.
AUDIT_HEADERS = ("webhook-id", "webhook-timestamp", "content-type", "content-length", "user-agent")

Scheme = Partner.SignatureScheme


class Refused(Exception):
    """A request the receiver refuses: `status` and a short `message` for the partner."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Verified:
    """A request whose signature matched: its event id, signing time and which secret matched."""

    event_id: str
    signed_at: datetime
    secret: str  # "current" or "previous": which of the partner's secrets matched
    audit_headers: dict = field(default_factory=dict)


def _signed_at(value: str, *, now: datetime) -> datetime:
    if not _UNIX_SECONDS.match(value or ""):
        raise Refused(401, "The signature's timestamp is missing or malformed.")
    signed_at = datetime.fromtimestamp(int(value), tz=UTC)
    if signed_at < now - TOLERANCE:
        raise Refused(400, "The signature's timestamp is more than 5 minutes old. Send the event again, newly signed.")
    if signed_at > now + TOLERANCE:
        raise Refused(400, "The signature's timestamp is more than 5 minutes ahead. Check the sender's clock.")
    return signed_at


def verify(
    *, scheme: str, secrets: list[tuple[str, str]], body: bytes, headers, now: datetime | None = None
) -> Verified:
    """Checks a request's signature against the raw body with any of `secrets` ((label, secret) pairs);
    returns what was verified, or raises Refused (401 bad signature, 400 timestamp out of tolerance)."""
    now = now or timezone.now()
    audit = {name: headers[name][:200] for name in AUDIT_HEADERS if headers.get(name)}
    if scheme == Scheme.TIMESTAMP_HEX:
        return _verify_timestamp_hex(secrets=secrets, body=body, headers=headers, now=now, audit=audit)
    return _verify_standard(secrets=secrets, body=body, headers=headers, now=now, audit=audit)


def _verify_standard(*, secrets, body: bytes, headers, now: datetime, audit: dict) -> Verified:
    event_id = headers.get("webhook-id") or ""
    if not event_id or not headers.get("webhook-signature"):
        raise Refused(401, "The webhook-id or webhook-signature header is missing.")
    if len(event_id) > 255:
        raise Refused(401, "The webhook-id header is longer than 255 characters.")
    signed_at = _signed_at(headers.get("webhook-timestamp") or "", now=now)
    wanted = {
        "webhook-id": event_id,
        "webhook-timestamp": headers["webhook-timestamp"],
        "webhook-signature": headers["webhook-signature"],
    }
    for label, secret in secrets:
        webhook = Webhook(secret)
        try:
            webhook.verify(body, wanted, json_parse=False)
        except WebhookVerificationError:
            continue
        except ValueError:
            # The library raises ValueError (and binascii.Error, one of them) on a signature without its
            # "v1," part or with bad base64, and on a body that is not UTF-8.
            raise Refused(401, "The webhook-signature header is malformed.") from None
        return Verified(event_id=event_id, signed_at=signed_at, secret=label, audit_headers=audit)
    raise Refused(401, "The signature does not match.")


def _verify_timestamp_hex(*, secrets, body: bytes, headers, now: datetime, audit: dict) -> Verified:
    header = headers.get(TIKTOK_HEADER) or ""
    if not header:
        raise Refused(401, f"The {TIKTOK_HEADER} header is missing.")
    match = _TIKTOK_SIGNATURE.match(header.strip())
    if match is None:
        raise Refused(401, f"The {TIKTOK_HEADER} header is malformed: expected t=<unix seconds>,s=<hex>.")
    signed_at = _signed_at(match["t"], now=now)
    for label, secret in secrets:
        expected = timestamp_hex_signature(secret=secret, timestamp=match["t"], body=body)
        if hmac.compare_digest(expected, match["s"].lower()):
            audit = {**audit, "signature-timestamp": match["t"]}
            return Verified(
                event_id=hashlib.sha256(body).hexdigest(), signed_at=signed_at, secret=label, audit_headers=audit
            )
    raise Refused(401, "The signature does not match.")


def timestamp_hex_signature(*, secret: str, timestamp: str | int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "<t>.<raw body>" keyed with the secret's text: the `s=` of the `t=,s=` scheme."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign_headers(*, scheme: str, secret: str, body: bytes, event_id: str = "", at: datetime | None = None) -> dict:
    """The headers that sign `body` with this scheme (for senders: the sandbox partner and the tests)."""
    at = at or timezone.now()
    timestamp = str(int(at.timestamp()))
    if scheme == Scheme.TIMESTAMP_HEX:
        signature = timestamp_hex_signature(secret=secret, timestamp=timestamp, body=body)
        return {TIKTOK_HEADER: f"t={timestamp},s={signature}"}
    signature = Webhook(secret).sign(msg_id=event_id, timestamp=at.astimezone(UTC), data=body.decode())
    return {"webhook-id": event_id, "webhook-timestamp": timestamp, "webhook-signature": signature}
