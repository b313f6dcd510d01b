"""Writes of received webhook events: recording a verified event, processing it once, the sweep.

A verified event is stored before it is answered, under a unique (partner, event id): a partner's retry
of the same event, however many arrive at once, is one row, processed once. Processing runs in a Celery
task enqueued when the row commits; the sweep re-enqueues what a lost broker dropped.
"""

import json
import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from common.errors import ApplicationError
from integrations.partners.models import Partner
from integrations.webhooks import handlers
from integrations.webhooks.models import InboundEvent
from integrations.webhooks.schemes import Verified

logger = logging.getLogger(__name__)

Status = InboundEvent.Status

# Attempts at an unexpected failure before the event is marked failed (an operator can reprocess it).
MAX_ATTEMPTS = 6


def _backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min, 8 min between attempts."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _enqueue(event_pk: int) -> None:
    """After commit; a broker that is down only delays processing (the sweep enqueues it again)."""
    from integrations.webhooks import tasks

    transaction.on_commit(lambda: tasks.process_inbound_event.delay(event_pk), robust=True)


def event_type_of(payload: dict) -> str:
    """The event's type: `type` (Standard Webhooks payloads) or `event` (the `t=,s=` platforms')."""
    value = payload.get("type") if "type" in payload else payload.get("event")
    return value if isinstance(value, str) else ""


def _occurred_at(payload: dict, verified: Verified) -> datetime:
    """When the event happened at the partner: the payload's `timestamp` (ISO 8601) or `create_time` (Unix
    seconds); when it has neither, the time it was signed."""
    value = payload.get("timestamp")
    if isinstance(value, str):
        parsed = parse_datetime(value.replace("Z", "+00:00"))
        if parsed is not None:
            return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)
    value = payload.get("create_time")
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**11:
        return datetime.fromtimestamp(value, tz=UTC)
    return verified.signed_at


def inbound_event_record(
    *, partner: Partner, verified: Verified, body: bytes, payload: dict
) -> tuple[InboundEvent, bool]:
    """Stores a verified event and enqueues its processing once the row commits; returns (event, created).

    The same event again (the partner retried, or sent copies at once) is not stored or processed again:
    the row that exists is returned with created=False.
    """
    event_type = event_type_of(payload)
    if not event_type or len(event_type) > 100:
        raise ApplicationError("The event has no type (a string of at most 100 characters).")
    event = InboundEvent(
        partner=partner,
        event_id=verified.event_id,
        event_type=event_type,
        occurred_at=_occurred_at(payload, verified),
        body=body.decode("utf-8"),
        headers={**verified.audit_headers, "verified-with": f"{verified.secret} secret"},
        next_attempt_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            event.save(force_insert=True)
            _enqueue(event.pk)
    except IntegrityError:
        existing = InboundEvent.objects.filter(partner=partner, event_id=verified.event_id).first()
        if existing is None:
            raise
        return existing, False
    return event, True


def _payload_data(event: InboundEvent) -> dict:
    """The event's fields for handlers: a Standard Webhooks payload's `data`; for `t=,s=` platforms, the
    account (`user_openid`) and the `content` JSON string, with its `post_id` as the video id."""
    payload = json.loads(event.body)
    if "data" in payload or "type" in payload:
        data = payload.get("data")
        if not isinstance(data, dict):
            raise ApplicationError("The event's data is not a JSON object.")
        return data
    content = payload.get("content") or "{}"
    try:
        content = json.loads(content) if isinstance(content, str) else content
    except ValueError:
        raise ApplicationError("The event's content is not a JSON string of an object.") from None
    if not isinstance(content, dict):
        raise ApplicationError("The event's content is not a JSON string of an object.")
    data = {**content, "account_id": payload.get("user_openid") or ""}
    if "post_id" in content:
        data["video_id"] = content["post_id"]
    return data


def _webhook_event(event: InboundEvent) -> handlers.WebhookEvent:
    provider_id = event.partner.provider_id
    if not provider_id:
        raise ApplicationError(
            f"The partner {event.partner.slug} is not tied to a provider: set its provider in the admin, then "
            "reprocess the event."
        )
    data = _payload_data(event)
    for name in ("platform", "provider"):
        named = data.get(name)
        if named and named != provider_id:
            raise ApplicationError(
                f"The event is about the platform {str(named)[:50]!r}, but {event.partner.slug} speaks for "
                f"{provider_id} only."
            )
    return handlers.WebhookEvent(
        id=event.pk,
        type=event.event_type,
        occurred_at=event.occurred_at or event.received_at,
        partner_slug=event.partner.slug,
        provider_id=provider_id,
        data=data,
    )


def inbound_event_process(*, event_pk: int) -> InboundEvent | None:
    """Applies a pending event with its type's handler and records the outcome; an event that is not
    pending (done, ignored, failed, or taken by another worker meanwhile) is left alone.

    The row stays locked while the handler runs, so two workers never apply one event; the handler's
    writes and the outcome commit together. An unexpected failure leaves the event pending with its next
    attempt after a backoff (the caller retries then), and marks it failed after MAX_ATTEMPTS.
    """
    now = timezone.now()
    with transaction.atomic():
        event = (
            InboundEvent.objects.select_for_update(of=("self",)).select_related("partner")
            .filter(pk=event_pk, status=Status.PENDING).first()
        )
        if event is None:
            return InboundEvent.objects.filter(pk=event_pk).first()
        event.attempts += 1
        handler = handlers.handler_for(event.event_type)
        if handler is None:
            event.status, event.error = Status.IGNORED, f"Reelfolio does not act on {event.event_type} events."
        else:
            try:
                with transaction.atomic():  # a failing handler's writes roll back, the outcome stays
                    handler(_webhook_event(event))
            except handlers.EventIgnored as ignored:
                event.status, event.error = Status.IGNORED, ignored.reason[:1000]
            except ApplicationError as error:
                event.status, event.error = Status.FAILED, error.message[:1000]
            except Exception as error:  # unexpected: retried, then recorded
                logger.exception("webhooks.process_failed", extra={"event_pk": event.pk, "attempts": event.attempts})
                event.error = f"{type(error).__name__}: {error}"[:1000]
                if event.attempts >= MAX_ATTEMPTS:
                    event.status = Status.FAILED
                    logger.error("webhooks.process_gave_up", extra={"event_pk": event.pk})
                else:
                    event.next_attempt_at = now + _backoff(event.attempts)
            else:
                event.status, event.error = Status.DONE, ""
        if event.status != Status.PENDING:
            event.processed_at = now
        event.save(update_fields=["attempts", "status", "error", "next_attempt_at", "processed_at"])
    logger.info(
        "webhooks.processed",
        extra={
            "event_pk": event.pk, "event_type": event.event_type, "status": event.status, "attempts": event.attempts
        },
    )
    return event


@transaction.atomic
def inbound_event_reprocess(*, event: InboundEvent) -> InboundEvent:
    """An operator's "process again": the event becomes pending and is enqueued on commit, whatever its
    outcome was (e.g. failed before the partner's provider was set). A pending one is only enqueued again."""
    event = InboundEvent.objects.select_for_update().get(pk=event.pk)
    event.status = Status.PENDING
    event.attempts = 0
    event.error = ""
    event.processed_at = None
    event.next_attempt_at = timezone.now()
    event.save(update_fields=["status", "attempts", "error", "processed_at", "next_attempt_at"])
    _enqueue(event.pk)
    return event


def inbound_events_sweep() -> int:
    """Re-enqueues pending events whose processing was due more than WEBHOOK_INBOUND_SWEEP_AFTER_SECONDS
    ago (a broker that lost the task, a worker that died); returns how many."""
    now = timezone.now()
    due = now - timedelta(seconds=settings.WEBHOOK_INBOUND_SWEEP_AFTER_SECONDS)
    with transaction.atomic():
        ids = list(
            InboundEvent.objects.select_for_update(skip_locked=True)
            .filter(status=Status.PENDING, next_attempt_at__lt=due)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:500]
        )
        InboundEvent.objects.filter(pk__in=ids).update(next_attempt_at=now)
        for event_pk in ids:
            _enqueue(event_pk)
    if ids:
        logger.warning("webhooks.inbound_swept", extra={"count": len(ids)})
    return len(ids)
