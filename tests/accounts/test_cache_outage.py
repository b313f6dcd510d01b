"""Redis down or stalled: signing in, its limit on wrong passwords and the limit on password-reset requests
keep working (django-axes counts in the database; the reset limit counts per process meanwhile).

Every test here runs its own redis-server (tests/redis_server.py) and stops or stalls it (SIGSTOP).
"""

import time

import pytest
from django.core import mail
from django.urls import reverse

from portfolio.accounts.models import User

pytestmark = pytest.mark.django_db

PASSWORD = "orchid-lantern-42"
LOCKED = "Logging in is paused for 15 minutes after too many wrong passwords"
TOO_MANY_RESETS = "Too many password reset requests for this email or from your network."


@pytest.fixture
def ada():
    return User.objects.create_user(email="ada@example.com", password=PASSWORD, name="Ada Lovelace")


def log_in(client, email, password, address="198.51.100.1"):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def reset(client, email, address="198.51.100.1"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_signing_in_and_its_lockout_work_while_redis_is_down(client, ada, private_redis):
    private_redis.stop()
    for _ in range(4):
        refused = log_in(client, "ada@example.com", "wrong-1")
        assert "That email and password do not match an account." in refused.content.decode()
    locked = log_in(client, "ada@example.com", "wrong-1")
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()

    other = User.objects.create_user(email="grace@example.com", password=PASSWORD, name="Grace Hopper")
    assert log_in(client, "grace@example.com", PASSWORD, address="198.51.100.2").status_code == 302
    assert client.get(reverse("home")).context["user"] == other


def test_password_reset_requests_are_limited_while_redis_is_down(client, ada, private_redis, settings):
    """While the cache is away the reset limit counts in this process: requests are answered, never a 500,
    and a flood from one address is still refused."""
    settings.PASSWORD_RESET_RATE = "2/hour"
    private_redis.stop()
    for _ in range(2):
        assert reset(client, "ada@example.com").status_code == 302
    refused = reset(client, "ada@example.com")
    assert refused.status_code == 429
    assert TOO_MANY_RESETS in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    assert len(mail.outbox) == 2


def test_a_password_reset_waits_on_a_stalled_redis_once_at_most(client, ada, private_redis):
    private_redis.stall()
    for _ in range(2):  # the first meets the stalled server; the breaker spares the second the wait
        started = time.monotonic()
        assert reset(client, "ada@example.com").status_code == 302
        assert time.monotonic() - started < 2.0
    assert len(mail.outbox) == 2
