"""GET /api/v1/videos/: the organization's videos with the job on each, so an integrator finds the video id
that POST /api/v1/jobs/ asks for. Before, no operation returned a video id and a job could only be posted
from the web pages."""

import pytest
from django.test import Client

from portfolio.accounts.services import organization_api_key_create
from portfolio.jobs.services import jobs as job_services
from tests.jobs.conftest import job_fields, make_employer, org_videos
from tests.jobs.review_support import published_job

pytestmark = pytest.mark.django_db


def key_for(organization, scopes):
    key = organization_api_key_create(organization=organization, actor=None, scopes=scopes, name="ATS")[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_an_integrator_lists_the_videos_and_posts_a_job_on_a_free_one(client, organization, employer, videos):
    first, second = videos
    job = published_job(organization=organization, actor=employer, video=first)
    other = make_employer("boss@elsewhere.example", "Other Boss", "Elsewhere Ltd")
    org_videos(other.organizations.get(), 1, prefix="other")
    reader = key_for(organization, ["jobs:read"])

    page = client.get("/api/v1/videos/", **reader)
    assert page.status_code == 200
    assert page.json()["next"] is None
    listed = {video["id"]: video for video in page.json()["results"]}
    assert set(listed) == {first.pk, second.pk}  # not the other organization's
    assert listed[first.pk] == {
        "id": first.pk, "organization": "northwind-studio", "platform": "sandbox-video",
        "platform_video_id": first.platform_video_id, "title": "We are hiring 1",
        "cover_image_url": "https://cdn.video.example/job-v-1.jpg", "share_url": "https://video.example/watch/job-v-1",
        "published_at": listed[first.pk]["published_at"],
        "job": {"id": job.pk, "title": job.title, "status": "published"},
    }
    assert listed[second.pk]["job"] is None

    writer = key_for(organization, ["jobs:write", "jobs:read"])
    free = next(video["id"] for video in page.json()["results"] if video["job"] is None)
    created = client.post(
        "/api/v1/jobs/", {**job_fields(closes_on=job_fields()["closes_on"].isoformat()), "video": free},
        content_type="application/json", **writer,
    )
    assert created.status_code == 201, created.json()
    again = {video["id"]: video["job"] for video in client.get("/api/v1/videos/", **reader).json()["results"]}
    assert again[second.pk] == {"id": created.json()["id"], "title": job_fields()["title"], "status": "draft"}


def test_a_closed_job_leaves_its_video_free_and_removed_videos_are_not_listed(client, organization, employer, videos):
    first, second = videos
    job_services.job_close(job=published_job(organization=organization, actor=employer, video=first), actor=employer)
    second.status = "removed"
    second.save(update_fields=["status"])
    [video] = client.get("/api/v1/videos/", **key_for(organization, ["jobs:read"])).json()["results"]
    assert (video["id"], video["job"]) == (first.pk, None)


def test_pages_follow_the_cursor_in_a_fixed_number_of_queries(
    client, organization, employer, django_assert_max_num_queries
):
    videos = org_videos(organization, 5)
    for video in videos[:3]:
        published_job(organization=organization, actor=employer, video=video)
    reader = key_for(organization, ["jobs:read"])
    seen, url = [], "/api/v1/videos/?page_size=2"
    while url:
        with django_assert_max_num_queries(8):
            page = client.get(url, **reader).json()
        seen += [video["id"] for video in page["results"]]
        url = page["next"]
    assert seen == sorted((video.pk for video in videos), reverse=True)


def test_without_jobs_read_or_a_key_the_list_is_refused(client, organization, videos):
    refused = client.get("/api/v1/videos/", **key_for(organization, ["applications:read"]))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert client.get("/api/v1/videos/").status_code in (401, 403)
    bad_cursor = client.get("/api/v1/videos/?cursor=nope", **key_for(organization, ["jobs:read"]))
    assert bad_cursor.status_code == 404


def test_a_members_session_lists_its_organizations_videos(organization, employer, videos):
    browser = Client()
    browser.force_login(employer)
    listed = browser.get("/api/v1/videos/").json()["results"]
    assert {video["id"] for video in listed} == {video.pk for video in videos}


def test_the_schema_documents_the_video_list():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/videos/"]["get"]
    assert operation["operationId"] == "videos_list"
    video = schema["components"]["schemas"]["EmployerVideo"]
    assert {"id", "title", "cover_image_url", "job"} <= set(video["properties"])
