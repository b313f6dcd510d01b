"""The applicant's own pages: My applications, withdraw, stop sharing, export and erase."""

import json

import pytest
from django.core.cache import cache
from django.urls import reverse

from common import crypto
from integrations.oauth.models import LinkedAccount, OAuthToken
from portfolio.accounts.models import User
from portfolio.creators.models import CreatorProfile, PortfolioAnchor, Video
from portfolio.jobs.models import Application, ApplicationStatusChange, ApplyConsent
from portfolio.jobs.services import review
from portfolio.jobs.services.applications import application_create
from portfolio.jobs.services.consent import consent_grant
from tests.integrations.oauth.fake_provider import FakeProvider
from tests.integrations.oauth.helpers import page_text
from tests.jobs.apply_support import make_acme_applicant, published_job, use_acme
from tests.jobs.conftest import PASSWORD, org_videos

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake(settings):
    provider = FakeProvider().start()
    use_acme(settings, provider)
    yield provider
    provider.stop()


@pytest.fixture
def jordan(fake):
    user = make_acme_applicant("jordan@example.com", "Jordan Applicant", fake, subject="acme-jordan")
    consent_grant(user=user, provider_id="acme")
    return user


@pytest.fixture
def signed_in(client, jordan):
    client.force_login(jordan)
    return client


@pytest.fixture
def application(organization, employer, videos, jordan):
    job = published_job(organization=organization, actor=employer, video=videos[0])
    return application_create(job=job, applicant=jordan)


LIST = reverse("jobs:applicant_applications")


def test_my_applications_is_in_the_account_menu_of_creators(signed_in):
    assert f'href="{LIST}"' in signed_in.get("/").content.decode()


def test_my_applications_says_so_when_there_are_none(signed_in):
    text = page_text(signed_in.get(LIST))
    assert "You have not applied to any job yet." in text
    assert "Acme Freelance" in text  # the consent given, with a way to stop it


def test_my_applications_lists_job_company_status_and_date_in_a_fixed_number_of_queries(
    signed_in, organization, employer, jordan, django_assert_num_queries
):
    videos = org_videos(organization, 25, prefix="many")
    for video in videos:
        job = published_job(organization=organization, actor=employer, video=video, title=f"Job on {video.pk}")
        application_create(job=job, applicant=jordan)
        cache.clear()  # the apply rate limit counts presses a minute; these are made over weeks
    Application.objects.filter(job__title=f"Job on {videos[-1].pk}").update(status="interview")

    # session, user, count, the consents, the reconnect banner's links, the page of applications with their
    # jobs and organizations
    with django_assert_num_queries(6):
        response = signed_in.get(LIST)
    text = page_text(response)
    assert f"Job on {videos[-1].pk} Northwind Studio Interview" in text
    assert "Page 1 of 2" in text
    assert text.count("Northwind Studio") == 20
    assert "Page 2 of 2" in page_text(signed_in.get(f"{LIST}?page=2"))


def test_withdraw_after_a_confirmation(signed_in, application):
    url = reverse("jobs:applicant_withdraw", args=[application.pk])
    assert f'href="{url}"' in signed_in.get(LIST).content.decode()
    confirm = page_text(signed_in.get(url))
    assert "Withdraw your application to “Motion designer for launch videos”?" in confirm
    application.refresh_from_db()
    assert application.status == "new", "the confirmation page changes nothing"

    response = signed_in.post(url, follow=True)

    assert "You withdrew your application to “Motion designer for launch videos”" in page_text(response)
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert ApplicationStatusChange.objects.filter(application=application, to_status="withdrawn").exists()


def test_nobody_else_reaches_an_application(client, application, fake, member):
    other = make_acme_applicant("robin@example.com", "Robin", fake, subject="acme-robin")
    client.force_login(other)
    url = reverse("jobs:applicant_withdraw", args=[application.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(member)
    assert client.get(LIST).status_code == 403
    assert client.post(url).status_code == 403
    application.refresh_from_db()
    assert application.status == "new"


def test_stop_sharing_a_profile(signed_in, jordan):
    response = signed_in.post(reverse("jobs:applicant_consent_revoke", args=["acme"]), follow=True)
    assert "Reelfolio no longer shares your Acme Freelance profile when you apply" in page_text(response)
    assert not ApplyConsent.objects.filter(user=jordan).exists()
    assert "Nothing yet: the first time you apply" in page_text(response)


def test_export_holds_everything_but_tokens_and_employer_notes(signed_in, application, jordan, employer, fake):
    review.application_status_change(application=application, actor=employer, status="interview")
    review.application_note_add(application=application, author=employer, body="Strong reel, ask about rates.")
    token = OAuthToken.objects.get(linked_account__user=jordan)
    access, refresh = crypto.decrypt(token.access_token_encrypted), crypto.decrypt(token.refresh_token_encrypted)

    response = signed_in.get(reverse("jobs:applicant_export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="reelfolio-data-')
    raw = response.content.decode()
    for secret in (access, refresh, token.access_token_encrypted, "Strong reel"):
        assert secret not in raw
    data = json.loads(raw)
    assert data["account"]["email"] == "jordan@example.com"
    assert data["creator_page"]["handle"] == CreatorProfile.objects.get(user=jordan).handle
    [linked] = data["linked_accounts"]
    assert linked["provider"] == "acme" and linked["profile"]["headline"] == "Video editor"
    assert "token" not in json.dumps(linked)
    [shared] = data["applications"]
    assert shared["organization"] == "Northwind Studio"
    assert shared["status"] == "interview"
    assert shared["shared_profile"]["email"] == "jordan@example.com"
    assert [(step["to"], step["by"]) for step in shared["status_history"]] == [("new", "you"),
                                                                              ("interview", "the employer")]
    assert data["apply_consents"][0]["provider"] == "acme"


def test_erase_needs_the_email_or_password_typed(signed_in, jordan):
    url = reverse("jobs:applicant_erase")
    assert "Erase your account?" in page_text(signed_in.get(url))
    response = signed_in.post(url, {"confirm": "someone@example.com"})
    assert response.status_code == 400
    assert "Type your email address or your password exactly" in page_text(response)
    assert User.objects.filter(pk=jordan.pk).exists()


@pytest.mark.parametrize("typed", ["JORDAN@example.com", PASSWORD])
def test_erase_revokes_tokens_anonymizes_applications_and_closes_the_account(signed_in, application, jordan, fake,
                                                                             employer, typed):
    review.application_status_change(application=application, actor=employer, status="reviewing")
    token = OAuthToken.objects.get(linked_account__user=jordan)
    access, refresh = crypto.decrypt(token.access_token_encrypted), crypto.decrypt(token.refresh_token_encrypted)
    holder_videos = Video.objects.count()
    own = Video.objects.create(owner=jordan, platform="sandbox-video", platform_video_id="mine-1",
                               share_url="https://video.example/mine-1")
    PortfolioAnchor.objects.create(video=own, code="erase-me-1", target_kind="reelfolio_page",
                                   target_url="https://reelfolio.example/@jordan")

    response = signed_in.post(reverse("jobs:applicant_erase"), {"confirm": typed}, follow=True)

    assert "Your account is closed." in page_text(response)
    assert "Log in" in page_text(response), "they are logged out"
    assert not User.objects.filter(pk=jordan.pk).exists()
    # Tokens revoked at the provider, and gone here.
    assert access not in fake.access_tokens and refresh not in fake.refresh_tokens
    assert {seen.form.get("token") for seen in fake.seen("/revoke")} >= {access, refresh}
    assert not OAuthToken.objects.exists()
    assert not LinkedAccount.objects.filter(provider_id="acme").exists()
    # The employer keeps an anonymous application with its history.
    application.refresh_from_db()
    assert application.applicant is None
    assert application.anonymized_at is not None
    assert application.snapshot == {"name": "Erased applicant"}
    assert application.answers == []
    assert application.status == "reviewing"
    assert application.status_changes.count() == 2
    # Their own videos and links are gone; the organization's are not.
    assert Video.objects.count() == holder_videos
    assert not PortfolioAnchor.objects.filter(code="erase-me-1").exists()
    assert not ApplyConsent.objects.exists()
