"""Creators who sign up at the same moment with the same name each get their own free handle."""

import threading

import pytest
from django.db import connection

from portfolio.creators.models import CreatorProfile
from tests.creators.conftest import make_creator

THREADS = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_creators_with_the_same_name_signing_up_at_once_all_get_a_handle():
    """Regression: both sign-ups picked the same free handle and the second one failed on the unique handle."""
    start = threading.Barrier(THREADS)
    errors: list[str] = []

    def sign_up(n: int):
        try:
            start.wait()
            make_creator(f"alex{n}@example.com", "Alex Smith")
        except Exception as exc:  # reported below, with the others
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    handles = sorted(CreatorProfile.objects.values_list("handle", flat=True))
    assert len(set(handles)) == THREADS
    assert "alex-smith" in handles
