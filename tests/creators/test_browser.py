"""Portfolio links end to end in Chromium: link the sandbox accounts, attach a link, follow it from the public page."""

import re

import pytest
from playwright.sync_api import expect

from integrations.oauth.models import LinkedAccount
from integrations.oauth.services import linked_account_sync
from integrations.sandbox.services import sandbox_seed
from portfolio.creators import services
from portfolio.creators.models import LinkClickDaily, Video
from tests.creators.conftest import BROWSER_UA, PASSWORD, make_creator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)]


@pytest.fixture
def sandbox(live_server, settings):
    settings.SITE_URL = live_server.url
    return sandbox_seed(site_url=live_server.url)


def link_sandbox_account(page, provider_name: str, sandbox_login):
    page.goto("/integrations/oauth/")
    page.get_by_role("button", name=f"Connect {provider_name}").click()
    if page.get_by_label("Sandbox username").count():
        page.get_by_label("Sandbox username").fill(sandbox_login.username)
        page.get_by_label("Sandbox password").fill(sandbox_login.password)
        page.get_by_role("button", name="Log in to the sandbox").click()
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(re.compile(r"/integrations/oauth/$"))
    assert page.locator(f"article:has(h2:text-is('{provider_name}')) .badge.ok").inner_text() == "Connected"


def test_creator_links_sandbox_accounts_attaches_a_link_and_a_visitor_follows_it(page, live_server, sandbox):
    creator = make_creator("casey@example.com", "Casey Creator")
    sandbox_login = sandbox.logins[0]

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(creator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    link_sandbox_account(page, "Sandbox Freelance", sandbox_login)
    link_sandbox_account(page, "Sandbox Video", sandbox_login)
    # The worker's job after linking, run here: fetch the profile and the videos from the sandbox over HTTP.
    for account in LinkedAccount.objects.filter(user=creator):
        linked_account_sync(linked_account_id=account.pk)
    first = Video.objects.filter(owner=creator).order_by("-published_at", "-id").first()
    assert first is not None

    page.get_by_role("link", name="My videos").click()
    page.get_by_role("link", name=f"Attach a link to “{first.title}”").click()
    page.get_by_label(re.compile(r"My profile on Sandbox Freelance")).check()
    page.get_by_role("button", name="Attach the link").click()
    assert f"“View My Portfolio” is on “{first.title}”." in page.locator(".messages").inner_text()

    # Headless Chromium says "HeadlessChrome" in its User-Agent, which counts as a bot; visit as a person would.
    page.set_extra_http_headers({"User-Agent": BROWSER_UA})
    # The public page shows the video; its tile plays it where it was published.
    page.goto(f"/@{creator.creator_profile.handle}")
    expect(page.locator(".video-tile", has_text=first.title)).to_be_visible()
    # A viewer follows "View My Portfolio" under the video on its platform: the short link.
    first.refresh_from_db()
    page.goto(f"/l/{first.portfolio_anchor.code}")
    page.wait_for_url(re.compile(r"/sandbox/freelancers/"))
    assert page.locator("h1").inner_text() == sandbox_login.name

    services.clicks_fold()
    assert LinkClickDaily.objects.get(anchor__video=first).clicks == 1
