"""The sandbox as a partner platform of Reelfolio: its video pages show the anchors Reelfolio's partner API
answers for them ("View My Portfolio", "Apply"), as an outside video platform would render them.

It calls `POST {SITE_URL}/api/v1/anchors/lookup` over real HTTP with an API key of its own. Reelfolio keeps
only a hash of that key; the sandbox keeps it encrypted with TOKEN_ENCRYPTION_KEYS (SandboxPartnerKey).
`seed_demo` makes the key (`sandbox_api_key_seed`), as an operator would with `create_partner` for an outside
platform. A stored key that no longer decrypts (its encryption key was removed) is replaced, and the old
one revoked, by the next `seed_demo`: the sandbox is a demo partner, its key is cheap to remake.

The sandbox is served by the very process it calls: a server with one thread would wait for itself. So the
call has a short timeout, and a page whose anchors cannot be had says so discreetly and shows the video
anyway. Answers are kept a few seconds in the cache, as a platform keeps what it renders on every view.
"""

import hashlib
import logging
from contextlib import suppress
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from common import cache, crypto, http
from integrations.sandbox.models import SandboxPartnerKey
from integrations.sandbox.routers import SANDBOX_DB
from integrations.sandbox.webhooks import PLATFORM, STANDARD_PARTNER

logger = logging.getLogger(__name__)

KEY_NAME = "reelfolio"
API_KEY_LABEL = "Sandbox video pages (anchors)"
# Connect and read timeouts, in seconds: shorter than the settings' (common.http caps them there), since
# the sandbox may be waiting for its own server.
TIMEOUT = (1.0, 2.0)
CACHE_SECONDS = 10
CACHE_PREFIX = "sandbox:anchors:v1"
KINDS = ("portfolio", "job")  # the kinds of anchor the sandbox knows how to render; others are skipped


@dataclass(frozen=True)
class SeededKey:
    partner_slug: str
    created: bool  # False: the stored key still works and was kept


def _key_works(*, partner, key: str) -> bool:
    from common.api_keys import parse_api_key, secret_matches
    from integrations.partners.models import ApiKey
    from integrations.partners.scopes import ANCHORS_READ

    parsed = parse_api_key(key, kind=ApiKey.KIND)
    if parsed is None:
        return False
    prefix, secret = parsed
    api_key = ApiKey.objects.filter(partner=partner, prefix=prefix, revoked_at__isnull=True).first()
    return api_key is not None and ANCHORS_READ in api_key.scopes and secret_matches(secret, api_key.secret_hash)


def _stored_key() -> str:
    stored = SandboxPartnerKey.objects.filter(name=KEY_NAME).first()
    if stored is None:
        return ""
    try:
        return crypto.decrypt(stored.api_key_encrypted)
    except ImproperlyConfigured:  # the key of TOKEN_ENCRYPTION_KEYS that encrypted it is gone
        return ""


def sandbox_api_key_seed() -> SeededKey:
    """Gives the sandbox's video platform (Reelfolio's partner `sandbox-video`) an API key with the
    anchors:read scope and stores it, encrypted, in the sandbox's database. Idempotent: a stored key that
    still works is kept; otherwise a new one is made (and a stored one that no longer works is revoked)."""
    from integrations.partners.models import Partner
    from integrations.partners.scopes import ANCHORS_READ
    from integrations.partners.services import api_key_create, api_key_revoke, partner_create, partner_update

    with transaction.atomic(), transaction.atomic(using=SANDBOX_DB):
        partner = Partner.objects.filter(slug=STANDARD_PARTNER).first()
        if partner is None:
            partner = partner_create(
                name="Sandbox video platform", slug=STANDARD_PARTNER, provider_id=PLATFORM, key_scopes=None
            ).partner
        elif not partner.is_active:
            partner_update(
                partner=partner, name=partner.name, signature_scheme=partner.signature_scheme, is_active=True
            )
        old = _stored_key()
        if old and _key_works(partner=partner, key=old):
            return SeededKey(partner_slug=partner.slug, created=False)
        api_key, key = api_key_create(partner=partner, name=API_KEY_LABEL, scopes=[ANCHORS_READ])
        # Earlier keys made for the sandbox's pages (the stored one no longer decrypts or was tampered
        # with) are revoked: only the stored key stays usable.
        for stale in partner.api_keys.filter(name=API_KEY_LABEL, revoked_at__isnull=True).exclude(pk=api_key.pk):
            api_key_revoke(api_key=stale)
        SandboxPartnerKey.objects.update_or_create(
            name=KEY_NAME, defaults={"api_key_encrypted": crypto.encrypt(key)}
        )
    return SeededKey(partner_slug=partner.slug, created=True)


def _cache_key(video_id: str) -> str:
    site = hashlib.sha256(settings.SITE_URL.encode()).hexdigest()[:12]
    digest = hashlib.sha256(video_id.encode()).hexdigest()[:24]
    return f"{CACHE_PREFIX}:{site}:{digest}"


def _checked_anchors(entry) -> list[dict] | None:
    anchors = entry.get("anchors") if isinstance(entry, dict) else None
    if not isinstance(anchors, list):
        return None
    checked = []
    for anchor in anchors:
        if not isinstance(anchor, dict) or anchor.get("kind") not in KINDS:
            continue
        label, url = anchor.get("label"), anchor.get("url")
        if isinstance(label, str) and label and isinstance(url, str) and url.startswith(("https://", "http://")):
            checked.append({"kind": anchor["kind"], "label": label[:60], "url": url})
    return checked


def sandbox_video_anchors(*, video_id: str) -> list[dict] | None:
    """The anchors Reelfolio says to render on this sandbox video ([] for none); None when they could not be
    had (no key, Reelfolio did not answer in time, or answered with an error)."""
    cache_key = _cache_key(video_id)
    with suppress(cache.CacheAway):  # without the cache, every view asks Reelfolio
        cached = cache.get(cache_key)
        if cached is not None:
            return cached
    key = _stored_key()
    if not key:
        logger.warning("sandbox.anchors_no_key")
        return None
    url = f"{settings.SITE_URL}/api/v1/anchors/lookup"
    try:
        response = http.request(
            "POST", url,
            json={"platform": PLATFORM, "video_ids": [video_id]},
            headers={"Authorization": f"Bearer {key}", "Accept": "application/json"},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        body = response.json() if response.status_code == 200 else None
    except (http.RequestException, ValueError) as error:
        logger.warning("sandbox.anchors_failed", extra={"error": type(error).__name__})
        return None
    if body is None:
        logger.warning("sandbox.anchors_refused", extra={"status": response.status_code})
        return None
    videos = body.get("videos") if isinstance(body, dict) else None
    # A video Reelfolio does not know (or removed) is left out of the answer: nothing to render.
    entry: dict = next(
        (v for v in videos or [] if isinstance(v, dict) and v.get("video_id") == video_id), {"anchors": []}
    )
    anchors = _checked_anchors(entry)
    if anchors is None:
        logger.warning("sandbox.anchors_unreadable")
        return None
    with suppress(cache.CacheAway):
        cache.set_value(cache_key, anchors, timeout=CACHE_SECONDS)
    return anchors
