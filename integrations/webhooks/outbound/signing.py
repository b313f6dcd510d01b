"""Standard Webhooks signatures of what we send, made with the `standardwebhooks` reference library.

The signature covers `<webhook-id>.<webhook-timestamp>.<body>`. While an endpoint's rotated secret
overlaps with its predecessor, both signatures are sent, space separated, as the specification says:
a receiver holding either secret accepts the request.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from math import floor

from standardwebhooks.webhooks import Webhook


def signature(*, secrets: Sequence[str], msg_id: str, timestamp: datetime, body: str) -> str:
    """The `webhook-signature` header value: `v1,<base64>` per secret, space separated."""
    return " ".join(Webhook(secret).sign(msg_id=msg_id, timestamp=timestamp, data=body) for secret in secrets)


def headers(*, secrets: Sequence[str], msg_id: str, body: str, now: datetime | None = None) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt (the timestamp is the attempt's)."""
    now = (now or datetime.now(tz=UTC)).astimezone(UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(floor(now.timestamp())),
        "webhook-signature": signature(secrets=secrets, msg_id=msg_id, timestamp=now, body=body),
    }
