"""Sending: signatures a receiver verifies with the reference library, retries, Retry-After, 410, order.

Each test calls the delivery service as the worker's task does, against a local receiver over real HTTP.
"""

import contextlib
import json
import threading
import uuid
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from integrations.webhooks.models import Delivery, Endpoint
from integrations.webhooks.outbound import endpoint_owners as owners
from integrations.webhooks.outbound import services as outbound
from tests.conftest import wait_until
from tests.integrations.outbound_webhooks.conftest import OWNER
from tests.integrations.outbound_webhooks.receiver import Answer

pytestmark = pytest.mark.django_db

DATA = {"application": {"id": 7, "status": "new"}, "job": {"id": 3, "title": "Editor"}}


@pytest.fixture
def quick_retries(settings):
    settings.WEBHOOK_RETRY_SECONDS = [0.05] * 7


def emit(type_="application.created", data=DATA, **kwargs) -> Delivery:
    assert outbound.event_emit(**OWNER, type=type_, data=data, **kwargs) == 1
    return Delivery.objects.latest("id")


def attempt(delivery: Delivery) -> str:
    return outbound.delivery_attempt(delivery_id=delivery.pk)


def test_a_receiver_verifies_our_signature_with_the_standardwebhooks_library(endpoint_and_secret, receiver):
    """The body is {"type", "timestamp", "data"}; the Standard Webhooks headers verify with the secret shown."""
    endpoint, secret = endpoint_and_secret
    delivery = emit()

    assert attempt(delivery) == "delivered"

    [request] = receiver.requests
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "application.created"
    assert payload["data"] == DATA
    assert payload["timestamp"].endswith("Z")
    assert request.headers["webhook-id"] == delivery.msg_id
    assert request.headers["content-type"] == "application/json"
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(request.body, request.headers)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    [logged] = delivery.attempts.all()
    assert (logged.status_code, logged.response_body, logged.succeeded) == (200, "ok", True)
    assert logged.latency_ms is not None


def test_only_subscribed_enabled_endpoints_get_the_event(endpoint_and_secret, receiver):
    """An endpoint gets the types it chose; a disabled one gets nothing; other owners nothing."""
    endpoint, _ = endpoint_and_secret
    outbound.endpoint_create(**OWNER, url=receiver.url, event_types=["job.closed"])
    assert outbound.event_emit(**OWNER, type="application.created", data=DATA) == 1
    assert outbound.event_emit(**OWNER, type="job.closed", data={"job": {"id": 3}}) == 2
    assert outbound.event_emit(owner_type="organization", owner_id=1, type="job.closed", data={}) == 0
    outbound.endpoint_update(endpoint=endpoint, is_enabled=False)
    assert outbound.event_emit(**OWNER, type="application.created", data=DATA) == 0


def test_the_first_retry_comes_about_5_seconds_later(endpoint_and_secret, receiver):
    """The default schedule: a failure is tried again after about 5 s (not before), and then it arrives."""
    receiver.answers = [Answer(status=500, body=b"database down")]
    delivery = emit()

    before = timezone.now()
    assert attempt(delivery) == "retry"
    after = timezone.now()
    delivery.refresh_from_db()
    # 5 s (with up to 10% jitter) after the failed answer, which came between `before` and `after` (a busy
    # machine may take a while to send and record the attempt).
    assert before + timedelta(seconds=4.5) <= delivery.next_attempt_at <= after + timedelta(seconds=5.5)
    assert (delivery.status, delivery.last_error) == (Delivery.Status.PENDING, "Answered 500.")
    assert attempt(delivery) == "skipped"  # not due yet

    wait_until(lambda: attempt(delivery) == "delivered", timeout=10, message="the retry")
    first, second = receiver.requests
    assert second.at - first.at >= 4.4
    assert first.headers["webhook-id"] == second.headers["webhook-id"]


def test_retries_against_a_receiver_that_fails_then_recovers(endpoint_and_secret, receiver, quick_retries):
    """500, a refused connection's cousin 502 and a timeout-ish 503 are retried until the receiver answers 2xx;
    the log keeps every attempt."""
    receiver.answers = [Answer(status=500), Answer(status=502), Answer(status=503, body=b"x" * 10)]
    delivery = emit()

    outcomes = [wait_until(lambda: (r := attempt(delivery)) != "skipped" and r, message="an attempt") for _ in range(4)]

    assert outcomes == ["retry", "retry", "retry", "delivered"]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    codes = [a.status_code for a in delivery.attempts.order_by("attempted_at", "id")]
    assert codes == [500, 502, 503, 200]
    assert Endpoint.objects.get().failing_since is None  # a success ends the failing streak


def test_retry_after_is_honoured_on_429_and_503(endpoint_and_secret, receiver, quick_retries):
    """429 with Retry-After: 2 waits 2 s although the schedule says 0.05 s; 503 with an HTTP date too."""
    when = format_datetime(timezone.now() + timedelta(seconds=5), usegmt=True)
    receiver.answers = [
        Answer(status=429, headers={"Retry-After": "2"}),
        Answer(status=503, headers={"Retry-After": when}),
    ]
    delivery = emit()

    assert attempt(delivery) == "retry"
    delivery.refresh_from_db()
    assert (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds() >= 1.9
    wait_until(lambda: attempt(delivery) == "retry", timeout=6, message="the second attempt")
    wait_until(lambda: attempt(delivery) == "delivered", timeout=8, message="the third attempt")

    first, second, third = receiver.requests
    assert second.at - first.at >= 1.9
    assert third.at - first.at >= 3.9  # the HTTP date counts whole seconds


def test_gives_up_when_the_schedule_is_used_up(endpoint_and_secret, receiver, settings):
    """One attempt more than the schedule lists, then the delivery is failed with the reason."""
    settings.WEBHOOK_RETRY_SECONDS = [0.01, 0.01]
    receiver.default = Answer(status=500)
    delivery = emit()

    outcomes = [wait_until(lambda: (r := attempt(delivery)) != "skipped" and r, message="an attempt") for _ in range(3)]

    assert outcomes == ["retry", "retry", "failed"]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.last_error == "Answered 500. Given up after 3 attempts."
    assert Endpoint.objects.get().is_enabled


def test_abort_message_ends_the_retries_of_that_event(endpoint_and_secret, receiver, quick_retries):
    """`webhook-delivery: abort-message` fails the delivery at once; the endpoint stays enabled."""
    receiver.answers = [Answer(status=400, headers={"webhook-delivery": "abort-message"})]
    delivery = emit()

    assert attempt(delivery) == "failed"

    delivery.refresh_from_db()
    assert "asked not to retry this event" in delivery.last_error
    assert Endpoint.objects.get().is_enabled
    assert len(receiver.requests) == 1


@pytest.fixture
def organization_owner(mailoutbox):
    owners.register_owner_type(
        "organization",
        lambda owner_id: owners.Owner(name="Northwind Studio", emails=["olivia@northwind.example"],
                                      manage_url="http://testserver/accounts/organizations/northwind/"),
    )
    yield
    owners._resolvers.pop("organization", None)


def test_410_disables_the_endpoint_and_emails_the_organization(endpoint_and_secret, receiver, organization_owner,
                                                                mailoutbox):
    """A 410 disables the endpoint at once; its organization is emailed once; nothing more is sent there."""
    receiver.answers = [Answer(status=410)]
    delivery = emit()

    assert attempt(delivery) == "failed"

    endpoint = Endpoint.objects.get()
    assert not endpoint.is_enabled
    assert endpoint.disabled_reason == "It answered 410 Gone, which asks us to stop sending."
    assert outbound.endpoint_disabled_notify(endpoint_id=endpoint.pk) is True
    assert outbound.endpoint_disabled_notify(endpoint_id=endpoint.pk) is False  # once
    [mail] = mailoutbox
    assert mail.to == ["olivia@northwind.example"]
    assert receiver.url in mail.body and "410 Gone" in mail.body
    assert outbound.event_emit(**OWNER, type="application.created", data=DATA) == 0


def test_failing_every_attempt_for_5_days_disables_the_endpoint(endpoint_and_secret, receiver, organization_owner,
                                                                 mailoutbox):
    """An endpoint whose attempts all failed since 5 days ago is disabled on the next failure, and emailed."""
    receiver.default = Answer(status=500)
    delivery = emit()
    Endpoint.objects.update(failing_since=timezone.now() - timedelta(days=5, minutes=1))

    assert attempt(delivery) == "failed"

    endpoint = Endpoint.objects.get()
    assert not endpoint.is_enabled
    assert endpoint.disabled_reason == "Every attempt failed for 5 days."
    outbound.endpoint_disabled_notify(endpoint_id=endpoint.pk)
    assert "Every attempt failed for 5 days." in mailoutbox[0].body


def test_a_redirect_is_a_failure_and_is_not_followed(endpoint_and_secret, receiver, quick_retries):
    """A 302, even to a private address, is logged as a failure; nothing is requested at its Location."""
    receiver.answers = [Answer(status=302, headers={"Location": "http://10.0.0.1/steal"})]
    delivery = emit()

    assert attempt(delivery) == "retry"

    delivery.refresh_from_db()
    assert delivery.last_error == (
        "Answered 302 with a redirect to http://10.0.0.1/steal. Webhooks follow no redirects: register the final "
        "address."
    )
    assert len(receiver.requests) == 1


def test_at_most_2_kb_of_the_answer_is_kept(endpoint_and_secret, receiver):
    receiver.answers = [Answer(status=200, body="é".encode() * 5000)]
    delivery = emit()

    attempt(delivery)

    kept = delivery.attempts.get().response_body
    assert len(kept.encode()) <= 2048 + 3  # a character cut in two is replaced, not dropped
    assert kept.startswith("é" * 1000)


def test_one_applications_events_go_oldest_first(endpoint_and_secret, receiver, quick_retries):
    """While an application's older event is not delivered, its newer events wait; other events do not."""
    receiver.answers = [Answer(status=500)]
    created = emit("application.created", ordering_key="application:7")
    moved = emit("application.status_changed", {"application": {"id": 7, "status": "interview"}},
                 ordering_key="application:7")
    other = emit("job.closed", {"job": {"id": 3}}, ordering_key="job:3")

    assert attempt(created) == "retry"
    assert attempt(moved) == "skipped"  # waits for "created"
    assert attempt(other) == "delivered"
    assert outbound.deliveries_sweep() == 0  # nothing due yet, and "moved" waits
    wait_until(lambda: attempt(created) == "delivered", message="the retry of the older event")
    assert attempt(moved) == "delivered"

    types = [json.loads(r.body)["type"] for r in receiver.requests]
    assert types == ["application.created", "job.closed", "application.created", "application.status_changed"]


def test_redeliver_one_and_all_failed_since(endpoint_and_secret, receiver, quick_retries):
    """Redelivering sends the event again with its webhook-id; "all failed since" takes only failed ones."""
    receiver.answers = [Answer(status=400, headers={"webhook-delivery": "abort-message"})]
    failed = emit()
    delivered = emit("job.published", {"job": {"id": 3}})
    attempt(failed)
    attempt(delivered)

    with pytest.raises(outbound.Conflict, match="already on its way"):
        outbound.delivery_redeliver(delivery=outbound.delivery_redeliver(delivery=delivered))
    assert attempt(delivered) == "delivered"
    assert outbound.deliveries_redeliver_failed(
        endpoint=failed.endpoint, since=timezone.now() - timedelta(hours=1)
    ) == 1
    assert attempt(failed) == "delivered"

    assert receiver.ids() == [failed.msg_id, delivered.msg_id, delivered.msg_id, failed.msg_id]
    with pytest.raises(outbound.ApplicationError, match="Choose a time in the past"):
        outbound.deliveries_redeliver_failed(endpoint=failed.endpoint, since=timezone.now() + timedelta(hours=1))


def test_secret_rotation_both_ways(endpoint_and_secret, receiver):
    """For 24 hours after a rotation both signatures are sent: a receiver still on the old secret and one
    already on the new one both verify. After the overlap only the new secret verifies."""
    endpoint, old_secret = endpoint_and_secret
    new_secret = outbound.endpoint_secret_rotate(endpoint=endpoint)
    assert new_secret != old_secret and new_secret.startswith("whsec_")

    attempt(emit())
    request = receiver.requests[-1]
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    for secret in (old_secret, new_secret):
        Webhook(secret).verify(request.body, request.headers)

    Endpoint.objects.update(previous_secret_expires_at=timezone.now() - timedelta(seconds=1))
    attempt(emit())
    request = receiver.requests[-1]
    Webhook(new_secret).verify(request.body, request.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old_secret).verify(request.body, request.headers)


def test_a_test_event_goes_to_that_endpoint_only(endpoint_and_secret, receiver):
    endpoint, secret = endpoint_and_secret
    other, _ = outbound.endpoint_create(**OWNER, url=receiver.url, event_types=["job.closed"])

    delivery = outbound.endpoint_test(endpoint=endpoint)
    attempt(delivery)

    [request] = receiver.requests
    assert Webhook(secret).verify(request.body, request.headers)["type"] == "webhook.test"
    assert not other.deliveries.exists()
    outbound.endpoint_update(endpoint=endpoint, is_enabled=False)
    with pytest.raises(outbound.Conflict, match="This endpoint is disabled: enable it to send a test event."):
        outbound.endpoint_test(endpoint=endpoint)


def test_nothing_is_written_when_the_callers_transaction_rolls_back(endpoint_and_secret):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        emit()
        raise RuntimeError("the change failed")

    assert not Delivery.objects.exists()


@pytest.fixture
def unconsumed_queue(settings):
    """Committed rows are enqueued: onto a queue of this test's own that no worker reads, emptied after."""
    from portfolio.celery import app

    settings.WEBHOOK_CELERY_QUEUE = f"webhooks-test-unconsumed-{uuid.uuid4().hex[:8]}"
    yield
    with app.connection_for_write() as connection, contextlib.suppress(Exception):
        connection.default_channel.queue_purge(settings.WEBHOOK_CELERY_QUEUE)


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_tasks_send_once(endpoint_and_secret, receiver, unconsumed_queue):
    """The same delivery enqueued twice (the sweep and its own task) is sent once: the claim decides."""
    hold = threading.Event()
    receiver.answers = [Answer(hold=hold)]
    delivery = emit()
    results = []
    worker = threading.Thread(target=lambda: results.append(attempt(delivery)))
    worker.start()
    wait_until(lambda: receiver.requests, message="the first attempt to arrive")
    try:
        assert attempt(delivery) == "skipped"
    finally:
        hold.set()
        worker.join()
    assert results == ["delivered"]
    assert len(receiver.requests) == 1
