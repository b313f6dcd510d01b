"""Nothing a partner sent is lost when the broker is down: the receiver stores and answers every event all
the same, and once a worker runs, the beat's sweep applies each one once. Real processes on the configured
broker (CI runs this file on Redis and on RabbitMQ)."""

import subprocess
import sys
import uuid

import pytest

from integrations.webhooks import tasks
from integrations.webhooks.models import InboundEvent
from tests.conftest import ROOT, database_url_for_subprocesses, wait_until
from tests.integrations.webhooks.inbound_helpers import make_partner
from tests.jobs.webhooks_support import DEAD_BROKER_URL, Worker, process_env

pytestmark = [pytest.mark.durability, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

Status = InboundEvent.Status

# A "web" process: posts signed events through Django's request handling, with the broker it was given.
RECEIVE = """
import sys
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
from integrations.partners.models import Partner
from tests.integrations.webhooks.inbound_helpers import send
partner = Partner.objects.get(slug=sys.argv[1])
answers = [send(Client(), partner, "video.liked", {"n": n}).json() for n in range(int(sys.argv[2]))]
print("answers", sorted({str(answer) for answer in answers}), len(answers))
"""


@pytest.fixture
def queue():
    """A queue of this test's own for the sweep and its worker."""
    return f"inbound-test-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def worker(tmp_path):
    started = []
    yield lambda env, queue: started.append(Worker(env=env, queue=queue, log_path=tmp_path / "worker.log"))
    for running in started:
        running.stop()


def test_events_received_while_the_broker_is_down_are_answered_stored_and_applied_once(queue, worker):
    partner = make_partner()
    database_url = database_url_for_subprocesses()
    env = process_env(database_url=database_url, queue=queue, broker_url=DEAD_BROKER_URL)
    result = subprocess.run(
        [sys.executable, "-c", RECEIVE, partner.slug, "5"], cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "portfolio.settings"}, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "answers [\"{'received': True, 'duplicate': False}\"] 5" in result.stdout
    assert list(InboundEvent.objects.values_list("status", "attempts")) == [(Status.PENDING, 0)] * 5

    # The worker comes back; the beat's sweep (sent here through the broker) finds the events overdue.
    worker(process_env(database_url=database_url, queue=queue, WEBHOOK_INBOUND_SWEEP_AFTER_SECONDS="0"), queue)

    def swept() -> bool:
        tasks.inbound_events_sweep.apply_async(queue=queue, retry=False)
        return not InboundEvent.objects.filter(status=Status.PENDING).exists()

    wait_until(swept, timeout=90, interval=1, message="the sweep to apply the 5 events")
    assert list(InboundEvent.objects.values_list("status", "attempts")) == [(Status.IGNORED, 1)] * 5
