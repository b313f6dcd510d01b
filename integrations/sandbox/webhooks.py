"""The sandbox partner sends webhook events to Reelfolio, signed as an outside platform would sign them.

It signs on its own (the `standardwebhooks` library, or an HMAC for the `t=,s=` style) with
SANDBOX_WEBHOOK_SECRET, and posts over HTTP to `{SITE_URL}/integrations/webhooks/<partner>/`. Reelfolio
knows the sandbox as two partners with that secret, which `seed_demo` creates:

- `sandbox-video` (Standard Webhooks): video.published, video.removed, account.deauthorized, profile.updated;
- `sandbox-video-tiktok` (`t=,s=`): post.publish.publicly_available,
  post.publish.no_longer_publicaly_available, authorization.removed.
"""

import hashlib
import hmac
import json
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from standardwebhooks import Webhook

from common import http
from integrations.sandbox.models import SandboxUser, SandboxVideo
from integrations.sandbox.selectors import sandbox_video_json

logger = logging.getLogger(__name__)

PLATFORM = "sandbox-video"  # the provider id Reelfolio knows the sandbox's video side by
STANDARD_PARTNER = "sandbox-video"
TIKTOK_PARTNER = "sandbox-video-tiktok"
STANDARD_EVENTS = ("video.published", "video.removed", "account.deauthorized", "profile.updated")
TIKTOK_EVENTS = (
    "post.publish.publicly_available", "post.publish.no_longer_publicaly_available", "authorization.removed"
)
EVENT_TYPES = STANDARD_EVENTS + TIKTOK_EVENTS
VIDEO_EVENTS = ("video.published", "video.removed", *TIKTOK_EVENTS[:2])


class SandboxSendError(Exception):
    """The event could not be sent; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SentEvent:
    event_type: str
    partner: str
    status: int  # Reelfolio's answer
    answer: str  # the start of its body


def _standard(event_type: str, user: SandboxUser, video_id: str, video: SandboxVideo | None) -> dict:
    def published() -> dict:
        assert video is not None  # sandbox_event_send refuses video.published without a video
        return {
            "platform": PLATFORM, "video_id": video_id, "account_id": user.video_open_id,
            "title": video.title, "url": sandbox_video_json(video)["share_url"],
            "thumbnail_url": sandbox_video_json(video)["cover_image_url"],
            "published_at": video.published_at.isoformat(),
        }

    data = {
        "video.published": published,
        "video.removed": lambda: {"platform": PLATFORM, "video_id": video_id, "reason": "removed by its creator"},
        "account.deauthorized": lambda: {"provider": PLATFORM, "account_id": user.video_open_id},
        "profile.updated": lambda: {
            "provider": PLATFORM, "account_id": user.video_open_id, "updated_at": timezone.now().isoformat()
        },
    }[event_type]()
    return {"type": event_type, "timestamp": timezone.now().isoformat(), "data": data}


def _tiktok(event_type: str, user: SandboxUser, video_id: str) -> dict:
    content = {"reason": 1} if event_type == "authorization.removed" else {"publish_id": f"pub-{video_id}",
                                                                             "post_id": video_id}
    return {
        "client_key": "reelfolio-sandbox-video", "event": event_type, "create_time": int(timezone.now().timestamp()),
        "user_openid": user.video_open_id, "content": json.dumps(content),
    }


def sandbox_event_send(
    *, event_type: str, user: SandboxUser, video: SandboxVideo | None = None, video_id: str = "",
    site_url: str | None = None,
) -> SentEvent:
    """Signs one event about `user` (and `video`, or a `video_id` that is gone) and posts it to Reelfolio."""
    if event_type not in EVENT_TYPES:
        raise SandboxSendError(f"The sandbox sends {', '.join(EVENT_TYPES)}; not {event_type!r}.")
    video_id = video.public_id if video is not None else video_id
    if event_type in VIDEO_EVENTS and not video_id:
        raise SandboxSendError(f"{event_type} is about a video: name one.")
    if event_type == "video.published" and video is None:
        raise SandboxSendError("video.published needs a video the sandbox still has.")
    secret = settings.SANDBOX_WEBHOOK_SECRET
    if not secret:
        raise SandboxSendError("SANDBOX_WEBHOOK_SECRET is empty: the sandbox sends no events.")
    now = timezone.now()
    if event_type in STANDARD_EVENTS:
        partner = STANDARD_PARTNER
        body = json.dumps(_standard(event_type, user, video_id, video)).encode()
        event_id = f"msg_{uuid.uuid4().hex}"
        headers = {
            "webhook-id": event_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(secret).sign(msg_id=event_id, timestamp=now, data=body.decode()),
        }
    else:
        partner = TIKTOK_PARTNER
        body = json.dumps(_tiktok(event_type, user, video_id)).encode()
        t = str(int(now.timestamp()))
        signature = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
        headers = {"TikTok-Signature": f"t={t},s={signature}"}
    url = f"{(site_url or settings.SITE_URL).rstrip('/')}/integrations/webhooks/{partner}/"
    try:
        response = http.request(
            "POST", url, data=body, headers={**headers, "Content-Type": "application/json"},
            allow_redirects=False,
        )
    except http.RequestException as error:
        logger.warning("sandbox.webhook_failed", extra={"event_type": event_type, "error": type(error).__name__})
        raise SandboxSendError(f"Reelfolio at {url} did not answer: {type(error).__name__}.") from None
    logger.info("sandbox.webhook_sent", extra={"event_type": event_type, "status": response.status_code})
    return SentEvent(event_type=event_type, partner=partner, status=response.status_code, answer=response.text[:200])


def sandbox_partners_seed() -> list[str]:
    """Registers the sandbox as Reelfolio's two webhook partners, with SANDBOX_WEBHOOK_SECRET as their secret
    (what an operator would do with `create_partner` for an outside platform); returns their slugs.
    Idempotent: `seed_demo` runs it every time."""
    from integrations.partners.models import Partner
    from integrations.partners.services import partner_seed

    for slug, name, scheme in [
        (STANDARD_PARTNER, "Sandbox video platform", Partner.SignatureScheme.STANDARD_WEBHOOKS),
        (TIKTOK_PARTNER, "Sandbox video platform (t=,s= style)", Partner.SignatureScheme.TIMESTAMP_HEX),
    ]:
        partner_seed(
            name=name, slug=slug, signature_scheme=scheme, provider_id=PLATFORM,
            webhook_secret=settings.SANDBOX_WEBHOOK_SECRET,
        )
    return [STANDARD_PARTNER, TIKTOK_PARTNER]
