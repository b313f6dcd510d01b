"""The employer API's applications: a job's applications, one application, and moving its status."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.response import Response

from common.api_keys.authentication import requires_scope
from common.bad_input import StringField
from portfolio.accounts.scopes import APPLICATIONS_READ, APPLICATIONS_WRITE
from portfolio.jobs.api.employer import PAGE_SIZE, TAG, EmployerApiView, NewestFirstCursor, cursor_page, errors
from portfolio.jobs.models import Application
from portfolio.jobs.selectors import review as selectors
from portfolio.jobs.services import review as review_services


@extend_schema_serializer(component_name="EmployerApplication")
class ApplicationOutputSerializer(serializers.Serializer):
    """An application as its organization sees it: the applicant's profile as they shared it, their answers
    and the history of its statuses."""

    @extend_schema_serializer(component_name="EmployerApplicant")
    class ApplicantSerializer(serializers.Serializer):
        """The profile the applicant consented to share, as it was when they applied. Empty once erased."""

        @extend_schema_serializer(component_name="EmployerApplicantProject")
        class ProjectSerializer(serializers.Serializer):
            id = serializers.CharField()
            title = serializers.CharField()
            url = serializers.URLField()
            cover_image_url = serializers.CharField()

        name = serializers.CharField(required=False)
        email = serializers.EmailField(required=False)
        headline = serializers.CharField(required=False)
        bio = serializers.CharField(required=False)
        skills = serializers.ListField(child=serializers.CharField(), required=False)
        rate = serializers.CharField(required=False)
        location = serializers.CharField(required=False)
        avatar_url = serializers.CharField(required=False)
        profile_url = serializers.CharField(required=False)
        portfolio_items = ProjectSerializer(many=True, required=False)

    @extend_schema_serializer(component_name="EmployerApplicationAnswer")
    class AnswerSerializer(serializers.Serializer):
        question_id = serializers.IntegerField()
        prompt = serializers.CharField()
        answer = serializers.CharField()

    @extend_schema_serializer(component_name="EmployerApplicationStatusChange")
    class StatusChangeSerializer(serializers.Serializer):
        from_status = serializers.CharField(help_text="Empty for the first line (the application itself).")
        to_status = serializers.CharField()
        at = serializers.DateTimeField(source="created_at")
        by = serializers.SerializerMethodField(help_text="`applicant`, `member` (with their name) or `api_key`.")
        note = serializers.CharField()

        def get_by(self, change) -> dict:
            if change.api_key_id:
                return {"kind": "api_key", "name": change.api_key.name, "prefix": change.api_key.prefix}
            if change.changed_by_id and change.changed_by_id == change.application.applicant_id:
                return {"kind": "applicant"}
            if change.changed_by_id:
                return {"kind": "member", "name": change.changed_by.name}
            return {"kind": "former_member"}

    id = serializers.IntegerField()
    job = serializers.IntegerField(source="job_id")
    status = serializers.ChoiceField(choices=Application.Status.choices)
    applied_at = serializers.DateTimeField(source="created_at")
    updated_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    anonymized = serializers.SerializerMethodField(help_text="The applicant erased their account.")
    provider = serializers.CharField(source="provider_id", help_text="The freelance platform of the profile.")
    applicant = ApplicantSerializer(source="snapshot")
    snapshot_source = serializers.ChoiceField(
        choices=Application.SnapshotSource.values,
        help_text="`live`: fetched from the platform when they applied; `cached`: the platform did not answer, "
        "so the profile as last synced (`snapshot_taken_at` says how old).",
    )
    snapshot_taken_at = serializers.DateTimeField()
    answers = AnswerSerializer(many=True)
    history = StatusChangeSerializer(many=True, source="status_changes.all")

    def get_anonymized(self, application) -> bool:
        return application.anonymized_at is not None


def _application_or_404(view: EmployerApiView, application_id: int) -> Application:
    application = selectors.application_for_organizations(
        organization_ids=view.organization_ids(), application_id=application_id
    )
    if application is None:
        raise view.not_found("application")
    return application


class JobApplicationListApi(EmployerApiView):
    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Application.Status.choices, required=False)

    @extend_schema(
        operation_id="job_applications_list",
        summary="List a job's applications",
        description="Newest first, in cursor pages (`?page_size=` up to 100), optionally of one status. "
        "Scope `applications:read`.",
        tags=[TAG],
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=Application.Status.values, description="Only this status."
            ),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From `next` or `previous` of a page."),
            PAGE_SIZE,
        ],
        responses={
            200: cursor_page("EmployerApplicationPage", ApplicationOutputSerializer),
            **errors(400, 401, 403, 404, 429, e404="No job with this id among the organization's (or a bad cursor)."),
        },
    )
    @requires_scope(APPLICATIONS_READ)
    def get(self, request, job_id: int):
        job = selectors.job_for_organizations(organization_ids=self.organization_ids(), job_id=job_id)
        if job is None:
            raise self.not_found("job")
        query = self.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        applications = selectors.applications_for_job(job=job, status=query.validated_data.get("status"))
        paginator = NewestFirstCursor()
        page = paginator.paginate_queryset(applications, request, view=self)
        return paginator.get_paginated_response(ApplicationOutputSerializer(page, many=True).data)


class ApplicationDetailApi(EmployerApiView):
    @extend_schema(
        operation_id="applications_read",
        summary="Read an application",
        description="Scope `applications:read`.",
        tags=[TAG],
        responses={200: ApplicationOutputSerializer, **errors(401, 403, 404, 429)},
    )
    @requires_scope(APPLICATIONS_READ)
    def get(self, request, application_id: int):
        return Response(ApplicationOutputSerializer(_application_or_404(self, application_id)).data)


class ApplicationStatusApi(EmployerApiView):
    @extend_schema_serializer(component_name="EmployerApplicationStatusInput")
    class InputSerializer(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=Application.Status.choices,
            help_text="The new status. `withdrawn` is refused: only the applicant withdraws.",
        )
        note = StringField(
            max_length=review_services.STATUS_NOTE_MAX_LENGTH,
            required=False,
            allow_blank=True,
            default="",
            help_text="Why, kept in the history for the organization; the applicant does not see it.",
        )

    @extend_schema(
        operation_id="applications_status_change",
        summary="Move an application to another status",
        description="Records the change in the application's history and emails the applicant their new "
        "status. Scope `applications:write`.",
        tags=[TAG],
        request=InputSerializer,
        examples=[
            OpenApiExample("To interview", value={"status": "interview", "note": "Strong reel"}, request_only=True)
        ],
        responses={
            200: ApplicationOutputSerializer,
            **errors(
                400, 401, 403, 404, 409, 429,
                e400="An unknown status, `withdrawn` (only the applicant withdraws), or a note over 1000 characters.",
                e409="The application already has this status, or the applicant withdrew it or erased their account.",
            ),
        },
    )
    @requires_scope(APPLICATIONS_WRITE)
    def post(self, request, application_id: int):
        application = _application_or_404(self, application_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        api_key = self.api_key()
        review_services.application_status_change(
            application=application,
            actor=None if api_key else request.user,
            api_key=api_key,
            status=data.validated_data["status"],
            note=data.validated_data["note"],
        )
        return Response(ApplicationOutputSerializer(_application_or_404(self, application_id)).data)


urlpatterns = [
    path("jobs/<int:job_id>/applications/", JobApplicationListApi.as_view(), name="api-job-applications"),
    path("applications/<int:application_id>/", ApplicationDetailApi.as_view(), name="api-application"),
    path("applications/<int:application_id>/status/", ApplicationStatusApi.as_view(), name="api-application-status"),
]
