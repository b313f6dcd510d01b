"""The "Apply" anchor in the partner API: after any portfolio anchor, one query for any number of videos,
and gone or back at once when a job is published, edited, closed or expires (the real cache)."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from integrations.partners import services as partner_services
from portfolio.creators.anchor_cache import anchors_cache_key
from portfolio.creators.cache_entries import INVALIDATED
from portfolio.creators.models import PortfolioAnchor
from portfolio.jobs.models import Job
from portfolio.jobs.services import jobs as job_services
from tests.jobs.conftest import job_fields, org_videos

pytestmark = pytest.mark.django_db

URL = reverse("api-anchors")


@pytest.fixture
def partner_key():
    return partner_services.partner_create(name="Sandbox Video").key


def anchors(client, key, *video_ids):
    query = "platform=sandbox-video&" + "&".join(f"video_id={video_id}" for video_id in video_ids)
    response = client.get(f"{URL}?{query}", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200, response.content
    return {video["video_id"]: video["anchors"] for video in response.json()["videos"]}


def apply_anchor(job):
    return {"kind": "job", "label": "Apply", "url": f"http://127.0.0.1:8000/jobs/{job.slug}/"}


def published(organization, member, video, **overrides):
    job = job_services.job_create(organization=organization, actor=member, video=video, fields=job_fields(**overrides))
    job_services.job_publish(job=job, actor=member)
    return job


def test_a_published_job_puts_apply_after_the_portfolio_anchor(
    client, organization, member, videos, partner_key, django_capture_on_commit_callbacks
):
    PortfolioAnchor.objects.create(
        video=videos[0], code="code0001", target_kind="reelfolio_page", target_url="https://reelfolio.example/@nw"
    )
    draft = job_services.job_create(organization=organization, actor=member, video=videos[1], fields=job_fields())
    with django_capture_on_commit_callbacks(execute=True):
        job = published(organization, member, videos[0])

    answer = anchors(client, partner_key, videos[0].platform_video_id, videos[1].platform_video_id)

    assert answer[videos[0].platform_video_id] == [
        {"kind": "portfolio", "label": "View My Portfolio", "url": "http://127.0.0.1:8000/l/code0001"},
        apply_anchor(job),
    ]
    assert answer[videos[1].platform_video_id] == []  # a draft shows nothing
    assert draft.status == Job.Status.DRAFT


def test_the_lookup_stays_one_query_for_many_videos_with_jobs(
    client, organization, member, partner_key, django_assert_num_queries
):
    many = org_videos(organization, 30, prefix="many")
    for video in many[:20]:
        published(organization, member, video, title=f"Job on {video.platform_video_id}")
    ids = [video.platform_video_id for video in many]
    anchors(client, partner_key, "warm-up-the-key")

    with django_assert_num_queries(1):
        answer = anchors(client, partner_key, *ids)
    assert sum(1 for video_id in ids if answer[video_id]) == 20
    with django_assert_num_queries(0):
        anchors(client, partner_key, *ids)


def test_publish_edit_close_and_expiry_each_change_the_cached_answer_at_once(
    client, organization, member, videos, partner_key, django_capture_on_commit_callbacks
):
    """Each step first lets the answer settle in the cache (the marker a drop leaves lives 30 s: it is
    taken away here), so the next answer shows that the step itself dropped the cached one."""
    video_id = videos[0].platform_video_id
    key = anchors_cache_key(platform="sandbox-video", platform_video_id=video_id)

    def settled_answer():
        if cache.get(key) == INVALIDATED:
            cache.delete(key)
        answer = anchors(client, partner_key, video_id)[video_id]
        assert cache.get(key) == answer, "the answer is cached"
        return answer

    job = job_services.job_create(organization=organization, actor=member, video=videos[0], fields=job_fields())
    assert settled_answer() == []

    with django_capture_on_commit_callbacks(execute=True):
        job_services.job_publish(job=job, actor=member)
    assert anchors(client, partner_key, video_id)[video_id] == [apply_anchor(job)]

    settled_answer()
    with django_capture_on_commit_callbacks(execute=True):
        job_services.job_update(job=job, actor=member, fields={"title": "Senior motion designer"})
    assert cache.get(key) == INVALIDATED, "an edit of a published job drops its video's cached anchors"

    settled_answer()
    with django_capture_on_commit_callbacks(execute=True):
        job_services.job_close(job=job, actor=member)
    assert anchors(client, partner_key, video_id)[video_id] == []

    settled_answer()
    with django_capture_on_commit_callbacks(execute=True):
        job_services.job_publish(job=job, actor=member)
    assert settled_answer() == [apply_anchor(job)]

    # The closing date passes; the answer stays cached until the beat's sweep closes the job.
    Job.objects.filter(pk=job.pk).update(closes_on=date.today() - timedelta(days=1))
    assert anchors(client, partner_key, video_id)[video_id] == [apply_anchor(job)]
    with django_capture_on_commit_callbacks(execute=True):
        assert job_services.jobs_expire() == 1
    assert anchors(client, partner_key, video_id)[video_id] == []


def test_publishing_and_closing_a_job_change_the_etag(
    client, organization, member, videos, partner_key, django_capture_on_commit_callbacks
):
    video_id = videos[0].platform_video_id
    url = f"{URL}?platform=sandbox-video&video_id={video_id}"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {partner_key}"}
    first = client.get(url, **auth)
    job = job_services.job_create(organization=organization, actor=member, video=videos[0], fields=job_fields())
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **auth).status_code == 304  # a draft shows nothing

    with django_capture_on_commit_callbacks(execute=True):
        job_services.job_publish(job=job, actor=member)
    opened = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **auth)
    assert opened.status_code == 200
    assert opened.json()["videos"][0]["anchors"] == [apply_anchor(job)]
    assert opened["ETag"] != first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=opened["ETag"], **auth).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        job_services.job_close(job=job, actor=member)
    closed = client.get(url, HTTP_IF_NONE_MATCH=opened["ETag"], **auth)
    assert closed.status_code == 200
    assert closed.json()["videos"][0]["anchors"] == []
    assert closed["ETag"] == first["ETag"]


def test_a_job_past_its_closing_date_shows_no_apply_even_before_the_sweep(
    client, organization, member, videos, partner_key
):
    job = published(organization, member, videos[0])
    Job.objects.filter(pk=job.pk).update(closes_on=date.today() - timedelta(days=1))
    assert anchors(client, partner_key, videos[0].platform_video_id)[videos[0].platform_video_id] == []
