"""Traces (OpenTelemetry): off unless the OTEL_* variables ask, and when on, one apply is one trace: the web
request, the call to the freelance platform for the applicant's profile and the task it publishes, linked."""

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from integrations.webhooks.outbound import services as outbound
from portfolio.core.tracing import tracing_start, tracing_stop, tracing_wanted
from portfolio.jobs.events import OWNER_TYPE
from portfolio.jobs.models import Application
from portfolio.jobs.services.consent import consent_grant
from tests.conftest import ROOT, database_url_for_subprocesses, wait_until
from tests.integrations.outbound_webhooks.receiver import Receiver
from tests.jobs.apply_support import make_acme_applicant

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("environ", "wanted"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "reelfolio"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, False),
    ],
)
def test_traces_are_on_only_when_the_standard_variables_ask(environ, wanted):
    assert tracing_wanted(environ) is wanted


def test_without_the_variables_nothing_is_instrumented(monkeypatch):
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER"):
        monkeypatch.delenv(name, raising=False)
    assert tracing_start() is False


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    assert tracing_start(exporter=exporter)
    assert tracing_start(exporter=exporter) is False  # once per process
    connections.close_all()  # a server opens its connections after tracing started: so do the tests
    yield exporter
    tracing_stop()
    connections.close_all()
    assert not [name for name in settings.MIDDLEWARE if "opentelemetry" in name], "the next tests run untraced"


@pytest.mark.django_db(transaction=True)  # the delivery's task is published when the request's writes commit
def test_one_apply_is_one_trace_of_the_request_and_what_it_called(spans, job, fake, settings):
    """The applicant's profile is fetched in a thread of its own (a deadline): that thread once ran outside
    the request's context, so its HTTP call began a trace of its own (and its log lines had no request id)."""
    jordan = make_acme_applicant("jordan@example.com", "Jordan Applicant", fake, subject="acme-jordan")
    consent_grant(user=jordan, provider_id="acme")
    applicant = Client()  # a new client builds its middleware stack now, the tracing middleware in it
    applicant.force_login(jordan)
    settings.WEBHOOK_ALLOWED_NETWORKS, settings.WEBHOOK_REQUIRE_HTTPS = ["127.0.0.0/8"], False
    outbound.endpoint_create(
        owner_type=OWNER_TYPE, owner_id=job.organization_id, url="http://127.0.0.1:9/hooks",
        event_types=["application.created"],
    )
    spans.clear()

    response = applicant.post(reverse("jobs:apply", args=[job.slug]), {"provider": "acme"})
    assert response.status_code == 302
    assert Application.objects.count() == 1

    finished = spans.get_finished_spans()
    [request] = [span for span in finished if span.kind == SpanKind.SERVER]
    assert request.attributes["http.method"] == "POST" or request.attributes.get("http.request.method") == "POST"
    assert "apply" in request.name
    in_trace = [span for span in finished if span.context.trace_id == request.context.trace_id]
    outgoing = [span for span in in_trace if span.kind == SpanKind.CLIENT and span.name.startswith(("GET", "POST"))]
    assert outgoing, f"no span of the call to the freelance platform among {[s.name for s in in_trace]}"
    assert all(span.parent is not None for span in in_trace if span is not request)
    # The ATS delivery's task is published in the same trace: the worker that runs it continues it.
    published = [span for span in in_trace if span.kind == SpanKind.PRODUCER]
    assert "webhooks.deliver" in [span.attributes.get("celery.task_name") for span in published]
    if connection.vendor == "postgresql":
        assert any(span.attributes.get("db.system") == "postgresql" for span in in_trace), "no span of a query"


@pytest.mark.django_db(transaction=True)
def test_the_worker_continues_the_trace_of_the_apply_that_published_its_delivery(spans, job, fake, settings, tmp_path):
    """A worker started with OTEL_TRACES_EXPORTER=console (a pool that does not fork: tracing starts in the worker
    itself) delivers the application to the ATS in a span of the applicant's request's trace."""
    queue = f"traced-{uuid.uuid4().hex[:8]}"  # this test's worker alone takes the delivery
    settings.WEBHOOK_CELERY_QUEUE = queue
    settings.WEBHOOK_ALLOWED_NETWORKS, settings.WEBHOOK_REQUIRE_HTTPS = ["127.0.0.0/8"], False
    jordan = make_acme_applicant("jordan@example.com", "Jordan Applicant", fake, subject="acme-jordan")
    consent_grant(user=jordan, provider_id="acme")
    log = tmp_path / "worker.log"
    env = dict(
        os.environ, DATABASE_URL=database_url_for_subprocesses(), PYTHONUNBUFFERED="1", OTEL_TRACES_EXPORTER="console",
        OTEL_BSP_SCHEDULE_DELAY="50", WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8", WEBHOOK_REQUIRE_HTTPS="false",
    )
    command = [sys.executable, "-m", "celery", "-A", "portfolio", "worker", "--pool", "solo", "-Q", queue,
               "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with Receiver() as receiver, open(log, "wb") as out:
        outbound.endpoint_create(
            owner_type=OWNER_TYPE, owner_id=job.organization_id, url=receiver.url, event_types=["application.created"]
        )
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            applicant = Client()
            applicant.force_login(jordan)
            spans.clear()
            assert applicant.post(reverse("jobs:apply", args=[job.slug]), {"provider": "acme"}).status_code == 302
            [request] = [span for span in spans.get_finished_spans() if span.kind == SpanKind.SERVER]
            trace_id = f"0x{request.context.trace_id:032x}"

            wait_until(lambda: len(receiver.requests) == 1, timeout=60, message="the worker to deliver")
            wait_until(lambda: '"name": "run/webhooks.deliver"' in log.read_text(), timeout=10, message="the span")
        finally:
            worker.terminate()
            worker.wait(timeout=20)
    text = log.read_text()
    delivered = text[text.index('"name": "run/webhooks.deliver"') - 100 :]
    assert f'"trace_id": "{trace_id}"' in delivered[:600], "the worker's span is not in the request's trace"
