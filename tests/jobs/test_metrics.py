"""GET /metrics: refused without the operators' token, and its numbers move as applicants apply, their
applications are delivered to the employer's ATS and the worker runs its tasks."""

import pytest
from django.urls import reverse

from integrations.webhooks.models import Delivery
from integrations.webhooks.outbound import services as outbound
from integrations.webhooks.tasks import deliver
from portfolio.core.tasks import heartbeat
from portfolio.jobs.events import OWNER_TYPE
from portfolio.jobs.models import Application
from portfolio.jobs.services.consent import consent_grant
from tests.integrations.outbound_webhooks.receiver import Receiver
from tests.jobs.apply_support import make_acme_applicant
from tests.metrics import TOKEN, requests, scrape, value

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


def test_without_a_configured_token_the_path_does_not_exist(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer"],
    ids=["none", "wrong", "longer", "basic", "bare", "empty"],
)
def test_a_scrape_without_the_right_token_is_refused_and_shows_no_number(client, token, authorization):
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    response = client.get("/metrics", **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"reelfolio_" not in response.content


def test_applying_and_delivering_move_the_queues_requests_and_tasks(client, token, job, fake, settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_REQUIRE_HTTPS = False
    jordan = make_acme_applicant("jordan@example.com", "Jordan Applicant", fake, subject="acme-jordan")
    consent_grant(user=jordan, provider_id="acme")
    with Receiver() as receiver:
        outbound.endpoint_create(
            owner_type=OWNER_TYPE, owner_id=job.organization_id, url=receiver.url, event_types=["application.created"]
        )
        before = scrape(client)
        assert value(before, "reelfolio_queue_depth", queue="emails", state="employer") == 0
        assert value(before, "reelfolio_queue_depth", queue="webhooks_outbox_due", state="healthy") == 0

        applicant = client.__class__()
        applicant.force_login(jordan)
        assert applicant.post(reverse("jobs:apply", args=[job.slug]), {"provider": "acme"}).status_code == 302
        assert Application.objects.count() == 1

        applied = scrape(client)
        assert requests(applied, "landing_pages", "POST", "3xx") == requests(before, "landing_pages", "POST", "3xx") + 1
        assert value(applied, "reelfolio_queue_depth", queue="emails", state="employer") == 1
        assert value(applied, "reelfolio_queue_depth", queue="webhooks_outbox_due", state="healthy") == 1
        assert value(applied, "reelfolio_queue_oldest_age_seconds", queue="webhooks_outbox_due", state="healthy") < 60

        delivery = Delivery.objects.get()
        deliver.apply(args=[delivery.pk])
        assert len(receiver.requests) == 1

    delivered = scrape(client)
    assert value(delivered, "reelfolio_queue_depth", queue="webhooks_outbox_due", state="healthy") == 0
    success = {"task": "webhooks.deliver", "outcome": "success"}
    assert value(delivered, "reelfolio_worker_tasks_total", **success) == value(
        applied, "reelfolio_worker_tasks_total", **success
    ) + 1


def test_the_worker_heartbeat_and_the_request_rate_of_the_scrapes_show(client, token):
    first = scrape(client)
    assert ("reelfolio_worker_heartbeat_age_seconds", frozenset()) not in first  # no worker ran it yet
    heartbeat.apply()
    second = scrape(client)
    assert value(second, "reelfolio_worker_heartbeat_age_seconds") < 60
    assert requests(second, "metrics") == requests(first, "metrics") + 1
    assert value(second, "reelfolio_http_request_duration_seconds_count", group="metrics") >= 1


@pytest.mark.parametrize(
    ("method", "path", "group", "status"),
    [
        ("GET", "/api/v1/anchors/?platform=sandbox-video&video_id=v-1", "anchor_api", "4xx"),
        ("GET", "/api/v1/jobs/", "employer_api", "4xx"),
        ("POST", "/integrations/webhooks/no-such-partner/", "webhook_receive", "4xx"),
        ("GET", "/jobs/manage/", "pages", "3xx"),
        ("GET", "/jobs/no-such-job/", "landing_pages", "4xx"),
        ("GET", "/healthz", "health", "2xx"),
    ],
)
def test_each_request_counts_in_its_route_group(client, token, method, path, group, status):
    before = scrape(client)
    getattr(client, method.lower())(path)
    after = scrape(client)
    assert requests(after, group, method, status) == requests(before, group, method, status) + 1
