"""Click counters wait in a cache alias of their own, so that nobody can flush them by requesting made-up
short-link codes (which are remembered in the default cache)."""

import json
import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.utils import timezone

from portfolio.creators import services
from portfolio.creators.models import LinkClickDaily
from tests.conftest import ROOT
from tests.creators.conftest import BROWSER_UA, target_for

pytestmark = pytest.mark.django_db

SMALL = {"MAX_ENTRIES": 40, "CULL_FREQUENCY": 2}
BACKENDS = {
    "local-memory": lambda alias: {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"flood-{alias}", "OPTIONS": SMALL,
    },
    "database": lambda alias: {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": f"flood_{alias}", "OPTIONS": SMALL,
    },
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_scanning_unknown_codes_does_not_lose_clicks_waiting_to_be_folded(client, settings, creator, videos, backend):
    """Regression: on the local-memory and database caches, a scan of random codes filled the cache up to
    MAX_ENTRIES, and the cull that followed dropped click counters that were not folded yet."""
    settings.CACHES = {alias: BACKENDS[backend](alias) for alias in ("default", "clicks")}
    if backend == "database":
        call_command("createcachetable", verbosity=0)
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    for visitor in range(3):
        response = client.get(f"/l/{anchor.code}", HTTP_USER_AGENT=f"{BROWSER_UA} v{visitor}")
        assert response.status_code == 302

    for n in range(150):  # several times MAX_ENTRIES: the default cache culls again and again
        assert client.get(f"/l/Scan{n:08d}", HTTP_USER_AGENT=BROWSER_UA).status_code == 404

    assert services.clicks_fold() == 3
    row = LinkClickDaily.objects.get(anchor=anchor, day=timezone.now().date())
    assert (row.clicks, row.unique_visitors) == (3, 3)
    caches["default"].clear()
    caches["clicks"].clear()


def test_the_clicks_alias_is_the_configured_backend_in_a_place_of_its_own(settings):
    default, clicks = settings.CACHES["default"], settings.CACHES["clicks"]
    assert clicks["BACKEND"] == default["BACKEND"]
    if default["BACKEND"].endswith(("LocMemCache", "DatabaseCache")):
        assert clicks["LOCATION"] != default["LOCATION"]
        assert clicks["OPTIONS"]["MAX_ENTRIES"] == default["OPTIONS"]["MAX_ENTRIES"]
    else:  # Redis or memcached: one keyspace, where the counters' keys are their own
        assert clicks["LOCATION"] == default["LOCATION"]


@pytest.mark.parametrize(
    ("cache_url", "expected"),
    [
        (None, ("django.core.cache.backends.db.DatabaseCache", "reelfolio_cache_clicks")),
        ("dbcache://my_cache", ("django.core.cache.backends.db.DatabaseCache", "my_cache_clicks")),
        ("locmemcache://", ("django.core.cache.backends.locmem.LocMemCache", "reelfolio-clicks")),
        ("redis://127.0.0.1:6379/4", ("django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/4")),
    ],
)
def test_cache_url_still_chooses_the_backend_of_both_aliases(cache_url, expected):
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env.update(DEBUG="true", DJANGO_SETTINGS_MODULE="portfolio.settings")
    if cache_url:
        env["CACHE_URL"] = cache_url
    code = "import django, json; django.setup(); from django.conf import settings; print(json.dumps(settings.CACHES))"
    output = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    configured = json.loads(output)
    assert (configured["clicks"]["BACKEND"], configured["clicks"]["LOCATION"]) == expected
    assert configured["default"]["BACKEND"] == expected[0]
