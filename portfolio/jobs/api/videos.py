"""The employer API's videos: what the organization's jobs can be posted on.

`POST /api/v1/jobs/` takes a video id; this list is where an integrator finds it, with the job each video
already carries, so a job can be posted without the web pages.
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from common.api_keys.authentication import requires_scope
from portfolio.accounts.scopes import JOBS_READ
from portfolio.jobs.api.employer import PAGE_SIZE, TAG, EmployerApiView, NewestFirstCursor, cursor_page, errors
from portfolio.jobs.models import Job
from portfolio.jobs.selectors import jobs as selectors


def video_job(video) -> Job | None:
    """The job a video carries: its published one, else its newest draft; None when it has neither (a closed
    job leaves the video free for a new one)."""
    jobs = list(video.jobs.all())  # prefetched, newest first
    return next((job for job in jobs if job.status == Job.Status.PUBLISHED), None) or next(
        (job for job in jobs if job.status == Job.Status.DRAFT), None
    )


@extend_schema_serializer(component_name="EmployerVideo")
class VideoOutputSerializer(serializers.Serializer):
    """One of the organization's videos, as the employer API shows it."""

    @extend_schema_serializer(component_name="EmployerVideoJob")
    class JobSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        title = serializers.CharField()
        status = serializers.ChoiceField(choices=Job.Status.choices)

    id = serializers.IntegerField(help_text="The id to give as `video` to POST /api/v1/jobs/.")
    organization = serializers.SlugField(source="owner.held_organization.slug")
    platform = serializers.CharField(help_text="The video platform (its provider's id).")
    platform_video_id = serializers.CharField(help_text="The video's id at the platform.")
    title = serializers.CharField()
    cover_image_url = serializers.CharField(help_text="The video's cover image, or empty.")
    share_url = serializers.CharField(help_text="The video's page at the platform, or empty.")
    published_at = serializers.DateTimeField(allow_null=True)
    job = serializers.SerializerMethodField(
        help_text="The job the video carries (its published one, else its newest draft); null when it is free."
    )

    @extend_schema_field(JobSerializer(allow_null=True))
    def get_job(self, video):
        job = video_job(video)
        return VideoOutputSerializer.JobSerializer(job).data if job else None


class VideoListApi(EmployerApiView):
    @extend_schema(
        operation_id="videos_list",
        summary="List the organization's videos",
        description="The active videos of the organization's linked video account, with the job each carries: "
        "the ids that `POST /api/v1/jobs/` takes as `video`. Newest imported first, in cursor pages "
        "(`?page_size=` up to 100). Scope `jobs:read`.",
        tags=[TAG],
        parameters=[
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From `next` or `previous` of a page."),
            PAGE_SIZE,
        ],
        responses={200: cursor_page("EmployerVideoPage", VideoOutputSerializer), **errors(401, 403, 404, 429)},
    )
    @requires_scope(JOBS_READ)
    def get(self, request):
        videos = selectors.videos_for_organizations(organization_ids=self.organization_ids())
        paginator = NewestFirstCursor()
        page = paginator.paginate_queryset(videos, request, view=self)
        return paginator.get_paginated_response(VideoOutputSerializer(page, many=True).data)


urlpatterns = [
    path("videos/", VideoListApi.as_view(), name="api-videos"),
]
