"""Linking against the built-in sandbox partner over a live server, as against any outside provider."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from common import crypto
from integrations.oauth import hooks, services
from integrations.oauth.models import LinkedAccount, OAuthToken
from integrations.providers.types import Profile

from .helpers import finish, page_text, start_connect

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)


def sandbox_connect(client, provider_id: str, partner, decision: str = "allow"):
    """Connect, log in at the sandbox, press Allow (or Deny), and come back to Reelfolio."""
    authorization_url = start_connect(client, provider_id)
    assert authorization_url.startswith(f"{partner.site_url}/sandbox/oauth/authorize?")
    parts = urlsplit(authorization_url)
    local = f"{parts.path}?{parts.query}"
    login = client.post("/sandbox/login", {"username": partner.user.username, "password": partner.user.password,
                                           "next": local})
    assert login.status_code == 302, login.content[:300]
    answer = client.post(local, {"decision": decision})
    assert answer.status_code == 302, answer.content[:300]
    return finish(client, answer["Location"])


@pytest.fixture
def signed_in(client, creator):
    client.force_login(creator)
    return client


def test_linking_the_sandbox_freelance_account_imports_profile_and_every_project(signed_in, sandbox_partner):
    response = sandbox_connect(signed_in, "sandbox-freelance", sandbox_partner)
    assert "Your Sandbox Freelance account is linked." in page_text(response)
    linked = LinkedAccount.objects.get(provider_id="sandbox-freelance")
    profile = Profile.from_json(linked.profile)
    assert profile.display_name == sandbox_partner.user.name
    assert profile.display_name in page_text(response)
    assert profile.rate == "$85 per hour"  # written as every page writes pay (common/formats.py)
    assert profile.skills
    assert len(profile.portfolio_items) > 20  # more than one page of projects
    assert len({item.id for item in profile.portfolio_items}) == len(profile.portfolio_items)
    token = OAuthToken.objects.get(linked_account=linked)
    assert token.refresh_token_encrypted and token.expires_at is not None


def test_denying_at_the_sandbox_links_nothing(signed_in, sandbox_partner):
    response = sandbox_connect(signed_in, "sandbox-freelance", sandbox_partner, decision="deny")
    assert "You declined access at Sandbox Freelance, so nothing was linked." in page_text(response)
    assert not LinkedAccount.objects.exists()


def test_one_creator_links_both_sandbox_accounts_and_the_video_account_syncs_every_video(signed_in, sandbox_partner):
    received = []

    def handler(*, linked_account, videos):
        received.append(videos)

    hooks.register_videos_synced(handler)
    try:
        sandbox_connect(signed_in, "sandbox-freelance", sandbox_partner)
        response = sandbox_connect(signed_in, "sandbox-video", sandbox_partner)
        assert "Your Sandbox Video account is linked." in page_text(response)
        assert page_text(response).count("Connected") == 2
        linked = LinkedAccount.objects.get(provider_id="sandbox-video")
        services.linked_account_sync(linked_account_id=linked.pk)
    finally:
        hooks.unregister_videos_synced(handler)
    [videos] = received
    assert len(videos) > 20  # more than one page of the video list
    assert len({v.platform_video_id for v in videos}) == len(videos)
    assert all(v.share_url and v.published_at for v in videos)
    linked.refresh_from_db()
    assert linked.last_sync_error == ""


def test_refresh_rotates_the_sandbox_tokens_and_unlink_revokes_them(signed_in, sandbox_partner):
    sandbox_connect(signed_in, "sandbox-freelance", sandbox_partner)
    linked = LinkedAccount.objects.get()
    token = OAuthToken.objects.get()
    old_access = crypto.decrypt(token.access_token_encrypted)
    OAuthToken.objects.update(expires_at=timezone.now() + timedelta(seconds=10))

    new_access = services.token_access(linked_account_id=linked.pk)

    assert new_access != old_access
    me = f"{sandbox_partner.site_url}/sandbox/api/freelance/me"
    assert requests.get(me, headers={"Authorization": f"Bearer {new_access}"}, timeout=10).status_code == 200

    response = signed_in.post(reverse("oauth:unlink", args=["sandbox-freelance"]), follow=True)

    assert "Your Sandbox Freelance account is unlinked and Reelfolio deleted its tokens." in page_text(response)
    assert not OAuthToken.objects.exists()
    assert requests.get(me, headers={"Authorization": f"Bearer {new_access}"}, timeout=10).status_code == 401


@pytest.mark.browser
def test_a_creator_connects_the_sandbox_freelance_account_sees_the_profile_and_unlinks(page, creator,
                                                                                       sandbox_partner):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(creator.email)
    page.get_by_label("Password").fill("orchid-lantern-42")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Linked accounts").click()
    page.get_by_role("button", name="Connect Sandbox Freelance").click()

    page.get_by_label("Username").fill(sandbox_partner.user.username)
    page.get_by_label("Password").fill(sandbox_partner.user.password)
    page.get_by_role("button", name="Log in to the sandbox").click()
    page.get_by_role("button", name="Allow").click()

    page.get_by_text("Your Sandbox Freelance account is linked.").wait_for()
    card = page.locator("article[data-provider=sandbox-freelance]")
    assert card.get_by_role("heading", name=sandbox_partner.user.name).is_visible()
    assert card.get_by_text("Connected").is_visible()

    card.get_by_role("button", name="Unlink").click()
    page.get_by_role("heading", name="Unlink your Sandbox Freelance account?").wait_for()
    page.get_by_role("button", name="Unlink Sandbox Freelance").click()
    page.get_by_text("Your Sandbox Freelance account is unlinked and Reelfolio deleted its tokens.").wait_for()
    assert page.get_by_role("button", name="Connect Sandbox Freelance").is_visible()
    assert not OAuthToken.objects.exists()
