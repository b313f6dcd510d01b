"""Reads of outbound endpoints and their delivery log; each returns an object or None, never raises."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from common.metrics import Backlog, backlog
from integrations.webhooks.models import Delivery, DeliveryAttempt, Endpoint


def endpoints_for_owner(*, owner_type: str, owner_id: int) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(owner_type=owner_type, owner_id=owner_id).order_by("created_at", "id")


def endpoints_for_owners(*, owner_type: str, owner_ids: Iterable[int]) -> QuerySet[Endpoint]:
    return Endpoint.objects.filter(owner_type=owner_type, owner_id__in=list(owner_ids)).order_by("created_at", "id")


def endpoint_for_owners(*, owner_type: str, owner_ids: Iterable[int], endpoint_id: int) -> Endpoint | None:
    """The endpoint if one of these owners has it; None otherwise (the caller answers 404)."""
    return endpoints_for_owners(owner_type=owner_type, owner_ids=owner_ids).filter(pk=endpoint_id).first()


def deliveries_for_endpoint(*, endpoint: Endpoint, status: str | None = None) -> QuerySet[Delivery]:
    """The endpoint's deliveries, newest first, each with its attempts (newest first) in one more query."""
    deliveries = Delivery.objects.filter(endpoint=endpoint)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-id").prefetch_related(
        Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("-attempted_at", "-id"))
    )


def delivery_for_owners(*, owner_type: str, owner_ids: Iterable[int], delivery_id: int) -> Delivery | None:
    return (
        Delivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, endpoint__owner_type=owner_type, endpoint__owner_id__in=list(owner_ids))
        .first()
    )


@dataclass(frozen=True)
class EndpointDeliveries:
    """How one endpoint's deliveries fared since a moment: delivered, given up, and still waiting (pending or
    being sent now, whenever they were made)."""

    endpoint: Endpoint
    delivered: int
    given_up: int
    waiting: int


def endpoints_health_for_owners(*, owner_type: str, owner_ids: Iterable[int], since) -> list[EndpointDeliveries]:
    """The owners' endpoints with how their deliveries fared since `since`, in one query."""
    recent = Q(deliveries__created_at__gte=since)
    endpoints = endpoints_for_owners(owner_type=owner_type, owner_ids=owner_ids).annotate(
        delivered=Count("deliveries", filter=recent & Q(deliveries__status=Delivery.Status.DELIVERED)),
        given_up=Count("deliveries", filter=recent & Q(deliveries__status=Delivery.Status.FAILED)),
        waiting=Count(
            "deliveries", filter=Q(deliveries__status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING])
        ),
    )
    return [
        EndpointDeliveries(endpoint=e, delivered=e.delivered, given_up=e.given_up, waiting=e.waiting)
        for e in endpoints
    ]


def outbound_backlog() -> list[Backlog]:
    """The deliveries due now (by the partial index of pending and sending ones), by their endpoint's state,
    the oldest by how long it has been due. No organization is named: the states are a fixed few."""
    due = Delivery.objects.filter(
        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING], next_attempt_at__lte=timezone.now()
    )
    return [
        backlog(due.filter(endpoint__is_enabled=True, endpoint__failing_since__isnull=True), since="next_attempt_at",
                state="healthy"),
        backlog(due.filter(endpoint__is_enabled=True, endpoint__failing_since__isnull=False), since="next_attempt_at",
                state="failing"),
        backlog(due.filter(endpoint__is_enabled=False), since="next_attempt_at", state="disabled"),
    ]


def failing_endpoints_backlog() -> list[Backlog]:
    """The enabled endpoints whose deliveries are failing, the oldest by how long it has been failing."""
    return [backlog(Endpoint.objects.filter(is_enabled=True, failing_since__isnull=False), since="failing_since")]
