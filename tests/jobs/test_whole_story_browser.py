"""The whole story in a real browser, against the built-in sandbox partner over real HTTP.

An employer links the organization's sandbox video account and posts a job video; a visitor who is not
logged in opens the job page, continues with the sandbox freelance account and applies in one click;
the employer sees the applicant with their projects and moves them to `interview`; the applicant sees
the new status. Screenshots at phone (390 px) and desktop (1280 px) widths go to test-results/.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from integrations.oauth.models import LinkedAccount
from integrations.oauth.services import linked_account_sync
from portfolio.creators.models import Video
from portfolio.jobs.models import Application, Job
from tests import screenshots
from tests.integrations.conftest import sandbox_partner  # noqa: F401 (the live sandbox partner fixture)
from tests.jobs.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)]

OFF_SITE = re.compile(r"^https?://(?!127\.0\.0\.1|localhost)")


shoot = screenshots.shooter("jobs-story", leave_at="phone")


def sandbox_log_in_and_allow(page, login) -> None:
    page.get_by_label("Sandbox username").fill(login.username)
    page.get_by_label("Sandbox password").fill(login.password)
    page.get_by_role("button", name="Log in to the sandbox").click()
    page.get_by_role("button", name="Allow").click()


def test_an_employer_posts_a_job_video_a_visitor_applies_in_one_click_and_is_moved_to_interview(
    browser, live_server, page, sandbox_partner, organization, employer  # noqa: F811
):
    logins = {login.username: login for login in sandbox_partner.users}
    page.route(OFF_SITE, lambda route: route.abort())
    page.set_viewport_size({"width": screenshots.WIDTHS["phone"], "height": 900})

    # The employer links the organization's video account at the sandbox and comes back.
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(employer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/accounts/organizations/{organization.slug}/")
    page.get_by_role("button", name="Connect Sandbox Video").click()
    sandbox_log_in_and_allow(page, logins["northwind"])
    expect(page.get_by_text("The Sandbox Video account is linked")).to_be_visible()
    linked = LinkedAccount.objects.get(user__held_organization=organization)
    linked_account_sync(linked_account_id=linked.pk)  # what the Celery worker does after linking
    video = Video.objects.filter(owner__held_organization=organization).order_by("pk").first()
    assert video is not None and video.owner_id != employer.pk

    # It posts a job on one of those videos and publishes it.
    page.reload()
    page.get_by_role("link", name=f"Post a job on {video.title}").click()
    page.get_by_label("Title").fill("Editor for our launch films")
    page.get_by_label("Description").fill("Cut six short launch films with us.")
    page.get_by_label("Employment type").select_option("CONTRACTOR")
    page.get_by_label("Remote").check()
    page.get_by_label("Countries applicants may live in").fill("DE, PT")
    page.get_by_label("Closing date").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("The job is published").wait_for()
    job = Job.objects.get()
    assert job.status == Job.Status.PUBLISHED and job.video == video

    # A visitor who is not logged in continues with the sandbox freelance account and applies.
    visitor_context = browser.new_context(base_url=live_server.url)
    visitor_context.set_default_timeout(15_000)
    visitor = visitor_context.new_page()
    visitor.route(OFF_SITE, lambda route: route.abort())
    visitor.set_viewport_size({"width": screenshots.WIDTHS["phone"], "height": 900})
    try:
        visitor.goto(f"/jobs/{job.slug}/")
        visitor.get_by_role("heading", name="Editor for our launch films").wait_for()
        shoot(visitor, "job-page-visitor")
        visitor.get_by_role("button", name="Continue with Sandbox Freelance").click()
        sandbox_log_in_and_allow(visitor, logins["jordan"])
        expect(visitor.get_by_text("You are signed in with your Sandbox Freelance account.")).to_be_visible()
        assert visitor.url.endswith(f"/jobs/{job.slug}/")
        visitor.get_by_role("button", name="Review and apply with Sandbox Freelance profile").click()
        visitor.get_by_role("button", name="Share my profile and apply").click()
        visitor.get_by_text("You applied on").wait_for()
        application = Application.objects.get(job=job)
        assert application.snapshot["name"] == "Jordan Editor"
        assert application.snapshot_source == Application.SnapshotSource.LIVE
        projects = application.snapshot["portfolio_items"]
        assert projects

        # The employer sees the applicant with their projects and moves them to interview.
        page.goto(f"/jobs/manage/{job.pk}/applications/")
        card = page.locator(f"#application-{application.pk}")
        expect(card.get_by_role("heading", name="Jordan Editor")).to_be_visible()
        expect(card.get_by_text(projects[0]["title"])).to_be_visible()
        card.get_by_label("Move to").select_option("interview")
        card.get_by_role("button", name="Move").click()
        expect(page.get_by_text("Jordan Editor is now at “Interview”")).to_be_visible()
        shoot(page, "dashboard")

        # The applicant sees the new status.
        visitor.goto("/applications/")
        visitor.get_by_role("heading", name="My applications").wait_for()
        row = visitor.locator("tr", has_text="Editor for our launch films")
        expect(row).to_contain_text("Interview")
        expect(row).to_contain_text(organization.name)
        shoot(visitor, "my-applications")
    finally:
        visitor_context.close()
