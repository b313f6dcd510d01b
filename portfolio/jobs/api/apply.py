"""POST /api/v1/jobs/<id>/apply/: a logged-in viewer applies from a script on the job page (session + CSRF)."""

from django.urls import path
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from common.bad_input import StringField
from common.errors import NotFound
from portfolio.creators.api import ErrorSerializer
from portfolio.creators.permissions import IsApplicant
from portfolio.jobs.selectors import applications as application_selectors
from portfolio.jobs.services import applications as application_services


class ApplyApi(APIView):
    """One application per job and person, with their linked freelance profile."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsApplicant]
    renderer_classes = [JSONRenderer]

    @extend_schema_serializer(component_name="ApplyInput")
    class InputSerializer(serializers.Serializer):
        provider = StringField(
            required=False, max_length=50,
            help_text="The freelance platform whose profile to send (e.g. `sandbox-freelance`); by default the "
            "first one the person linked.",
        )
        answers = serializers.DictField(
            child=StringField(allow_blank=True, max_length=10_000),
            required=False,
            help_text="Answers to the job's screening questions by question id, e.g. `{\"12\": \"Berlin\"}`; "
            "yes/no questions take `yes` or `no`, single-choice questions one of their options.",
        )

    @extend_schema_serializer(component_name="ApplicantApplication")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        job = serializers.SerializerMethodField()
        status = serializers.CharField()
        provider = serializers.CharField(source="provider_id")
        snapshot = serializers.JSONField(help_text="What the organization receives: name, email and the profile.")
        snapshot_source = serializers.ChoiceField(
            choices=["live", "cached"],
            help_text="`live`: fetched from the provider now; `cached`: the provider did not answer in time, so "
            "the profile as last synced was sent (`snapshot_taken_at` says how old it is).",
        )
        snapshot_taken_at = serializers.DateTimeField()
        answers = serializers.JSONField(help_text="[{question_id, prompt, answer}]")
        created_at = serializers.DateTimeField()

        def get_job(self, application) -> dict:
            job = application.job
            return {"id": job.pk, "slug": job.slug, "title": job.title, "organization": job.organization.name}

    @extend_schema(
        operation_id="job_apply",
        summary="Apply to a job with the linked freelance profile",
        description=(
            "For a logged-in viewer's browser session (with the CSRF token, as on the job page), not for API "
            "keys. The person must have a creator account, a linked freelance account and have agreed, on the "
            "consent screen of the job page, to share its profile. The profile is fetched from the freelance "
            "platform at that moment; when it does not answer in time, the profile as last synced is sent "
            "(`snapshot_source: cached`). One application per job and person; at most 10 presses a minute."
        ),
        tags=["applicants"],
        request=InputSerializer,
        responses={
            201: OpenApiResponse(OutputSerializer, description="The application, as the organization receives it."),
            400: OpenApiResponse(
                ErrorSerializer,
                description="Missing or invalid answers to the job's questions, each named in `details.fields`.",
                examples=[OpenApiExample("A required answer is missing", value={"error": {
                    "code": "invalid",
                    "message": "Please answer the job's questions: 1 answer is missing or not valid.",
                    "details": {"fields": {"question_12": [
                        "Answer “Where do you live?”: this question is required."]}},
                }})],
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                description="Not logged in or no CSRF token (`not_authenticated`, `permission_denied`); an employer "
                "account; no linked freelance account (`not_linked`), one that must be reconnected "
                "(`reconnect_required`) or no consent to share it yet (`consent_required`).",
            ),
            404: OpenApiResponse(ErrorSerializer, description="No published or closed job with this id."),
            409: OpenApiResponse(
                ErrorSerializer,
                description="They already applied: the message says when; `details.application_id` names it.",
                examples=[OpenApiExample("Second application", value={"error": {
                    "code": "conflict", "message": "You applied on March 3, 2026.", "details": {"application_id": 41},
                }})],
            ),
            410: OpenApiResponse(ErrorSerializer, description="The job is closed or past its closing date."),
            429: OpenApiResponse(ErrorSerializer, description="Too many presses in a minute (`rate_limited`)."),
        },
    )
    def post(self, request, job_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = application_selectors.job_for_applicants(job_id=job_id)
        if job is None:
            raise NotFound("No job with this id takes applications.")
        application = application_services.application_create(
            job=job,
            applicant=request.user,
            answers=data.validated_data.get("answers"),
            provider_id=data.validated_data.get("provider") or None,
        )
        return Response(self.OutputSerializer(application).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("jobs/<int:job_id>/apply/", ApplyApi.as_view(), name="job_apply"),
]
