"""The demo: Northwind Studio gets its video account's videos and a published job video, once."""

import pytest
from django.urls import reverse

from portfolio.accounts.models import Organization
from portfolio.creators.models import Video
from portfolio.demo.seeding import demo_seed
from portfolio.jobs.models import Job

pytestmark = pytest.mark.django_db


def test_seed_demo_posts_one_published_job_video_for_northwind_and_is_safe_to_run_again(client):
    demo_seed()
    demo_seed()

    organization = Organization.objects.get(slug="northwind-studio")
    videos = Video.objects.filter(owner_id=organization.video_holder_id, status=Video.Status.ACTIVE)
    assert sorted(videos.values_list("platform_video_id", flat=True)) == ["v-4001", "v-4002", "v-4003"]
    [job] = Job.objects.filter(organization=organization)
    assert job.is_open and job.video.platform_video_id == "v-4001"
    assert [q.prompt for q in job.questions.all()] == ["Can you start in January?", "Where do you live?"]
    assert client.get(reverse("jobs:job_page", args=[job.slug])).status_code == 200
