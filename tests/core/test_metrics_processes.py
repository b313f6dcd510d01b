"""Metrics of several processes under PROMETHEUS_MULTIPROC_DIR: the README's gunicorn command with several workers,
where every scrape adds up what all of them answered, whichever serves it (each alone would see only its own);
and a Celery worker's pool process, whose tasks are counted by outcome in the same folder."""

import os
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, multiprocess

from portfolio.core.tasks import heartbeat
from tests.conftest import database_url_for_subprocesses, wait_until
from tests.core.test_request_line import _free_port, _raw_get, _readme_limit
from tests.metrics import TOKEN

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
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
    port = _free_port()
    env = dict(
        os.environ, PYTHONUNBUFFERED="1", PROMETHEUS_MULTIPROC_DIR=str(folder), METRICS_TOKEN=TOKEN,
        DATABASE_URL=database_url_for_subprocesses(), SECURE_SSL_REDIRECT="false",
    )
    log = tmp_path / "gunicorn.log"
    command = [sys.executable, "-m", "gunicorn", "portfolio.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2",
               "--limit-request-line", str(_readme_limit())]
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        def answers() -> bool:
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited at start:\n{log.read_text()[-2000:]}")
            try:
                return _raw_get(port, "/healthz")[0] == 200
            except OSError:
                return False

        wait_until(answers, timeout=60, message="gunicorn to answer /healthz")
        before = _health_requests(port)
        for _ in range(HEALTH_CHECKS):
            assert _raw_get(port, "/healthz")[0] == 200
        wait_until(lambda: len(list(folder.glob("counter_*.db"))) >= 2, timeout=10, message="both workers to count")
        for _ in range(4):  # whichever worker answers the scrape, it counts every worker's requests
            assert _health_requests(port) == before + HEALTH_CHECKS
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_prefork_workers_tasks_are_counted_by_outcome_in_the_folder(tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    queue = f"metrics-{uuid.uuid4().hex[:8]}"  # this test's worker alone takes its tasks
    env = dict(
        os.environ, PYTHONUNBUFFERED="1", PROMETHEUS_MULTIPROC_DIR=str(folder),
        DATABASE_URL=database_url_for_subprocesses(),
    )
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "portfolio", "worker", "--pool", "prefork", "--concurrency", "1",
               "-Q", queue, "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with open(log, "wb") as out:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        heartbeat.apply_async(queue=queue)
        heartbeat.apply_async(queue=queue)

        def successes() -> float:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry, path=str(folder))
            return registry.get_sample_value(
                "reelfolio_worker_tasks_total", {"task": "core.heartbeat", "outcome": "success"}
            ) or 0.0

        wait_until(lambda: successes() == 2, timeout=60, message=f"two heartbeats counted:\n{log}")
    finally:
        worker.terminate()
        worker.wait(timeout=20)
