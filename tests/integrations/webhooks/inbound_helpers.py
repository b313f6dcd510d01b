"""Partners that send us events, and how a test signs and posts them (real HTTP through the test client)."""

import json
import uuid
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from integrations.partners import services as partner_services
from integrations.partners.models import Partner
from integrations.webhooks.inbound import schemes

SECRET = "whsec_dGVzdC1wYXJ0bmVyLXdlYmhvb2stc2VjcmV0LTMyYg=="
PROVIDER = "sandbox-video"


def make_partner(*, slug="acme-video", scheme=Partner.SignatureScheme.STANDARD_WEBHOOKS, secret=SECRET,
                 provider_id=PROVIDER) -> Partner:
    return partner_services.partner_seed(
        name=slug.replace("-", " ").title(), slug=slug, signature_scheme=scheme, provider_id=provider_id,
        webhook_secret=secret,
    )


def url_for(partner_or_slug) -> str:
    slug = getattr(partner_or_slug, "slug", partner_or_slug)
    return reverse("webhooks:receive", args=[slug])


def standard_body(event_type: str, data: dict, *, at: datetime | None = None) -> bytes:
    return json.dumps({"type": event_type, "timestamp": (at or timezone.now()).isoformat(), "data": data}).encode()


def tiktok_body(event: str, *, user_openid: str, content: dict, create_time: int) -> bytes:
    return json.dumps({
        "client_key": "sbx-client", "event": event, "create_time": create_time, "user_openid": user_openid,
        "content": json.dumps(content),
    }).encode()


def signed_headers(body: bytes, *, scheme=Partner.SignatureScheme.STANDARD_WEBHOOKS, secret=SECRET,
                   event_id: str | None = None, at: datetime | None = None) -> dict:
    event_id = event_id or f"msg_{uuid.uuid4().hex}"
    headers = schemes.sign_headers(scheme=scheme, secret=secret, body=body, event_id=event_id, at=at)
    return {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}


def post(client, partner_or_slug, body: bytes, headers: dict):
    return client.generic("POST", url_for(partner_or_slug), body, content_type="application/json", **headers)


def send(client, partner, event_type: str, data: dict, *, at: datetime | None = None, event_id: str | None = None):
    """Signs a Standard Webhooks event for the partner and posts it; returns the response."""
    body = standard_body(event_type, data, at=at)
    return post(client, partner, body, signed_headers(body, event_id=event_id))
