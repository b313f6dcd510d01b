"""Reads of the inbox: which stored events are due, and how many are overdue."""

from datetime import datetime

from common.metrics import Backlog, backlog
from integrations.webhooks.models import InboundEvent

Status = InboundEvent.Status


def inbound_events_due_locked(*, now: datetime, limit: int) -> list[InboundEvent]:
    """Up to `limit` pending events due by `now`, oldest first, locked for the caller's transaction; rows
    another drain holds are skipped (each event is applied once)."""
    return list(
        InboundEvent.objects.select_for_update(skip_locked=True, of=("self",)).select_related("partner")
        .filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("pk")[:limit]
    )


def inbound_event_pending_locked(*, event_pk: int) -> InboundEvent | None:
    """The event if it is still pending, locked for the caller's transaction."""
    return (
        InboundEvent.objects.select_for_update(of=("self",)).select_related("partner")
        .filter(pk=event_pk, status=Status.PENDING).first()
    )


def inbound_events_overdue_count(*, due_before: datetime) -> int:
    """Pending events whose processing was due before `due_before` (their wake was lost)."""
    return InboundEvent.objects.filter(status=Status.PENDING, next_attempt_at__lt=due_before).count()



def inbound_backlog() -> list[Backlog]:
    """The events waiting for the drain (by the status index), the oldest by when it was received."""
    return [backlog(InboundEvent.objects.filter(status=Status.PENDING), since="received_at")]
