"""No click is lost when many arrive at once, even while a fold is running.

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
from portfolio.creators.models import LinkClickDaily
from tests.creators.conftest import BROWSER_UA, target_for

THREADS = 8
CLICKS_PER_THREAD = 40
VISITORS_PER_THREAD = 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cache_backend", ["configured", "database"])
def test_concurrent_clicks_are_counted_exactly_while_folds_run(live_server, settings, creator, videos, cache_backend):
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
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    url = f"{live_server.url}/l/{anchor.code}"
    start = threading.Barrier(THREADS + 1)
    clicking_done = threading.Event()
    errors: list[str] = []

    def visitor(n: int):
        session = requests.Session()
        try:
            start.wait()
            for i in range(CLICKS_PER_THREAD):
                ua = f"{BROWSER_UA} visitor/{n}-{i % VISITORS_PER_THREAD}"
                response = session.get(url, headers={"User-Agent": ua}, allow_redirects=False, timeout=30)
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
    row = LinkClickDaily.objects.get(anchor=anchor)
    assert row.clicks == THREADS * CLICKS_PER_THREAD
    assert row.unique_visitors == THREADS * VISITORS_PER_THREAD
    day = row.day.isoformat()
    assert clicks.pending_counts(anchor_ids=[anchor.pk], days=[day]) == {}
