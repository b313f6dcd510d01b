"""The short links /l/<code>: redirect, counting in the cache, folding into daily rows, 404 and 410."""

import base64
import pickle
from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from portfolio.creators import services
from portfolio.creators.models import LinkClickDaily
from tests.creators.conftest import BROWSER_UA, link_account, remote_videos, target_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchor(creator, videos):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    return anchor


def click(client, code, *, ua=BROWSER_UA, ip="203.0.113.7", method="get"):
    return getattr(client, method)(f"/l/{code}", HTTP_USER_AGENT=ua, REMOTE_ADDR=ip)


def today_row(anchor):
    return LinkClickDaily.objects.filter(anchor=anchor, day=timezone.now().date()).first()


def test_a_click_redirects_to_the_target_and_is_counted_after_the_fold(client, anchor):
    response = click(client, anchor.code)
    assert response.status_code == 302
    assert response["Location"] == "http://127.0.0.1:8000/@casey-creator"
    assert response["Cache-Control"] == "no-store"
    assert today_row(anchor) is None  # the redirect itself writes nothing to the database

    assert services.clicks_fold() == 1
    row = today_row(anchor)
    assert (row.clicks, row.unique_visitors) == (1, 1)


def test_uniques_count_visitors_once_a_day_and_clicks_count_every_time(client, anchor):
    for _ in range(3):
        click(client, anchor.code, ip="198.51.100.1")
    click(client, anchor.code, ip="198.51.100.2")
    click(client, anchor.code, ip="198.51.100.2", ua=BROWSER_UA + " Edg/131")
    services.clicks_fold()
    click(client, anchor.code, ip="198.51.100.1")  # the same visitor after a fold is not new
    services.clicks_fold()
    row = today_row(anchor)
    assert (row.clicks, row.unique_visitors) == (6, 3)


@pytest.mark.parametrize(
    "ua",
    [
        "Googlebot/2.1 (+http://www.google.com/bot.html)",
        "facebookexternalhit/1.1",
        "curl/8.5.0",
        "Slackbot-LinkExpanding 1.0",
        "",
    ],
)
def test_known_bots_follow_the_link_but_are_not_counted(client, anchor, ua):
    response = click(client, anchor.code, ua=ua)
    assert response.status_code == 302
    assert services.clicks_fold() == 0
    assert today_row(anchor) is None


@pytest.mark.parametrize(
    "header",
    [{"HTTP_SEC_PURPOSE": "prefetch"}, {"HTTP_SEC_PURPOSE": "prefetch;prerender"}, {"HTTP_PURPOSE": "prefetch"}],
)
def test_a_browsers_prefetch_follows_the_link_but_is_not_counted(client, anchor, header):
    """A page that lists the link may have the browser fetch it ahead of a click that never comes."""
    response = client.get(f"/l/{anchor.code}", HTTP_USER_AGENT=BROWSER_UA, **header)
    assert response.status_code == 302
    assert services.clicks_fold() == 0
    assert click(client, anchor.code).status_code == 302  # the visitor's own click still counts
    assert services.clicks_fold() == 1


def test_head_requests_are_not_counted(client, anchor):
    assert click(client, anchor.code, method="head").status_code == 302
    assert services.clicks_fold() == 0


def test_no_visitor_address_is_stored(client, anchor, settings):
    """Neither in the daily rows nor anywhere in the cache (keys and values read on the database cache):
    only a salted hash of it, in a key, for the day."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "creators_privacy_cache"},
        "clicks": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "creators_privacy_clicks"},
    }
    call_command("createcachetable", verbosity=0)
    click(client, anchor.code, ip="192.0.2.55", ua=f"{BROWSER_UA} visitor/55")
    rows = []
    with connection.cursor() as cursor:
        for table in ("creators_privacy_cache", "creators_privacy_clicks"):
            cursor.execute(f"SELECT cache_key, value FROM {table}")
            rows += cursor.fetchall()
    stored = [f"{key} {pickle.loads(base64.b64decode(value))!r}" for key, value in rows]  # noqa: S301 - our table
    assert any(":s:" in entry for entry in stored)  # the visitor's marker is there...
    assert not [entry for entry in stored if "192.0.2.55" in entry or "visitor/55" in entry]  # ...not the address
    services.clicks_fold()
    row = LinkClickDaily.objects.values().get()
    assert row["clicks"] == 1 and "192.0.2.55" not in repr(row)


def test_behind_a_proxy_the_forwarded_address_tells_visitors_apart(client, anchor, settings):
    settings.NUM_PROXIES = 1
    for visitor in ("198.51.100.1", "198.51.100.2", "198.51.100.2"):
        client.get(
            f"/l/{anchor.code}",
            HTTP_USER_AGENT=BROWSER_UA,
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"6.6.6.6, {visitor}",
        )
    services.clicks_fold()
    row = today_row(anchor)
    assert (row.clicks, row.unique_visitors) == (3, 2)


def test_clicks_from_yesterday_are_folded_into_yesterdays_row(client, anchor):
    from portfolio.creators import clicks

    yesterday = timezone.now().date() - timedelta(days=1)
    clicks.click_record(
        anchor_id=anchor.pk, creator_id=anchor.video.owner_id, day=yesterday, address="198.51.100.1",
        user_agent=BROWSER_UA, details=clicks.ClickDetails(referrer="direct", device="desktop", country="unknown"),
    )
    click(client, anchor.code)
    services.clicks_fold()
    assert dict(LinkClickDaily.objects.values_list("day", "clicks")) == {yesterday: 1, timezone.now().date(): 1}


def test_clicks_after_a_detach_are_not_counted_but_earlier_ones_are_kept(client, creator, anchor):
    click(client, anchor.code)
    services.anchor_detach(creator=creator, anchor=anchor)
    cache.delete(f"creators:link:v1:{anchor.code}")  # the test's transaction never commits
    assert click(client, anchor.code).status_code == 410
    services.clicks_fold()
    assert today_row(anchor).clicks == 1


def test_an_unknown_code_is_a_404_page(client):
    for code in ("ZZZZZZZZZZ", "short", "has-dash-123", "x" * 40):
        response = client.get(f"/l/{code}")
        assert response.status_code == 404
        assert "This link does not exist" in response.content.decode()


def test_a_removed_videos_link_answers_410_with_a_friendly_page(client, anchor, django_capture_on_commit_callbacks):
    assert click(client, anchor.code).status_code == 302  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        services.video_remove(video=anchor.video)
    response = click(client, anchor.code)
    assert response.status_code == 410
    page = response.content.decode()
    assert "This portfolio link is no longer active" in page
    assert 'href="/@casey-creator"' in page


def test_the_redirect_costs_one_query_cold_and_none_when_cached(client, anchor, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert click(client, anchor.code).status_code == 302
    with django_assert_num_queries(0):
        assert click(client, anchor.code).status_code == 302
    with django_assert_num_queries(1):
        assert click(client, "NoSuchCode1").status_code == 404
    with django_assert_num_queries(0):  # unknown codes are remembered too: guessing costs no queries
        assert click(client, "NoSuchCode1").status_code == 404


def test_beat_folds_every_minute_through_the_registered_task(client, anchor, settings):
    from portfolio.celery import app
    from portfolio.creators.tasks import clicks_fold_task

    entry = settings.CELERY_BEAT_SCHEDULE["creators-clicks-fold"]
    assert (entry["task"], entry["schedule"]) == ("creators.clicks_fold", 60.0)
    assert app.tasks[entry["task"]].name == clicks_fold_task.name
    click(client, anchor.code)
    clicks_fold_task.apply()
    assert today_row(anchor).clicks == 1


def test_only_one_fold_runs_at_a_time(client, anchor):
    click(client, anchor.code)
    caches["clicks"].add(services.FOLD_LOCK_KEY, "someone-else", 60)
    assert services.clicks_fold() == 0
    caches["clicks"].delete(services.FOLD_LOCK_KEY)
    assert services.clicks_fold() == 1


def test_the_redirect_still_works_when_the_cache_is_down_and_the_click_is_counted_in_the_database(
    client, anchor, settings, django_assert_max_num_queries
):
    """An unreachable cache costs the visitor neither the redirect nor the click: it is counted in the day's
    row at once (the link read from the database, then one update of the row and one of each of its
    three breakdown rows)."""
    down = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    settings.CACHES = {"default": down, "clicks": down}
    assert click(client, anchor.code).status_code == 302
    with django_assert_max_num_queries(7):  # the link, and the four updates within their savepoint
        response = click(client, anchor.code)
    assert (response.status_code, response["Location"]) == (302, "http://127.0.0.1:8000/@casey-creator")
    assert (today_row(anchor).clicks, today_row(anchor).unique_visitors) == (2, 1)


def test_a_video_moving_to_another_creator_drops_the_old_owners_cached_link(
    client, anchor, other_creator, django_capture_on_commit_callbacks
):
    """Regression: the moved video's link was deleted but its cached redirect lived on for minutes."""
    assert click(client, anchor.code).status_code == 302  # now cached
    new_account = link_account(other_creator, provider_id="sandbox-video", role="videos", subject="sbx-v-7")
    with django_capture_on_commit_callbacks(execute=True):
        services.videos_sync(linked_account=new_account, videos=remote_videos(1))
    response = click(client, anchor.code)
    assert response.status_code == 404
    assert "This link does not exist" in response.content.decode()


def test_a_removal_that_commits_while_a_redirect_reads_the_link_still_shows_at_once(
    client, anchor, racing_cache, django_capture_on_commit_callbacks
):
    """Regression: a redirect that read the link just before a removal committed cached what it read just
    after the removal's invalidation, and the removed video's link kept redirecting for minutes."""

    def remove_meanwhile():
        with django_capture_on_commit_callbacks(execute=True):
            services.video_remove(video=anchor.video)

    racing_cache.key_part, racing_cache.before_write = f"link:v1:{anchor.code}", remove_meanwhile
    assert click(client, anchor.code).status_code == 302  # it read the link before the removal
    assert racing_cache.before_write is None  # the removal did happen in between
    assert click(client, anchor.code).status_code == 410
