"""The organization's video account card after Connect or Sync now: like the creator's Linked accounts page,
it follows the sync by itself (static/linked_accounts.js polls the organization's status endpoint) and shows
the videos when the worker is done, without a reload."""

import os
import re
import signal

import pytest
from playwright.sync_api import expect

from tests import screenshots
from tests.integrations.conftest import sandbox_partner  # noqa: F401 (the live sandbox partner fixture)
from tests.jobs.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(databases=["default", "sandbox"], transaction=True),
]


shoot = screenshots.shooter("organization-video", leave_at="desktop")


def test_the_organization_card_shows_the_sync_when_the_worker_finishes_it_without_a_reload(
    celery_worker_process, page, sandbox_partner, employer, organization  # noqa: F811
):
    studio = next(user for user in sandbox_partner.users if user.username == "northwind")
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(employer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"/accounts/organizations/{organization.slug}/")
    section = page.locator("#video-account")
    card = section.locator("article[data-org-provider='sandbox-video']")
    # The worker waits (stopped) until the page has shown that a sync is on its way.
    os.kill(celery_worker_process.pid, signal.SIGSTOP)
    try:
        card.get_by_role("button", name="Connect Sandbox Video").click()
        page.get_by_label("Sandbox username").fill(studio.username)
        page.get_by_label("Sandbox password").fill(studio.password)
        page.get_by_role("button", name="Log in to the sandbox").click()
        page.get_by_role("button", name="Allow").click()
        page.wait_for_url(re.compile(rf"/accounts/organizations/{organization.slug}/"))
        expect(card.get_by_text("A sync is on its way. This page updates itself when it is done.")).to_be_visible()
        expect(section.get_by_text("No videos yet.")).to_be_visible()
        expect(page.get_by_text(re.compile("reload", re.IGNORECASE))).to_have_count(0)
        shoot(page, "syncing")
        page.evaluate("window.stillTheSamePage = true")
    finally:
        os.kill(celery_worker_process.pid, signal.SIGCONT)

    expect(section.get_by_text("We're hiring: motion designer", exact=True)).to_be_visible(timeout=45_000)
    expect(card.get_by_text("A sync is on its way")).to_have_count(0)
    expect(card.get_by_text(re.compile(r"Last synced"))).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="The sync is done")).to_have_count(1)
    assert page.evaluate("window.stillTheSamePage") is True, "the page reloaded"
    shoot(page, "synced")

    # Sync now: the page says so, then updates itself again.
    card.get_by_role("button", name="Sync now").click()
    expect(page.locator(".messages")).to_contain_text("Syncing Northwind Studio's Sandbox Video account")
    page.evaluate("window.stillTheSamePage = true")
    expect(card.get_by_text("A sync is on its way")).to_have_count(0, timeout=45_000)
    expect(section.get_by_text("We're hiring: motion designer", exact=True)).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True, "the page reloaded"
