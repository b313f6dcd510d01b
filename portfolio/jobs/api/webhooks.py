"""The employer API's ATS webhook endpoints: register, change, delete, rotate the secret, send a test event,
read the delivery log and redeliver. Scope `webhooks:manage` for every operation.

Endpoints belong to an organization; integrations.webhooks knows it as owner ("organization", id).
"""

import json

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from common.api_keys.authentication import requires_scope
from common.bad_input import StringField
from integrations.webhooks.models import Delivery, Endpoint
from integrations.webhooks.outbound import selectors as outbound_selectors
from integrations.webhooks.outbound import services as outbound
from portfolio.accounts.models import Organization
from portfolio.accounts.scopes import WEBHOOKS_MANAGE
from portfolio.jobs.api.employer import PAGE_SIZE, TAG, EmployerApiView, NewestFirstCursor, cursor_page, errors
from portfolio.jobs.events import OWNER_TYPE

EVENT_TYPE_HELP = (
    "Event types: " + ", ".join(outbound.EVENT_TYPES) + ". An endpoint that receives any application event "
    "also receives application.erased when an applicant erases their account."
)
EVENT_TYPE_MAX_LENGTH = 100


@extend_schema_serializer(component_name="WebhookEndpoint")
class EndpointOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = serializers.SerializerMethodField(help_text="The organization's slug.")
    url = serializers.CharField()
    description = serializers.CharField()
    event_types = serializers.ListField(child=serializers.CharField())
    enabled = serializers.BooleanField(source="is_enabled")
    disabled_at = serializers.DateTimeField(allow_null=True)
    disabled_reason = serializers.CharField(help_text="Why it was disabled (a 410, 5 days of failures, a member).")
    previous_secret_expires_at = serializers.DateTimeField(
        allow_null=True,
        help_text="Until then requests also carry the signature of the secret before the last rotation.",
    )
    created_at = serializers.DateTimeField()

    def get_organization(self, endpoint) -> str:
        return self.context["slugs"].get(endpoint.owner_id, "")


@extend_schema_serializer(component_name="WebhookEndpointWithSecret")
class EndpointWithSecretSerializer(EndpointOutputSerializer):
    secret = serializers.SerializerMethodField(help_text="The signing secret (whsec_...): shown this once.")

    def get_secret(self, endpoint) -> str:
        return self.context["secret"]


@extend_schema_serializer(component_name="WebhookDelivery")
class DeliveryOutputSerializer(serializers.Serializer):
    @extend_schema_serializer(component_name="WebhookDeliveryAttempt")
    class AttemptSerializer(serializers.Serializer):
        attempted_at = serializers.DateTimeField()
        status_code = serializers.IntegerField(allow_null=True, help_text="Null when no answer came.")
        latency_ms = serializers.IntegerField(allow_null=True)
        response_body = serializers.CharField(help_text="The first 2 KB of the answer.")
        error = serializers.CharField()
        succeeded = serializers.BooleanField()

    id = serializers.IntegerField()
    endpoint = serializers.IntegerField(source="endpoint_id")
    event_id = serializers.CharField(source="msg_id", help_text="The webhook-id header: the same on every retry.")
    event_type = serializers.CharField()
    status = serializers.ChoiceField(choices=Delivery.Status.choices)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    redacted_at = serializers.DateTimeField(
        allow_null=True,
        help_text="When the applicant it was about erased their account: from then on the payload (and any "
        "redelivery) carries the erased form, with data.redacted true, and the answers' bodies are dropped.",
    )
    last_error = serializers.CharField()
    payload = serializers.SerializerMethodField(help_text="The body sent: {type, timestamp, data}.")
    attempts = AttemptSerializer(many=True, source="attempts.all", help_text="Newest first.")

    def get_payload(self, delivery) -> dict:
        return json.loads(delivery.body)


def _slugs(organization_ids) -> dict[int, str]:
    return dict(Organization.objects.filter(pk__in=list(organization_ids)).values_list("pk", "slug"))


class _WebhooksApiView(EmployerApiView):
    def endpoint_or_404(self, endpoint_id: int) -> Endpoint:
        endpoint = outbound_selectors.endpoint_for_owners(
            owner_type=OWNER_TYPE, owner_ids=self.organization_ids(), endpoint_id=endpoint_id
        )
        if endpoint is None:
            raise self.not_found("webhook endpoint")
        return endpoint

    def endpoint_response(self, endpoint: Endpoint, *, secret: str | None = None, code=status.HTTP_200_OK):
        context = {"slugs": _slugs([endpoint.owner_id]), "secret": secret}
        serializer = EndpointWithSecretSerializer if secret else EndpointOutputSerializer
        return Response(serializer(endpoint, context=context).data, status=code)


class EndpointListApi(_WebhooksApiView):
    @extend_schema(
        operation_id="webhook_endpoints_list",
        summary="List the organization's webhook endpoints",
        description="Newest first, in cursor pages. Scope `webhooks:manage`.",
        tags=[TAG],
        parameters=[OpenApiParameter("cursor", OpenApiTypes.STR, description="From `next` or `previous`."), PAGE_SIZE],
        responses={
            200: cursor_page("WebhookEndpointPage", EndpointOutputSerializer), **errors(400, 401, 403, 404, 429)
        },
    )
    @requires_scope(WEBHOOKS_MANAGE)
    def get(self, request):
        organization_ids = self.organization_ids()
        endpoints = outbound_selectors.endpoints_for_owners(owner_type=OWNER_TYPE, owner_ids=organization_ids)
        paginator = NewestFirstCursor()
        page = paginator.paginate_queryset(endpoints, request, view=self)
        data = EndpointOutputSerializer(page, many=True, context={"slugs": _slugs(organization_ids)}).data
        return paginator.get_paginated_response(data)


class EndpointCreateApi(_WebhooksApiView):
    @extend_schema_serializer(component_name="WebhookEndpointCreate")
    class InputSerializer(serializers.Serializer):
        organization = serializers.SlugField(
            required=False, help_text="The organization's slug; needed only for a member of several organizations."
        )
        url = StringField(max_length=2000, help_text="https:// address on the public internet.")
        event_types = serializers.ListField(
            child=StringField(max_length=EVENT_TYPE_MAX_LENGTH), max_length=len(outbound.EVENT_TYPES),
            help_text=EVENT_TYPE_HELP,
        )
        description = StringField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="webhook_endpoints_create",
        summary="Register a webhook endpoint",
        description="Events of the chosen types are sent there, signed with Standard Webhooks headers. The answer "
        "carries the signing `secret` this once. An address that is not https:// or resolves to a private, "
        "loopback, link-local or metadata address is refused with the reason. Scope `webhooks:manage`.",
        tags=[TAG],
        request=InputSerializer,
        responses={201: EndpointWithSecretSerializer, **errors(400, 401, 403, 404, 409, 429)},
    )
    @requires_scope(WEBHOOKS_MANAGE)
    def post(self, request):
        data = EndpointCreateApi.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = self._organization(data.validated_data.get("organization"))
        endpoint, secret = outbound.endpoint_create(
            owner_type=OWNER_TYPE, owner_id=organization.pk, url=data.validated_data["url"],
            event_types=data.validated_data["event_types"], description=data.validated_data["description"],
        )
        return self.endpoint_response(endpoint, secret=secret, code=status.HTTP_201_CREATED)

    def _organization(self, slug: str | None) -> Organization:
        organizations = Organization.objects.filter(pk__in=self.organization_ids())
        if slug:
            organization = organizations.filter(slug=slug).first()
            if organization is None:
                raise self.not_found("organization")
            return organization
        if organizations.count() != 1:
            raise ValidationError({"organization": ["You belong to several organizations: give the slug of one."]})
        return organizations.get()


class EndpointsApi(EndpointListApi, EndpointCreateApi):
    """GET and POST /api/v1/webhook-endpoints/."""


class EndpointDetailApi(_WebhooksApiView):
    @extend_schema(
        operation_id="webhook_endpoints_read", summary="Read a webhook endpoint", tags=[TAG],
        description="Scope `webhooks:manage`.", responses={200: EndpointOutputSerializer, **errors(401, 403, 404, 429)},
    )
    @requires_scope(WEBHOOKS_MANAGE)
    def get(self, request, endpoint_id: int):
        return self.endpoint_response(self.endpoint_or_404(endpoint_id))


class EndpointUpdateApi(_WebhooksApiView):
    @extend_schema_serializer(component_name="WebhookEndpointUpdate")
    class InputSerializer(serializers.Serializer):
        url = StringField(max_length=2000, required=False)
        event_types = serializers.ListField(
            child=StringField(max_length=EVENT_TYPE_MAX_LENGTH), max_length=len(outbound.EVENT_TYPES), required=False,
            help_text=EVENT_TYPE_HELP,
        )
        description = StringField(max_length=200, required=False, allow_blank=True)
        enabled = serializers.BooleanField(required=False, help_text="false disables it; true enables it again.")

    @extend_schema(
        operation_id="webhook_endpoints_update",
        summary="Change a webhook endpoint",
        description="Changes what is given. Enabling a disabled endpoint sends new events; send what failed "
        "meanwhile again with redeliver. Scope `webhooks:manage`.",
        tags=[TAG],
        request=InputSerializer,
        responses={200: EndpointOutputSerializer, **errors(400, 401, 403, 404, 429)},
    )
    @requires_scope(WEBHOOKS_MANAGE)
    def patch(self, request, endpoint_id: int):
        endpoint = self.endpoint_or_404(endpoint_id)
        data = EndpointUpdateApi.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        endpoint = outbound.endpoint_update(
            endpoint=endpoint, url=values.get("url"), event_types=values.get("event_types"),
            description=values.get("description"), is_enabled=values.get("enabled"),
        )
        return self.endpoint_response(endpoint)


class EndpointDeleteApi(_WebhooksApiView):
    @extend_schema(
        operation_id="webhook_endpoints_delete", summary="Delete a webhook endpoint", tags=[TAG],
        description="With its delivery log; nothing more is sent there. Scope `webhooks:manage`.",
        responses={204: None, **errors(401, 403, 404, 429)},
    )
    @requires_scope(WEBHOOKS_MANAGE)
    def delete(self, request, endpoint_id: int):
        outbound.endpoint_delete(endpoint=self.endpoint_or_404(endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointApi(EndpointDetailApi, EndpointUpdateApi, EndpointDeleteApi):
    """GET, PATCH and DELETE /api/v1/webhook-endpoints/<id>/."""


class EndpointRotateSecretApi(_WebhooksApiView):
    @extend_schema(
        operation_id="webhook_endpoints_rotate_secret",
        summary="Rotate an endpoint's signing secret",
        description="Returns the new `secret` this once. For 24 hours requests carry both signatures (space "
        "separated): verify with either secret meanwhile. Scope `webhooks:manage`.",
        tags=[TAG],
        request=None,
        responses={200: EndpointWithSecretSerializer, **errors(401, 403, 404, 429)},
    )
    @requires_scope(WEBHOOKS_MANAGE)
    def post(self, request, endpoint_id: int):
        endpoint = self.endpoint_or_404(endpoint_id)
        secret = outbound.endpoint_secret_rotate(endpoint=endpoint)
        return self.endpoint_response(endpoint, secret=secret)


class EndpointTestApi(_WebhooksApiView):
    @extend_schema(
        operation_id="webhook_endpoints_test",
        summary="Send a test event",
        description="A `webhook.test` event to this endpoint; its delivery appears in the log. Scope "
        "`webhooks:manage`.",
        tags=[TAG],
        request=None,
        responses={202: DeliveryOutputSerializer, **errors(401, 403, 404, 409, 429, e409="The endpoint is disabled.")},
    )
    @requires_scope(WEBHOOKS_MANAGE)
    def post(self, request, endpoint_id: int):
        delivery = outbound.endpoint_test(endpoint=self.endpoint_or_404(endpoint_id))
        return Response(DeliveryOutputSerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class EndpointDeliveriesApi(_WebhooksApiView):
    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=Delivery.Status.choices, required=False)

    @extend_schema(
        operation_id="webhook_endpoints_deliveries",
        summary="An endpoint's delivery log",
        description="Its deliveries newest first, each with every attempt: time, status, latency and the first "
        "2 KB of the answer. Scope `webhooks:manage`.",
        tags=[TAG],
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=Delivery.Status.values),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="From `next` or `previous`."),
            PAGE_SIZE,
        ],
        responses={200: cursor_page("WebhookDeliveryPage", DeliveryOutputSerializer), **errors(400, 401, 403, 404,
                                                                                               429)},
    )
    @requires_scope(WEBHOOKS_MANAGE)
    def get(self, request, endpoint_id: int):
        endpoint = self.endpoint_or_404(endpoint_id)
        query = EndpointDeliveriesApi.FilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        deliveries = outbound_selectors.deliveries_for_endpoint(
            endpoint=endpoint, status=query.validated_data.get("status")
        )
        paginator = NewestFirstCursor()
        page = paginator.paginate_queryset(deliveries, request, view=self)
        return paginator.get_paginated_response(DeliveryOutputSerializer(page, many=True).data)


class EndpointRedeliverFailedApi(_WebhooksApiView):
    @extend_schema_serializer(component_name="WebhookRedeliverFailed")
    class InputSerializer(serializers.Serializer):
        since = serializers.DateTimeField(help_text="Failed deliveries of events since then are sent again.")

    @extend_schema(
        operation_id="webhook_endpoints_redeliver_failed",
        summary="Send again every failed event since a time",
        description="Scope `webhooks:manage`.",
        tags=[TAG],
        request=InputSerializer,
        responses={
            202: {"type": "object", "properties": {"queued": {"type": "integer"}}},
            **errors(400, 401, 403, 404, 409, 429, e409="The endpoint is disabled."),
        },
    )
    @requires_scope(WEBHOOKS_MANAGE)
    def post(self, request, endpoint_id: int):
        endpoint = self.endpoint_or_404(endpoint_id)
        data = EndpointRedeliverFailedApi.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        queued = outbound.deliveries_redeliver_failed(endpoint=endpoint, since=data.validated_data["since"])
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)


class DeliveryRedeliverApi(_WebhooksApiView):
    @extend_schema(
        operation_id="webhook_deliveries_redeliver",
        summary="Send one event again",
        description="The same event (same webhook-id) with a fresh set of retries. Scope `webhooks:manage`.",
        tags=[TAG],
        request=None,
        responses={
            202: DeliveryOutputSerializer,
            **errors(401, 403, 404, 409, 429, e409="It is on its way already, or the endpoint is disabled."),
        },
    )
    @requires_scope(WEBHOOKS_MANAGE)
    def post(self, request, delivery_id: int):
        delivery = outbound_selectors.delivery_for_owners(
            owner_type=OWNER_TYPE, owner_ids=self.organization_ids(), delivery_id=delivery_id
        )
        if delivery is None:
            raise self.not_found("webhook delivery")
        delivery = outbound.delivery_redeliver(delivery=delivery)
        return Response(DeliveryOutputSerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("webhook-endpoints/", EndpointsApi.as_view(), name="api-webhook-endpoints"),
    path("webhook-endpoints/<int:endpoint_id>/", EndpointApi.as_view(), name="api-webhook-endpoint"),
    path("webhook-endpoints/<int:endpoint_id>/rotate-secret/", EndpointRotateSecretApi.as_view(),
         name="api-webhook-endpoint-rotate-secret"),
    path("webhook-endpoints/<int:endpoint_id>/test/", EndpointTestApi.as_view(), name="api-webhook-endpoint-test"),
    path("webhook-endpoints/<int:endpoint_id>/deliveries/", EndpointDeliveriesApi.as_view(),
         name="api-webhook-endpoint-deliveries"),
    path("webhook-endpoints/<int:endpoint_id>/redeliver-failed/", EndpointRedeliverFailedApi.as_view(),
         name="api-webhook-endpoint-redeliver-failed"),
    path("webhook-deliveries/<int:delivery_id>/redeliver/", DeliveryRedeliverApi.as_view(),
         name="api-webhook-delivery-redeliver"),
]
