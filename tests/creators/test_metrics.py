"""GET /metrics as clicks come in and are folded, and as the cache's Redis goes away and comes back: the short
links' requests (the warm ones answered before the middleware stack too), the clicks folded, the breaker."""


import pytest

from common import early_answers
from portfolio.creators import services, tasks
from tests.conftest import wait_until
from tests.creators.conftest import BROWSER_UA, target_for
from tests.metrics import TOKEN, requests, scrape, value

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def token(settings):
    settings.METRICS_TOKEN = TOKEN


@pytest.fixture
def anchor(creator, videos):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    return anchor


def click(client, code):
    response = client.get(f"/l/{code}", HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    return response


def breaker_opened(samples) -> float:
    return sum(value(samples, "reelfolio_cache_breaker_opened_total", cache=alias) for alias in ("default", "clicks"))


def breaker_open(samples) -> float:
    return max(value(samples, "reelfolio_cache_breaker_open", cache=alias) for alias in ("default", "clicks"))


def test_clicks_count_as_short_link_requests_and_as_clicks_folded(client, anchor):
    before = scrape(client)
    click(client, anchor.code)
    click(client, anchor.code)  # warm: answered before the middleware stack, counted all the same
    tasks.clicks_fold_task()

    after = scrape(client)
    assert requests(after, "short_links", "GET", "3xx") == requests(before, "short_links", "GET", "3xx") + 2
    assert value(after, "reelfolio_clicks_folded_total") == value(before, "reelfolio_clicks_folded_total") + 2
    assert value(after, "reelfolio_clicks_last_fold_age_seconds") < 60


def test_a_stopped_redis_opens_the_breaker_and_its_return_closes_it(client, anchor, private_redis, settings):
    settings.CACHE_OUTAGE_SECONDS = 0.2
    before = scrape(client)
    assert breaker_open(before) == 0

    private_redis.stop()
    click(client, anchor.code)  # still redirects, from the database
    away = scrape(client)
    assert breaker_opened(away) == breaker_opened(before) + 1
    assert breaker_open(away) == 1

    private_redis.start()

    def closed_after_a_click():
        """Past CACHE_OUTAGE_SECONDS a click tries the cache again, finds it answering, and closes it."""
        click(client, anchor.code)
        scraped = scrape(client)
        return scraped if breaker_open(scraped) == 0 else None

    back = wait_until(closed_after_a_click, timeout=10, message="the breaker to close once Redis answers")
    assert breaker_open(back) == 0
    assert breaker_opened(back) == breaker_opened(away)


def test_the_metrics_middleware_sits_above_the_early_answers_and_their_check_accepts_it(settings):
    """Below the early answers it would miss the hot paths they answer (or be refused at start-up)."""
    middleware = list(settings.MIDDLEWARE)
    assert middleware.index("common.metrics.MetricsMiddleware") < middleware.index(early_answers.DOOR)
    assert early_answers.check_middleware() == []
