"""Celery tasks of the webhooks app: processing received events, and delivering to employers."""

import logging

from celery import shared_task

from integrations.webhooks.inbound import services as inbound_services
from integrations.webhooks.models import InboundEvent

logger = logging.getLogger(__name__)

# --- inbound: events partners sent us --------------------------------------------------------------


@shared_task(name="webhooks.inbound_events_drain", ignore_result=True)
def inbound_events_drain() -> None:
    """Processes the stored events that are due, oldest first (woken when events arrive, and when a retry
    is due)."""
    inbound_services.inbound_events_drain_and_schedule()


@shared_task(name="webhooks.process_inbound_event", ignore_result=True)
def process_inbound_event(event_pk: int) -> None:
    """Applies one received event now (an event enqueued on its own, as before drains existed); a retry
    it leaves pending is taken by the drain when due."""
    event = inbound_services.inbound_event_process(event_pk=event_pk)
    if event is not None and event.status == InboundEvent.Status.PENDING:
        inbound_services.inbound_events_wake_at(event.next_attempt_at)


@shared_task(name="webhooks.inbound_events_sweep", ignore_result=True)
def inbound_events_sweep() -> None:
    """On beat: drains stored events whose wake was lost."""
    inbound_services.inbound_events_sweep()


# --- outbound: deliveries to employers' ATS endpoints ----------------------------------------------


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver(delivery_id: int) -> None:
    """One attempt of one delivery. Retries are not Celery retries: the service schedules the next attempt
    on the row (and enqueues it with a countdown when it is soon); the sweep sends whatever is due."""
    from integrations.webhooks.outbound import services as outbound

    outbound.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.deliveries_sweep", ignore_result=True)
def deliveries_sweep() -> None:
    """On beat: enqueues deliveries that are due or were lost, and owners' notices of disabled endpoints."""
    from integrations.webhooks.outbound import services as outbound

    outbound.deliveries_sweep()


@shared_task(name="webhooks.endpoint_disabled_notify", ignore_result=True)
def endpoint_disabled_notify(endpoint_id: int) -> None:
    from integrations.webhooks.outbound import services as outbound

    outbound.endpoint_disabled_notify(endpoint_id=endpoint_id)
