"""Webhooks to employers' ATS: endpoints, the outbox of deliveries, and sending them.

An event is written as one delivery row per subscribed, enabled endpoint IN THE CALLER'S TRANSACTION
(`event_emit`), and enqueued once that transaction commits. A beat sweep re-enqueues every delivery
that is due and not delivered: retries, and whatever a lost broker message or a killed worker left
behind. A worker claims a delivery with one conditional UPDATE before it calls the endpoint, so a
delivery enqueued twice is sent once; a claim that is not released within WEBHOOK_IN_FLIGHT_SECONDS
counts as lost and the sweep sends the delivery again (receivers dedupe on `webhook-id`).

Order: deliveries of one endpoint that share an ordering key (one application's events, one job's)
are sent oldest first: a delivery waits while an older one of its key is not finished (delivered or
given up). Other events carry no promise of order.

Erasure: a delivery whose body carries a person's data is tagged with the owner's name for that person
(`subject_key`, e.g. "applicant:42") when it is written. Erasing the person rewrites those bodies through
the owner's redaction (`deliveries_redact`): what is still to be sent, what a redelivery sends and what the
delivery log shows is the redacted form, marked `"redacted": true`, and the answers the endpoints gave to
them (which may echo the body) are dropped from the log.
"""

import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from common import crypto
from common.errors import ApplicationError, Conflict
from integrations.partners import keys
from integrations.webhooks.models import Delivery, DeliveryAttempt, Endpoint
from integrations.webhooks.outbound import delivery as http
from integrations.webhooks.outbound import endpoint_owners as owners
from integrations.webhooks.outbound import ssrf

logger = logging.getLogger(__name__)

Status = Delivery.Status

# The events an endpoint can subscribe to, with what each says.
EVENT_TYPES: dict[str, str] = {
    "application.created": "Someone applied to one of your jobs",
    "application.withdrawn": "An applicant withdrew their application",
    "application.status_changed": "An application moved to another status",
    "job.published": "A job was published",
    "job.closed": "A job was closed",
}
TEST_EVENT = "webhook.test"
# Events nobody subscribes to by name: each goes to every endpoint subscribed to one of the events listed
# with it, the ones that may hold what it is about. An ATS that received an applicant's data is told
# when the applicant erases it, whichever events it chose.
NOTICE_EVENTS: dict[str, frozenset[str]] = {
    "application.erased": frozenset({"application.created", "application.withdrawn", "application.status_changed"}),
}
SECRET_OVERLAP = timedelta(hours=24)
DISABLE_AFTER_FAILING = timedelta(days=5)
MAX_ENDPOINTS_PER_OWNER = 20
# Retries due sooner than this are handed to the broker with a countdown; later ones to the sweep.
COUNTDOWN_LIMIT_SECONDS = 600
# The sweep leaves rows this fresh to the task their own commit enqueued.
SWEEP_GRACE = timedelta(seconds=10)
UNFINISHED = (Status.PENDING, Status.SENDING)


def _queue() -> str:
    return settings.WEBHOOK_CELERY_QUEUE


# While the broker is unreachable, enqueueing is skipped for this long after a failure: each attempt
# can take seconds (the client's own retries), and the sweep sends these deliveries once it is back.
BROKER_DOWN_PAUSE_SECONDS = 30.0
_broker_down_until = 0.0


def _publish(task, args: tuple, *, countdown: float | None = None) -> None:
    """Hands a task to the broker; a failure is logged and pauses publishing for a while (nothing is lost:
    the rows stay due and the sweep enqueues them again)."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return
    try:
        task.apply_async(args, countdown=countdown, retry=False, queue=_queue())
    except Exception as error:  # kombu's OperationalError, socket errors: whatever the transport raises
        _broker_down_until = time.monotonic() + BROKER_DOWN_PAUSE_SECONDS
        logger.warning("webhooks.enqueue_failed", extra={"task": task.name, "error": str(error)[:200]})


def _enqueue(delivery_id: int, *, countdown: float | None = None) -> None:
    """After commit. A broker that is down only delays the delivery: the sweep enqueues it again."""
    from integrations.webhooks import tasks

    transaction.on_commit(lambda: _publish(tasks.deliver, (delivery_id,), countdown=countdown))


# --- endpoints ----------------------------------------------------------------------------------------


def _cleaned(*, url: str, event_types, description: str) -> tuple[str, list[str], str]:
    errors: dict[str, list[str]] = {}
    url = (url or "").strip()
    if not url:
        errors["url"] = ["Give the address of your endpoint, e.g. https://ats.example.com/webhooks."]
    elif len(url) > 2000:
        errors["url"] = ["Keep the address under 2,000 characters."]
    else:
        try:
            ssrf.check_url(url)
        except ssrf.UnsafeAddress as refusal:
            errors["url"] = [refusal.message]
    chosen = sorted({str(t) for t in (event_types or [])})
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown:
        errors["event_types"] = [f"Unknown event type {unknown[0]!r}; the types are: {', '.join(EVENT_TYPES)}."]
    elif not chosen:
        errors["event_types"] = ["Choose at least one event type."]
    description = (description or "").strip()
    if len(description) > 200:
        errors["description"] = ["Keep the description under 200 characters."]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, extra={"fields": errors})
    return url, chosen, description


@transaction.atomic
def endpoint_create(
    *, owner_type: str, owner_id: int, url: str, event_types, description: str = ""
) -> tuple[Endpoint, str]:
    """Registers an endpoint; returns it with its signing secret in clear, which is never shown again."""
    url, event_types, description = _cleaned(url=url, event_types=event_types, description=description)
    if Endpoint.objects.filter(owner_type=owner_type, owner_id=owner_id).count() >= MAX_ENDPOINTS_PER_OWNER:
        raise Conflict(f"An organization can have up to {MAX_ENDPOINTS_PER_OWNER} endpoints; delete one first.")
    secret = keys.new_webhook_secret()
    endpoint = Endpoint.objects.create(
        owner_type=owner_type, owner_id=owner_id, url=url, event_types=event_types, description=description,
        secret_encrypted=crypto.encrypt(secret),
    )
    logger.info("webhooks.endpoint_created", extra={"endpoint_id": endpoint.pk, "owner_id": owner_id})
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *, endpoint: Endpoint, url: str | None = None, event_types=None, description: str | None = None,
    is_enabled: bool | None = None,
) -> Endpoint:
    """Changes what is given. Enabling a disabled endpoint starts afresh; what failed meanwhile is sent
    again only when asked (redeliver)."""
    url, event_types, description = _cleaned(
        url=endpoint.url if url is None else url,
        event_types=endpoint.event_types if event_types is None else event_types,
        description=endpoint.description if description is None else description,
    )
    endpoint.url, endpoint.event_types, endpoint.description = url, event_types, description
    now = timezone.now()
    if is_enabled is True and not endpoint.is_enabled:
        endpoint.is_enabled = True
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
    elif is_enabled is False and endpoint.is_enabled:
        endpoint.is_enabled = False
        endpoint.disabled_at = now
        endpoint.disabled_reason = "Disabled by a member of the organization."
        endpoint.disabled_notified_at = now  # they know
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: Endpoint) -> None:
    """Deletes the endpoint with its deliveries and their log."""
    logger.info("webhooks.endpoint_deleted", extra={"endpoint_id": endpoint.pk, "owner_id": endpoint.owner_id})
    endpoint.delete()


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: Endpoint) -> str:
    """A new signing secret, returned in clear once. For 24 hours requests carry the signatures of both
    the new and the old secret (space separated), so the receiver can switch at its own pace."""
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    secret = keys.new_webhook_secret()
    locked.previous_secret_encrypted = locked.secret_encrypted
    locked.previous_secret_expires_at = timezone.now() + SECRET_OVERLAP
    locked.secret_encrypted = crypto.encrypt(secret)
    locked.save(update_fields=["previous_secret_encrypted", "previous_secret_expires_at", "secret_encrypted",
                               "updated_at"])
    for field in ("previous_secret_encrypted", "previous_secret_expires_at", "secret_encrypted"):
        setattr(endpoint, field, getattr(locked, field))
    logger.info("webhooks.endpoint_secret_rotated", extra={"endpoint_id": endpoint.pk})
    return secret


def endpoint_signing_secrets(endpoint: Endpoint, *, now: datetime | None = None) -> list[str]:
    """The secrets requests are signed with: the current one, and the previous one during the overlap."""
    now = now or timezone.now()
    secrets = [crypto.decrypt(endpoint.secret_encrypted)]
    if endpoint.previous_secret_encrypted and endpoint.previous_secret_expires_at and (
        endpoint.previous_secret_expires_at > now
    ):
        secrets.append(crypto.decrypt(endpoint.previous_secret_encrypted))
    return secrets


# --- the outbox ---------------------------------------------------------------------------------------


def _new_msg_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def _subscribed(endpoint: Endpoint, type: str) -> bool:
    if type in NOTICE_EVENTS:
        return bool(NOTICE_EVENTS[type].intersection(endpoint.event_types))
    return type in endpoint.event_types


def event_emit(
    *, owner_type: str, owner_id: int, type: str, data: dict, ordering_key: str = "", subject_key: str = ""
) -> int:
    """Writes one delivery per enabled endpoint of the owner subscribed to `type`, in the caller's
    transaction, and enqueues them when it commits; returns how many. Nothing is sent if it rolls back.

    `subject_key` names the person whose data `data` carries, for `deliveries_redact`; blank for none."""
    if type not in EVENT_TYPES and type not in NOTICE_EVENTS:
        raise ValueError(f"Unknown webhook event type {type!r}.")
    endpoints = [
        endpoint
        for endpoint in Endpoint.objects.filter(owner_type=owner_type, owner_id=owner_id, is_enabled=True)
        if _subscribed(endpoint, type)
    ]
    if not endpoints:
        return 0
    now = timezone.now()
    msg_id = _new_msg_id()
    body = http.body_for(event_type=type, timestamp=now, data=data)
    with transaction.atomic():
        rows = Delivery.objects.bulk_create(
            [
                Delivery(
                    endpoint=endpoint, msg_id=msg_id, event_type=type, body=body, ordering_key=ordering_key[:100],
                    subject_key=subject_key[:100], created_at=now, next_attempt_at=now,
                )
                for endpoint in endpoints
            ]
        )
        for row in rows:
            _enqueue(row.pk)
    return len(rows)


@transaction.atomic
def endpoint_test(*, endpoint: Endpoint) -> Delivery:
    """"Send test event": a `webhook.test` delivery to this endpoint only, logged like any other."""
    if not endpoint.is_enabled:
        raise Conflict("This endpoint is disabled: enable it to send a test event.")
    now = timezone.now()
    data = {"endpoint_id": endpoint.pk, "message": "A test event from Reelfolio: your endpoint receives our webhooks."}
    row = Delivery.objects.create(
        endpoint=endpoint, msg_id=_new_msg_id(), event_type=TEST_EVENT,
        body=http.body_for(event_type=TEST_EVENT, timestamp=now, data=data), created_at=now, next_attempt_at=now,
    )
    _enqueue(row.pk)
    return row


def deliveries_redact(*, subject_key: str, redact: Callable[[str, dict], dict]) -> int:
    """Rewrites every delivery tagged with `subject_key` without the person's data; returns how many.

    `redact(event_type, data)` is the owner's: it returns the event's data without what names the person.
    The body keeps its type, timestamp and webhook-id, and its data says `"redacted": true`; pending
    deliveries are sent, and any delivery is redelivered, in that form. The answers endpoints gave to these
    deliveries are emptied from the log (an ATS may echo what it received). The tag is cleared: nothing
    links the rows to the person any more. A delivery on its way at this moment goes out as it was read.
    """
    if not subject_key:
        raise ValueError("deliveries_redact needs a subject_key.")
    now = timezone.now()
    count = 0
    with transaction.atomic():
        rows = list(Delivery.objects.select_for_update().filter(subject_key=subject_key).order_by("pk"))
        for row in rows:
            data = {**redact(row.event_type, http.data_of(row.body)), "redacted": True}
            row.body = http.body_with_data(row.body, data)
            row.subject_key = ""
            row.redacted_at = now
        Delivery.objects.bulk_update(rows, ["body", "subject_key", "redacted_at"])
        count = len(rows)
        DeliveryAttempt.objects.filter(delivery__in=rows).exclude(response_body="").update(response_body="")
    if count:
        logger.info("webhooks.deliveries_redacted", extra={"deliveries": count})
    return count


def _requeue(queryset) -> list[int]:
    ids = list(queryset.values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        status=Status.PENDING, attempt_count=0, next_attempt_at=timezone.now(), claim=None
    )
    for delivery_id in ids:
        _enqueue(delivery_id)
    return ids


@transaction.atomic
def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """Sends a delivered or failed event again, with the same webhook-id, and a fresh set of retries."""
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if not endpoint.is_enabled:
        raise Conflict("This endpoint is disabled: enable it before sending events again.")
    if not _requeue(Delivery.objects.filter(pk=delivery.pk).exclude(status__in=UNFINISHED)):
        raise Conflict("This event is already on its way; it is not sent twice.")
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def deliveries_redeliver_failed(*, endpoint: Endpoint, since: datetime) -> int:
    """Sends again every failed delivery of the endpoint created since `since`; returns how many."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.is_enabled:
        raise Conflict("This endpoint is disabled: enable it before sending events again.")
    if since > timezone.now():
        message = "Choose a time in the past."
        raise ApplicationError(message, extra={"fields": {"since": [message]}})
    return len(_requeue(Delivery.objects.filter(endpoint=endpoint, status=Status.FAILED, created_at__gte=since)))


# --- sending ------------------------------------------------------------------------------------------


def _earlier_unfinished():
    """Deliveries that must go before the outer one: same endpoint and ordering key, older, unfinished."""
    return Delivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"), ordering_key=OuterRef("ordering_key"), id__lt=OuterRef("id"),
        status__in=UNFINISHED,
    )


def _next_in_line(delivery: Delivery) -> None:
    """Once a delivery is finished, the oldest unfinished one of its ordering key may go."""
    if not delivery.ordering_key:
        return
    following = (
        Delivery.objects.filter(
            endpoint_id=delivery.endpoint_id, ordering_key=delivery.ordering_key, id__gt=delivery.pk,
            status=Status.PENDING, next_attempt_at__lte=timezone.now(),
        ).order_by("id").values_list("pk", flat=True).first()
    )
    if following:
        _enqueue(following)


def delivery_attempt(*, delivery_id: int) -> str:
    """Claims the delivery if it is due, makes one attempt, records it and decides what comes next.

    Returns what happened: "delivered", "retry", "failed", or "skipped" (not due, claimed by another
    worker, waiting for an older event of its key, or gone).
    """
    now = timezone.now()
    row = (
        Delivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, status__in=UNFINISHED, next_attempt_at__lte=now)
        .annotate(blocked=Exists(_earlier_unfinished()))
        .first()
    )
    if row is None:
        return "skipped"
    if row.ordering_key and row.blocked:
        return "skipped"  # enqueued again when the older one finishes (and by the sweep)
    endpoint = row.endpoint
    if not endpoint.is_enabled:
        with transaction.atomic():
            if Delivery.objects.filter(pk=row.pk, status__in=UNFINISHED).update(
                status=Status.FAILED, claim=None, next_attempt_at=None,
                last_error="Not sent: the endpoint is disabled. Enable it, then redeliver.",
            ):
                _next_in_line(row)
        return "failed"
    claim = uuid.uuid4()
    claimed = Delivery.objects.filter(
        pk=row.pk, status__in=UNFINISHED, next_attempt_at__lte=now, attempt_count=row.attempt_count
    ).update(
        status=Status.SENDING, claim=claim, attempt_count=row.attempt_count + 1, last_attempt_at=now,
        next_attempt_at=now + timedelta(seconds=settings.WEBHOOK_IN_FLIGHT_SECONDS),
    )
    if not claimed:
        return "skipped"  # another worker was quicker
    if row.status == Status.SENDING:
        DeliveryAttempt.objects.create(
            delivery=row, attempted_at=row.last_attempt_at or now, url=endpoint.url[:2000],
            error="No outcome was recorded: the attempt was interrupted (its worker stopped). Sent again.",
        )
    attempt_count = row.attempt_count + 1
    outcome = http.send(
        url=endpoint.url, msg_id=row.msg_id, body=row.body, secrets=endpoint_signing_secrets(endpoint)
    )
    return _record(delivery_id=row.pk, claim=claim, attempt_count=attempt_count, url=endpoint.url, outcome=outcome,
                   attempted_at=now)


@transaction.atomic
def _record(*, delivery_id: int, claim, attempt_count: int, url: str, outcome: http.Outcome,
            attempted_at: datetime) -> str:
    now = timezone.now()
    row = Delivery.objects.select_related("endpoint").select_for_update().filter(pk=delivery_id).first()
    if row is None:
        return "skipped"  # the endpoint was deleted meanwhile
    endpoint = Endpoint.objects.select_for_update().get(pk=row.endpoint_id)
    DeliveryAttempt.objects.create(
        delivery=row, attempted_at=attempted_at, url=url[:2000], status_code=outcome.status_code,
        latency_ms=outcome.latency_ms, response_body=outcome.response_body, error=outcome.error[:500],
        succeeded=outcome.succeeded,
    )
    log = {"delivery_id": row.pk, "endpoint_id": endpoint.pk, "status_code": outcome.status_code,
           "attempt": attempt_count}
    if outcome.succeeded:
        if endpoint.failing_since is not None:
            Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        if row.status != Status.DELIVERED:
            Delivery.objects.filter(pk=row.pk).update(
                status=Status.DELIVERED, delivered_at=now, claim=None, next_attempt_at=None, last_error=""
            )
            _next_in_line(row)
        logger.info("webhooks.delivered", extra=log)
        return "delivered"
    if row.claim != claim or row.status != Status.SENDING:
        # The claim ran out and the sweep sent it again meanwhile: that attempt decides what follows.
        return "skipped"
    if endpoint.failing_since is None:
        endpoint.failing_since = attempted_at
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=attempted_at)
    final = ""
    delay: float | None = None  # stays None when the delivery is given up
    if outcome.gone:
        final = outcome.error
        _disable(endpoint, reason="It answered 410 Gone, which asks us to stop sending.")
    elif outcome.abort:
        final = f"{outcome.error} The endpoint asked not to retry this event (webhook-delivery: abort-message)."
    elif endpoint.failing_since <= now - DISABLE_AFTER_FAILING:
        final = f"{outcome.error} The endpoint was disabled: every attempt failed for 5 days."
        _disable(endpoint, reason="Every attempt failed for 5 days.")
    else:
        delay = http.retry_delay(attempt_count)
        if delay is None:
            final = f"{outcome.error} Given up after {attempt_count} attempts."
    if delay is None:
        Delivery.objects.filter(pk=row.pk).update(
            status=Status.FAILED, claim=None, next_attempt_at=None, last_error=final[:500]
        )
        _next_in_line(row)
        logger.warning("webhooks.delivery_failed", extra={**log, "error": final})
        return "failed"
    if outcome.retry_after is not None:
        delay = max(delay, outcome.retry_after)
    Delivery.objects.filter(pk=row.pk).update(
        status=Status.PENDING, claim=None, next_attempt_at=now + timedelta(seconds=delay),
        last_error=outcome.error[:500],
    )
    if delay <= COUNTDOWN_LIMIT_SECONDS:
        _enqueue(row.pk, countdown=delay)
    logger.info("webhooks.delivery_retry", extra={**log, "error": outcome.error, "retry_in_seconds": round(delay)})
    return "retry"


def _disable(endpoint: Endpoint, *, reason: str) -> None:
    """Disables the endpoint and, after commit, tells its owner (the sweep again if that task is lost)."""
    now = timezone.now()
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_enabled=False, disabled_at=now, disabled_reason=reason, disabled_notified_at=None
    )
    logger.warning("webhooks.endpoint_disabled", extra={"endpoint_id": endpoint.pk, "reason": reason})
    from integrations.webhooks import tasks

    transaction.on_commit(lambda: _publish(tasks.endpoint_disabled_notify, (endpoint.pk,)))


def endpoint_disabled_notify(*, endpoint_id: int) -> bool:
    """Emails the owner that an endpoint was disabled, once; returns whether an email went out."""
    with transaction.atomic():
        endpoint = Endpoint.objects.select_for_update().filter(
            pk=endpoint_id, is_enabled=False, disabled_notified_at__isnull=True
        ).first()
        if endpoint is None:
            return False
        owner = owners.owner(owner_type=endpoint.owner_type, owner_id=endpoint.owner_id)
        if owner is not None and owner.emails:
            lines = [
                f"Reelfolio stopped sending webhooks to an endpoint of {owner.name}:",
                "",
                f"    {endpoint.url}",
                "",
                f"{endpoint.disabled_reason}",
                "",
                "Events are no longer sent there. Once the endpoint works again, enable it and send what failed "
                "meanwhile again from its delivery log" + (f": {owner.manage_url}" if owner.manage_url else "."),
            ]
            send_mail(
                subject=f"Webhooks to {endpoint.url[:80]} are disabled",
                message="\n".join(lines),
                from_email=None,
                recipient_list=owner.emails,
            )
        Endpoint.objects.filter(pk=endpoint.pk).update(disabled_notified_at=timezone.now())
    return owner is not None and bool(owner.emails)


def deliveries_sweep() -> int:
    """The beat's sweep: enqueues every delivery that is due (a retry) or lost (its task dropped by the
    broker, its worker killed: claimed longer than WEBHOOK_IN_FLIGHT_SECONDS ago), except those waiting
    for an older event of their key; and the owners' notices of disabled endpoints. Returns how many
    deliveries it enqueued."""
    from integrations.webhooks import tasks

    now = timezone.now()
    ids = list(
        Delivery.objects.filter(status__in=UNFINISHED, next_attempt_at__lte=now - SWEEP_GRACE)
        .filter(Q(ordering_key="") | ~Exists(_earlier_unfinished()))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:1000]
    )
    for delivery_id in ids:
        _publish(tasks.deliver, (delivery_id,))
    notices = Endpoint.objects.filter(
        is_enabled=False, disabled_notified_at__isnull=True, disabled_at__lte=now - timedelta(minutes=1)
    ).values_list("pk", flat=True)[:100]
    for endpoint_id in notices:
        _publish(tasks.endpoint_disabled_notify, (endpoint_id,))
    if ids:
        logger.info("webhooks.deliveries_swept", extra={"deliveries": len(ids)})
    return len(ids)
