import re

import pytest
from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from portfolio.accounts import services
from portfolio.accounts.models import Membership, Organization, User
from tests import screenshots

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "orchid-lantern-42"


def follow_confirmation_link(page, email: str) -> None:
    """The new account's owner opens the confirmation link the sign-up sent them."""
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    link = next(line for line in message.body.splitlines() if "/accounts/signup/confirm/" in line).strip()
    page.goto(link.removeprefix(settings.SITE_URL))


shoot = screenshots.shooter("accounts")


def test_creator_signs_up_logs_out_and_logs_in_again(page):
    page.goto("/")
    page.get_by_role("button", name="Sign up").click()
    page.get_by_label("A creator").check()
    expect(page.get_by_label("Organization name")).to_be_hidden()
    page.get_by_label("Your name").fill("Casey Creator")
    page.get_by_label("Email").fill("casey@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    follow_confirmation_link(page, "casey@example.com")
    expect(page.get_by_text("Welcome to Reelfolio, Casey.")).to_be_visible()
    assert User.objects.get(email="casey@example.com").role == "creator"

    page.get_by_text("Casey", exact=True).click()  # the account menu
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("casey@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That email and password do not match an account.")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, Casey")).to_be_visible()


def test_employer_signs_up_with_an_organization_after_fixing_a_missing_name(page):
    page.goto("/accounts/signup/")
    page.get_by_label("An employer").check()
    page.get_by_label("Your name").fill("Olivia Owner")
    page.get_by_label("Email").fill("olivia@acme.example")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    name_field = page.get_by_label(re.compile("^Organization name"))
    expect(name_field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Employers sign up with the name of their organization.")).to_be_visible()
    assert not User.objects.exists()

    # Passwords are never sent back to the browser: they are typed again.
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    name_field.fill("Acme Films")
    page.get_by_label(re.compile("^Organization website")).fill("https://acme.example")
    page.get_by_role("button", name="Create account").click()
    follow_confirmation_link(page, "olivia@acme.example")
    expect(page.get_by_text("Welcome to Reelfolio, Olivia.")).to_be_visible()

    page.get_by_role("link", name="Organizations").click()
    page.get_by_role("link", name="Acme Films").click()
    expect(page.get_by_role("heading", name="Acme Films")).to_be_visible()
    expect(page.get_by_text("You are an owner of this organization.")).to_be_visible()
    organization = Organization.objects.get()
    assert organization.memberships.get().user.email == "olivia@acme.example"


def test_an_organization_page_with_long_emails_fits_a_phone(page):
    owner = services.user_sign_up(
        email="olivia@acme.example", name="Olivia Owner", password=PASSWORD, role="employer",
        organization_name="Acme Films",
    )
    organization = owner.organizations.get()
    colleague = services.user_sign_up(
        email="maximilian.montgomery-longname@subsidiary.acme.example", name="Maximilian Montgomery",
        password=PASSWORD, role="employer", organization_name="Elsewhere",
    )
    Membership.objects.create(organization=organization, user=colleague, role="member")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/accounts/organizations/{organization.slug}/")
    expect(page.get_by_text("maximilian.montgomery-longname@subsidiary.acme.example")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Remove Maximilian Montgomery").click()
    expect(page.get_by_role("heading", name="Remove Maximilian Montgomery?")).to_be_visible()


def test_guessing_a_password_meets_the_pause_page_and_a_taken_email_only_says_check_your_email(page):
    User.objects.create_user(email="ada@example.com", password=PASSWORD, name="Ada")
    page.goto("/accounts/login/")
    for _ in range(5):
        page.get_by_label("Email").fill("ada@example.com")
        page.get_by_label("Password").fill("wrong-guess-00")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Too many attempts")).to_be_visible()
    expect(page.get_by_role("link", name="choose a new password")).to_be_visible()
    shoot(page, "login-locked")

    page.goto("/accounts/signup/")
    page.get_by_label("Your name").fill("Someone Else")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    shoot(page, "signup-check-email")
