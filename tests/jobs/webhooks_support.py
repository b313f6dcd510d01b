"""Processes for the webhook durability tests: a Celery worker that can be killed, and a "web" process that
creates applications while the broker is down.

Every process gets the test database, the test's own delivery queue (so no other worker of the test run
takes its deliveries) and loopback allowed for the local receiver.
"""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import ROOT, wait_until

# A port nothing listens on: a broker that is down.
DEAD_BROKER_URL = "redis://127.0.0.1:1/0"


def process_env(*, database_url: str, queue: str, broker_url: str | None = None, **extra: str) -> dict:
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
        WEBHOOK_CELERY_QUEUE=queue,
        WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
        WEBHOOK_REQUIRE_HTTPS="false",
        WEBHOOK_RETRY_SECONDS="0.2,0.2,0.2,0.2,0.2,0.2,0.2",
        WEBHOOK_IN_FLIGHT_SECONDS="3",
        # The sandbox provider is not served: applications use the last synced profile.
        SITE_URL="http://127.0.0.1:1",
        **extra,
    )
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    return env


class Worker:
    """`celery worker` (solo pool) on the configured broker, consuming the test's delivery queue."""

    def __init__(self, *, env: dict, queue: str, log_path: Path):
        self.log_path = log_path
        command = [sys.executable, "-m", "celery", "-A", "portfolio", "worker", "--pool", "solo", "--loglevel",
                   "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", queue,
                   "-n", f"{queue}-{os.getpid()}-{id(self)}@%h"]
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_until(
            lambda: self.process.poll() is not None or b"ready." in log_path.read_bytes(),
            timeout=60, message="the Celery worker to start",
        )
        assert self.process.poll() is None, log_path.read_text()[-3000:]

    def kill(self) -> None:
        """SIGKILL: the worker stops mid-task, acknowledging nothing."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def apply_while_broker_down(*, env: dict, job_id: int, applicant_ids: list[int]) -> str:
    """Runs application_create for each applicant in a separate process whose broker is down."""
    code = (
        "import django, sys; django.setup()\n"
        "from portfolio.accounts.models import User\n"
        "from portfolio.jobs.models import Job\n"
        "from portfolio.jobs.services.applications import application_create\n"
        "job = Job.objects.get(pk=int(sys.argv[1]))\n"
        "for user in User.objects.filter(pk__in=[int(i) for i in sys.argv[2:]]).order_by('pk'):\n"
        "    application_create(job=job, applicant=user)\n"
        "print('applied', len(sys.argv) - 2)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(job_id), *map(str, applicant_ids)],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "portfolio.settings"}, capture_output=True, text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout + result.stderr


@contextmanager
def publishing_to(broker_url: str) -> Iterator[None]:
    """This process publishes its tasks to `broker_url` meanwhile (the commit of a write enqueues them), as the
    web processes beside a worker on that broker do. The write URL is switched: CELERY_BROKER_URL in the
    environment (CI sets it) takes precedence over broker_url."""
    from django.conf import settings

    from integrations.webhooks.outbound import services as outbound
    from portfolio.celery import app, broker_pause_forget

    def reset() -> None:  # the pools made for the other broker are left to it
        app._pool = None
        app.amqp._producer_pool = None
        # Publishing is tried again at once, here and by the outbox (which pauses after a failure too).
        broker_pause_forget()
        outbound._broker_down_until = 0.0

    saved = app.conf.broker_write_url, app.conf.broker_transport_options
    reset()
    app.conf.broker_write_url = broker_url
    if broker_url.startswith("redis://"):  # the timeouts settings.py gives a Redis broker
        app.conf.broker_transport_options = {
            "visibility_timeout": 3600,
            "socket_connect_timeout": settings.BROKER_CONNECT_TIMEOUT,
            "socket_timeout": settings.BROKER_READ_TIMEOUT,
        }
    try:
        yield
    finally:
        reset()
        app.conf.broker_write_url, app.conf.broker_transport_options = saved
