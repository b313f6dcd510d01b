import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def clean_cache():
    """API-key records and throttle counters live in the cache: each test starts and ends with it empty."""
    cache.clear()
    yield
    cache.clear()
