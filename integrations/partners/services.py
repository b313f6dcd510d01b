"""Writes of partners and API keys. Keys and webhook secrets are returned in clear once, by the
service that creates them; afterwards only a hash (keys) or a ciphertext (secrets) exists."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from common import api_keys, crypto
from common.errors import full_clean
from integrations.partners import keys
from integrations.partners.models import ApiKey, Partner
from integrations.partners.scopes import DEFAULT_SCOPES, SCOPES
from integrations.partners.selectors import api_key_records_cache_refresh


def _refresh_cached_keys(prefixes: Iterable[str]) -> None:
    """Once the transaction commits, overwrites the cached records of these keys with their new state
    (rather than dropping them: a request that read the old state meanwhile cannot put it back)."""
    prefixes = list(prefixes)
    if prefixes:
        transaction.on_commit(lambda: api_key_records_cache_refresh(prefixes=prefixes))


@dataclass(frozen=True)
class NewPartner:
    partner: Partner
    webhook_secret: str  # in clear: show it once, then forget it
    api_key: ApiKey | None
    key: str  # the API key in clear, "" when none was made


@transaction.atomic
def partner_create(
    *,
    name: str,
    slug: str = "",
    signature_scheme: str = Partner.SignatureScheme.STANDARD_WEBHOOKS,
    key_scopes: Iterable[str] | None = DEFAULT_SCOPES,
    key_name: str = "",
    provider_id: str = "",
) -> NewPartner:
    """Creates a partner with a new webhook secret and, unless key_scopes is None, a first API key."""
    name = name.strip()
    slug = (slug or slugify(name))[:50]
    webhook_secret = keys.new_webhook_secret()
    partner = Partner(
        name=name,
        slug=slug,
        signature_scheme=signature_scheme,
        provider_id=provider_id.strip(),
        webhook_secret_encrypted=crypto.encrypt(webhook_secret),
    )
    full_clean(partner)
    partner.save()
    api_key, key = (None, "") if key_scopes is None else api_key_create(
        partner=partner, name=key_name, scopes=key_scopes
    )
    return NewPartner(partner=partner, webhook_secret=webhook_secret, api_key=api_key, key=key)


@transaction.atomic
def partner_update(
    *, partner: Partner, name: str, signature_scheme: str, is_active: bool, provider_id: str | None = None
) -> Partner:
    """Changes what an operator may change; disabling a partner stops its keys and webhooks at once."""
    partner.name = name.strip()
    partner.signature_scheme = signature_scheme
    partner.is_active = is_active
    if provider_id is not None:
        partner.provider_id = provider_id.strip()
    full_clean(partner)
    partner.save(update_fields=["name", "signature_scheme", "is_active", "provider_id"])
    # The cached key records carry the partner's state and slug.
    _refresh_cached_keys(partner.api_keys.values_list("prefix", flat=True))
    return partner


@transaction.atomic
def api_key_create(
    *, partner: Partner, name: str = "", scopes: Iterable[str] = DEFAULT_SCOPES
) -> tuple[ApiKey, str]:
    """Creates an API key; returns it with the key in clear, which is never available again."""
    full_key, prefix, secret_hash = api_keys.new_api_key(kind=keys.API_KEY_KIND)
    api_key = ApiKey(
        partner=partner,
        name=name.strip(),
        prefix=prefix,
        secret_hash=secret_hash,
        scopes=api_keys.clean_scopes(scopes, known=SCOPES),
    )
    full_clean(api_key)
    api_key.save()
    return api_key, full_key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revokes a key for good; the partner API refuses it as soon as the transaction commits."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    _refresh_cached_keys([api_key.prefix])
    return api_key


def api_key_mark_used(*, api_key_id: int) -> None:
    """Records that a key was used. Called on the partner API's key-cache misses only, so it is
    accurate to PARTNER_API_KEY_CACHE_SECONDS and costs the hot path nothing in between."""
    ApiKey.objects.filter(id=api_key_id).update(last_used_at=timezone.now())


WEBHOOK_SECRET_OVERLAP = timedelta(hours=24)


@dataclass(frozen=True)
class RotatedSecret:
    partner: Partner
    webhook_secret: str  # in clear: show it once, then forget it
    previous_valid_until: datetime


@transaction.atomic
def partner_webhook_secret_rotate(*, partner: Partner) -> RotatedSecret:
    """Gives the partner a new webhook secret. The current one keeps verifying for 24 hours, so the partner
    can switch without losing an event; a secret older than that (an earlier rotation's) stops at once."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    webhook_secret = keys.new_webhook_secret()
    now = timezone.now()
    partner.previous_webhook_secret_encrypted = partner.webhook_secret_encrypted
    partner.previous_webhook_secret_expires_at = now + WEBHOOK_SECRET_OVERLAP
    partner.webhook_secret_encrypted = crypto.encrypt(webhook_secret)
    partner.save(update_fields=[
        "webhook_secret_encrypted", "previous_webhook_secret_encrypted", "previous_webhook_secret_expires_at"
    ])
    return RotatedSecret(
        partner=partner, webhook_secret=webhook_secret, previous_valid_until=partner.previous_webhook_secret_expires_at
    )


@transaction.atomic
def partner_seed(*, name: str, slug: str, signature_scheme: str, provider_id: str, webhook_secret: str) -> Partner:
    """Creates or updates a partner whose webhook secret is known in advance (the sandbox partner's, from
    settings), without an API key. Idempotent: the demo seed runs it every time."""
    partner = Partner.objects.select_for_update().filter(slug=slug).first() or Partner(slug=slug)
    partner.name = name
    partner.signature_scheme = signature_scheme
    partner.provider_id = provider_id
    partner.is_active = True
    if not partner.webhook_secret_encrypted or crypto.decrypt(partner.webhook_secret_encrypted) != webhook_secret:
        partner.webhook_secret_encrypted = crypto.encrypt(webhook_secret)
        partner.previous_webhook_secret_encrypted = ""
        partner.previous_webhook_secret_expires_at = None
    partner.full_clean()
    partner.save()
    return partner


