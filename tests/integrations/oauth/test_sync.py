"""Sync: after linking, on a schedule and on "Sync now"; a failure keeps the last good data."""

from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from django.urls import reverse
from django.utils import timezone

from common import crypto, formats
from integrations.oauth import hooks, services
from integrations.oauth.models import LinkedAccount, OAuthToken
from integrations.providers.errors import ProviderError, ReconnectRequired
from integrations.providers.types import Profile

from .helpers import connect, oidc_entry, page_text, use_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(settings, fake, client, creator, django_capture_on_commit_callbacks):
    use_provider(settings, fake, oidc_entry(fake))
    fake.user.claims = {"picture": "https://cdn.acme.example/casey.png"}
    client.force_login(creator)
    published = []

    def record(sender=None, **kwargs):
        published.append(sender)

    # Other apps may listen to linking too (their callbacks are theirs): count the tasks sent to the broker.
    before_task_publish.connect(record, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            connect(client, "acme")
            assert published == [], "nothing is enqueued before the commit"
    finally:
        before_task_publish.disconnect(record)
    assert published == ["oauth.sync_linked_account"], "linking enqueues the first sync after commit"
    return LinkedAccount.objects.get()


def test_sync_stores_the_current_profile(linked, fake):
    fake.user.name = "Casey C. Creator"
    before = linked.last_synced_at
    services.linked_account_sync(linked_account_id=linked.pk)
    linked.refresh_from_db()
    assert Profile.from_json(linked.profile).display_name == "Casey C. Creator"
    assert linked.last_synced_at > before
    assert linked.sync_requested_at is None


def test_a_provider_that_lost_the_grant_marks_the_link_needs_reconnect_keeping_the_profile(linked, fake):
    fake.access_tokens.clear()
    fake.refresh_tokens.clear()  # the provider lost our grant: 401, and the refresh is refused
    with pytest.raises(ReconnectRequired):
        services.linked_account_sync(linked_account_id=linked.pk)
    linked.refresh_from_db()
    assert linked.status == "needs_reconnect"
    assert Profile.from_json(linked.profile).display_name == "Casey Creator"


def test_a_provider_answering_garbage_fails_the_sync_but_keeps_the_profile(linked, fake, client, settings):
    entry = oidc_entry(fake)
    settings.OAUTH_PROVIDERS = [{**entry}]
    original = fake.metadata

    def metadata():
        return {**original(), "userinfo_endpoint": f"{fake.url}/broken-userinfo"}

    fake.metadata = metadata
    fake.routes[("GET", "/broken-userinfo")] = lambda seen: (200, {"Content-Type": "application/json"}, b"<html>")

    with pytest.raises(ProviderError, match="Acme Freelance sent an answer that is not valid JSON."):
        services.linked_account_sync(linked_account_id=linked.pk)

    linked.refresh_from_db()
    assert linked.status == "active"
    assert Profile.from_json(linked.profile).display_name == "Casey Creator"
    assert linked.last_sync_error == "Acme Freelance sent an answer that is not valid JSON."
    page = page_text(client.get(reverse("oauth:linked_accounts")))
    assert "Acme Freelance sent an answer that is not valid JSON. The profile below is from the last successful sync." \
        in page
    failed_at = linked.last_sync_error_at
    assert f"{formats.moment(failed_at, 'short')} UTC".replace("\u202f", " ") in page  # "Dec 7, 2026, 3:19 PM UTC"
    assert "Casey Creator" in page

    fake.metadata = original
    settings.OAUTH_PROVIDERS = [oidc_entry(fake)]
    services.linked_account_sync(linked_account_id=linked.pk)
    linked.refresh_from_db()
    assert linked.last_sync_error == ""
    assert "not valid JSON" not in page_text(client.get(reverse("oauth:linked_accounts")))


def test_an_access_token_rejected_early_is_refreshed_once_and_the_sync_goes_on(linked, fake):
    access = crypto.decrypt(OAuthToken.objects.get().access_token_encrypted)
    fake.access_tokens.pop(access)  # revoked at the provider before it expired
    services.linked_account_sync(linked_account_id=linked.pk)
    assert len(fake.seen("/token", grant_type="refresh_token")) == 1
    linked.refresh_from_db()
    assert linked.status == "active"
    assert linked.last_sync_error == ""


def test_sync_now_asks_for_a_sync_after_commit(linked, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("oauth:sync", args=["acme"]), follow=True)
    assert "Syncing your Acme Freelance account; this page shows the result in a moment." in page_text(response)
    assert "A sync is on its way." in page_text(response)
    assert len(callbacks) == 1
    assert LinkedAccount.objects.get().sync_requested_at is not None


def test_sync_now_needs_an_active_link(linked, client):
    LinkedAccount.objects.update(status="needs_reconnect")
    response = client.post(reverse("oauth:sync", args=["acme"]), follow=True)
    assert "Reconnect this account before syncing it." in page_text(response)


def test_the_schedule_picks_stale_links_and_requests_a_lost_broker_dropped(linked, settings,
                                                                           django_capture_on_commit_callbacks):
    LinkedAccount.objects.update(sync_requested_at=None, last_synced_at=timezone.now())
    assert services.linked_accounts_sync_due() == 0
    stale = timezone.now() - timedelta(minutes=settings.OAUTH_SYNC_INTERVAL_MINUTES + 1)
    LinkedAccount.objects.update(last_synced_at=stale)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.linked_accounts_sync_due() == 1
    assert len(callbacks) == 1
    # Requested, but the broker lost it: re-enqueued after ten minutes, not before.
    assert services.linked_accounts_sync_due() == 0
    LinkedAccount.objects.update(sync_requested_at=timezone.now() - timedelta(minutes=11))
    assert services.linked_accounts_sync_due() == 1


def test_sync_of_an_unlinked_account_does_nothing(linked, client, fake):
    client.post(reverse("oauth:unlink", args=["acme"]))
    requests_before = len(fake.requests)
    assert services.linked_account_sync(linked_account_id=linked.pk) is None
    assert len(fake.requests) == requests_before
    assert LinkedAccount.objects.get().profile == {}


def test_the_sync_task_retries_a_provider_failure_then_gives_up_keeping_the_last_good_data(linked, fake, caplog):
    from integrations.oauth import tasks

    fake.token_status = 500
    OAuthToken.objects.update(expires_at=timezone.now())
    tasks.sync_linked_account.apply(args=[linked.pk])  # run here, where each retry runs at once
    assert len(fake.seen("/token", grant_type="refresh_token")) == 1 + tasks.MAX_RETRIES
    assert [r.message for r in caplog.records].count("oauth.sync_gave_up") == 1
    linked.refresh_from_db()
    assert linked.last_sync_error == "Acme Freelance failed while trying to renew access (HTTP 500). Please try again."
    assert linked.status == "active"
    assert linked.profile["display_name"] == "Casey Creator"


@pytest.fixture
def account_changes():
    """What the domain hears through hooks.account_changed (the public page listens there)."""
    heard = []

    def record(*, linked_account):
        heard.append((linked_account.pk, linked_account.status, linked_account.profile.get("display_name", "")))

    hooks.register_account_changed(record)
    yield heard
    hooks.unregister_account_changed(record)


def test_the_domain_hears_every_change_of_what_a_link_shows(account_changes, linked, fake):
    assert account_changes == [(linked.pk, "active", "Casey Creator")]  # linked

    fake.user.name = "Casey C. Creator"
    services.linked_account_sync(linked_account_id=linked.pk)
    assert account_changes[-1] == (linked.pk, "active", "Casey C. Creator")  # synced

    fake.access_tokens.clear()
    fake.refresh_tokens.clear()
    with pytest.raises(ReconnectRequired):
        services.linked_account_sync(linked_account_id=linked.pk)
    assert account_changes[-1] == (linked.pk, "needs_reconnect", "Casey C. Creator")

    services.linked_account_unlink(linked_account=LinkedAccount.objects.get(pk=linked.pk))
    assert account_changes[-1] == (linked.pk, "revoked", "")
    assert len(account_changes) == 4
