"""The per-key rate limit holds exactly when many requests of one key arrive at once.

Real HTTP through the live server (a thread per request) and the cache the suite is configured with:
CI runs it on PostgreSQL with Redis, whose INCR is atomic.
"""

import threading
from collections import Counter

import pytest
import requests
from django.core.cache import cache

from integrations.partners import services

THREADS = 8
REQUESTS_PER_THREAD = 5
LIMIT = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_of_one_key_are_admitted_up_to_the_rate_exactly(live_server, settings):
    cache.clear()
    settings.PARTNER_API_RATE = f"{LIMIT}/day"  # one window for the whole test
    key = services.partner_create(name="Busy Partner").key
    url = f"{live_server.url}/api/v1/anchors/?platform=p&video_id=v"
    start = threading.Barrier(THREADS)
    statuses: list[int] = []
    errors: list[str] = []

    def partner_client():
        session = requests.Session()
        try:
            start.wait()
            for _ in range(REQUESTS_PER_THREAD):
                response = session.get(url, headers={"Authorization": f"Bearer {key}"}, timeout=30)
                statuses.append(response.status_code)
        except Exception as exc:  # reported below
            errors.append(repr(exc))
        finally:
            session.close()

    threads = [threading.Thread(target=partner_client) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Counter(statuses) == {200: LIMIT, 429: THREADS * REQUESTS_PER_THREAD - LIMIT}
    cache.clear()
