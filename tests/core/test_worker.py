import pytest
from django.db import transaction

from portfolio.core import selectors
from portfolio.core.tasks import heartbeat
from tests.conftest import wait_until


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_tasks_from_the_broker_and_readyz_shows_it(celery_worker_process, client):
    assert client.get("/readyz").json()["worker_last_seen"] is None
    with transaction.atomic():
        transaction.on_commit(heartbeat.delay)
    wait_until(selectors.worker_last_seen, timeout=30, message="the worker to record its heartbeat")
    assert client.get("/readyz").json()["worker_last_seen"] is not None
