"""An owner invites a colleague who has no account; the colleague follows the emailed link in a real browser,
makes their employer account and lands in the organization; the owner makes them an owner, renames the
organization, and the only-owner rule is told on the page. An employer who has an account joins only once they
accept, and the page lists every invitation alike. Screenshots at 390 and 1280 px go to test-results/."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from portfolio.accounts import services
from portfolio.accounts.models import Membership, User
from tests import screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "orchid-lantern-42"
NEW_PASSWORD = "quartz-meadow-1987"


shoot = screenshots.shooter("accounts-organization", leave_at="desktop")


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def log_out(page) -> None:
    page.context.clear_cookies()


def test_an_invitation_is_accepted_by_a_new_employer_who_is_then_made_an_owner(page, live_server, settings):
    settings.SITE_URL = live_server.url
    services.user_sign_up(
        email="owner@acme.example", name="Olivia", password=PASSWORD, role="employer", organization_name="Acme Films"
    )
    log_in(page, "owner@acme.example", PASSWORD)
    page.goto("/accounts/organizations/acme-films/")
    # The only owner is told on the page why they cannot leave: no Leave link to follow.
    expect(page.get_by_text("You are the only owner of Acme Films")).to_be_visible()
    expect(page.get_by_role("link", name="Leave")).to_have_count(0)
    shoot(page, "detail-only-owner")

    page.get_by_label("Email of a colleague").fill("nia@example.com")
    page.get_by_role("button", name="Invite").click()
    expect(page.locator(".messages")).to_contain_text("Reelfolio emailed an invitation to nia@example.com.")
    message = next(m for m in reversed(mail.outbox) if m.to == ["nia@example.com"])
    link = re.search(r"https?://\S+/accounts/invitations/\S+", message.body).group(0)
    assert link.startswith(settings.SITE_URL)

    log_out(page)
    page.goto(link)
    page.wait_for_url("**/accounts/invitations/accept/")
    expect(page.get_by_role("heading", name="Join Acme Films")).to_be_visible()
    shoot(page, "invitation-form")
    page.get_by_label("Your name").fill("Nia New")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()
    page.wait_for_url("**/accounts/organizations/acme-films/")
    expect(page.locator(".messages")).to_contain_text("Welcome to Reelfolio and to Acme Films, Nia.")
    expect(page.get_by_text("You are a member of this organization.")).to_be_visible()
    shoot(page, "detail-new-member")
    nia = User.objects.get(email="nia@example.com")
    assert nia.is_employer and Membership.objects.get(user=nia).role == "member"

    # The link works once.
    log_out(page)
    page.goto(link)
    expect(page.get_by_text("This invitation was already accepted.")).to_be_visible()
    shoot(page, "invitation-used")

    # The owner makes Nia an owner (after a confirmation page), then renames the organization.
    log_in(page, "owner@acme.example", PASSWORD)
    page.goto("/accounts/organizations/acme-films/")
    page.get_by_role("link", name="Make owner Nia New").click()
    expect(page.get_by_role("heading", name="Make Nia New an owner?")).to_be_visible()
    shoot(page, "promote-confirm")
    page.get_by_role("button", name="Make Nia New an owner").click()
    expect(page.locator(".messages")).to_contain_text("Nia New is now an owner of Acme Films.")
    expect(page.get_by_role("link", name="Leave")).to_be_visible()  # two owners now: Olivia may leave
    shoot(page, "detail-two-owners")

    page.get_by_role("link", name="Rename it").click()
    page.get_by_label("New name").fill("")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    shoot(page, "rename-error")
    page.get_by_label("New name").fill("Acme Pictures")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator(".messages")).to_contain_text("Acme Films is now called Acme Pictures.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Pictures")

    page.get_by_role("link", name="Leave").click()
    expect(page.get_by_role("heading", name="Leave Acme Pictures?")).to_be_visible()
    shoot(page, "leave-confirm")
    page.get_by_role("button", name="Leave Acme Pictures").click()
    expect(page.locator(".messages")).to_contain_text("You left Acme Pictures.")
    assert not Membership.objects.filter(user__email="owner@acme.example").exists()


def test_an_owner_withdraws_a_pending_invitation_and_its_link_says_it_was_withdrawn(page, live_server, settings):
    settings.SITE_URL = live_server.url
    services.user_sign_up(
        email="owner@acme.example", name="Olivia", password=PASSWORD, role="employer", organization_name="Acme Films"
    )
    log_in(page, "owner@acme.example", PASSWORD)
    page.goto("/accounts/organizations/acme-films/")
    expect(page.get_by_text("No pending invitations.")).to_be_visible()
    for email in ("nia@example.com", "lee@example.com"):
        page.get_by_label("Email of a colleague").fill(email)
        page.get_by_role("button", name="Invite").click()
        expect(page.locator(".messages")).to_contain_text(f"Reelfolio emailed an invitation to {email}.")
    message = next(m for m in reversed(mail.outbox) if m.to == ["nia@example.com"])
    link = re.search(r"https?://\S+/accounts/invitations/\S+", message.body).group(0)
    invitations = page.locator("section[aria-labelledby=invitations-heading] tbody tr")
    expect(invitations).to_have_count(2)
    expect(invitations.first).to_contain_text("lee@example.com")
    expect(invitations.nth(1)).to_contain_text("Invited by Olivia")
    expect(invitations.nth(1)).to_contain_text("Expires")
    shoot(page, "invitations-pending")

    page.get_by_role("link", name="Withdraw the invitation to nia@example.com").click()
    expect(page.get_by_role("heading", name="Withdraw the invitation to nia@example.com?")).to_be_visible()
    shoot(page, "invitation-withdraw-confirm")
    page.get_by_role("button", name="Withdraw the invitation").click()
    expect(page.locator(".messages")).to_contain_text("The invitation to nia@example.com is withdrawn")
    expect(invitations).to_have_count(1)
    expect(invitations.first).to_contain_text("lee@example.com")

    log_out(page)
    page.goto(link)
    expect(page.get_by_role("heading", name="This invitation cannot be used")).to_be_visible()
    expect(page.get_by_text("This invitation was withdrawn by the organization")).to_be_visible()
    expect(page.locator("main").get_by_role("button")).to_have_count(0)  # nothing to submit
    shoot(page, "invitation-withdrawn")
    assert not User.objects.filter(email="nia@example.com").exists()

    log_in(page, "owner@acme.example", PASSWORD)
    page.goto("/accounts/organizations/acme-films/")
    page.get_by_role("link", name="Withdraw the invitation to lee@example.com").click()
    page.get_by_role("button", name="Withdraw the invitation").click()
    expect(page.get_by_text("No pending invitations.")).to_be_visible()
    shoot(page, "invitations-none")


def test_an_existing_employer_is_invited_like_anyone_and_joins_once_they_accept(page, live_server, settings):
    """Before, adding an existing employer's address made them a member at once, without asking them, and
    the page showed who had which account (a member at once, a pending invitation, or nothing)."""
    settings.SITE_URL = live_server.url
    services.user_sign_up(
        email="owner@acme.example", name="Olivia", password=PASSWORD, role="employer", organization_name="Acme Films"
    )
    services.user_sign_up(
        email="sam@acme.example", name="Sam Employer", password=PASSWORD, role="employer", organization_name="Sam Co"
    )
    services.user_sign_up(email="cy@example.com", name="Cy Creator", password=PASSWORD, role="creator")
    log_in(page, "owner@acme.example", PASSWORD)
    page.goto("/accounts/organizations/acme-films/")
    for email in ("sam@acme.example", "new.person@example.com", "cy@example.com"):
        page.get_by_label("Email of a colleague").fill(email)
        page.get_by_role("button", name="Invite").click()
        expect(page.locator(".messages")).to_have_text(
            f"Reelfolio emailed an invitation to {email}. They join Acme Films once they accept it; "
            "until then it is listed under Pending invitations."
        )
    members = page.locator("section[aria-labelledby=members-heading] tbody tr")
    expect(members).to_have_count(1)  # the owner alone: nobody joined yet
    invitations = page.locator("section[aria-labelledby=invitations-heading] tbody tr")
    expect(invitations).to_have_count(3)
    for row in range(3):
        expect(invitations.nth(row).locator("td").nth(1)).to_contain_text("Invited by Olivia on")
        expect(invitations.nth(row).get_by_role("link", name="Withdraw")).to_be_visible()
    shoot(page, "detail-after-invite")

    message = next(m for m in reversed(mail.outbox) if m.to == ["sam@acme.example"])
    link = re.search(r"https?://\S+/accounts/invitations/\S+", message.body).group(0)
    log_out(page)
    page.goto(link)
    page.wait_for_url("**/accounts/invitations/accept/")
    page.get_by_role("button", name="Log in to accept").click()
    page.get_by_label("Email").fill("sam@acme.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/invitations/accept/")
    page.get_by_role("button", name="Join Acme Films").click()
    page.wait_for_url("**/accounts/organizations/acme-films/")
    expect(page.locator(".messages")).to_contain_text("Welcome to Acme Films.")
    assert Membership.objects.get(user__email="sam@acme.example", organization__slug="acme-films").role == "member"
