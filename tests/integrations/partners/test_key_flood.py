"""Made-up API keys cannot flood the cache, and their lookups are limited per client address."""

import secrets

import pytest
from django.core.cache import cache, caches

from integrations.partners import selectors, services

pytestmark = pytest.mark.django_db

ANCHORS = "/api/v1/anchors/?platform=p&video_id=v"


def made_up_key() -> str:
    return f"rfk_{secrets.token_hex(6)}_{secrets.token_urlsafe(32)}"


def call(client, key, ip="203.0.113.7"):
    return client.get(ANCHORS, HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR=ip)


def test_a_made_up_key_leaves_nothing_in_the_cache(client, django_assert_num_queries):
    """Regression: every unknown prefix was cached as "not found", so a stream of made-up keys grew the cache
    by one entry per key."""
    key = made_up_key()
    with django_assert_num_queries(1):
        response = call(client, key)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid API key."
    assert cache.get(selectors.api_key_cache_key(key[4:16])) is None


def test_a_flood_of_made_up_keys_does_not_push_a_working_key_out_of_the_cache(
    client, settings, django_assert_num_queries
):
    """Regression: on the local-memory and database caches, the flood filled the cache to MAX_ENTRIES and the
    cull that followed dropped the records of working keys (and anything else)."""
    locmem = "django.core.cache.backends.locmem.LocMemCache"
    settings.CACHES = {
        "default": {"BACKEND": locmem, "LOCATION": "keyflood", "OPTIONS": {"MAX_ENTRIES": 30, "CULL_FREQUENCY": 2}},
        "clicks": {"BACKEND": locmem, "LOCATION": "keyflood-clicks"},
    }
    settings.PARTNER_API_FAILED_AUTH_RATE = "1000/day"
    try:
        key = services.partner_create(name="Acme Video").key
        assert call(client, key).status_code == 200  # its record is cached now
        for _ in range(100):
            assert call(client, made_up_key()).status_code == 401
        with django_assert_num_queries(0):  # still the warm path: its record was not culled
            assert call(client, key).status_code == 200
    finally:
        caches["default"].clear()


def test_failed_key_checks_are_limited_per_address_and_then_cost_no_query(client, settings, django_assert_num_queries):
    settings.PARTNER_API_FAILED_AUTH_RATE = "5/day"
    key = services.partner_create(name="Acme Video").key
    assert call(client, key).status_code == 200  # a working key, cached before the flood

    for _ in range(5):
        with django_assert_num_queries(1):
            assert call(client, made_up_key()).status_code == 401

    with django_assert_num_queries(0):
        refused = call(client, made_up_key())
    assert refused.status_code == 429
    retry_after = int(refused["Retry-After"])
    assert 1 <= retry_after <= 86400
    assert refused.json()["error"]["message"] == (
        f"Too many invalid API keys from this address. Expected available in {retry_after} seconds."
    )
    assert refused["Cache-Control"] == "no-store"

    # The working key, already cached, is not held up; another address has its own allowance.
    with django_assert_num_queries(0):
        assert call(client, key).status_code == 200
    assert call(client, made_up_key(), ip="198.51.100.9").status_code == 401


def test_ipv6_addresses_of_one_64_block_share_an_allowance(client, settings):
    settings.PARTNER_API_FAILED_AUTH_RATE = "2/day"
    assert call(client, made_up_key(), ip="2001:db8:1:2::1").status_code == 401
    assert call(client, made_up_key(), ip="2001:db8:1:2:ffff::7").status_code == 401
    assert call(client, made_up_key(), ip="2001:db8:1:2::abcd").status_code == 429
    assert call(client, made_up_key(), ip="2001:db8:1:3::1").status_code == 401


def test_behind_a_proxy_the_forwarded_address_is_limited(client, settings):
    settings.NUM_PROXIES = 1
    settings.PARTNER_API_FAILED_AUTH_RATE = "1/day"

    def via_proxy(visitor):
        return client.get(
            ANCHORS, HTTP_AUTHORIZATION=f"Bearer {made_up_key()}", REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"6.6.6.6, {visitor}",
        )

    assert via_proxy("198.51.100.1").status_code == 401
    assert via_proxy("198.51.100.1").status_code == 429
    assert via_proxy("198.51.100.2").status_code == 401
