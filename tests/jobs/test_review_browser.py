"""The employer reviews applicants in a real browser: the dashboard, moving an applicant with a note, a
private note; and an owner creates and revokes an API key on the organization page.

Screenshots at phone (390 px) and desktop (1280 px) widths go to test-results/.
"""

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portfolio.accounts.models import OrganizationApiKey
from portfolio.jobs.models import Application, ApplicationNote
from portfolio.jobs.services import review as review_services
from tests import screenshots
from tests.jobs.conftest import APPLICANT_PROFILE, PASSWORD, make_applicant, org_videos
from tests.jobs.review_support import application_for, published_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


shoot = screenshots.shooter("jobs-review", leave_at="phone")


def log_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Organizations").wait_for()


def test_a_member_reviews_applicants_moves_one_to_interview_and_adds_a_note(
    page, live_server, organization, employer, member
):
    covers = [f"{live_server.url}/static/sandbox/covers/cover-{n}.svg" for n in (1, 2, 3)]
    video = org_videos(organization, 1)[0]
    job = published_job(
        organization=organization,
        actor=employer,
        video=video,
        questions=[
            {"kind": "yes_no", "prompt": "Can you start in January?", "required": True, "choices": [],
             "prefill_from": ""},
        ],
    )
    question = job.questions.get()
    profile = replace(
        APPLICANT_PROFILE,
        avatar_url=f"{live_server.url}/static/sandbox/avatars/jordan.svg",
        portfolio_items=[
            replace(APPLICANT_PROFILE.portfolio_items[0], cover_image_url=covers[0]),
            replace(APPLICANT_PROFILE.portfolio_items[0], id="p-8", title="Festival teaser", cover_image_url=covers[1]),
            replace(APPLICANT_PROFILE.portfolio_items[0], id="p-9", title="Podcast clips", cover_image_url=covers[2]),
        ],
    )
    jordan = make_applicant("jordan@example.com", "Jordan Applicant", subject="sbx-f-jordan", profile=profile)
    application = application_for(
        job,
        jordan,
        avatar_url=profile.avatar_url,
        answers=[{"question_id": question.pk, "prompt": question.prompt, "answer": "yes"}],
        portfolio_items=[
            {"id": item.id, "title": item.title, "url": item.url, "cover_image_url": item.cover_image_url}
            for item in profile.portfolio_items
        ],
    )
    sam = make_applicant("sam@example.com", "Sam Cached", subject="sbx-f-sam")
    cached = application_for(
        job, sam, source="cached", age=timedelta(hours=5), headline="Colorist", portfolio_items=[],
        avatar_url=f"{live_server.url}/static/sandbox/avatars/sam.svg",
    )
    review_services.application_status_change(application=cached, actor=employer, status="reviewing")

    page.set_viewport_size({"width": screenshots.WIDTHS["phone"], "height": 900})
    log_in(page, member)
    page.goto(f"/jobs/manage/{job.pk}/applications/")
    page.get_by_role("heading", name="Applicants").wait_for()
    card = page.locator(f"#application-{application.pk}")
    expect(card.get_by_role("heading", name="Jordan Applicant")).to_be_visible()
    expect(card.get_by_text("Festival teaser")).to_be_visible()
    expect(page.locator(f"#application-{cached.pk}").get_by_text("cached", exact=True)).to_be_visible()
    card.get_by_text("Answers (1)").click()
    expect(card.get_by_text("Can you start in January?")).to_be_visible()
    shoot(page, "dashboard")

    card.get_by_label("Move to").select_option("interview")
    card.get_by_label(re.compile("^Why")).fill("Loved the sneaker ad")
    card.get_by_role("button", name="Move").click()
    expect(page.get_by_text("Jordan Applicant is now at “Interview”; they get an email about it.")).to_be_visible()
    card = page.locator(f"#application-{application.pk}")
    expect(card.locator(".badge.status-interview")).to_have_text("Interview")
    card.get_by_text("History (2)").click()
    expect(card.get_by_text("Loved the sneaker ad")).to_be_visible()
    card.get_by_text("Private notes (0)").click()
    card.get_by_label(re.compile("^Add a note")).fill("Call on Tuesday about dates")
    card.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Note added. Only members of your organization see it.")).to_be_visible()
    assert Application.objects.get(pk=application.pk).status == "interview"
    assert ApplicationNote.objects.get().body == "Call on Tuesday about dates"

    page.get_by_role("link", name=re.compile(r"^Interview")).click()
    expect(page.locator("article.applicant")).to_have_count(1)
    shoot(page, "dashboard-filtered")


def test_an_owner_creates_a_key_sees_it_once_and_revokes_it(page, organization, employer):
    page.set_viewport_size({"width": screenshots.WIDTHS["phone"], "height": 900})
    log_in(page, employer)
    page.goto(f"/accounts/organizations/{organization.slug}/")
    page.get_by_role("heading", name="API keys").wait_for()
    page.get_by_label("What it is for").fill("Greenhouse sync")
    page.get_by_label("Move applications through their statuses").check()
    page.get_by_role("button", name="Create API key").click()
    key_field = page.get_by_role("textbox", name=re.compile("^API key “Greenhouse sync”"))
    expect(key_field).to_have_value(re.compile(r"^rfo_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$"))
    shoot(page, "api-keys")
    api_key = OrganizationApiKey.objects.get()
    assert api_key.scopes == ["applications:read", "applications:write", "jobs:read"]

    page.reload()
    expect(page.get_by_text("Copy your new key now")).to_have_count(0)
    page.get_by_role("link", name="Revoke Greenhouse sync").click()
    page.get_by_role("heading", name="Revoke the key Greenhouse sync?").wait_for()
    page.get_by_role("button", name="Revoke this key").click()
    expect(page.get_by_text("The key Greenhouse sync is revoked: it no longer works.")).to_be_visible()
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    shoot(page, "api-keys-revoked")
