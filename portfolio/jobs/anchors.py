"""The "Apply" anchor: a video whose job is published and open leads to the job's page.

Registered in the partner API's anchor sources from JobsConfig.ready(). The open job's slug is annotated
onto the one video query with a Subquery, so the lookup stays one query whatever the number of videos.
"""

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from portfolio.creators.anchor_cache import Anchor, AnchorSource
from portfolio.jobs.models import Job

APPLY_LABEL = "Apply"


def job_page_url(slug: str) -> str:
    return settings.SITE_URL + reverse("jobs:job_page", kwargs={"slug": slug})


def _annotations() -> dict:
    open_job = Job.objects.filter(
        video=OuterRef("pk"), status=Job.Status.PUBLISHED, closes_on__gte=timezone.now().date()
    ).order_by("-published_at", "-pk")
    return {"open_job_slug": Subquery(open_job.values("slug")[:1])}


def _render(video) -> list[Anchor]:
    slug = getattr(video, "open_job_slug", None)
    if not slug:
        return []
    return [{"kind": "job", "label": APPLY_LABEL, "url": job_page_url(slug)}]


JOB_SOURCE = AnchorSource(kind="job", render=_render, annotations=_annotations)
