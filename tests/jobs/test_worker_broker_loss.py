"""The worker survives losing its broker: SIGKILL to a Redis and to a RabbitMQ of the test's own while the
worker holds unacknowledged deliveries, and every delivery is made once after the broker is back, with no
hand restart.

On Redis the loss could end the worker: Celery closes the broken connection (kombu then clears the
transport's `client`) while tasks taken with late acknowledgement still run; the first thing that needs a
new Redis client on that transport afterwards (restoring the unacknowledged messages, the acknowledgement
of a task that finishes) builds its connection parameters from `client.hostname` and raises
`AttributeError: 'NoneType' object has no attribute 'hostname'`, which is none of the transport's
connection errors, so the worker stops with "Unrecoverable error". Whether it happens depends on the order
in which the pieces are torn down. The worker therefore runs the way `./dev up`, the chaos suite and the
README's production setup run it: under a supervisor that starts it again when it exits and kills it when
its liveness file goes stale (common/supervision.py). The test does what the beat does (the sweep every
few seconds, through the same broker) and nothing else.
"""

import sys
import threading

import pytest
from django.db import transaction
from kombu import Connection

from common.supervision import Supervisor
from integrations.webhooks import tasks
from integrations.webhooks.models import Delivery
from integrations.webhooks.outbound import services as outbound
from tests.conftest import ROOT, database_url_for_subprocesses, wait_until
from tests.integrations.outbound_webhooks.receiver import Answer
from tests.jobs.webhooks_support import process_env, publishing_to
from tests.rabbitmq_server import RabbitMQServer
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.chaos, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EVENTS = 6


@pytest.fixture(params=["redis", "rabbitmq"])
def broker(request, tmp_path):
    server = RedisServer(tmp_path) if request.param == "redis" else RabbitMQServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def publishing(broker):
    with publishing_to(broker.url):
        yield broker


@pytest.fixture
def supervisor():
    running = Supervisor()
    yield running
    running.stop_all()


def kill(server) -> None:
    if isinstance(server, RedisServer):
        assert server.process is not None
        server.process.kill()
        server.process.wait(timeout=10)
        server.process = None
    else:
        server.kill()


def sweep(broker_url: str, queue: str) -> bool:
    """What the beat does every 30 s: the sweep task, through the worker's broker (errors while it is down
    are the beat's too; it tries again next time)."""
    try:
        with Connection(broker_url, connect_timeout=1) as connection:
            tasks.deliveries_sweep.apply_async(queue=queue, connection=connection, retry=False)
    except Exception:  # noqa: BLE001 - the broker is still starting
        return False
    return True


def test_the_worker_delivers_everything_once_after_its_broker_was_killed(
    organization, receiver, queue, broker, publishing, supervisor, tmp_path
):
    """Before, the worker could die with "Unrecoverable error: AttributeError: 'NoneType' object has no
    attribute 'hostname'" when its Redis was killed under it, and then nothing was delivered until someone
    started it again by hand."""
    outbound.endpoint_create(owner_type="organization", owner_id=organization.pk, url=receiver.url,
                             event_types=["job.closed"])
    hold = threading.Event()
    receiver.answers = [Answer(hold=hold)]
    env = process_env(database_url=database_url_for_subprocesses(), queue=queue, broker_url=broker.url)
    command = ["celery", "-A", "portfolio", "worker", "--pool", "solo", "--loglevel", "INFO", "-Q", queue,
               "-n", f"{queue}@%h"]
    log = tmp_path / "worker.log"
    worker = supervisor.start("worker", [sys.executable, "-m", *command], env=env, cwd=ROOT,
                              liveness_file=tmp_path / "worker-alive", stale_seconds=60, log_path=log)
    supervisor.watch(interval=0.5)
    wait_until(lambda: (tmp_path / "worker-alive").exists(), timeout=60, message="the worker to connect")

    with transaction.atomic():
        for n in range(EVENTS):
            outbound.event_emit(owner_type="organization", owner_id=organization.pk, type="job.closed",
                                data={"job": {"id": n}})
    wait_until(lambda: receiver.requests, timeout=30, message="the worker to be sending the first delivery")

    # The worker holds the first delivery (its endpoint has not answered) and the next one it prefetched,
    # neither acknowledged. The broker dies; the endpoint answers while it is down.
    kill(broker)
    hold.set()
    wait_until(lambda: Delivery.objects.filter(status="delivered").exists(), timeout=20,
               message="the first delivery to be recorded")
    broker.start()

    wait_until(lambda: sweep(broker.url, queue) and Delivery.objects.filter(status="delivered").count() == EVENTS,
               timeout=150, interval=2, message=f"all {EVENTS} deliveries after the broker came back")

    ids = receiver.ids()
    assert sorted(ids) == sorted(set(ids)), "a delivery was sent twice"
    assert set(ids) == set(Delivery.objects.values_list("msg_id", flat=True))
    assert worker.running()
    print(f"worker restarted by its supervisor {worker.restarts} time(s): {worker.reasons or 'it reconnected'}")
