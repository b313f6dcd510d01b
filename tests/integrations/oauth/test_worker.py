""""Sync now" goes through the broker to a real Celery worker, and the page shows what it found."""

import pytest
from django.urls import reverse

from integrations.oauth.models import LinkedAccount
from tests.conftest import wait_until

from .helpers import page_text


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_sync_now_runs_in_the_worker_and_its_error_reaches_the_page(celery_worker_process, client, creator,
                                                                     settings):
    # This web process knows the provider; the worker, started with the plain environment, does not:
    # as after an operator removed it from OAUTH_PROVIDERS while links remained.
    settings.OAUTH_PROVIDERS = [{
        "id": "retired", "kind": "oidc", "name": "Retired Freelance", "role": "portfolio", "client_id": "c",
        "discovery_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }]
    linked = LinkedAccount.objects.create(user=creator, provider_id="retired", role="portfolio", subject="u-1",
                                          profile={"display_name": "Casey Creator"})
    client.force_login(creator)

    response = client.post(reverse("oauth:sync", args=["retired"]), follow=True)
    assert "Syncing your Retired Freelance account" in page_text(response)

    wait_until(lambda: LinkedAccount.objects.get(pk=linked.pk).last_sync_error, timeout=30,
               message="the worker to record the sync's outcome")
    page = page_text(client.get(reverse("oauth:linked_accounts")))
    assert "The provider retired is no longer configured." in page
    assert "Casey Creator" in page  # the last good data stays
