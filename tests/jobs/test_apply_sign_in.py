""""Continue with <provider>" on the job page: one OAuth round trip with the sandbox partner signs a visitor
up or in, links the account and brings them back to the job with its apply button."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from integrations.oauth.models import LinkedAccount
from integrations.oauth.registry import provider_or_none
from integrations.providers import Account
from integrations.providers.errors import LinkError
from integrations.providers.types import Profile
from portfolio.accounts.models import User
from portfolio.accounts.services import user_for_provider_sign_in, user_sign_up
from portfolio.creators.models import CreatorProfile
from portfolio.jobs.models import Application
from tests.integrations.conftest import sandbox_partner  # noqa: F401  (the fixture)
from tests.integrations.oauth.helpers import finish, page_text
from tests.jobs.apply_support import published_job


@pytest.fixture
def job(organization, employer, videos):
    return published_job(organization=organization, actor=employer, video=videos[0])


def continue_with(client, job, partner, provider_id="sandbox-freelance"):
    """Presses "Continue with ..." on the job page, logs in at the sandbox, allows, and comes back."""
    job_url = reverse("jobs:job_page", args=[job.slug])
    assert f'action="{reverse("oauth:sign_in", args=[provider_id])}"' in client.get(job_url).content.decode()
    response = client.post(reverse("oauth:sign_in", args=[provider_id]), {"next": job_url})
    assert response.status_code == 302, response.content[:300]
    parts = urlsplit(response["Location"])
    local = f"{parts.path}?{parts.query}"
    login = client.post("/sandbox/login", {"username": partner.user.username, "password": partner.user.password,
                                           "next": local})
    assert login.status_code == 302, login.content[:300]
    answer = client.post(local, {"decision": "allow"})
    assert answer.status_code == 302, answer.content[:300]
    return finish(client, answer["Location"])


@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)
def test_a_visitor_continues_with_the_sandbox_signs_up_links_and_applies(client, job, sandbox_partner):  # noqa: F811
    response = continue_with(client, job, sandbox_partner)

    assert response.redirect_chain[-1][0] == reverse("jobs:job_page", args=[job.slug])
    text = page_text(response)
    assert "You are signed in with your Sandbox Freelance account." in text
    assert "Review and apply with Sandbox Freelance profile" in text
    user = User.objects.get(email="casey@sandbox.reelfolio.test")
    assert user.is_creator and user.name == sandbox_partner.user.name
    assert not user.has_usable_password()
    assert CreatorProfile.objects.filter(user=user).exists()
    assert LinkedAccount.objects.get(user=user).provider_id == "sandbox-freelance"
    assert int(client.session[SESSION_KEY]) == user.pk

    # First application: the consent screen, then the profile is read from the sandbox at that moment.
    apply = client.post(reverse("jobs:apply", args=[job.slug]), {"provider": "sandbox-freelance"}, follow=True)
    assert "Share your Sandbox Freelance profile?" in page_text(apply)
    done = client.post(reverse("jobs:apply_consent", args=[job.slug]), {"provider": "sandbox-freelance"}, follow=True)
    application = Application.objects.get()
    assert application.snapshot_source == "live"
    assert len(application.snapshot["portfolio_items"]) > 20  # every page of the sandbox's projects
    assert "You applied on" in page_text(done)

    # Coming back later, continuing again signs them in to the same account.
    client.logout()
    again = continue_with(client, job, sandbox_partner)
    assert "You applied on" in page_text(again)
    assert User.objects.filter(email="casey@sandbox.reelfolio.test").count() == 1


@pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)
def test_an_existing_account_with_that_email_is_asked_to_log_in_first(client, job, sandbox_partner):  # noqa: F811
    user_sign_up(email="Casey@sandbox.reelfolio.test", name="Casey", password="orchid-lantern-42", role="creator")
    users = User.objects.count()

    response = continue_with(client, job, sandbox_partner)

    text = page_text(response)
    assert "An account with this email exists: log in first, then link Sandbox Freelance." in text
    assert SESSION_KEY not in client.session
    assert not LinkedAccount.objects.filter(provider_id="sandbox-freelance").exists()
    assert User.objects.count() == users
    assert "Continue with Sandbox Freelance" in text, "they are back on the job page, still a visitor"


def account(email: str, verified: bool) -> Account:
    return Account(subject="acme-1", profile=Profile(display_name="Ada Lovelace"), email=email, email_verified=verified)


@pytest.mark.django_db
def test_an_email_the_provider_did_not_verify_is_not_trusted_for_sign_in():
    provider = provider_or_none("sandbox-freelance")
    with pytest.raises(LinkError, match="Sandbox Freelance has not confirmed your email address, so Reelfolio cannot "
                                        "sign you in with it. Confirm it at Sandbox Freelance and try again, or sign "
                                        "up with your email"):
        user_for_provider_sign_in(provider=provider, account=account("ada@example.com", verified=False))
    with pytest.raises(LinkError, match="did not tell Reelfolio your email address"):
        user_for_provider_sign_in(provider=provider, account=account("", verified=True))
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_verified_email_of_an_existing_account_is_never_merged():
    provider = provider_or_none("sandbox-freelance")
    user_sign_up(email="ada@example.com", name="Ada", password="orchid-lantern-42", role="creator")
    with pytest.raises(LinkError, match="An account with this email exists: log in first, then link Sandbox"):
        user_for_provider_sign_in(provider=provider, account=account("ADA@Example.com", verified=True))
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_a_verified_new_email_makes_a_creator_account_named_as_on_the_provider():
    provider = provider_or_none("sandbox-freelance")
    user = user_for_provider_sign_in(provider=provider, account=account("Ada@Example.com", verified=True))
    assert (user.email, user.name, user.role) == ("ada@example.com", "Ada Lovelace", "creator")
    assert not user.has_usable_password()
    assert CreatorProfile.objects.get(user=user).handle
