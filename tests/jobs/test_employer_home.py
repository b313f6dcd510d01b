"""The employer's home page: open jobs with the applicants new since the last visit, recent applications,
how the ATS endpoints are faring, and what to do next; **Jobs** in the menu."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from freezegun import freeze_time

from common import crypto
from integrations.webhooks.models import Delivery, Endpoint
from portfolio.accounts.services import user_sign_up
from portfolio.jobs.models import Application
from tests.integrations.oauth.helpers import page_text
from tests.jobs.conftest import PASSWORD, make_applicant, make_employer, org_videos
from tests.jobs.review_support import application_for, published_job

pytestmark = pytest.mark.django_db


def home_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def endpoint_with(organization, *statuses, url="https://ats.northwind.example/hooks", failing=False):
    endpoint = Endpoint.objects.create(
        owner_type="organization", owner_id=organization.pk, url=url, event_types=["application.created"],
        secret_encrypted=crypto.encrypt("whsec_dGVzdA=="), failing_since=timezone.now() if failing else None,
    )
    for n, status in enumerate(statuses):
        Delivery.objects.create(endpoint=endpoint, msg_id=f"msg_{n}", event_type="application.created", body="{}",
                                status=status)
    return endpoint


def test_a_new_employer_is_told_what_to_do_first(employer):
    text = page_text(home_as(employer).get("/"))
    assert "Link Northwind Studio's video account: jobs are posted on its videos." in text
    assert "No open jobs." in text and "No applications yet." in text and "No ATS endpoints." in text
    assert "Hello, Olivia" in text


def test_the_dashboard_marks_what_came_in_since_the_last_visit(employer, organization, videos):
    job = published_job(organization=organization, actor=employer, video=videos[0])
    jordan = make_applicant("jordan@example.com", "Jordan Applicant", subject="sbx-f-jordan")
    sam = make_applicant("sam@example.com", "Sam Applicant", subject="sbx-f-sam")
    application_for(job, jordan)
    with freeze_time(timezone.now() - timedelta(days=2)):
        home_as(employer).get("/")  # the last visit, two days ago
    application_for(job, sam)
    Application.objects.filter(applicant=jordan).update(created_at=timezone.now() - timedelta(days=3))

    client = home_as(employer)
    text = page_text(client.get("/"))
    assert "1 new applicant since your last visit" in text
    assert "Motion designer for launch videos 1 new 2 to review · 2 applicants · closes" in text
    assert text.index("Sam Applicant") < text.index("Jordan Applicant")  # newest first
    assert "2 applicants to “Motion designer for launch videos” wait for a first look. Review applicants" in text
    # A reload in the same session keeps the same "since"; the next session starts from this visit.
    assert "1 new applicant since your last visit" in page_text(client.get("/"))
    assert "0 new applicants since your last visit" in page_text(home_as(employer).get("/"))


def test_a_failing_endpoint_shows_and_heads_the_list_of_what_to_do(employer, organization, videos):
    published_job(organization=organization, actor=employer, video=videos[0])
    endpoint_with(organization, "delivered", "delivered", url="https://ats.good.example/hooks")
    bad = endpoint_with(organization, "failed", "pending", url="https://ats.bad.example/hooks", failing=True)
    text = page_text(home_as(employer).get("/"))
    assert "1 ATS endpoint failing" in text
    assert "https://ats.good.example/hooks healthy Last 7 days: 2 delivered, 0 given up." in text
    assert "https://ats.bad.example/hooks failing since" in text and "0 delivered, 1 given up; 1 waiting." in text
    assert text.index("What to do next") < text.index(f"Your ATS endpoint {bad.url} is failing")


def test_the_dashboard_costs_the_same_queries_for_one_job_or_many(
    employer, organization, django_assert_num_queries
):
    videos = org_videos(organization, 6)
    applicant = make_applicant("jordan@example.com", "Jordan Applicant", subject="sbx-f-jordan")
    published_job(organization=organization, actor=employer, video=videos[0])
    endpoint_with(organization, "delivered")
    client = home_as(employer)
    client.get("/")
    # session, user, organizations, jobs, applications, endpoints, the reconnect banner (the visit is in the
    # session now)
    with django_assert_num_queries(7):
        client.get("/")
    for video in videos[1:]:
        application_for(published_job(organization=organization, actor=employer, video=video), applicant)
        endpoint_with(organization, "failed", url=f"https://ats{video.pk}.example/hooks")
    with django_assert_num_queries(7):
        assert "6 open jobs" in page_text(client.get("/"))


def test_jobs_in_the_menu_leads_to_the_employers_jobs(employer, organization):
    client = home_as(employer)
    assert '<a href="/jobs/manage/">Jobs</a>' in client.get("/").content.decode()
    response = client.get("/jobs/manage/")
    assert response["Location"] == f"/accounts/organizations/{organization.slug}/jobs/"


def test_an_employer_of_several_organizations_chooses_one(employer):
    from portfolio.accounts.services import organization_create

    organization_create(owner=employer, name="Southwind Films")
    assert home_as(employer).get("/jobs/manage/")["Location"] == "/accounts/organizations/"


def test_creators_and_visitors_get_no_employer_dashboard(client, db):
    creator = user_sign_up(email="casey@example.com", name="Casey", password=PASSWORD, role="creator")
    assert "Open jobs" not in page_text(home_as(creator).get("/"))
    assert "Open jobs" not in page_text(client.get("/"))
    assert client.get("/jobs/manage/").status_code == 302  # to log in


def test_another_organizations_jobs_never_show(employer, organization, videos):
    other = make_employer("x@southwind.example", "Xavi", "Southwind Films")
    job = published_job(organization=organization, actor=employer, video=videos[0], title="Secret role")
    application_for(job, make_applicant("jordan@example.com", "Jordan Applicant", subject="sbx-f-jordan"))
    text = page_text(home_as(other).get("/"))
    assert "Secret role" not in text and "Jordan Applicant" not in text
