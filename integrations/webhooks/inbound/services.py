"""Writes of received webhook events: recording a verified event, processing stored events, the sweep.

A verified event is stored before it is answered, under a unique (partner, event id): a partner's retry
of the same event, however many arrive at once, is one row, processed once. The stored rows are the
queue: receiving one wakes a drain task (published only when none is pending, see inbound_events_wake),
which processes the pending events that are due in the order they arrived, in batches, each row locked
while its handler runs. A drain whose wake was lost is run by the beat's sweep.
"""

import functools
import json
import logging
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from common import bad_input, cache
from common.errors import ApplicationError
from integrations.partners.models import Partner
from integrations.partners.selectors import WebhookKeys
from integrations.webhooks.inbound import handlers, selectors
from integrations.webhooks.inbound.schemes import Verified
from integrations.webhooks.models import InboundEvent

logger = logging.getLogger(__name__)

Status = InboundEvent.Status

# Attempts at an unexpected failure before the event is marked failed (an operator can reprocess it).
MAX_ATTEMPTS = 6


def _backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min, 8 min between attempts."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


# Events a drain takes in one transaction (their rows stay locked while their handlers run).
DRAIN_BATCH = 50
# The wake's mark: while it is set, a drain is pending and a newly stored event publishes none. The drain
# removes it before it looks for events, so an event stored after that publishes a new one; a mark whose
# drain was lost expires after this many seconds (the sweep covers the events in between).
WAKE_KEY = "webhooks:inbound:drain-pending"
WAKE_SECONDS = 30


def _publish_drain(*, countdown: float = 0) -> bool:
    from integrations.webhooks import tasks

    try:
        tasks.inbound_events_drain.apply_async(countdown=countdown or None)
    except Exception:  # a broker that is down only delays processing (the sweep runs the drain)
        logger.warning("webhooks.inbound_wake_failed", exc_info=True)
        return False
    return True


def _wake_now() -> None:
    if cache.is_process_local("default"):  # a cache of this process only: no mark to share
        _publish_drain()
        return
    try:
        if not cache.add(WAKE_KEY, 1, timeout=WAKE_SECONDS):
            return  # a drain is pending: it will find the event
    except cache.CacheAway:
        _publish_drain()
        return
    if not _publish_drain():
        with suppress(Exception):
            cache.delete(WAKE_KEY)  # so that the next event tries again


def inbound_events_wake() -> None:
    """Once the current transaction commits, makes sure a drain task is pending: publishes one unless the
    wake's mark says one already is (one SET NX on Redis, no publish, for most events)."""
    transaction.on_commit(_wake_now, robust=True)


def _wake_consumed() -> None:
    with suppress(Exception):  # the mark then expires by itself
        cache.delete(WAKE_KEY)


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


@dataclass(frozen=True)
class Recorded:
    """A received event's row: its id, whether this request stored it, and its type."""

    pk: int
    created: bool
    event_type: str


_COLUMNS = (
    "partner", "event_id", "event_type", "occurred_at", "received_at", "body", "headers", "status", "attempts",
    "error", "next_attempt_at", "processed_at",
)


def _field(model, name: str) -> Field:
    return cast(Field, model._meta.get_field(name))


def _column(model, name: str) -> str:
    return connection.ops.quote_name(cast(str, _field(model, name).column))


@functools.cache
def _insert_sql(vendor: str, *, guarded: bool, previous: bool = False) -> str:
    """INSERT ... ON CONFLICT (partner, event id) DO NOTHING RETURNING id: one statement, one round trip,
    no transaction of its own. Guarded, the row is inserted only while the partner row is active and holds
    the scheme and ciphertexts the receiver verified with (and, when the previous secret verified, while
    that one has not expired)."""
    meta = InboundEvent._meta
    quote = connection.ops.quote_name
    columns = ", ".join(_column(InboundEvent, name) for name in _COLUMNS)
    values = ", ".join(["%s"] * len(_COLUMNS))
    conflict = ", ".join(_column(InboundEvent, name) for name in ("partner", "event_id"))
    tail = f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {_column(InboundEvent, 'id')}"
    if not guarded:
        return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values}) {tail}"  # noqa: S608
    partner = Partner._meta
    checks = " AND ".join(
        f"{_column(Partner, name)} = %s"
        for name in ("id", "slug", "is_active", "signature_scheme", "webhook_secret_encrypted",
                     "previous_webhook_secret_encrypted")
    )
    if previous:
        checks += f" AND {_column(Partner, 'previous_webhook_secret_expires_at')} > %s"
    table, partners = quote(meta.db_table), quote(partner.db_table)
    return f"INSERT INTO {table} ({columns}) SELECT {values} FROM {partners} WHERE {checks} {tail}"  # noqa: S608


def inbound_event_record(
    *, keys: WebhookKeys, verified: Verified, body: bytes, payload: dict, guarded: bool = False
) -> Recorded | None:
    """Stores a verified event (committed when this returns, unless the caller holds a transaction) and
    wakes the drain; returns its row.

    The same event again (the partner retried, or sent copies at once) is not stored or processed again:
    the row that exists is returned with created=False. `guarded`: store only while the partner row still
    matches `keys` (read earlier by this process); None when nothing was stored, which is either the same
    event again or a partner that changed: the caller then reads the partner again and calls unguarded.
    """
    event_type = event_type_of(payload)
    if not event_type or len(event_type) > 100:
        raise ApplicationError("The event has no type (a string of at most 100 characters).")
    now = timezone.now()
    ops = connection.ops
    stamp = ops.adapt_datetimefield_value
    headers = {**verified.audit_headers, "verified-with": f"{verified.secret} secret"}
    params: list[Any] = [  # in _COLUMNS' order, adapted as the fields would
        keys.partner_id, verified.event_id, event_type, stamp(_occurred_at(payload, verified)), stamp(now),
        body.decode("utf-8"), ops.adapt_json_value(headers, None), Status.PENDING.value, 0, "", stamp(now), None,
    ]
    if guarded:
        params += [
            keys.partner_id, keys.slug, True, keys.signature_scheme, keys.webhook_secret_encrypted,
            keys.previous_webhook_secret_encrypted,
        ]
        if verified.secret == "previous":
            params.append(stamp(now))
    with connection.cursor() as cursor:
        sql = _insert_sql(connection.vendor, guarded=guarded, previous=guarded and verified.secret == "previous")
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is not None:
        inbound_events_wake()
        return Recorded(pk=row[0], created=True, event_type=event_type)
    if guarded:
        return None
    existing = (
        InboundEvent.objects.filter(partner_id=keys.partner_id, event_id=verified.event_id)
        .values_list("pk", "event_type").first()
    )
    if existing is None:  # pragma: no cover - the conflicting row is never deleted
        raise ApplicationError("The event could not be stored; send it again.")
    return Recorded(pk=existing[0], created=False, event_type=existing[1])


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
        content = bad_input.json_loads(content) if isinstance(content, str) else content
    except bad_input.BadInput:
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


def _apply(event: InboundEvent, *, now: datetime) -> None:
    """Applies a pending event, locked by the caller, with its type's handler and saves the outcome. An
    unexpected failure leaves it pending with its next attempt after a backoff, and failed after
    MAX_ATTEMPTS."""
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


def inbound_event_process(*, event_pk: int) -> InboundEvent | None:
    """Applies one pending event now, whatever its next attempt's time, and records the outcome; an event
    that is not pending (done, ignored, failed, or taken by another worker meanwhile) is left alone.

    The row stays locked while the handler runs, so two workers never apply one event; the handler's
    writes and the outcome commit together.
    """
    with transaction.atomic():
        event = selectors.inbound_event_pending_locked(event_pk=event_pk)
        if event is None:
            return InboundEvent.objects.filter(pk=event_pk).first()
        _apply(event, now=timezone.now())
    return event


@dataclass(frozen=True)
class Drained:
    """What a drain did: events processed, and when the earliest one left pending (a retry) is due."""

    processed: int
    retry_at: datetime | None


def inbound_events_drain() -> Drained:
    """Processes the pending events that are due, oldest first, in batches of DRAIN_BATCH; returns how many.

    Each batch's rows stay locked while their handlers run; drains side by side skip each other's rows
    (skip_locked), so each event is applied once. The wake's mark is removed first: an event stored from
    then on wakes another drain.
    """
    _wake_consumed()
    processed, retry_at = 0, None
    while True:
        now = timezone.now()
        with transaction.atomic():
            events = selectors.inbound_events_due_locked(now=now, limit=DRAIN_BATCH)
            for event in events:
                _apply(event, now=now)
                if event.status == Status.PENDING and (retry_at is None or event.next_attempt_at < retry_at):
                    retry_at = event.next_attempt_at
        processed += len(events)
        if len(events) < DRAIN_BATCH:
            return Drained(processed=processed, retry_at=retry_at)


def inbound_events_drain_and_schedule() -> Drained:
    """A drain, and one more when the earliest retry it left is due (the beat's sweep covers a lost one)."""
    drained = inbound_events_drain()
    if drained.retry_at is not None:
        inbound_events_wake_at(drained.retry_at)
    return drained


def inbound_events_wake_at(when: datetime) -> None:
    """Publishes a drain that runs at `when` (a retry's time)."""
    _publish_drain(countdown=max((when - timezone.now()).total_seconds(), 0))


@transaction.atomic
def inbound_event_reprocess(*, event: InboundEvent) -> InboundEvent:
    """An operator's "process again": the event becomes pending and due now, and a drain is woken on
    commit, whatever its outcome was (e.g. failed before the partner's provider was set)."""
    event = InboundEvent.objects.select_for_update().get(pk=event.pk)
    event.status = Status.PENDING
    event.attempts = 0
    event.error = ""
    event.processed_at = None
    event.next_attempt_at = timezone.now()
    event.save(update_fields=["status", "attempts", "error", "processed_at", "next_attempt_at"])
    inbound_events_wake()
    return event


def inbound_events_sweep() -> int:
    """On beat: when a pending event's processing was due more than WEBHOOK_INBOUND_SWEEP_AFTER_SECONDS ago
    (its wake was lost with the broker, or its drain's worker died), drains the pending events that are
    due; returns how many it processed."""
    due = timezone.now() - timedelta(seconds=settings.WEBHOOK_INBOUND_SWEEP_AFTER_SECONDS)
    overdue = selectors.inbound_events_overdue_count(due_before=due)
    if not overdue:
        return 0
    logger.warning("webhooks.inbound_swept", extra={"count": overdue})
    return inbound_events_drain_and_schedule().processed


@transaction.atomic
def inbound_events_redact(*, provider_id: str, account_id: str) -> int:
    """Rewrites the stored events of the provider's partners that name this account (its owner erased what
    Reelfolio holds on them); returns how many. The body keeps only its type and says `"redacted": true`;
    an event still waiting is not processed any more (the account it names is gone)."""
    if not account_id:
        return 0
    named = json.dumps(account_id)  # as the JSON of a body spells it, quotes included
    events = list(
        InboundEvent.objects.select_for_update()
        .filter(partner__provider_id=provider_id, body__contains=named)
        .order_by("pk")
    )
    now = timezone.now()
    for event in events:
        event.body = json.dumps({"type": event.event_type, "redacted": True})
        if event.status == Status.PENDING:
            event.status, event.processed_at = Status.IGNORED, now
            event.error = "Not processed: the account it names was erased."
    InboundEvent.objects.bulk_update(events, ["body", "status", "processed_at", "error"])
    return len(events)
