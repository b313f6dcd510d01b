"""The Linked accounts page after Connect or Sync now: it follows the sync by itself (a small JSON endpoint
that static/linked_accounts.js polls), says what each account brought in, and survives Back."""

import os
import re
import signal
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from integrations.oauth.models import LinkedAccount
from integrations.providers.types import PortfolioItem, Profile, RemoteVideo
from portfolio.creators import services
from tests import screenshots

from .helpers import page_text

PASSWORD = "orchid-lantern-42"


def videos(count: int) -> list[RemoteVideo]:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        RemoteVideo(
            platform_video_id=f"v-{n}", title=f"Clip {n}", cover_image_url=f"https://cdn.video.example/{n}.jpg",
            share_url=f"https://video.example/{n}", embed_url=f"https://video.example/{n}/embed",
            duration_seconds=30, published_at=base + timedelta(days=n),
        )
        for n in range(count)
    ]


def link(user, provider_id: str, role: str, profile: Profile | None = None, **fields) -> LinkedAccount:
    return LinkedAccount.objects.create(
        user=user, provider_id=provider_id, role=role, subject=f"{provider_id}-{user.pk}",
        profile=(profile or Profile()).as_json(), **fields,
    )


@pytest.mark.django_db
def test_the_status_endpoint_says_which_of_my_accounts_are_syncing(client, creator, other_creator,
                                                                   django_assert_num_queries):
    assert client.get(reverse("oauth:linked_accounts_status")).status_code == 401
    link(creator, "sandbox-video", "videos", sync_requested_at=timezone.now())
    link(creator, "sandbox-freelance", "portfolio", last_synced_at=timezone.now())
    link(other_creator, "sandbox-freelance", "portfolio", sync_requested_at=timezone.now())
    client.force_login(creator)

    with django_assert_num_queries(3):  # the session, the user, the links
        response = client.get(reverse("oauth:linked_accounts_status"))

    body = response.json()
    assert response["Cache-Control"].startswith("max-age=0") and body["syncing"] is True
    assert [(a["provider"], a["syncing"]) for a in body["accounts"]] == [
        ("sandbox-video", True), ("sandbox-freelance", False)
    ]
    LinkedAccount.objects.filter(user=creator).update(sync_requested_at=None)
    assert client.get(reverse("oauth:linked_accounts_status")).json()["syncing"] is False


@pytest.mark.django_db
def test_each_card_says_how_much_it_imported_and_the_rest_of_the_portfolio_is_a_link(client, creator,
                                                                                    django_assert_num_queries):
    portfolio = Profile(
        display_name="Casey Creator", profile_url="https://freelance.example/casey",
        portfolio_items=[PortfolioItem(id=f"p-{n}", title=f"Project {n}", url=f"https://freelance.example/p-{n}")
                         for n in range(23)],
    )
    link(creator, "sandbox-freelance", "portfolio", profile=portfolio)
    video_account = link(creator, "sandbox-video", "videos", sync_requested_at=timezone.now())
    services.videos_sync(linked_account=video_account, videos=videos(25))
    client.force_login(creator)

    with django_assert_num_queries(5):  # the session, the user, the links, the video counts, the reconnect banner
        response = client.get(reverse("oauth:linked_accounts"))

    text = page_text(response)
    assert "23 projects imported." in text and "25 videos imported." in text
    html = response.content.decode()
    assert re.search(r'<a href="https://freelance.example/casey"[^>]*>and 17 more</a>', html)
    assert "A sync is on its way. This page updates itself when it is done." in text
    assert "Reload to see it" not in text
    assert 'src="/static/linked_accounts.js"' in html


shoot = screenshots.shooter("linked-accounts")


@pytest.mark.browser
@pytest.mark.worker
@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)
def test_the_page_shows_the_sync_when_the_worker_finishes_it_without_a_reload(celery_worker_process, page,
                                                                              sandbox_partner, creator):
    sandbox_login = sandbox_partner.user
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(creator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto("/integrations/oauth/")
    card = page.locator("article[data-provider='sandbox-video']")
    # The worker waits (stopped) until the page has shown that a sync is on its way.
    os.kill(celery_worker_process.pid, signal.SIGSTOP)
    try:
        card.get_by_role("button", name="Connect Sandbox Video").click()
        page.get_by_label("Sandbox username").fill(sandbox_login.username)
        page.get_by_label("Sandbox password").fill(sandbox_login.password)
        page.get_by_role("button", name="Log in to the sandbox").click()
        page.get_by_role("button", name="Allow").click()
        page.wait_for_url(re.compile(r"/integrations/oauth/$"))
        expect(card.get_by_text("A sync is on its way")).to_be_visible()
        expect(card.get_by_text("0 videos imported.")).to_be_visible()
        shoot(page, "syncing")
        page.evaluate("window.stillTheSamePage = true")
    finally:
        os.kill(celery_worker_process.pid, signal.SIGCONT)

    expect(card.get_by_text("25 videos imported.")).to_be_visible(timeout=45_000)
    expect(card.get_by_text("A sync is on its way")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="The sync is done")).to_have_count(1)
    assert page.evaluate("window.stillTheSamePage") is True, "the page reloaded"
    shoot(page, "synced")

    # Back, to the sandbox's consent page, and its answer again: the account is shown, not an error.
    page.go_back()
    if page.get_by_role("button", name="Allow").count():
        page.get_by_role("button", name="Allow").click()
    page.wait_for_url(re.compile(r"/integrations/oauth/$"))
    expect(page.get_by_text("not the one Reelfolio was waiting for")).to_have_count(0)
    expect(card.locator(".badge.ok")).to_have_text("Connected")
    expect(card.get_by_text("25 videos imported.")).to_be_visible()

    freelance = page.locator("article[data-provider='sandbox-freelance']")
    freelance.get_by_role("button", name="Connect Sandbox Freelance").click()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(re.compile(r"/integrations/oauth/$"))
    expect(freelance.get_by_text("23 projects imported.")).to_be_visible(timeout=45_000)
    expect(freelance.get_by_text("A sync is on its way")).to_have_count(0, timeout=45_000)
    more = freelance.get_by_role("link", name="and 17 more projects, on Sandbox Freelance")
    expect(more).to_have_attribute("href", f"{sandbox_partner.site_url}/sandbox/freelancers/{sandbox_login.username}")
    shoot(page, "both")
