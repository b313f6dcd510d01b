"""No click is lost when many arrive at once, even while a fold is running: nor in the breakdowns by
referrer, device and country, nor in the creator's unique visitors across all of their links.

Real HTTP through the live server (a thread per request), real PostgreSQL connections, and the cache the
suite is configured with (CI runs it again on Redis), plus Django's database cache, whose own `incr` is
not atomic.
"""

import threading

import pytest
import requests
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection

from portfolio.creators import clicks, services
from portfolio.creators.models import CreatorVisitorsDaily, LinkClickBreakdownDaily, LinkClickDaily
from tests.creators.conftest import BROWSER_UA, GB_ADDRESS, PHONE_UA, PT_ADDRESS, target_for

THREADS = 8
CLICKS_PER_THREAD = 40
VISITORS_PER_THREAD = 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cache_backend", ["configured", "database"])
def test_concurrent_clicks_are_counted_exactly_while_folds_run(
    live_server, settings, creator, videos, cache_backend, geoip_database
):
    if cache_backend == "database":
        settings.CACHES = {
            alias: {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": f"creators_test_{alias}",
                "OPTIONS": {"MAX_ENTRIES": 1_000_000},
            }
            for alias in ("default", "clicks")
        }
        call_command("createcachetable", verbosity=0)
    caches["default"].clear()
    caches["clicks"].clear()
    settings.NUM_PROXIES = 1  # each visitor's address comes in X-Forwarded-For, as behind a load balancer
    anchors = services.anchors_attach(creator=creator, videos=videos[:2], target=target_for(creator))
    urls = [f"{live_server.url}/l/{anchor.code}" for anchor in anchors]
    start = threading.Barrier(THREADS + 1)
    clicking_done = threading.Event()
    errors: list[str] = []

    def visitor(n: int):
        session = requests.Session()
        try:
            start.wait()
            for i in range(CLICKS_PER_THREAD):
                # Visitor 0 of a thread is on a desktop in Britain, visitor 1 on a phone in Portugal; each
                # clicks both links (alternately), coming from a video page or from nowhere.
                visitor = i % VISITORS_PER_THREAD
                headers = {
                    "User-Agent": f"{(BROWSER_UA, PHONE_UA)[visitor]} visitor/{n}-{visitor}",
                    "X-Forwarded-For": (GB_ADDRESS, PT_ADDRESS)[visitor],
                }
                if (i // 4) % 2:
                    headers["Referer"] = "https://www.TikTok.com/@casey/video/1?lang=en"
                url = urls[(i // VISITORS_PER_THREAD) % 2]
                response = session.get(url, headers=headers, allow_redirects=False, timeout=30)
                if response.status_code != 302:
                    errors.append(f"{response.status_code}: {response.text[:200]}")
        except Exception as exc:  # reported below, with the others
            errors.append(repr(exc))
        finally:
            session.close()

    def folder():
        start.wait()
        try:
            while not clicking_done.is_set():
                services.clicks_fold()
        except Exception as exc:
            errors.append(f"fold: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(THREADS)]
    fold_thread = threading.Thread(target=folder)
    for thread in [*threads, fold_thread]:
        thread.start()
    for thread in threads:
        thread.join()
    clicking_done.set()
    fold_thread.join()
    services.clicks_fold()

    assert errors == []
    visitors = THREADS * VISITORS_PER_THREAD
    per_link = CLICKS_PER_THREAD * THREADS // 2
    rows = {row.anchor_id: row for row in LinkClickDaily.objects.filter(anchor__in=anchors)}
    for anchor in anchors:
        assert (rows[anchor.pk].clicks, rows[anchor.pk].unique_visitors) == (per_link, visitors)
    # Each visitor clicked both links: counted once across them.
    assert CreatorVisitorsDaily.objects.get(creator=creator).unique_visitors == visitors
    breakdowns = {
        (row.anchor_id, row.dimension, row.value): row.clicks
        for row in LinkClickBreakdownDaily.objects.filter(anchor__in=anchors)
    }
    for anchor in anchors:
        assert {key[1:]: value for key, value in breakdowns.items() if key[0] == anchor.pk} == {
            ("referrer", "tiktok.com"): per_link // 2,
            ("referrer", "direct"): per_link // 2,
            ("device", "desktop"): per_link // 2,
            ("device", "mobile"): per_link // 2,
            ("country", "GB"): per_link // 2,
            ("country", "PT"): per_link // 2,
        }
    day = rows[anchors[0].pk].day.isoformat()
    ids = [anchor.pk for anchor in anchors]
    assert clicks.pending_counts(anchor_ids=ids, days=[day]) == {}
    assert clicks.pending_breakdowns(anchor_ids=ids, days=[day]) == {}
    assert clicks.pending_creator_uniques(creator_ids=[creator.pk], days=[day]) == {}
