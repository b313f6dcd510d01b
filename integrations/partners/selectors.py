"""Reads of partners and API keys. The API-key lookup is cached: the partner API's hot path makes no
database query for a key it has seen within PARTNER_API_KEY_CACHE_SECONDS. Revoking a key or changing its
partner overwrites the cached record once the change commits, so the change holds at once. While the
cache is away (common/cache.py) every key is read from the database."""

from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings

from common import cache, crypto
from integrations.partners.models import ApiKey, Partner

API_KEY_CACHE_PREFIX = "partners:apikey:v1"
_NOT_FOUND = {"found": False}


@dataclass(frozen=True)
class ApiKeyRecord:
    """What the partner API needs to know about a key, as kept in the cache."""

    found: bool
    id: int | None = None
    partner_id: int | None = None
    partner_slug: str = ""
    scopes: tuple[str, ...] = field(default_factory=tuple)
    secret_hash: str = ""
    revoked: bool = False
    partner_active: bool = True

    @property
    def is_revoked(self) -> bool:
        return self.revoked


def api_key_cache_key(prefix: str) -> str:
    return f"{API_KEY_CACHE_PREFIX}:{prefix}"


def _record_value(api_key: ApiKey | None) -> dict:
    if api_key is None:
        return _NOT_FOUND
    return {
        "found": True,
        "id": api_key.id,
        "partner_id": api_key.partner_id,
        "partner_slug": api_key.partner.slug,
        "scopes": tuple(api_key.scopes),
        "secret_hash": api_key.secret_hash,
        "revoked": api_key.revoked_at is not None,
        "partner_active": api_key.partner.is_active,
    }


def api_key_record_cached(*, prefix: str) -> ApiKeyRecord | None:
    """The cached record of the key with this prefix; None when the cache does not hold it (or is away)."""
    key = api_key_cache_key(prefix)
    try:
        cached = cache.get_many([key]).get(key)
    except cache.CacheAway:
        return None
    return api_key_record(cached)


def api_key_record(cached: dict | None) -> ApiKeyRecord | None:
    """The record a cached value holds (None for none)."""
    return ApiKeyRecord(**cached) if cached is not None else None


def api_key_record_read(*, prefix: str) -> ApiKeyRecord:
    """The key with this prefix, read from the database; a key that exists is then cached.

    A prefix that names no key is not cached: anyone can make up prefixes, and each would take an entry
    (on the local-memory and database caches, enough of them make the cache cull useful entries). Such
    lookups are bounded instead by the limit on failed checks per address (failed_auth.py).
    """
    value = _record_value(ApiKey.objects.select_related("partner").filter(prefix=prefix).first())
    if value["found"]:
        # add, not set: a revocation that committed after this read has already written its record
        # (api_key_records_cache_refresh), and that one must win.
        with suppress(cache.CacheAway):  # then the next call reads the database again
            cache.add_many({api_key_cache_key(prefix): value}, timeout=settings.PARTNER_API_KEY_CACHE_SECONDS)
    return ApiKeyRecord(**value)


def api_key_records_cache_refresh(*, prefixes: list[str]) -> None:
    """Writes the current records of these keys into the cache (after a revocation or a partner change)."""
    found = {k.prefix: k for k in ApiKey.objects.select_related("partner").filter(prefix__in=prefixes)}
    records = {api_key_cache_key(prefix): _record_value(found.get(prefix)) for prefix in prefixes}
    cache.set_many(records, timeout=settings.PARTNER_API_KEY_CACHE_SECONDS, guarded=False)


def partner_webhook_secret(*, partner: Partner) -> str:
    """The partner's whsec_... secret in clear, for verifying its webhooks. Never log or show it."""
    return crypto.decrypt(partner.webhook_secret_encrypted)


def partner_named(*, name_or_slug: str) -> Partner | None:
    """The partner an operator names on the command line: by its slug, or by its name in any case."""
    text = name_or_slug.strip()
    return Partner.objects.filter(slug=text).first() or Partner.objects.filter(name__iexact=text).first()


def partner_for_webhooks(*, slug: str) -> Partner | None:
    """The active partner with this slug, whose webhooks are received; None for unknown or disabled ones."""
    return Partner.objects.filter(slug=slug, is_active=True).first()


@dataclass(frozen=True)
class WebhookKeys:
    """What the webhook receiver needs of an active partner: its scheme, its secrets in clear, and the
    ciphertexts they came from (an event is stored only while the partner row still holds these, see
    inbound_services.inbound_event_record). Never log or show it."""

    partner_id: int
    slug: str
    signature_scheme: str
    webhook_secret_encrypted: str
    previous_webhook_secret_encrypted: str
    previous_webhook_secret_expires_at: datetime | None
    current: str
    previous: str

    def secrets(self, *, now: datetime) -> list[tuple[str, str]]:
        """The secrets that verify the partner's webhooks at `now`, as ("current" | "previous", secret): the
        current one, and the one it replaced during the 24 hours after a rotation."""
        secrets = [("current", self.current)]
        expires_at = self.previous_webhook_secret_expires_at
        if self.previous and expires_at and expires_at > now:
            secrets.append(("previous", self.previous))
        return secrets


# The receiver's keys per partner slug, in this process: decrypting the secrets on every request costs more
# than the rest of the check. An entry is only a guess: the receiver stores an event only if the partner row
# still matches it, and reads the row again (partner_webhook_keys_read) whenever it does not.
_webhook_keys: dict[str, WebhookKeys] = {}
_WEBHOOK_KEYS_MAX = 1000


def partner_webhook_keys_cached(*, slug: str) -> WebhookKeys | None:
    """The keys this process last read for the partner with this slug (None when it read none)."""
    return _webhook_keys.get(slug)


def partner_webhook_keys_read(*, slug: str) -> WebhookKeys | None:
    """The keys of the active partner with this slug, read from the database (None for an unknown or
    disabled partner); secrets are decrypted again only when their ciphertexts changed."""
    partner = partner_for_webhooks(slug=slug)
    if partner is None:
        _webhook_keys.pop(slug, None)
        return None
    known = _webhook_keys.get(slug)
    if (
        known is not None
        and known.partner_id == partner.pk
        and known.webhook_secret_encrypted == partner.webhook_secret_encrypted
        and known.previous_webhook_secret_encrypted == partner.previous_webhook_secret_encrypted
    ):
        current, previous = known.current, known.previous
    else:
        current = crypto.decrypt(partner.webhook_secret_encrypted)
        previous = crypto.decrypt(partner.previous_webhook_secret_encrypted)
    keys = WebhookKeys(
        partner_id=partner.pk,
        slug=partner.slug,
        signature_scheme=partner.signature_scheme,
        webhook_secret_encrypted=partner.webhook_secret_encrypted,
        previous_webhook_secret_encrypted=partner.previous_webhook_secret_encrypted,
        previous_webhook_secret_expires_at=partner.previous_webhook_secret_expires_at,
        current=current,
        previous=previous,
    )
    if len(_webhook_keys) >= _WEBHOOK_KEYS_MAX:
        _webhook_keys.clear()
    _webhook_keys[slug] = keys
    return keys
