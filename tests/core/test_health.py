import io
import json
import logging
import time

import pytest
from django.test import override_settings

from portfolio.celery import app as celery_app
from portfolio.core.services import worker_heartbeat_record
from tests.redis_server import RedisServer

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


@pytest.fixture
def broker_down():
    original = celery_app.conf.broker_url, celery_app.conf.broker_write_url
    celery_app.conf.broker_url = celery_app.conf.broker_write_url = UNREACHABLE_REDIS
    yield
    celery_app.conf.broker_url, celery_app.conf.broker_write_url = original


def test_healthz_answers_while_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_every_part_ok(client):
    worker_heartbeat_record()
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok", "broker": "ok"}
    assert body["worker_last_seen"] is not None


def test_readyz_with_the_broker_down_is_503_naming_the_broker(client, broker_down):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["broker"]
    assert "Connection refused" in body["checks"]["broker"]
    assert body["checks"]["database"] == "ok"


def test_readyz_with_the_cache_down_is_503_naming_the_cache(client):
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS}}
    with override_settings(CACHES=caches):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["checks"]["cache"].startswith("default: ConnectionError")


def test_readyz_checks_the_click_counters_cache_too(client, settings):
    caches = {
        **settings.CACHES,
        "clicks": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE_REDIS},
    }
    with override_settings(CACHES=caches):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["checks"]["cache"].startswith("clicks: ConnectionError")


def test_every_response_carries_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_a_request_id_from_the_load_balancer_is_kept_and_a_malformed_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})["X-Request-ID"] == "lb-1234abcd"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})["X-Request-ID"]
    assert replaced != "bad id\nwith newline" and len(replaced) == 32


def test_log_lines_are_json_with_the_request_id_and_no_query_string(client):
    configured = logging.getLogger().handlers[0]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configured.formatter)  # the JSON formatter and request-id filter of settings.LOGGING
    for log_filter in configured.filters:
        handler.addFilter(log_filter)
    logging.getLogger().addHandler(handler)
    try:
        response = client.get("/healthz?code=secret-code-value")
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    request_lines = [line for line in lines if line.get("logger") == "reelfolio.request"]
    assert request_lines, "no request log line was written"
    line = request_lines[-1]
    assert line["request_id"] == response["X-Request-ID"]
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert "secret-code-value" not in stream.getvalue()


def test_readyz_answers_within_its_deadline_naming_a_stalled_broker(client, tmp_path):
    """Regression: with the broker's Redis accepting connections but never answering, /readyz waited on it
    past gunicorn's worker timeout; now each check has its own deadline and the stalled part is named."""
    server = RedisServer(tmp_path)
    server.start()
    original = celery_app.conf.broker_url, celery_app.conf.broker_write_url
    celery_app.conf.broker_url = celery_app.conf.broker_write_url = server.url
    try:
        assert client.get("/readyz").json()["checks"]["broker"] == "ok"
        server.stall()
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_write_url = original
        server.stop()
    assert elapsed < 2.5
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"] == "no answer within 1.5 s"
    assert (body["checks"]["database"], body["checks"]["cache"]) == ("ok", "ok")
