"""Redis down or stalled: short links, the public page and the partner API keep answering from the
database, clicks made meanwhile are counted exactly once, and nothing waits on the stalled server.

Every test here runs its own redis-server (tests/redis_server.py) and stops or stalls it (SIGSTOP).
"""

import logging
import time

import pytest
from django.core.cache import caches
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from integrations.partners import services as partner_services
from portfolio.creators import services, tasks
from portfolio.creators.models import LinkClickDaily
from tests.creators.conftest import BROWSER_UA, target_for
from tests.redis_server import RedisServer, cache_outage_forget

pytestmark = pytest.mark.django_db

API_URL = reverse("api-anchors")
BUDGET_SECONDS = 3.0  # generous: a stalled cache costs one read timeout (1 s) at most


@pytest.fixture
def anchor(creator, videos):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    return anchor


@pytest.fixture
def partner_key():
    return partner_services.partner_create(name="Sandbox Video").key


def click(client, code, visitor):
    return client.get(f"/l/{code}", HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR=f"198.51.100.{visitor}")


def anchors(client, key):
    return client.get(f"{API_URL}?platform=sandbox-video&video_id=v-1001", HTTP_AUTHORIZATION=f"Bearer {key}")


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_clicks_before_during_and_after_an_outage_are_each_counted_once_after_the_fold(
    client, anchor, private_redis, settings
):
    """Regression: while Redis was down every click was lost (the redirect worked, the count did not)."""
    settings.CACHE_OUTAGE_SECONDS = 0  # every request tries the cache again: no waiting in the test
    for visitor in (1, 2):  # before: counters in Redis, not folded yet
        assert click(client, anchor.code, visitor).status_code == 302

    private_redis.stop()
    for visitor in (3, 4, 3):  # during: the third is visitor 3 again
        response = click(client, anchor.code, visitor)
        assert (response.status_code, response["Location"]) == (302, "http://127.0.0.1:8000/@casey-creator")
    row = LinkClickDaily.objects.get(anchor=anchor, day=timezone.now().date())
    assert (row.clicks, row.unique_visitors) == (3, 2)  # counted in the database at once

    private_redis.start()  # with its append-only file: the clicks from before are still there
    for visitor in (5, 6):  # after
        assert click(client, anchor.code, visitor).status_code == 302

    assert services.clicks_fold() == 4
    row.refresh_from_db()
    assert (row.clicks, row.unique_visitors) == (7, 6)
    assert services.clicks_fold() == 0  # nothing counted twice


def test_the_partner_api_answers_from_the_database_while_redis_is_down(
    client, creator, videos, anchor, partner_key, private_redis, settings, caplog
):
    """Regression: every partner API call was an HTML 500 for the whole outage."""
    settings.PARTNER_API_RATE = "2/min"
    assert anchors(client, partner_key).status_code == 200  # one request counted in Redis

    private_redis.stop()
    with caplog.at_level(logging.WARNING, logger="common.cache"):
        response = anchors(client, partner_key)
    assert response.status_code == 200
    assert response.json()["videos"] == [
        {"video_id": "v-1001", "anchors": [
            {"kind": "portfolio", "label": "View My Portfolio", "url": f"http://127.0.0.1:8000/l/{anchor.code}"}
        ]}
    ]
    assert any(record.getMessage().startswith("cache unreachable") for record in caplog.records)
    # The rate limit holds per process meanwhile; its answer keeps the API's one error shape.
    assert anchors(client, partner_key).status_code == 200
    response = anchors(client, partner_key)
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) >= 1
    # A key that does not exist is still refused, from the database.
    response = client.get(f"{API_URL}?platform=p&video_id=v", HTTP_AUTHORIZATION="Bearer rfk_nosuchkey_" + "x" * 40)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("authentication_failed", "not_authenticated")


def test_nothing_waits_on_a_stalled_redis(client, creator, videos, anchor, partner_key, private_redis):
    """Regression: with Redis accepting connections but never answering, a redirect, the public page and
    the partner API each waited on it for many seconds, and /readyz outlived gunicorn's worker timeout."""
    assert click(client, anchor.code, 1).status_code == 302  # warm: link and key cached
    assert anchors(client, partner_key).status_code == 200
    private_redis.stall()

    cache_outage_forget()  # each request below finds the cache stalled for itself
    response, elapsed = timed(lambda: click(client, anchor.code, 2))
    assert (response.status_code, response["Location"]) == (302, "http://127.0.0.1:8000/@casey-creator")
    assert elapsed < BUDGET_SECONDS

    cache_outage_forget()
    response, elapsed = timed(lambda: client.get("/@casey-creator"))
    assert response.status_code == 200
    assert "Casey Creator" in response.content.decode()
    assert elapsed < BUDGET_SECONDS

    cache_outage_forget()
    response, elapsed = timed(lambda: anchors(client, partner_key))
    assert response.status_code == 200
    assert response.json()["videos"][0]["video_id"] == "v-1001"
    assert elapsed < BUDGET_SECONDS

    response, elapsed = timed(lambda: client.get("/readyz"))
    assert elapsed < 2.0 + 0.5  # its own deadline, whatever is stalled
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert "no answer within" in body["checks"]["cache"] or "Timeout" in body["checks"]["cache"]


@pytest.mark.django_db(transaction=True)
def test_with_the_cache_and_the_database_both_unreachable_the_api_answers_503_json_with_retry_after(
    client, partner_key, private_redis, tmp_path
):
    """Regression: an unreachable part behind the partner API was an HTML 500; partners get the API's one
    error shape and a moment to retry after."""
    private_redis.stop()
    database = connections["default"]
    saved = dict(database.settings_dict)
    database.close()
    if database.vendor == "sqlite":
        database.settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    else:
        database.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        response = anchors(client, partner_key)
    finally:
        database.close()
        database.settings_dict.clear()
        database.settings_dict.update(saved)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": {
            "code": "unavailable",
            "message": "The service is briefly unavailable; retry in 5 seconds.",
            "details": {},
        }
    }


@pytest.fixture
def click_redis(tmp_path, settings, private_redis):
    """A second Redis of the test's own for the click counters alone (CLICKS_CACHE_URL in production)."""
    folder = tmp_path / "clicks"
    folder.mkdir()
    server = RedisServer(folder)
    server.start()
    settings.CACHES = {**settings.CACHES, "clicks": server.caches()["clicks"]}
    cache_outage_forget()
    yield server
    caches.close_all()
    server.stop()


def stalled_clicks(client, code: str, server, settings, *, clicks: int) -> list[float]:
    """`clicks` clicks of as many visitors while `server` is stalled, the breaker retrying it every 0.3 s
    (so that several clicks meet the stalled server, each over a new connection); how long each took."""
    settings.CACHE_OUTAGE_SECONDS = 0.3
    server.stall()
    waits = []
    try:
        for visitor in range(clicks):
            response, elapsed = timed(lambda visitor=visitor: click(client, code, 100 + visitor))
            assert (response.status_code, response["Location"]) == (302, "http://127.0.0.1:8000/@casey-creator")
            waits.append(elapsed)
            time.sleep(0.05)
    finally:
        server.resume()
    return waits


@pytest.mark.parametrize("layout", ["one Redis", "clicks on a Redis of their own"])
def test_every_click_made_while_the_click_redis_is_stalled_is_counted_and_waits_one_timeout_at_most(
    client, anchor, private_redis, layout, request, settings
):
    """Regression: with the click counters' Redis stalled (SIGSTOP), 20 clicks all redirected but only 8
    were counted once it resumed: a click whose timeout came while the connection was being set up was
    taken for one the server would still run, and counted nowhere. Now a click the server never received
    is counted in the database, one it did receive is counted by the server when it resumes, and the
    breaker, open after a timeout, lets the clicks after it wait for nothing."""
    server = request.getfixturevalue("click_redis") if layout != "one Redis" else private_redis
    for visitor in (1, 2):  # warm: the link cached and remembered, the day's salt read
        assert click(client, anchor.code, visitor).status_code == 302
    assert services.clicks_fold() == 2

    waits = stalled_clicks(client, anchor.code, server, settings, clicks=20)

    cache_outage_forget()
    services.clicks_fold()  # what the server counted once it resumed
    row = LinkClickDaily.objects.get(anchor=anchor, day=timezone.now().date())
    assert row.clicks == 2 + 20
    assert services.clicks_fold() == 0  # nothing counted twice
    timeout = settings.CACHE_READ_TIMEOUT
    assert max(waits) < 2 * timeout, waits  # one timeout at most, never two
    assert sum(wait > timeout / 2 for wait in waits) >= 2, waits  # the stalled server was met more than once


def test_a_fold_while_redis_is_down_is_skipped_and_the_next_one_moves_the_clicks(
    client, anchor, private_redis, caplog
):
    """Regression: the beat's fold failed with Redis' connection error in the worker's log every minute of
    an outage; it now says it skipped, and the counts wait in Redis for the next fold."""
    for visitor in (1, 2):
        assert click(client, anchor.code, visitor).status_code == 302
    private_redis.stop()
    with caplog.at_level(logging.WARNING, logger="portfolio.creators.tasks"):
        tasks.clicks_fold_task()
    assert "clicks fold skipped: the cache is away" in caplog.text
    assert not LinkClickDaily.objects.exists()

    private_redis.start()  # with its append-only file: the clicks are still there
    cache_outage_forget()
    tasks.clicks_fold_task()
    assert LinkClickDaily.objects.get(anchor=anchor).clicks == 2
