"""The employer API's jobs: list and create, read and change, publish and close.

Each operation is one view with its own input and output serializers; two operations on one path (GET and
POST /jobs/, GET and PATCH /jobs/<id>/) are one class made of the two views.
"""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from common.api_keys.authentication import requires_scope
from common.bad_input import StringField
from portfolio.accounts.models import Organization
from portfolio.accounts.scopes import JOBS_READ, JOBS_WRITE
from portfolio.creators.models import Video
from portfolio.jobs.anchors import job_page_url
from portfolio.jobs.api.employer import PAGE_SIZE, TAG, EmployerApiView, NewestFirstCursor, cursor_page, errors
from portfolio.jobs.models import Job, ScreeningQuestion
from portfolio.jobs.selectors import review as selectors
from portfolio.jobs.services import jobs as job_services


@extend_schema_serializer(component_name="EmployerJob")
class JobOutputSerializer(serializers.Serializer):
    """A job as the employer API shows it to its organization."""

    @extend_schema_serializer(component_name="EmployerJobQuestion")
    class QuestionSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        kind = serializers.ChoiceField(choices=ScreeningQuestion.Kind.values)
        prompt = serializers.CharField()
        # Named like Field.required: DRF's metaclass moves declared fields out of the class attributes.
        required = serializers.BooleanField()  # type: ignore[assignment]
        choices = serializers.ListField(child=serializers.CharField())
        prefill_from = serializers.CharField(help_text="The profile field that answers it in advance, or empty.")

    id = serializers.IntegerField()
    organization = serializers.SlugField(source="organization.slug")
    slug = serializers.SlugField()
    url = serializers.SerializerMethodField(help_text="The public job page (for published and closed jobs).")
    status = serializers.ChoiceField(choices=Job.Status.choices, help_text="As set: draft, published or closed.")
    effective_status = serializers.ChoiceField(
        choices=Job.Status.choices, help_text="What people see: a published job past its closing date is closed."
    )
    video = serializers.IntegerField(source="video_id", help_text="The id of the organization's video it is on.")
    title = serializers.CharField()
    description = serializers.CharField()
    employment_type = serializers.ChoiceField(choices=Job.EmploymentType.values)
    pay_min = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    pay_max = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    pay_currency = serializers.CharField()
    pay_unit = serializers.CharField()
    workplace = serializers.ChoiceField(choices=Job.Workplace.values)
    street_address = serializers.CharField()
    locality = serializers.CharField()
    region = serializers.CharField()
    postal_code = serializers.CharField()
    country = serializers.CharField()
    remote_countries = serializers.ListField(child=serializers.CharField())
    skills = serializers.ListField(child=serializers.CharField())
    closes_on = serializers.DateField()
    questions = QuestionSerializer(many=True, source="questions.all")
    published_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_url(self, job) -> str:
        return job_page_url(job.slug)


@extend_schema_serializer(component_name="EmployerJobQuestionInput")
class _QuestionInputSerializer(serializers.Serializer):
    id = serializers.IntegerField(required=False, help_text="On PATCH: the id of a question to keep and change.")
    kind = serializers.ChoiceField(choices=ScreeningQuestion.Kind.values)
    prompt = StringField(max_length=300)
    # Named like Field.required: DRF's metaclass moves declared fields out of the class attributes.
    required = serializers.BooleanField(default=False)  # type: ignore[assignment]
    choices = serializers.ListField(
        child=StringField(max_length=100), required=False, default=list, max_length=job_services.MAX_CHOICES
    )
    prefill_from = StringField(required=False, allow_blank=True, default="", max_length=30)


class _JobFieldsSerializer(serializers.Serializer):
    """The job's fields; the posting service checks them together and names each one at fault."""

    title = StringField(max_length=120)
    description = StringField(max_length=10_000)
    employment_type = serializers.ChoiceField(choices=Job.EmploymentType.values)
    pay_min = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, required=False)
    pay_max = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, required=False)
    pay_currency = StringField(max_length=3, allow_blank=True, required=False, help_text="ISO 4217.")
    pay_unit = serializers.ChoiceField(choices=["", *Job.PayUnit.values], required=False)
    workplace = serializers.ChoiceField(choices=Job.Workplace.values)
    street_address = StringField(max_length=200, allow_blank=True, required=False)
    locality = StringField(max_length=100, allow_blank=True, required=False)
    region = StringField(max_length=100, allow_blank=True, required=False)
    postal_code = StringField(max_length=20, allow_blank=True, required=False)
    country = StringField(max_length=2, allow_blank=True, required=False, help_text="ISO 3166-1 alpha-2.")
    remote_countries = serializers.ListField(
        child=StringField(max_length=2),
        required=False,
        max_length=job_services.MAX_REMOTE_COUNTRIES,
        help_text="For remote jobs: where applicants live.",
    )
    skills = serializers.ListField(child=StringField(max_length=60), required=False, max_length=job_services.MAX_SKILLS)
    closes_on = serializers.DateField(help_text="The last day applications are taken (UTC), today or later.")
    # (many=True passes max_length on to the list: the stubs do not know it.)
    questions = _QuestionInputSerializer(  # type: ignore[call-arg]
        many=True, required=False, max_length=job_services.MAX_QUESTIONS
    )

    def split(self) -> tuple[dict, list[dict] | None]:
        data = dict(self.validated_data)
        questions = data.pop("questions", None)
        data.pop("organization", None)
        data.pop("video", None)
        return data, questions


def _job_or_404(view: EmployerApiView, job_id: int) -> Job:
    job = selectors.job_for_organizations(organization_ids=view.organization_ids(), job_id=job_id)
    if job is None:
        raise view.not_found("job")
    return job


class JobListApi(EmployerApiView):
    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Job.Status.choices, required=False)

    @extend_schema(
        operation_id="jobs_list",
        summary="List the organization's jobs",
        description="Newest first, in cursor pages (`?page_size=` up to 100). Scope `jobs:read`.",
        tags=[TAG],
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Job.Status.values, description="Only jobs so set."),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From `next` or `previous` of a page."),
            PAGE_SIZE,
        ],
        responses={200: cursor_page("EmployerJobPage", JobOutputSerializer), **errors(400, 401, 403, 404, 429)},
    )
    @requires_scope(JOBS_READ)
    def get(self, request):
        query = JobListApi.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        jobs = selectors.jobs_for_organizations(organization_ids=self.organization_ids()).prefetch_related(
            "questions"
        )
        if query.validated_data.get("status"):
            jobs = jobs.filter(status=query.validated_data["status"])
        paginator = NewestFirstCursor()
        page = paginator.paginate_queryset(jobs, request, view=self)
        return paginator.get_paginated_response(JobOutputSerializer(page, many=True).data)


class JobCreateApi(EmployerApiView):
    @extend_schema_serializer(component_name="EmployerJobCreate")
    class InputSerializer(_JobFieldsSerializer):
        organization = serializers.SlugField(
            required=False,
            help_text="The organization's slug; needed only for a member of several organizations "
            "(a key posts for its own).",
        )
        video = serializers.IntegerField(help_text="The id of one of the organization's videos.")

    @extend_schema(
        operation_id="jobs_create",
        summary="Create a job (a draft)",
        description="A draft job on one of the organization's videos, with its screening questions. Publish it "
        "to take applications. Scope `jobs:write`; with a key, the job is posted in the name of the member who "
        "created the key (who must still belong to the organization).",
        tags=[TAG],
        request=InputSerializer,
        responses={201: JobOutputSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @requires_scope(JOBS_WRITE)
    def post(self, request):
        data = JobCreateApi.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = self._organization(data.validated_data.get("organization"))
        video = Video.objects.filter(pk=data.validated_data["video"]).first()
        fields, questions = data.split()
        job = job_services.job_create(
            organization=organization, actor=self.actor(), video=video, fields=fields, questions=questions or (),
            api_key=self.api_key(),
        )
        job = _job_or_404(self, job.pk)
        return Response(JobOutputSerializer(job).data, status=status.HTTP_201_CREATED)

    def _organization(self, slug: str | None) -> Organization:
        organization_ids = self.organization_ids()
        organizations = Organization.objects.filter(pk__in=organization_ids)
        if slug:
            organization = organizations.filter(slug=slug).first()
            if organization is None:
                raise self.not_found("organization")
            return organization
        if len(organization_ids) != 1:
            message = "You belong to several organizations: give the slug of the one to post for."
            raise ValidationError({"organization": [message]})
        return organizations.get()


class JobsApi(JobListApi, JobCreateApi):
    """GET and POST /api/v1/jobs/."""


class JobDetailApi(EmployerApiView):
    @extend_schema(
        operation_id="jobs_read",
        summary="Read a job",
        description="Scope `jobs:read`.",
        tags=[TAG],
        responses={200: JobOutputSerializer, **errors(401, 403, 404, 429)},
    )
    @requires_scope(JOBS_READ)
    def get(self, request, job_id: int):
        return Response(JobOutputSerializer(_job_or_404(self, job_id)).data)


class JobUpdateApi(EmployerApiView):
    @extend_schema_serializer(component_name="EmployerJobUpdate")
    class InputSerializer(_JobFieldsSerializer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, partial=True, **kwargs)

    @extend_schema(
        operation_id="jobs_update",
        summary="Change a job",
        description="Changes the fields given; `questions`, when given, become the job's questions (send "
        "the `id` of those to keep). A new closing date must be today or later. Scope `jobs:write`.",
        tags=[TAG],
        request=InputSerializer,
        responses={200: JobOutputSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @requires_scope(JOBS_WRITE)
    def patch(self, request, job_id: int):
        job = _job_or_404(self, job_id)
        data = JobUpdateApi.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields, questions = data.split()
        job_services.job_update(
            job=job, actor=self.actor(), fields=fields, questions=questions, api_key=self.api_key()
        )
        return Response(JobOutputSerializer(_job_or_404(self, job_id)).data)


class JobApi(JobDetailApi, JobUpdateApi):
    """GET and PATCH /api/v1/jobs/<id>/."""


class JobPublishApi(EmployerApiView):
    @extend_schema(
        operation_id="jobs_publish",
        summary="Publish a job",
        description="The job takes applications and its video shows “Apply”. Scope `jobs:write`.",
        tags=[TAG],
        request=None,
        responses={
            200: JobOutputSerializer,
            **errors(
                400, 401, 403, 404, 409, 429,
                e400="The job cannot be published as it is (e.g. its closing date has passed): the message says why.",
                e409="Already published, or its video already carries another published job.",
            ),
        },
    )
    @requires_scope(JOBS_WRITE)
    def post(self, request, job_id: int):
        job = job_services.job_publish(job=_job_or_404(self, job_id), actor=self.actor(), api_key=self.api_key())
        return Response(JobOutputSerializer(_job_or_404(self, job.pk)).data)


class JobCloseApi(EmployerApiView):
    @extend_schema(
        operation_id="jobs_close",
        summary="Close a job",
        description="The job takes no more applications; its page says so. Scope `jobs:write`.",
        tags=[TAG],
        request=None,
        responses={
            200: JobOutputSerializer,
            **errors(
                400, 401, 403, 404, 409, 429,
                e400="A draft was never published: there is nothing to close.",
                e409="Already closed.",
            ),
        },
    )
    @requires_scope(JOBS_WRITE)
    def post(self, request, job_id: int):
        job = job_services.job_close(job=_job_or_404(self, job_id), actor=self.actor(), api_key=self.api_key())
        return Response(JobOutputSerializer(_job_or_404(self, job.pk)).data)


urlpatterns = [
    path("jobs/", JobsApi.as_view(), name="api-jobs"),
    path("jobs/<int:job_id>/", JobApi.as_view(), name="api-job"),
    path("jobs/<int:job_id>/publish/", JobPublishApi.as_view(), name="api-job-publish"),
    path("jobs/<int:job_id>/close/", JobCloseApi.as_view(), name="api-job-close"),
]
