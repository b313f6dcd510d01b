"""A member posts a job video in a real browser: organization page, job form, publish, the public job page.

Screenshots at phone (390 px) and desktop (1280 px) widths go to test-results/.
"""

import json
from datetime import date, timedelta

import pytest

from portfolio.creators.models import Video
from portfolio.jobs.models import Job
from tests import screenshots
from tests.accessibility import assert_accessible
from tests.jobs.conftest import PASSWORD, org_videos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


shoot = screenshots.shooter("jobs-posting", leave_at="phone")


def test_a_member_posts_publishes_and_views_a_job_video(page, live_server, organization, member):
    for number, video in enumerate(org_videos(organization, 3), start=1):
        # Covers the live server serves (the sandbox partner's), so the screenshots show real images.
        Video.objects.filter(pk=video.pk).update(
            cover_image_url=f"{live_server.url}/static/sandbox/covers/cover-{number}.svg"
        )
    page.set_viewport_size({"width": screenshots.WIDTHS["phone"], "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/accounts/organizations/{organization.slug}/")
    page.get_by_role("heading", name="Video account").wait_for()
    shoot(page, "organization")

    page.get_by_role("link", name="Post a job on We are hiring 2").click()
    page.get_by_role("heading", name="Post a job").wait_for()
    page.get_by_label("Title").fill("Motion designer for launch videos")
    page.get_by_label("Description").fill("Animate our product launch in six short videos.")
    page.get_by_label("Employment type").select_option("CONTRACTOR")
    page.get_by_label("Remote").check()
    page.get_by_label("Countries applicants may live in").fill("DE, PT")
    page.get_by_label("Pay (or the lowest of a range)").fill("50")
    page.get_by_label("Highest pay of a range").fill("80")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Pay is").select_option("HOUR")
    page.get_by_label("Closing date").fill((date.today() + timedelta(days=30)).isoformat())
    first = page.locator("fieldset.question-block").first
    first.get_by_label("Question", exact=True).fill("Can you start in January?")
    first.get_by_label("Answer", exact=True).select_option("yes_no")
    first.get_by_label("Required").check()
    shoot(page, "form")
    page.get_by_role("button", name="Save as draft").click()

    page.get_by_text("The job is saved as a draft.").wait_for()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("The job is published").wait_for()
    job = Job.objects.get()
    assert job.status == Job.Status.PUBLISHED and job.video.title == "We are hiring 2"
    assert [q.prompt for q in job.questions.all()] == ["Can you start in January?"]

    page.get_by_role("link", name="the job's page").click()
    page.get_by_role("heading", name="Motion designer for launch videos").wait_for()
    assert page.get_by_text("€50–€80 per hour").is_visible()
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["directApply"] is True and data["jobLocationType"] == "TELECOMMUTE"
    shoot(page, "job-page")

    # A visitor on a phone sees the video, the company, the pay and the one Apply button on the first screen.
    visitor = page.context.browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    seen = visitor.new_page()
    seen.goto(f"/jobs/{job.slug}/")
    first_screen = [
        seen.get_by_role("img", name="The job video: We are hiring 2"),
        seen.locator(".job-facts").get_by_text(organization.name),
        seen.get_by_text("€50–€80 per hour"),
        seen.get_by_role("button", name="Continue with Sandbox Freelance"),
    ]
    for element in first_screen:
        box = element.bounding_box()
        assert box and box["y"] + box["height"] <= 844, (element, box)
    assert_accessible(seen, name="job-page-visitor")
    shoot(seen, "job-page-visitor")
    visitor.close()

    page.goto(f"/jobs/manage/{job.pk}/")
    page.get_by_role("button", name="Close").click()
    page.get_by_role("heading", name="Close “Motion designer for launch videos”?").wait_for()
    page.get_by_role("button", name="Close the job").click()
    page.get_by_text("The job is closed").wait_for()
    page.goto(f"/jobs/{job.slug}/")
    assert page.get_by_text("This job is closed.").is_visible()
