"""Applying through the services: the fresh profile, the fallback when the provider is down or slow,
consent, screening answers, once per job, rate limits, withdrawing; every refusal writes nothing."""

import socket
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from common.errors import ApplicationError, Conflict, Gone, NotFound, PermissionDenied
from integrations.oauth.models import LinkedAccount, OAuthToken
from portfolio.jobs.models import Application, ApplicationStatusChange, ApplyConsent, Job
from portfolio.jobs.services import applications as services
from portfolio.jobs.services.consent import SHARED_FIELDS, consent_grant, consent_revoke
from tests.jobs.apply_support import (
    FRESH_CLAIMS,
    give_tokens,
    make_acme_applicant,
    published_job,
    question,
)
from tests.jobs.conftest import make_applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def jordan(fake):
    user = make_acme_applicant("jordan@example.com", "Jordan Applicant", fake, subject="acme-jordan")
    consent_grant(user=user, provider_id="acme")
    return user


def nothing_written():
    return not Application.objects.exists() and not ApplicationStatusChange.objects.exists()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def userinfo_at(fake, url: str) -> None:
    """The provider's discovery document sends profile reads to `url` from now on."""
    original = fake.metadata
    fake.metadata = lambda: {**original(), "userinfo_endpoint": url}


# --- the snapshot ---------------------------------------------------------------------------------


def test_applying_sends_the_profile_fetched_fresh_from_the_provider(job, jordan, fake):
    application = services.application_create(job=job, applicant=jordan)

    assert application.snapshot_source == "live"
    assert timezone.now() - application.snapshot_taken_at < timedelta(seconds=30)
    snapshot = application.snapshot
    assert list(snapshot) == [name for name in SHARED_FIELDS if name in snapshot]
    assert snapshot["name"] == "Jordan Applicant"
    assert snapshot["email"] == "jordan@example.com"
    assert snapshot["headline"] == FRESH_CLAIMS["headline"]
    assert snapshot["profile_url"] == FRESH_CLAIMS["profile"]
    assert "access_token" not in str(snapshot)
    assert application.status == "new"
    assert application.employer_notified_at is None, "the organization's batched email still has to tell them"
    [change] = application.status_changes.all()
    assert (change.from_status, change.to_status, change.changed_by) == ("", "new", jordan)
    assert change.applicant_notified_at is not None, "nothing to email the applicant about their own press"
    assert len(fake.seen("/userinfo")) == 1


def test_an_access_token_about_to_expire_is_refreshed_before_the_profile_is_read(job, jordan, fake):
    OAuthToken.objects.update(expires_at=timezone.now() + timedelta(seconds=10))

    application = services.application_create(job=job, applicant=jordan)

    assert application.snapshot_source == "live"
    assert len(fake.seen("/token", grant_type="refresh_token")) == 1


def test_a_provider_that_is_down_still_lets_them_apply_with_the_last_synced_profile(job, jordan, fake):
    userinfo_at(fake, f"http://127.0.0.1:{closed_port()}/userinfo")
    linked = LinkedAccount.objects.get(user=jordan)

    application = services.application_create(job=job, applicant=jordan)

    assert application.snapshot_source == "cached"
    assert application.snapshot_taken_at == linked.last_synced_at
    assert application.snapshot["headline"] == "Video editor"  # as last synced
    assert application.snapshot["portfolio_items"][0]["title"] == "Sneaker ad"


def test_a_provider_that_stalls_is_given_up_on_in_time_and_the_last_synced_profile_goes(job, jordan, fake, settings):
    settings.APPLY_PROFILE_FETCH_SECONDS = 0.5

    def stall(seen):
        fake.release.wait(30)
        return 200, {"Content-Type": "application/json"}, b"{}"

    fake.routes[("GET", "/slow-userinfo")] = stall
    userinfo_at(fake, f"{fake.url}/slow-userinfo")

    started = time.monotonic()
    application = services.application_create(job=job, applicant=jordan)

    assert time.monotonic() - started < 5
    assert application.snapshot_source == "cached"
    assert application.snapshot["headline"] == "Video editor"


def test_a_provider_that_lost_the_grant_asks_to_reconnect_and_writes_nothing(job, jordan, fake):
    fake.access_tokens.clear()
    fake.refresh_tokens.clear()

    with pytest.raises(PermissionDenied, match="Acme Freelance no longer accepts Reelfolio's access. Reconnect it"):
        services.application_create(job=job, applicant=jordan)

    assert nothing_written()
    assert LinkedAccount.objects.get(user=jordan).status == "needs_reconnect"


# --- who may apply, and to what -----------------------------------------------------------------------


def test_without_consent_they_are_asked_first_and_nothing_is_written(job, fake):
    user = make_acme_applicant("robin@example.com", "Robin", fake, subject="acme-robin")

    with pytest.raises(PermissionDenied, match="Agree to share your Acme Freelance profile with Northwind Studio"):
        services.application_create(job=job, applicant=user)

    assert nothing_written()
    assert fake.seen("/userinfo") == [], "nothing is fetched before they agree"


def test_consent_given_then_revoked_asks_again(job, fake):
    user = make_acme_applicant("robin@example.com", "Robin", fake, subject="acme-robin")
    consent = consent_grant(user=user, provider_id="acme")
    assert consent.fields == list(SHARED_FIELDS)
    consent_revoke(user=user, provider_id="acme")
    consent_revoke(user=user, provider_id="acme")  # twice is harmless

    with pytest.raises(PermissionDenied, match="Agree to share"):
        services.application_create(job=job, applicant=user)
    assert not ApplyConsent.objects.exists()


def test_consent_needs_a_linked_freelance_account(db, fake):
    user = make_applicant("sam@example.com", "Sam", subject="sbx-sam")
    with pytest.raises(PermissionDenied, match="Link your Acme Freelance account first"):
        consent_grant(user=user, provider_id="acme")
    with pytest.raises(NotFound, match="No freelance platform of this name"):
        consent_grant(user=user, provider_id="sandbox-video")
    assert not ApplyConsent.objects.exists()


def test_without_a_linked_freelance_account_they_are_told_to_link_one(job, fake):
    from portfolio.accounts.services import user_sign_up

    user = user_sign_up(email="new@example.com", name="New", password="orchid-lantern-42", role="creator")
    with pytest.raises(PermissionDenied, match="Link your freelance account to apply with its profile."):
        services.application_create(job=job, applicant=user)
    assert nothing_written()


def test_employers_do_not_apply(job, member, fake):
    with pytest.raises(PermissionDenied, match="Employer accounts do not apply to jobs"):
        services.application_create(job=job, applicant=member)
    assert nothing_written()


def test_a_closed_job_takes_no_application(job, employer, jordan, fake):
    from portfolio.jobs.services import jobs as job_services

    job_services.job_close(job=job, actor=employer)
    with pytest.raises(Gone, match="“Motion designer for launch videos” is closed and takes no more applications."):
        services.application_create(job=job, applicant=jordan)
    assert nothing_written()
    assert fake.seen("/userinfo") == []


def test_a_job_past_its_closing_date_takes_no_application(job, jordan, fake):
    Job.objects.filter(pk=job.pk).update(closes_on=timezone.now().date() - timedelta(days=1))
    with pytest.raises(Gone, match="is closed and takes no more applications"):
        services.application_create(job=job, applicant=jordan)
    assert nothing_written()


def test_a_second_application_says_when_they_applied(job, jordan, fake):
    first = services.application_create(job=job, applicant=jordan)
    day = timezone.localtime(first.created_at)
    with pytest.raises(Conflict, match=f"You applied on {day:%B} {day.day}, {day:%Y}."):
        services.application_create(job=job, applicant=jordan)
    assert Application.objects.count() == 1


def test_presses_are_rate_limited_per_person(job, jordan, fake):
    services.application_create(job=job, applicant=jordan)
    for _ in range(9):  # ten presses a minute: APPLY_RATE
        with pytest.raises(Conflict):
            services.application_create(job=job, applicant=jordan)
    with pytest.raises(ApplicationError, match="You pressed Apply many times in a minute. Please wait") as info:
        services.application_create(job=job, applicant=jordan)
    assert info.value.status == 429


# --- screening questions --------------------------------------------------------------------------


@pytest.fixture
def job_with_questions(organization, employer, videos):
    return published_job(
        organization=organization,
        actor=employer,
        video=videos[1],
        questions=[
            question("Where do you live?", prefill_from="location"),
            question("Can you start in January?", kind="yes_no"),
            question("Preferred format", kind="single_choice", choices=["Vertical", "Square"]),
            question("Anything else?", kind="long_text", required=False),
        ],
    )


def test_missing_required_answers_are_each_named_and_nothing_is_written(job_with_questions, jordan, fake):
    questions = list(job_with_questions.questions.all())
    with pytest.raises(ApplicationError, match="3 answers are missing or not valid") as info:
        services.application_create(job=job_with_questions, applicant=jordan, answers={questions[3].pk: "Hi"})

    fields = info.value.field_errors
    assert fields == {
        f"question_{questions[0].pk}": ["Answer “Where do you live?”: this question is required."],
        f"question_{questions[1].pk}": ["Answer “Can you start in January?”: this question is required."],
        f"question_{questions[2].pk}": ["Answer “Preferred format”: this question is required."],
    }
    assert nothing_written()
    assert fake.seen("/userinfo") == []


def test_yes_no_and_single_choice_answers_are_checked(job_with_questions, jordan, fake):
    q = list(job_with_questions.questions.all())
    with pytest.raises(ApplicationError) as info:
        services.application_create(
            job=job_with_questions, applicant=jordan,
            answers={q[0].pk: "Berlin", q[1].pk: "maybe", q[2].pk: "Round", q[3].pk: "x" * 5001},
        )
    assert info.value.field_errors == {
        f"question_{q[1].pk}": ["Answer “Can you start in January?” with yes or no."],
        f"question_{q[2].pk}": ["Choose one of the options for “Preferred format”: Vertical, Square."],
        f"question_{q[3].pk}": ["Keep the answer to “Anything else?” within 5000 characters (it has 5001)."],
    }
    assert nothing_written()


def test_answers_are_stored_with_their_questions(job_with_questions, jordan, fake):
    q = list(job_with_questions.questions.all())
    application = services.application_create(
        job=job_with_questions, applicant=jordan,
        answers={q[0].pk: " Berlin ", q[1].pk: "YES", q[2].pk: "Square", q[3].pk: ""},
    )
    assert application.answers == [
        {"question_id": q[0].pk, "prompt": "Where do you live?", "answer": "Berlin"},
        {"question_id": q[1].pk, "prompt": "Can you start in January?", "answer": "Yes"},
        {"question_id": q[2].pk, "prompt": "Preferred format", "answer": "Square"},
    ]


def test_an_answer_to_a_question_of_another_job_is_refused(job_with_questions, job, jordan, fake):
    q = list(job_with_questions.questions.all())
    with pytest.raises(ApplicationError) as info:
        services.application_create(job=job, applicant=jordan, answers={q[0].pk: "Berlin"})
    assert info.value.field_errors == {f"question_{q[0].pk}": [f"This job has no question {q[0].pk}."]}
    assert nothing_written()


# --- withdrawing ----------------------------------------------------------------------------------


def test_withdrawing_records_who_and_when(job, jordan, fake):
    application = services.application_create(job=job, applicant=jordan)

    services.application_withdraw(application=application, actor=jordan)

    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert application.withdrawn_at is not None
    last = application.status_changes.last()
    assert (last.from_status, last.to_status, last.changed_by) == ("new", "withdrawn", jordan)
    with pytest.raises(Conflict, match="You already withdrew this application."):
        services.application_withdraw(application=application, actor=jordan)


def test_nobody_else_withdraws_an_application(job, jordan, fake, employer):
    application = services.application_create(job=job, applicant=jordan)
    with pytest.raises(NotFound, match="This application does not exist."):
        services.application_withdraw(application=application, actor=employer)
    application.refresh_from_db()
    assert application.status == "new"


def test_tokens_given_again_are_used(job, jordan, fake):
    """A link whose tokens were replaced (reconnected) applies with the new ones."""
    give_tokens(LinkedAccount.objects.get(user=jordan), fake)
    assert services.application_create(job=job, applicant=jordan).snapshot_source == "live"
