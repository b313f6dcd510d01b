"""Redis down or stalled: one-click apply and the employer API answer as usual, their limits counting per
process meanwhile, and nothing waits on a stalled server more than once.

Every test here runs its own redis-server (tests/redis_server.py) and stops or stalls it (SIGSTOP).
"""

import time

import pytest
from django.urls import reverse

from portfolio.accounts.services import organization_api_key_create
from portfolio.jobs.models import Application
from portfolio.jobs.services.consent import consent_grant
from tests.integrations.oauth.helpers import page_text
from tests.jobs.apply_support import make_acme_applicant

pytestmark = pytest.mark.django_db

BUDGET_SECONDS = 2.0  # a stalled cache costs one read timeout (1 s) at most
TOO_MANY_PRESSES = "You pressed Apply many times in a minute. Please wait a minute, then try again."


@pytest.fixture
def jordan(fake):
    applicant = make_acme_applicant("jordan@example.com", "Jordan Applicant", fake, subject="acme-jordan")
    consent_grant(user=applicant, provider_id="acme")
    return applicant


def press_apply(client, job):
    return client.post(reverse("jobs:apply", args=[job.slug]), {"provider": "acme"}, follow=True)


def applied_on(application) -> str:
    day = application.created_at
    return f"You applied on {day:%B} {day.day}, {day:%Y}."


def test_one_click_apply_works_while_redis_is_down_and_its_press_limit_still_holds(client, job, jordan, private_redis):
    """Regression: with Redis down, pressing Apply answered an HTML 500 (the press limit called Django's
    cache without the outage breaker), although the pages are to keep working without Redis."""
    client.force_login(jordan)
    private_redis.stop()

    response = press_apply(client, job)
    assert response.status_code == 200
    application = Application.objects.get()
    assert applied_on(application) in page_text(response)

    for _ in range(9):  # ten presses a minute, counted by this process while the cache is away
        assert applied_on(application) in page_text(press_apply(client, job))
    assert TOO_MANY_PRESSES in page_text(press_apply(client, job))
    assert Application.objects.count() == 1


def test_one_click_apply_waits_on_a_stalled_redis_once_at_most(client, job, jordan, private_redis):
    client.force_login(jordan)
    private_redis.stall()
    started = time.monotonic()
    response = press_apply(client, job)
    assert time.monotonic() - started < BUDGET_SECONDS
    assert applied_on(Application.objects.get()) in page_text(response)


def test_the_employer_api_answers_while_redis_is_down_and_still_limits_made_up_keys(
    client, organization, job, private_redis, settings
):
    """The employer API reads keys from the database; the limit on failed key checks per address counts per
    process while the cache is away, and its refusal keeps the API's error shape."""
    settings.PARTNER_API_FAILED_AUTH_RATE = "2/min"
    key = organization_api_key_create(organization=organization, actor=None, scopes=["jobs:read"], name="ATS")[1]
    private_redis.stop()

    listed = client.get("/api/v1/jobs/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["results"]] == [job.pk]

    made_up = {"HTTP_AUTHORIZATION": f"Bearer rfo_{'0' * 12}_{'x' * 43}", "REMOTE_ADDR": "203.0.113.7"}
    for _ in range(2):
        assert client.get("/api/v1/jobs/", **made_up).status_code == 401
    refused = client.get("/api/v1/jobs/", **made_up)
    assert refused.status_code == 429
    assert refused.json()["error"]["message"].startswith("Too many invalid API keys from this address.")
    assert int(refused["Retry-After"]) >= 1
    assert client.get("/api/v1/jobs/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
