"""Metrics of several processes under PROMETHEUS_MULTIPROC_DIR: the README's gunicorn command with several workers,
where every scrape adds up what all of them answered, whichever serves it (each alone would see only its own);
and a Celery worker's pool process, whose tasks are counted by outcome in the same folder."""

import os
import urllib.request
import uuid

import pytest
from prometheus_client import CollectorRegistry, multiprocess

from portfolio.core.tasks import heartbeat
from tests.conftest import database_url_for_subprocesses, wait_until
from tests.metrics import TOKEN
from tests.processes import celery_worker_running, gunicorn_running, raw_get

pytestmark = pytest.mark.django_db(transaction=True)

HEALTH_CHECKS = 24


def _health_requests(port: int) -> float:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310  (a local server of the test's)
        text = response.read().decode()
    prefix = 'reelfolio_http_requests_total{group="health",method="GET",status="2xx"} '
    return sum(float(line.removeprefix(prefix)) for line in text.splitlines() if line.startswith(prefix))


def test_every_scrape_adds_up_all_the_gunicorn_workers(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = dict(
        os.environ, PYTHONUNBUFFERED="1", PROMETHEUS_MULTIPROC_DIR=str(folder), METRICS_TOKEN=TOKEN,
        DATABASE_URL=database_url_for_subprocesses(), SECURE_SSL_REDIRECT="false",
    )
    with gunicorn_running(workers=2, env=env, log_path=tmp_path / "gunicorn.log") as port:
        before = _health_requests(port)
        for _ in range(HEALTH_CHECKS):
            assert raw_get(port, "/healthz")[0] == 200
        wait_until(lambda: len(list(folder.glob("counter_*.db"))) >= 2, timeout=10, message="both workers to count")
        for _ in range(4):  # whichever worker answers the scrape, it counts every worker's requests
            assert _health_requests(port) == before + HEALTH_CHECKS


def test_a_prefork_workers_tasks_are_counted_by_outcome_in_the_folder(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    queue = f"metrics-{uuid.uuid4().hex[:8]}"  # this test's worker alone takes its tasks
    env = dict(
        os.environ, PYTHONUNBUFFERED="1", PROMETHEUS_MULTIPROC_DIR=str(folder),
        DATABASE_URL=database_url_for_subprocesses(),
    )
    log = tmp_path / "worker.log"
    options = ["--pool", "prefork", "--concurrency", "1", "-Q", queue, "--without-gossip", "--without-mingle",
               "--without-heartbeat"]
    with celery_worker_running(*options, env=env, log_path=log):
        heartbeat.apply_async(queue=queue)
        heartbeat.apply_async(queue=queue)

        def successes() -> float:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=str(folder))
            return registry.get_sample_value(
                "reelfolio_worker_tasks_total", {"task": "core.heartbeat", "outcome": "success"}
            ) or 0.0

        wait_until(lambda: successes() == 2, timeout=60, message=f"two heartbeats counted:\n{log}")
