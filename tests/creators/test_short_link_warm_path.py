"""The warm short link on Redis (portfolio/creators/short_links.py): answered before most of the middleware,
with the link's check and the click's count in one round trip, and the same redirect, headers and counts
as the view gives; anything it cannot answer (a changed, gone or unknown link, a cache that is down) is
answered by the view as before.

Every test here runs its own redis-server (tests/redis_server.py), both cache aliases on it.
"""

import pytest
from django.utils import timezone

from portfolio.creators import services
from portfolio.creators.models import CreatorVisitorsDaily, LinkClickBreakdownDaily, LinkClickDaily
from tests.creators.conftest import BROWSER_UA, PHONE_UA, target_for
from tests.redis_server import private_redis_running

pytestmark = pytest.mark.django_db

CRAWLER_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
TARGET = "http://127.0.0.1:8000/@casey-creator"


@pytest.fixture
def private_redis(tmp_path, settings):
    yield from private_redis_running(tmp_path, settings)


@pytest.fixture
def anchor(creator, videos, private_redis):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    return anchor


def click(client, code, *, ua=BROWSER_UA, ip="203.0.113.7", method="get", **extra):
    return getattr(client, method)(f"/l/{code}", HTTP_USER_AGENT=ua, REMOTE_ADDR=ip, **extra)


def today_row(anchor):
    return LinkClickDaily.objects.filter(anchor=anchor, day=timezone.now().date()).first()


def breakdown(anchor, dimension):
    rows = LinkClickBreakdownDaily.objects.filter(anchor=anchor, dimension=dimension, day=timezone.now().date())
    return dict(rows.values_list("value", "clicks"))


def commands(server) -> dict[str, int]:
    """How many times Redis ran each command since the last call (those a script runs included)."""
    client = server_client(server)
    stats = client.info("commandstats")
    client.config_resetstat()
    return {name.removeprefix("cmdstat_"): values["calls"] for name, values in stats.items()}


def server_client(server):
    import redis

    return redis.Redis.from_url(server.url)


def headers_of(response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name != "X-Request-ID"}


def test_a_warm_click_gets_the_same_redirect_and_headers_as_the_view_and_is_counted_the_same(
    client, anchor, private_redis, django_assert_num_queries
):
    cold = click(client, anchor.code, HTTP_REFERER="https://www.tiktok.com/@casey")  # the view: reads the database
    with django_assert_num_queries(0):
        warm = click(client, anchor.code, HTTP_REFERER="https://www.tiktok.com/@casey")
        phone = click(client, anchor.code, ua=PHONE_UA, ip="203.0.113.8")
    assert (cold.status_code, warm.status_code, phone.status_code) == (302, 302, 302)
    assert warm["Location"] == TARGET
    assert headers_of(warm) == headers_of(phone) == headers_of(cold)
    assert "Content-Security-Policy" in warm and "Permissions-Policy" in warm and warm["X-Frame-Options"] == "DENY"
    assert warm["Cache-Control"] == "no-store"
    assert warm["X-Robots-Tag"] == "noindex"
    assert len(warm["X-Request-ID"]) == 32 and warm["X-Request-ID"] != cold["X-Request-ID"]
    assert not warm.cookies

    assert services.clicks_fold() == 3
    assert (today_row(anchor).clicks, today_row(anchor).unique_visitors) == (3, 2)
    assert breakdown(anchor, "referrer") == {"tiktok.com": 2, "direct": 1}
    assert breakdown(anchor, "device") == {"desktop": 2, "mobile": 1}
    assert CreatorVisitorsDaily.objects.get(creator=anchor.video.owner).unique_visitors == 2


def test_a_warm_counted_click_is_one_script_on_redis(client, anchor, private_redis):
    """Regression: each counted click made two round trips to Redis (the link, then the click's script)."""
    assert click(client, anchor.code).status_code == 302  # the link is cached now, and known to this process
    assert click(client, anchor.code).status_code == 302
    commands(private_redis)
    assert click(client, anchor.code).status_code == 302
    ran = commands(private_redis)
    sent = {name: calls for name, calls in ran.items() if name in ("evalsha", "eval", "mget", "get", "info")}
    assert sent == {"evalsha": 1, "get": 1}  # the script, and the link's check inside it
    services.clicks_fold()
    assert today_row(anchor).clicks == 3


def test_bots_prefetches_and_head_on_a_warm_link_are_redirected_and_not_counted(client, anchor):
    assert click(client, anchor.code).status_code == 302
    for response in (
        click(client, anchor.code, ua=CRAWLER_UA),
        click(client, anchor.code, ua=""),
        click(client, anchor.code, HTTP_SEC_PURPOSE="prefetch;prerender"),
        click(client, anchor.code, method="head"),
    ):
        assert (response.status_code, response["Location"], response["Cache-Control"]) == (302, TARGET, "no-store")
    services.clicks_fold()
    assert today_row(anchor).clicks == 1


def test_a_detached_link_stops_at_once_and_works_again_when_attached_again(
    client, creator, videos, anchor, django_capture_on_commit_callbacks
):
    assert click(client, anchor.code).status_code == 302
    assert click(client, anchor.code).status_code == 302  # remembered by this process
    with django_capture_on_commit_callbacks(execute=True):
        services.anchor_detach(creator=creator, anchor=anchor)
    gone = click(client, anchor.code)
    assert (gone.status_code, gone["Cache-Control"]) == (410, "no-store")
    assert "This portfolio link is no longer active" in gone.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    assert click(client, anchor.code).status_code == 302
    assert click(client, anchor.code).status_code == 302
    services.clicks_fold()
    assert today_row(anchor).clicks == 4  # the 410 counted nothing


def test_an_unknown_code_is_the_404_page_not_stored(client, anchor):
    for _ in range(2):
        response = click(client, "NoSuchCode1")
        assert (response.status_code, response["Cache-Control"]) == (404, "no-store")
        assert "This link does not exist" in response.content.decode()


def test_a_host_outside_allowed_hosts_is_refused_on_the_warm_path_too(client, anchor):
    assert click(client, anchor.code).status_code == 302
    assert click(client, anchor.code, HTTP_HOST="evil.example").status_code == 400
    services.clicks_fold()
    assert today_row(anchor).clicks == 1


def test_a_file_upload_to_a_warm_link_is_refused_as_before(client, anchor):
    assert click(client, anchor.code).status_code == 302
    response = client.generic(
        "GET", f"/l/{anchor.code}", b"--x--", content_type="multipart/form-data; boundary=x",
        HTTP_USER_AGENT=BROWSER_UA,
    )
    assert response.status_code == 415
    services.clicks_fold()
    assert today_row(anchor).clicks == 1


def test_a_remembered_link_while_redis_is_down_is_redirected_and_counted_in_the_database(
    client, anchor, private_redis, settings
):
    settings.CACHE_OUTAGE_SECONDS = 0
    visitor = "192.0.2.41"  # a visitor no other test's outage has seen in this process
    for _ in range(2):
        assert click(client, anchor.code, ip=visitor).status_code == 302  # in Redis, remembered by this process
    private_redis.stop()
    response = click(client, anchor.code, ip=visitor)
    assert (response.status_code, response["Location"]) == (302, TARGET)
    assert (today_row(anchor).clicks, today_row(anchor).unique_visitors) == (1, 1)  # at once, in the database
    private_redis.start()
    assert services.clicks_fold() == 2
    assert today_row(anchor).clicks == 3


def test_with_the_click_counters_on_another_redis_the_warm_click_is_counted_there(
    client, anchor, private_redis, settings
):
    caches = private_redis.caches()
    caches["clicks"]["LOCATION"] = private_redis.url.removesuffix("/0") + "/1"
    settings.CACHES = caches
    for ip in ("203.0.113.7", "203.0.113.7", "203.0.113.9"):
        response = click(client, anchor.code, ip=ip)
        assert (response.status_code, response["Location"]) == (302, TARGET)
    assert server_client(private_redis).keys("*clicks:v1:t:*") == []  # nothing counted in db 0
    assert services.clicks_fold() == 3
    assert (today_row(anchor).clicks, today_row(anchor).unique_visitors) == (3, 2)
