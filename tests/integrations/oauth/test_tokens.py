"""The token vault: encrypted at rest, key rotation, refresh under a row lock, invalid_grant, revocation."""

import logging
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common import crypto
from integrations.oauth import services
from integrations.oauth.models import LinkedAccount, OAuthToken
from integrations.partners.selectors import partner_webhook_secret
from integrations.partners.services import partner_create
from integrations.providers.errors import ProviderError, ReconnectRequired
from integrations.webhooks.models import Endpoint
from integrations.webhooks.outbound import services as outbound

from .helpers import connect, oidc_entry, page_text, use_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(settings, fake, client, creator):
    use_provider(settings, fake, oidc_entry(fake))
    client.force_login(creator)
    connect(client, "acme")
    return LinkedAccount.objects.get()


def expire(linked):
    OAuthToken.objects.filter(linked_account=linked).update(expires_at=timezone.now() - timedelta(minutes=1))


def issued_secrets(fake) -> list[str]:
    return [*fake.access_tokens, *fake.refresh_tokens]


def test_no_token_is_stored_in_plaintext(linked, fake):
    """Reads the raw rows, and on SQLite the database file itself: neither holds a token."""
    secrets = issued_secrets(fake)
    assert len(secrets) == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token_encrypted, refresh_token_encrypted FROM oauth_oauthtoken")
        rows = cursor.fetchall()
        cursor.execute("SELECT profile, scopes, subject FROM oauth_linkedaccount")
        rows += cursor.fetchall()
    dump = repr(rows)
    for secret in secrets:
        assert secret not in dump
    if connection.vendor == "sqlite":
        connection.close()  # checkpoint nothing away: read the main file and its write-ahead log
        name = Path(connections["default"].settings_dict["NAME"])
        raw = b"".join(p.read_bytes() for p in (name, Path(f"{name}-wal")) if p.exists())
        assert raw, "the test database file is empty"
        for secret in secrets:
            assert secret.encode() not in raw


def test_tokens_never_reach_logs_or_pages(settings, fake, client, creator, caplog):
    caplog.set_level(logging.DEBUG)
    use_provider(settings, fake, oidc_entry(fake))
    client.force_login(creator)
    page = connect(client, "acme")
    linked = LinkedAccount.objects.get()
    secrets = issued_secrets(fake)
    expire(linked)
    services.token_access(linked_account_id=linked.pk)
    secrets += issued_secrets(fake)
    client.post(reverse("oauth:unlink", args=["acme"]))
    logged = caplog.text + "".join(repr(r.__dict__) for r in caplog.records)
    for secret in secrets:
        assert secret not in logged
        assert secret not in page.content.decode()


@pytest.mark.django_db(databases=["default", "sandbox"])  # the sandbox partner's key is rotated too
def test_rotate_token_keys_re_encrypts_every_kind_of_secret_so_that_the_old_key_can_go(
    linked, settings, capsys, monkeypatch
):
    settings.WEBHOOK_ALLOWED_NETWORKS, settings.WEBHOOK_REQUIRE_HTTPS = ["127.0.0.0/8"], False
    monkeypatch.setattr(crypto, "ROTATION_BATCH", 2)  # three partners: two batches
    partners = [partner_create(name=name) for name in ("Clipstream", "Reelhub", "Vidloop")]
    endpoint, _ = outbound.endpoint_create(
        owner_type="organization", owner_id=1, url="http://127.0.0.1:9/hook", event_types=["job.closed"]
    )
    outbound.endpoint_secret_rotate(endpoint=endpoint)  # a current and a previous secret
    endpoint_secrets = outbound.endpoint_signing_secrets(Endpoint.objects.get())
    old_key = settings.TOKEN_ENCRYPTION_KEYS[0]
    access = crypto.decrypt(linked.token.access_token_encrypted)
    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_token_keys")

    assert (
        "Re-encrypted under the first key of TOKEN_ENCRYPTION_KEYS: 1 OAuth token(s), 3 partner webhook secret(s), "
        "1 ATS endpoint secret(s), 0 sandbox partner key(s)."
        in capsys.readouterr().out
    )
    settings.TOKEN_ENCRYPTION_KEYS = [new_key]  # the old key is gone: everything still decrypts
    token = OAuthToken.objects.get()
    assert crypto.decrypt(token.access_token_encrypted) == access
    assert Fernet(new_key.encode()).decrypt(token.refresh_token_encrypted.encode())
    for created in partners:
        created.partner.refresh_from_db()
        assert partner_webhook_secret(partner=created.partner) == created.webhook_secret
    assert outbound.endpoint_signing_secrets(Endpoint.objects.get()) == endpoint_secrets
    assert len(endpoint_secrets) == 2


def test_a_token_the_keys_cannot_decrypt_says_which_setting_to_fix(linked, settings):
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(Exception, match="cannot be decrypted with any key of TOKEN_ENCRYPTION_KEYS"):
        services.token_access(linked_account_id=linked.pk)


def test_a_fresh_token_is_used_without_a_token_request(linked, fake):
    access = crypto.decrypt(linked.token.access_token_encrypted)
    assert services.token_access(linked_account_id=linked.pk) == access
    assert not fake.seen("/token", grant_type="refresh_token")


def test_invalid_grant_on_refresh_marks_the_link_needs_reconnect_and_shows_a_banner(linked, fake, client):
    fake.refresh_error = "invalid_grant"
    expire(linked)

    message = "Acme Freelance no longer accepts Reelfolio's access. Please reconnect."
    with pytest.raises(ReconnectRequired, match=message):
        services.token_access(linked_account_id=linked.pk)

    linked.refresh_from_db()
    assert linked.status == "needs_reconnect"
    page = page_text(client.get(reverse("oauth:linked_accounts")))
    assert "Acme Freelance no longer accepts Reelfolio's access. Reconnect to keep your profile" in page
    assert "Needs reconnect" in page
    home = page_text(client.get("/"))
    assert "Acme Freelance no longer accepts Reelfolio's access." in home

    # Reconnecting clears it.
    fake.refresh_error = ""
    response = connect(client, "acme")
    assert "Your Acme Freelance account is linked." in page_text(response)
    assert "no longer accepts" not in page_text(response)
    linked.refresh_from_db()
    assert linked.status == "active"


def test_a_token_endpoint_failing_during_refresh_changes_nothing(linked, fake):
    fake.token_status = 500
    expire(linked)
    before = OAuthToken.objects.values().get()
    with pytest.raises(ProviderError, match=r"Acme Freelance failed while trying to renew access \(HTTP 500\)"):
        services.token_access(linked_account_id=linked.pk)
    assert OAuthToken.objects.values().get() == before
    assert LinkedAccount.objects.get().status == "active"


def test_a_refresh_without_a_new_refresh_token_keeps_the_old_one(linked, fake):
    refresh = crypto.decrypt(linked.token.refresh_token_encrypted)
    fake.issue_refresh_token = False
    fake.refresh_tokens[refresh] = {"scope": "openid", "subject": "user-42"}  # not rotated this time
    expire(linked)
    services.token_access(linked_account_id=linked.pk)
    assert crypto.decrypt(OAuthToken.objects.get().refresh_token_encrypted) == refresh


def test_the_beat_refreshes_tokens_that_expire_soon(linked, fake, settings):
    from integrations.oauth import tasks

    OAuthToken.objects.update(expires_at=timezone.now() + timedelta(seconds=settings.OAUTH_REFRESH_AHEAD_SECONDS - 30))
    old = crypto.decrypt(OAuthToken.objects.get().access_token_encrypted)
    assert services.tokens_refresh_expiring() == 1
    tasks.refresh_token.apply(args=[linked.pk])
    assert crypto.decrypt(OAuthToken.objects.get().access_token_encrypted) != old
    assert services.tokens_refresh_expiring() == 0


def test_unlink_still_succeeds_when_revocation_fails(linked, fake, client, caplog):
    fake.revoke_status = 503
    response = client.post(reverse("oauth:unlink", args=["acme"]), follow=True)
    assert "Your Acme Freelance account is unlinked and Reelfolio deleted its tokens, but Acme Freelance could not " \
           "be reached to revoke them" in page_text(response)
    assert not OAuthToken.objects.exists()
    assert LinkedAccount.objects.get().status == "revoked"
    assert any(r.message == "oauth.revocation_failed" for r in caplog.records)


def test_unlink_needs_the_owner(linked, other_creator):
    intruder = Client()
    intruder.force_login(other_creator)
    assert intruder.get(reverse("oauth:unlink", args=["acme"])).status_code == 404
    assert intruder.post(reverse("oauth:unlink", args=["acme"])).status_code == 404
    assert OAuthToken.objects.exists()


def test_an_unlinked_account_can_be_linked_by_someone_else(linked, fake, client, other_creator, settings):
    client.post(reverse("oauth:unlink", args=["acme"]))
    other = Client()
    other.force_login(other_creator)
    response = connect(other, "acme")
    assert "Your Acme Freelance account is linked." in page_text(response)
    assert LinkedAccount.objects.get().user == other_creator


def test_admin_shows_links_but_never_tokens(linked, fake, django_user_model):
    admin = django_user_model.objects.create_superuser(email="ops@example.com", password="x", name="Ops")
    client = Client()
    client.force_login(admin)
    page = client.get(reverse("admin:oauth_linkedaccount_change", args=[linked.pk])).content.decode()
    assert "user-42" in page
    for secret in issued_secrets(fake):
        assert secret not in page
    assert "oauth_oauthtoken" not in client.get(reverse("admin:index")).content.decode().lower().replace("/", "_")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_workers_refreshing_one_expiring_token_make_one_token_request(settings, fake, creator):
    use_provider(settings, fake, oidc_entry(fake))
    client = Client()
    client.force_login(creator)
    connect(client, "acme")
    linked = LinkedAccount.objects.get()
    expire(linked)
    start = threading.Barrier(10)
    results, errors = [], []

    def worker():
        try:
            start.wait()
            results.append(services.token_access(linked_account_id=linked.pk))
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert len(fake.seen("/token", grant_type="refresh_token")) == 1
    assert len(set(results)) == 1
    assert crypto.decrypt(OAuthToken.objects.get().access_token_encrypted) == results[0]


def test_a_refresh_answer_reelfolio_cannot_store_is_a_provider_error_and_changes_nothing(linked, fake):
    """A provider renewing access with an expiry no date can hold: a retryable ProviderError, no crash."""
    fake.expires_in = 10**12
    expire(linked)
    before = OAuthToken.objects.values().get()
    message = "Acme Freelance sent an answer Reelfolio cannot read while trying to renew access."
    with pytest.raises(ProviderError, match=message):
        services.token_access(linked_account_id=linked.pk)
    assert OAuthToken.objects.values().get() == before
    assert LinkedAccount.objects.get().status == "active"


def test_unlink_succeeds_when_the_keys_cannot_decrypt_the_tokens(linked, fake, client, settings, caplog):
    """Unlink still succeeds when revocation fails, also when the tokens to revoke cannot be read
    (a key of TOKEN_ENCRYPTION_KEYS was removed too early): they are deleted and the failure logged."""
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    response = client.post(reverse("oauth:unlink", args=["acme"]), follow=True)
    assert "Your Acme Freelance account is unlinked and Reelfolio deleted its tokens, but Acme Freelance could not " \
           "be reached to revoke them" in page_text(response)
    assert not OAuthToken.objects.exists()
    assert LinkedAccount.objects.get().status == "revoked"
    assert not fake.seen("/revoke")
    assert any(r.message == "oauth.revocation_failed" for r in caplog.records)


def test_admin_cannot_delete_a_link_which_would_skip_revocation_and_the_unlink_handlers(linked, django_user_model):
    """Deleting the row would drop the tokens without revoking them and skip what listens to unlinking;
    links end through Unlink."""
    admin = django_user_model.objects.create_superuser(email="ops@example.com", password="x", name="Ops")
    client = Client()
    client.force_login(admin)
    assert client.get(reverse("admin:oauth_linkedaccount_delete", args=[linked.pk])).status_code == 403
    assert client.post(reverse("admin:oauth_linkedaccount_delete", args=[linked.pk]), {"post": "yes"}).status_code \
        == 403
    changelist = client.get(reverse("admin:oauth_linkedaccount_changelist")).content.decode()
    assert "delete_selected" not in changelist
    assert LinkedAccount.objects.filter(pk=linked.pk).exists()
    assert OAuthToken.objects.filter(linked_account=linked).exists()


@pytest.mark.django_db(transaction=True)
def test_tokens_a_refresh_rotated_during_unlink_are_revoked_too(settings, fake, creator):
    """A refresh that runs while Unlink revokes replaces the tokens Unlink read: the new ones, which Unlink
    then deletes, are revoked as well, so no grant outlives the link at the provider."""
    use_provider(settings, fake, oidc_entry(fake))
    client = Client()
    client.force_login(creator)
    connect(client, "acme")
    linked = LinkedAccount.objects.get()
    revoke = fake.revoke

    def revoke_after_a_refresh(form, headers):
        if not fake.seen("/token", grant_type="refresh_token"):
            try:  # a worker refreshes this very moment
                services.token_refresh(linked_account_id=linked.pk, within_seconds=10**6)
            finally:
                connections.close_all()
        return revoke(form, headers)

    fake.revoke = revoke_after_a_refresh
    response = client.post(reverse("oauth:unlink", args=["acme"]), follow=True)

    assert "Your Acme Freelance account is unlinked and Reelfolio deleted its tokens." in page_text(response)
    assert len(fake.seen("/token", grant_type="refresh_token")) == 1
    assert fake.access_tokens == {}
    assert fake.refresh_tokens == {}
    assert not OAuthToken.objects.exists()
