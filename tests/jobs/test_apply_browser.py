"""A logged-in applicant applies in a real browser: the consent screen the first time, then one click.

Screenshots of the apply panel, the consent screen and My applications at phone (390 px) and desktop
(1280 px) widths go to test-results/.
"""

import re

import pytest

from portfolio.creators.models import Video
from portfolio.jobs.models import Application
from tests import screenshots
from tests.jobs.apply_support import make_acme_applicant, published_job
from tests.jobs.conftest import PASSWORD, org_videos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


shoot = screenshots.shooter("jobs-apply", fits=True, leave_at="phone")


def test_an_applicant_agrees_once_then_applies_with_one_click(page, live_server, organization, employer, fake):
    videos = org_videos(organization, 2)
    for number, video in enumerate(videos, start=1):
        Video.objects.filter(pk=video.pk).update(
            cover_image_url=f"{live_server.url}/static/sandbox/covers/cover-{number}.svg"
        )
    first = published_job(organization=organization, actor=employer, video=videos[0])
    second = published_job(organization=organization, actor=employer, video=videos[1], title="Colorist for a series")
    jordan = make_acme_applicant("jordan@example.com", "Jordan Applicant", fake, subject="acme-jordan")
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())

    page.set_viewport_size({"width": screenshots.WIDTHS["phone"], "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(jordan.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"/jobs/{first.slug}/")
    page.get_by_role("button", name="Review and apply with Acme Freelance profile").wait_for()
    shoot(page, "panel")

    page.get_by_role("button", name="Review and apply with Acme Freelance profile").click()
    page.get_by_role("heading", name="Share your Acme Freelance profile?").wait_for()
    assert "Northwind Studio receives these fields" in page.locator("main").inner_text()
    shoot(page, "consent")
    page.get_by_role("button", name="Share my profile and apply").click()
    page.get_by_text("You applied on").wait_for()
    assert "is on its way to Northwind Studio" in page.locator(".messages").inner_text()
    shoot(page, "applied")

    # The second job: consent is remembered, so one click applies.
    page.goto(f"/jobs/{second.slug}/")
    page.get_by_role("button", name="Apply with Acme Freelance profile").click()
    page.get_by_text("You applied on").wait_for()
    assert Application.objects.filter(applicant=jordan).count() == 2

    page.get_by_text("Jordan", exact=True).click()  # the account menu
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My applications").click()
    page.get_by_role("heading", name="My applications").wait_for()
    table = page.locator("table").inner_text()
    assert "Colorist for a series" in table and "Motion designer for launch videos" in table
    shoot(page, "my-applications")
