"""Partners and API keys: secrets shown once, stored hashed or encrypted, scoped, revocable."""

import base64
import hashlib

import pytest
from django.db import IntegrityError, transaction

from common import crypto
from common.errors import ApplicationError
from integrations.partners import selectors, services
from integrations.partners.models import ApiKey, Partner

pytestmark = pytest.mark.django_db


def test_a_new_partner_gets_a_standard_webhooks_secret_stored_encrypted_and_a_first_key_stored_hashed():
    created = services.partner_create(name="Acme Video")
    partner = Partner.objects.get()

    assert (partner.name, partner.slug, partner.signature_scheme) == ("Acme Video", "acme-video", "standard_webhooks")
    assert created.webhook_secret.startswith("whsec_")
    assert len(base64.b64decode(created.webhook_secret.removeprefix("whsec_"))) == 32
    assert created.webhook_secret not in partner.webhook_secret_encrypted
    assert selectors.partner_webhook_secret(partner=partner) == created.webhook_secret

    api_key = ApiKey.objects.get()
    assert created.key.startswith(f"rfk_{api_key.prefix}_")
    secret = created.key.removeprefix(f"rfk_{api_key.prefix}_")
    assert api_key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert api_key.scopes == ["anchors:read"]
    assert created.key not in str(ApiKey.objects.values().get())


def test_two_partners_get_different_secrets_and_keys():
    first = services.partner_create(name="First")
    second = services.partner_create(name="Second", signature_scheme=Partner.SignatureScheme.TIMESTAMP_HEX)
    assert first.webhook_secret != second.webhook_secret
    assert first.key != second.key
    assert second.partner.signature_scheme == "timestamp_hex"


def test_a_partner_without_a_first_key():
    created = services.partner_create(name="Webhooks Only", key_scopes=None)
    assert (created.api_key, created.key) == (None, "")
    assert not ApiKey.objects.exists()


def test_a_taken_name_or_slug_is_refused_and_nothing_is_created():
    services.partner_create(name="Acme Video")
    with pytest.raises(ApplicationError, match="Partner with this Name already exists."):
        services.partner_create(name="Acme Video")
    with pytest.raises(ApplicationError, match="Partner with this Slug already exists.") as refused:
        services.partner_create(name="Acme  Video!", slug="acme-video")
    # The model's check names the field, so a form shows the message under it (and the API under details).
    assert refused.value.field_errors == {"slug": ["Partner with this Slug already exists."]}
    assert Partner.objects.count() == 1
    assert ApiKey.objects.count() == 1


def test_an_unknown_scope_is_refused_and_no_partner_is_left_behind():
    with pytest.raises(ApplicationError, match="Unknown scope 'videos:write'; the scopes are: anchors:read."):
        services.partner_create(name="Acme Video", key_scopes=["videos:write"])
    assert not Partner.objects.exists()


def test_a_key_needs_a_scope():
    partner = services.partner_create(name="Acme Video", key_scopes=None).partner
    with pytest.raises(ApplicationError, match="Give the key at least one scope."):
        services.api_key_create(partner=partner, scopes=[])


def test_a_partner_has_several_keys_and_revoking_one_leaves_the_others():
    partner = services.partner_create(name="Acme Video").partner
    second, _ = services.api_key_create(partner=partner, name="CDN")
    first = partner.api_keys.exclude(pk=second.pk).get()

    services.api_key_revoke(api_key=first)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.is_revoked and first.revoked_at is not None
    assert not second.is_revoked

    revoked_at = first.revoked_at
    services.api_key_revoke(api_key=first)  # revoking twice keeps the first time
    first.refresh_from_db()
    assert first.revoked_at == revoked_at


def test_the_database_refuses_rows_that_bypass_the_services():
    partner = services.partner_create(name="Acme Video", key_scopes=None).partner
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(name="No Secret", slug="no-secret", webhook_secret_encrypted="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(name="Bad", slug="bad", signature_scheme="md5", webhook_secret_encrypted="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiKey.objects.create(partner=partner, prefix="NOT-HEX", secret_hash="0" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiKey.objects.create(partner=partner, prefix="0123456789ab", secret_hash="plaintext-secret")


def test_webhook_secrets_survive_a_key_rotation(settings):
    from cryptography.fernet import Fernet

    old_key = settings.TOKEN_ENCRYPTION_KEYS[0]
    created = services.partner_create(name="Acme Video", key_scopes=None)
    new_key = Fernet.generate_key().decode()

    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]
    assert crypto.rotate_rows(Partner, ["webhook_secret_encrypted", "previous_webhook_secret_encrypted"]) == 1

    settings.TOKEN_ENCRYPTION_KEYS = [new_key]  # the old key is gone
    partner = Partner.objects.get()
    assert selectors.partner_webhook_secret(partner=partner) == created.webhook_secret
