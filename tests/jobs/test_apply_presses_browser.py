"""Apply in as few presses as the job allows, in a real browser, and every button says what its press does.

Before, a first application to a job with questions took three presses (Apply, then "Share and apply" on the
consent screen although questions still followed, then the questions' own button). Now: the consent screen
carries the questions when they fit, so the first application is two presses (the job page's, then one on
that screen); once agreed, one press applies, a job's few questions being asked on its own page.

Screenshots of the consent screen and of the job page with their questions at 390 and 1280 px go to test-results/.
"""

import re

import pytest

from portfolio.jobs.models import Application, ApplyConsent
from tests import screenshots
from tests.jobs.apply_support import make_acme_applicant, published_job, question
from tests.jobs.conftest import PASSWORD, org_videos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

shoot = screenshots.shooter("jobs-apply-presses", fits=True, leave_at="phone")


def test_the_first_application_takes_two_presses_and_the_next_one_press(page, organization, employer, fake):
    first_video, second_video, third_video = org_videos(organization, 3)
    with_questions = published_job(
        organization=organization, actor=employer, video=first_video,
        questions=[question("Can you start in January?", kind="yes_no"),
                   question("Where do you live?", required=False, prefill_from="location")],
    )
    without_questions = published_job(organization=organization, actor=employer, video=second_video,
                                      title="Colorist for a series")
    asks_again = published_job(organization=organization, actor=employer, video=third_video,
                               title="Editor for a launch film", questions=[question("Can you start in March?",
                                                                                      kind="yes_no")])
    jordan = make_acme_applicant("jordan@example.com", "Jordan Applicant", fake, subject="acme-jordan")
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(jordan.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))

    presses = 0
    page.goto(f"/jobs/{with_questions.slug}/")
    page.get_by_role("button", name="Review and apply with Acme Freelance profile").click()
    presses += 1
    page.get_by_role("heading", name="Share your Acme Freelance profile?").wait_for()
    # The questions are on the consent screen, the location filled in from the profile.
    assert page.get_by_label("Where do you live? (optional)").input_value() == "Berlin, DE"
    page.get_by_label("Yes").check()
    shoot(page, "consent-with-questions")
    page.get_by_role("button", name="Share my profile and apply").click()
    presses += 1
    page.get_by_text("You applied on").wait_for()
    application = Application.objects.get(job=with_questions)
    assert [answer["answer"] for answer in application.answers] == ["Yes", "Berlin, DE"]
    assert presses == 2
    assert ApplyConsent.objects.filter(user=jordan, provider_id="acme").exists()

    # Agreed before and nothing required: the job page's one press applies.
    page.goto(f"/jobs/{without_questions.slug}/")
    page.get_by_role("button", name="Apply with Acme Freelance profile").click()
    page.get_by_text("You applied on").wait_for()
    assert Application.objects.filter(applicant=jordan).count() == 2
    shoot(page, "applied")

    # Agreed before, a required question: the job page asks it, and its one press applies.
    page.goto(f"/jobs/{asks_again.slug}/")
    page.get_by_label("Yes").check()
    shoot(page, "panel-with-questions")
    page.get_by_role("button", name="Apply with Acme Freelance profile").click()
    page.get_by_text("You applied on").wait_for()
    assert Application.objects.get(job=asks_again).answers[0]["answer"] == "Yes"
