"""The apply panel on the job page, the consent screen and the questions form, over the test client."""

import socket

import pytest
from django.test import Client
from django.urls import reverse

from portfolio.jobs.models import Application, ApplyConsent
from portfolio.jobs.services import jobs as job_services
from portfolio.jobs.services.consent import consent_grant
from tests.integrations.oauth.helpers import page_text
from tests.jobs.apply_support import make_acme_applicant, published_job, question

pytestmark = pytest.mark.django_db


@pytest.fixture
def jordan(fake):
    return make_acme_applicant("jordan@example.com", "Jordan Applicant", fake, subject="acme-jordan")


@pytest.fixture
def signed_in(client, jordan):
    client.force_login(jordan)
    return client


def job_url(job):
    return reverse("jobs:job_page", args=[job.slug])


def apply_url(job):
    return reverse("jobs:apply", args=[job.slug])


def applied_on(application) -> str:
    day = application.created_at
    return f"You applied on {day:%B} {day.day}, {day:%Y}."


def test_a_visitor_who_is_not_logged_in_is_offered_to_continue_with_a_freelance_platform(client, job, fake):
    response = client.get(job_url(job))
    text = page_text(response)
    assert "Continue with Acme Freelance" in text
    assert "Apply with" not in text
    html = response.content.decode()
    assert f'action="{reverse("oauth:sign_in", args=["acme"])}"' in html
    assert f'name="next" value="{job_url(job)}"' in html
    assert "csrfmiddlewaretoken" in html


def test_a_visitor_pressing_apply_is_sent_to_log_in_and_back(client, job, fake):
    response = client.post(apply_url(job))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={job_url(job)}"
    assert not Application.objects.exists()


def test_a_creator_without_a_freelance_account_is_offered_to_link_one_and_come_back(client, job, fake):
    from portfolio.accounts.services import user_sign_up

    user = user_sign_up(email="new@example.com", name="New", password="orchid-lantern-42", role="creator")
    client.force_login(user)
    response = client.get(job_url(job))
    assert "Link your freelance account to apply" in page_text(response)
    html = response.content.decode()
    assert f'action="{reverse("oauth:connect", args=["acme"])}"' in html
    assert f'name="next" value="{job_url(job)}"' in html


def test_employers_see_no_apply_button(client, job, member, fake):
    client.force_login(member)
    text = page_text(client.get(job_url(job)))
    assert "Apply with" not in text
    assert "Continue with" not in text
    assert "You are logged in with an employer account." in text
    response = client.post(apply_url(job), {"provider": "acme"}, follow=True)
    assert "Employer accounts do not apply to jobs" in page_text(response)
    assert not Application.objects.exists()


def test_first_press_shows_what_is_shared_and_with_whom_then_applies(signed_in, job, jordan, fake):
    text = page_text(signed_in.get(job_url(job)))
    assert "Review and apply with Acme Freelance profile" in text
    assert "You see exactly what is shared with Northwind Studio on the next page, and apply there in one press." \
        in text

    response = signed_in.post(apply_url(job), {"provider": "acme"})
    consent_url = f"{reverse('jobs:apply_consent', args=[job.slug])}?provider=acme"
    assert response["Location"] == consent_url
    assert not Application.objects.exists()

    screen = page_text(signed_in.get(consent_url))
    assert "Share your Acme Freelance profile?" in screen
    assert "Northwind Studio receives these fields" in screen
    for label in ("Your name", "Your email address", "Headline", "Bio", "Skills", "Rate", "Location",
                  "Profile picture", "Link to your profile", "Portfolio projects"):
        assert label in screen
    assert "jordan@example.com" in screen and "Berlin, DE" in screen and "1 project" in screen

    response = signed_in.post(consent_url, {"provider": "acme"}, follow=True)
    application = Application.objects.get()
    text = page_text(response)
    assert "Your application to “Motion designer for launch videos” is on its way to Northwind Studio" in text
    assert applied_on(application) in text
    assert "Apply with" not in text
    assert ApplyConsent.objects.filter(user=jordan, provider_id="acme").exists()


def test_with_consent_given_one_press_applies(signed_in, job, jordan, fake):
    consent_grant(user=jordan, provider_id="acme")
    assert "One press sends your Acme Freelance profile" in page_text(signed_in.get(job_url(job)))

    response = signed_in.post(apply_url(job), {"provider": "acme"}, follow=True)

    application = Application.objects.get()
    assert application.snapshot_source == "live"
    assert applied_on(application) in page_text(response)

    again = signed_in.post(apply_url(job), {"provider": "acme"}, follow=True)
    assert applied_on(application) in page_text(again)
    assert Application.objects.count() == 1


def test_the_apply_form_needs_its_csrf_token(job, jordan, fake):
    consent_grant(user=jordan, provider_id="acme")
    client = Client(enforce_csrf_checks=True)
    client.force_login(jordan)
    assert client.post(apply_url(job), {"provider": "acme"}).status_code == 403
    assert not Application.objects.exists()


def test_when_the_provider_is_down_the_page_says_how_old_the_profile_sent_is(signed_in, job, jordan, fake):
    consent_grant(user=jordan, provider_id="acme")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    original = fake.metadata
    fake.metadata = lambda: {**original(), "userinfo_endpoint": f"http://127.0.0.1:{port}/userinfo"}

    response = signed_in.post(apply_url(job), {"provider": "acme"}, follow=True)

    text = page_text(response)
    assert "Acme Freelance did not answer in time, so your application carries your profile as last synced, " \
           "2 hours ago." in text
    assert Application.objects.get().snapshot_source == "cached"


def test_a_closed_job_says_so_and_takes_nothing(signed_in, job, jordan, employer, fake):
    consent_grant(user=jordan, provider_id="acme")
    job_services.job_close(job=job, actor=employer)

    text = page_text(signed_in.get(job_url(job)))
    assert "This job is closed." in text
    assert "Apply with" not in text

    response = signed_in.post(apply_url(job), {"provider": "acme"}, follow=True)
    assert "is closed and takes no more applications" in page_text(response)
    assert not Application.objects.exists()


@pytest.fixture
def job_with_questions(organization, employer, videos):
    return published_job(
        organization=organization,
        actor=employer,
        video=videos[1],
        questions=[
            question("Where do you live?", prefill_from="location"),
            question("Can you start in January?", kind="yes_no"),
            question("Portfolio note", kind="long_text", required=False),
        ],
    )


def test_required_questions_show_a_short_form_prefilled_from_the_profile(signed_in, job_with_questions, jordan,
                                                                          fake):
    consent_grant(user=jordan, provider_id="acme")
    job = job_with_questions
    q = list(job.questions.all())
    panel = signed_in.get(job_url(job)).content.decode()  # agreed before: the job page asks them itself
    assert f'action="{reverse("jobs:apply_questions", args=[job.slug])}"' in panel
    assert f'name="question_{q[0].pk}" id="question_{q[0].pk}" value="Berlin, DE"' in panel

    response = signed_in.post(apply_url(job), {"provider": "acme"})
    questions_url = f"{reverse('jobs:apply_questions', args=[job.slug])}?provider=acme"
    assert response["Location"] == questions_url

    form = signed_in.get(questions_url)
    html = form.content.decode()
    assert "A few questions from Northwind Studio" in page_text(form)
    assert f'name="question_{q[0].pk}" id="question_{q[0].pk}" value="Berlin, DE"' in html  # the location
    assert f'<label for="question_{q[0].pk}">Where do you live?</label>' in html

    missing = signed_in.post(questions_url, {"provider": "acme", f"question_{q[0].pk}": ""})
    assert missing.status_code == 400
    text = page_text(missing)
    assert "Answer “Where do you live?”: this question is required." in text
    assert "Answer “Can you start in January?”: this question is required." in text
    assert not Application.objects.exists()

    done = signed_in.post(
        questions_url, {"provider": "acme", f"question_{q[0].pk}": "Berlin", f"question_{q[1].pk}": "yes"}, follow=True
    )
    application = Application.objects.get()
    assert applied_on(application) in page_text(done)
    assert [a["answer"] for a in application.answers] == ["Berlin", "Yes"]


def test_the_apply_pages_of_a_draft_are_not_found(signed_in, organization, employer, videos, fake):
    from tests.jobs.conftest import job_fields

    draft = job_services.job_create(organization=organization, actor=employer, video=videos[0], fields=job_fields())
    assert signed_in.post(apply_url(draft), {"provider": "acme"}).status_code == 404
    assert signed_in.get(reverse("jobs:apply_consent", args=[draft.slug])).status_code == 404
    assert not Application.objects.exists()


def test_the_panel_shows_a_withdrawn_application_as_such(signed_in, job, jordan, fake):
    from portfolio.jobs.services.applications import application_create, application_withdraw

    consent_grant(user=jordan, provider_id="acme")
    application = application_create(job=job, applicant=jordan)
    application_withdraw(application=application, actor=jordan)
    text = page_text(signed_in.get(job_url(job)))
    assert applied_on(application) in text
    assert "You withdrew this application." in text



def test_the_consent_screen_carries_the_questions_and_keeps_them_on_a_missing_answer(
    signed_in, job_with_questions, jordan, fake
):
    """The first application used to take three presses: the consent screen said "Share and apply" while the
    questions still followed on a page of their own. They are on the consent screen now, and one press applies."""
    job = job_with_questions
    q = list(job.questions.all())
    consent_url = f"{reverse('jobs:apply_consent', args=[job.slug])}?provider=acme"
    assert signed_in.post(apply_url(job), {"provider": "acme"})["Location"] == consent_url

    screen = signed_in.get(consent_url)
    html = screen.content.decode()
    assert "Northwind Studio also asks" in page_text(screen)
    assert f'name="question_{q[0].pk}" id="question_{q[0].pk}" value="Berlin, DE"' in html
    assert "Share my profile and apply" in html and "Share and apply" not in html

    missing = signed_in.post(consent_url, {"provider": "acme", f"question_{q[0].pk}": "Berlin, DE"})
    assert missing.status_code == 400
    assert "Answer “Can you start in January?”: this question is required." in page_text(missing)
    assert "Share your Acme Freelance profile?" in page_text(missing)  # the same screen, answers kept
    assert 'value="Berlin, DE"' in missing.content.decode()
    assert not Application.objects.exists()

    done = signed_in.post(consent_url, {"provider": "acme", f"question_{q[0].pk}": "Berlin, DE",
                                        f"question_{q[1].pk}": "yes"}, follow=True)
    assert "is on its way to Northwind Studio" in page_text(done)
    assert [a["answer"] for a in Application.objects.get().answers] == ["Berlin, DE", "Yes"]


def test_questions_that_do_not_fit_come_after_the_consent_and_its_button_says_so(
    signed_in, organization, employer, videos, jordan, fake
):
    job = published_job(organization=organization, actor=employer, video=videos[1],
                        questions=[question(f"Question {n}?") for n in range(1, 5)])
    consent_url = f"{reverse('jobs:apply_consent', args=[job.slug])}?provider=acme"
    screen = page_text(signed_in.get(consent_url))
    assert "Northwind Studio also asks 4 questions: they come next, before anything is sent." in screen
    assert "Share my profile, then answer the questions" in screen

    response = signed_in.post(consent_url, {"provider": "acme"})
    assert response["Location"] == f"{reverse('jobs:apply_questions', args=[job.slug])}?provider=acme"
    assert ApplyConsent.objects.filter(user=jordan, provider_id="acme").exists()
    assert not Application.objects.exists()
    assert "Send my application" in page_text(signed_in.get(response["Location"]))


def test_once_agreed_a_job_with_a_few_questions_takes_one_press_from_its_page(
    signed_in, job_with_questions, jordan, fake
):
    """The questions are on the job page for a person who agreed before: one press sends them with the profile
    (it took the job page's press, then the questions page's)."""
    consent_grant(user=jordan, provider_id="acme")
    job = job_with_questions
    q = list(job.questions.all())
    text = page_text(signed_in.get(job_url(job)))
    assert "Northwind Studio asks: Where do you live?" in text
    assert "One press sends your answers and your Acme Freelance profile as it is right now to Northwind Studio." \
        in text

    done = signed_in.post(
        reverse("jobs:apply_questions", args=[job.slug]),
        {"provider": "acme", f"question_{q[0].pk}": "Berlin, DE", f"question_{q[1].pk}": "yes"},
        follow=True,
    )
    assert "is on its way to Northwind Studio" in page_text(done)
    assert [a["answer"] for a in Application.objects.get().answers] == ["Berlin, DE", "Yes"]


def test_once_agreed_a_job_with_many_questions_says_its_button_asks_them_first(
    signed_in, organization, employer, videos, jordan, fake
):
    consent_grant(user=jordan, provider_id="acme")
    job = published_job(organization=organization, actor=employer, video=videos[1],
                        questions=[question(f"Question {n}?") for n in range(1, 5)])
    text = page_text(signed_in.get(job_url(job)))
    assert "Answer the questions, then apply with Acme Freelance" in text
    assert "Question 1?" not in text
    response = signed_in.post(apply_url(job), {"provider": "acme"})
    assert response["Location"] == f"{reverse('jobs:apply_questions', args=[job.slug])}?provider=acme"
