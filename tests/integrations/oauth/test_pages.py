"""The Linked accounts page: one card per configured provider, a preview of what was synced."""

import pytest
from django.test import Client
from django.urls import reverse

from integrations.oauth.models import LinkedAccount

from .helpers import connect, oidc_entry, page_text, use_provider

pytestmark = pytest.mark.django_db


def test_every_configured_provider_has_a_card_with_connect(settings, fake, client, creator):
    use_provider(settings, fake, oidc_entry(fake))
    client.force_login(creator)
    page = page_text(client.get(reverse("oauth:linked_accounts")))
    assert "Linked accounts" in page
    for name in ("Connect Sandbox Freelance", "Connect Sandbox Video", "Connect Acme Freelance"):
        assert name in page
    assert page.count("Not connected") == 3


def test_the_page_shows_an_empty_state_without_providers(settings, client, creator):
    settings.SANDBOX_ENABLED = False
    settings.OAUTH_PROVIDERS = []
    client.force_login(creator)
    assert "No providers are configured yet." in page_text(client.get(reverse("oauth:linked_accounts")))


def test_a_linked_account_shows_status_last_sync_and_a_preview(settings, fake, client, creator):
    use_provider(settings, fake, oidc_entry(fake))
    fake.user.claims = {"profile": "https://acme.example/casey", "picture": "https://cdn.acme.example/c.png"}
    client.force_login(creator)
    page = page_text(connect(client, "acme"))
    assert "Your Acme Freelance account is linked. Its profile is shown below." in page
    assert "Connected" in page
    assert "Last synced just now." in page
    assert "Casey Creator" in page
    assert "View on Acme Freelance" in page
    assert "No portfolio items yet." in page
    assert "Sync now" in page and "Unlink" in page


def test_a_portfolio_preview_lists_six_items_and_counts_the_rest(settings, client, creator):
    settings.OAUTH_PROVIDERS = []
    items = [{"id": str(n), "title": f"Project {n}", "url": f"https://folio.example/{n}", "cover_image_url": ""}
             for n in range(1, 10)]
    LinkedAccount.objects.create(user=creator, provider_id="sandbox-freelance", role="portfolio", subject="s-1",
                                 profile={"display_name": "Casey", "rate": "$85/hr", "location": "Lisbon, PT",
                                          "skills": ["After Effects"], "portfolio_items": items})
    client.force_login(creator)
    page = page_text(client.get(reverse("oauth:linked_accounts")))
    assert "9 projects imported." in page
    assert "Project 6" in page and "Project 7" not in page
    assert "and 3 more" in page
    assert "$85/hr · Lisbon, PT" in page
    assert "After Effects" in page


def test_the_page_costs_a_fixed_number_of_queries(settings, client, creator, django_assert_num_queries):
    for provider_id in ("sandbox-freelance", "sandbox-video"):
        LinkedAccount.objects.create(user=creator, provider_id=provider_id, role="portfolio", subject=provider_id,
                                     status="needs_reconnect", profile={"display_name": "Casey"})
    client.force_login(creator)
    # session, user, the user's links, the reconnect banner's links
    with django_assert_num_queries(4):
        response = client.get(reverse("oauth:linked_accounts"))
    assert page_text(response).count("Needs reconnect") == 2
    assert "Sandbox Freelance, Sandbox Video no longer accept Reelfolio's access." in page_text(response)


def test_creators_find_the_page_in_the_navigation(client, creator):
    client.force_login(creator)
    assert f'href="{reverse("oauth:linked_accounts")}">Linked accounts' in client.get("/").content.decode()


def test_the_page_needs_a_login():
    response = Client().get(reverse("oauth:linked_accounts"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_unlink_of_a_provider_never_linked_is_404(client, creator):
    client.force_login(creator)
    assert client.get(reverse("oauth:unlink", args=["sandbox-freelance"])).status_code == 404
    assert client.post(reverse("oauth:sync", args=["sandbox-freelance"])).status_code == 404
