"""Nothing is lost: a broker down while applications are made, and a worker killed mid-delivery.

Real processes on the configured broker (CI runs this file on Redis and on RabbitMQ). With Redis, a task
taken but never acknowledged comes back only after the visibility timeout (an hour); with the embedded
filesystem broker it never comes back; RabbitMQ hands it back at once, and then finds it claimed. In every
case the sweep, not the broker, is what delivers.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from common import crypto
from integrations.oauth.models import LinkedAccount, OAuthToken
from integrations.webhooks import tasks
from integrations.webhooks.models import Delivery
from integrations.webhooks.outbound import services as outbound
from portfolio.jobs.models import Application
from portfolio.jobs.services.consent import consent_grant
from tests.conftest import database_url_for_subprocesses, wait_until
from tests.integrations.outbound_webhooks.receiver import Answer
from tests.jobs.apply_support import published_job
from tests.jobs.conftest import make_applicant
from tests.jobs.webhooks_support import DEAD_BROKER_URL, Worker, apply_while_broker_down, process_env

pytestmark = [pytest.mark.durability, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def start(env, queue):
        worker = Worker(env=env, queue=queue, log_path=tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def sweep(queue: str) -> bool:
    """What the beat does every 30 s: the sweep task, through the broker."""
    tasks.deliveries_sweep.apply_async(queue=queue, retry=False)
    return True


def test_a_broker_down_while_50_applications_are_made_loses_no_event(
    organization, employer, videos, receiver, queue, workers
):
    """The "web" process cannot reach the broker while 50 people apply: every application and its outbox row
    commit all the same. Once a worker runs again, the sweep delivers all 50 application.created, each once."""
    outbound.endpoint_create(owner_type="organization", owner_id=organization.pk, url=receiver.url,
                             event_types=["application.created"])
    job = published_job(organization=organization, actor=employer, video=videos[0])
    applicants = []
    for n in range(50):
        user = make_applicant(f"applicant{n}@example.com", f"Applicant {n}", subject=f"sbx-f-{n}")
        linked = LinkedAccount.objects.get(user=user)
        OAuthToken.objects.create(linked_account=linked, access_token_encrypted=crypto.encrypt("unused"),
                                  expires_at=timezone.now() + timedelta(hours=1))
        consent_grant(user=user, provider_id="sandbox-freelance")
        applicants.append(user.pk)
    database_url = database_url_for_subprocesses()

    output = apply_while_broker_down(
        env=process_env(database_url=database_url, queue=queue, broker_url=DEAD_BROKER_URL),
        job_id=job.pk, applicant_ids=applicants,
    )

    assert "applied 50" in output
    assert Application.objects.filter(job=job).count() == 50
    assert Delivery.objects.filter(event_type="application.created", status="pending").count() == 50
    assert receiver.requests == []

    workers(process_env(database_url=database_url, queue=queue), queue)
    wait_until(lambda: sweep(queue) and len(receiver.requests) >= 50, timeout=90, interval=1,
               message="the sweep to deliver all 50 events")
    wait_until(lambda: Delivery.objects.filter(status="delivered").count() == 50, message="50 delivered")

    ids = receiver.ids()
    assert len(ids) == 50 and len(set(ids)) == 50  # each once
    assert set(ids) == set(Delivery.objects.values_list("msg_id", flat=True))


def test_a_worker_killed_mid_delivery_is_covered_by_the_sweep(organization, receiver, queue, workers):
    """The worker dies while the endpoint is answering: no broker gives the task back in time, but the
    delivery's claim runs out (WEBHOOK_IN_FLIGHT_SECONDS) and the sweep sends it again; the log says so."""
    outbound.endpoint_create(owner_type="organization", owner_id=organization.pk, url=receiver.url,
                             event_types=["job.closed"])
    hold = __import__("threading").Event()
    receiver.answers = [Answer(hold=hold)]
    env = process_env(database_url=database_url_for_subprocesses(), queue=queue)
    first = workers(env, queue)
    with transaction.atomic():
        outbound.event_emit(owner_type="organization", owner_id=organization.pk, type="job.closed",
                            data={"job": {"id": 1}})
    wait_until(lambda: receiver.requests, message="the first attempt to reach the endpoint")

    first.kill()
    hold.set()
    assert Delivery.objects.get().status == "sending"
    workers(env, queue)
    wait_until(lambda: sweep(queue) and Delivery.objects.get().status == "delivered", timeout=60, interval=1,
               message="the sweep to deliver the event")

    delivery = Delivery.objects.get()
    first_id, second_id = receiver.ids()
    assert first_id == second_id == delivery.msg_id  # the receiver can tell it is the same event
    errors = list(delivery.attempts.order_by("attempted_at", "id").values_list("error", flat=True))
    assert errors == ["No outcome was recorded: the attempt was interrupted (its worker stopped). Sent again.", ""]
