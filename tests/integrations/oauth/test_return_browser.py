"""Every OAuth return lands somewhere sensible, in a real browser against the sandbox partner: Back after the
round trip, a replayed callback and a denied consent each bring the person to where the flow started (the
Linked accounts page for a creator, the job page for an applicant) with a message saying what happened.

Before, Back replayed the authorization address, the sandbox stopped on a page saying "Replay attack", and an
applicant who had started on a job page was left on Linked accounts with no message.
"""

import re

import pytest
from playwright.sync_api import expect

from integrations.oauth.models import LinkedAccount
from portfolio.accounts.services import user_sign_up
from tests import screenshots
from tests.integrations.conftest import sandbox_partner  # noqa: F401  (the fixture)
from tests.jobs.apply_support import published_job
from tests.jobs.conftest import PASSWORD, make_employer, org_videos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)]

shoot = screenshots.shooter("oauth-return")
ANSWERED = "You came back to a page of Sandbox Freelance that had already been answered"


def _at_the_sandbox(page, partner, *, decision: str) -> None:
    """Logs in at the sandbox's own page (when it asks) and answers its consent page."""
    page.get_by_role("button", name=re.compile("Allow|Log in to the sandbox")).first.wait_for()
    if page.get_by_role("button", name="Log in to the sandbox").count():
        page.get_by_label("Username").fill(partner.user.username)
        page.get_by_label("Password").fill(partner.user.password)
        page.get_by_role("button", name="Log in to the sandbox").click()
    page.get_by_role("button", name=decision).click()


def _round_trip(page, partner, start, *, decision="Allow") -> str:
    """Presses the button that starts the flow, answers at the sandbox, and returns the callback address."""
    callbacks: list[str] = []
    page.on("request", lambda request: callbacks.append(request.url) if "/callback/" in request.url else None)
    start()
    _at_the_sandbox(page, partner, decision=decision)
    page.wait_for_load_state()
    expect(page.locator("body")).not_to_contain_text("Log in to the sandbox")
    return callbacks[-1]


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def test_a_creator_goes_back_replays_the_callback_and_denies_consent(page, live_server, sandbox_partner):  # noqa: F811
    user_sign_up(email="cleo@example.com", name="Cleo Creator", password=PASSWORD, role="creator")
    _log_in(page, "cleo@example.com")
    page.goto("/integrations/oauth/")
    callback = _round_trip(
        page, sandbox_partner, lambda: page.get_by_role("button", name="Connect Sandbox Freelance").click()
    )
    expect(page.get_by_text("Your Sandbox Freelance account is linked.")).to_be_visible()
    linked_accounts = page.url

    page.go_back()  # to the sandbox's consent page, whose request was answered already
    expect(page).to_have_url(linked_accounts)
    expect(page.get_by_text(ANSWERED)).to_contain_text("Your Sandbox Freelance account is linked; nothing changed.")
    expect(page.locator("body")).not_to_contain_text("Replay attack")
    shoot(page, "creator-back")

    page.goto(callback)  # the same answer again
    expect(page).to_have_url(linked_accounts)
    expect(page.get_by_text(ANSWERED)).to_be_visible()
    assert LinkedAccount.objects.filter(user__email="cleo@example.com").count() == 1

    _round_trip(
        page, sandbox_partner, lambda: page.get_by_role("button", name="Connect Sandbox Video").click(),
        decision="Deny",
    )
    expect(page).to_have_url(linked_accounts)
    expect(page.get_by_text("You declined access at Sandbox Video, so nothing was linked.")).to_be_visible()
    assert not LinkedAccount.objects.filter(provider_id="sandbox-video").exists()


def test_an_applicant_from_a_job_page_comes_back_to_it_every_way(page, browser, live_server, sandbox_partner):  # noqa: F811
    employer = make_employer("owner@northwind.example", "Olivia Owner", "Northwind Studio")
    organization = employer.organizations.get()
    job = published_job(organization=organization, actor=employer, video=org_videos(organization, 1)[0])
    job_page = f"{live_server.url}/jobs/{job.slug}/"

    page.goto(job_page)
    callback = _round_trip(
        page, sandbox_partner, lambda: page.get_by_role("button", name="Continue with Sandbox Freelance").click()
    )
    expect(page).to_have_url(job_page)
    expect(page.get_by_text("You are signed in with your Sandbox Freelance account.")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(job_page)
    expect(page.get_by_text(ANSWERED)).to_contain_text("You are signed in with your Sandbox Freelance account")
    expect(page.get_by_role("button", name=re.compile("Sandbox Freelance profile"))).to_be_visible()
    shoot(page, "applicant-back")

    page.goto(callback)
    expect(page).to_have_url(job_page)
    expect(page.get_by_text(ANSWERED)).to_be_visible()

    # Another visitor says no at the sandbox: back on the job page, told why, signed in nowhere.
    context = browser.new_context(base_url=live_server.url)
    visitor = context.new_page()
    try:
        visitor.goto(job_page)
        _round_trip(
            visitor, sandbox_partner,
            lambda: visitor.get_by_role("button", name="Continue with Sandbox Freelance").click(), decision="Deny",
        )
        expect(visitor).to_have_url(job_page)
        expect(visitor.get_by_text("You declined access at Sandbox Freelance")).to_be_visible()
        expect(visitor.get_by_role("button", name="Continue with Sandbox Freelance")).to_be_visible()
        shoot(visitor, "applicant-denied")
    finally:
        context.close()
