"""Applying while the broker is away costs one short wait and loses nothing.

The broker here is the worst kind of away: it accepts connections and never answers (a stalled Redis), so
every publish waits for the broker's read timeout. The application and its outbox row commit; the beat's
sweep sends the delivery once the broker is back.
"""

import socket
import time

import pytest
from django.urls import reverse

from integrations.webhooks.models import Delivery
from integrations.webhooks.outbound import services as outbound
from portfolio.accounts.services import organization_api_key_create
from portfolio.jobs.models import Application
from portfolio.jobs.services.consent import consent_grant
from tests.jobs.apply_support import make_acme_applicant
from tests.jobs.webhooks_support import publishing_to

# The tasks are published when the transactions commit.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def stalled_broker():
    """A "Redis" that accepts connections (the kernel does, up to its backlog) and answers nothing."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        with publishing_to(f"redis://127.0.0.1:{listener.getsockname()[1]}/0"):
            yield


@pytest.fixture
def jordan(fake):
    return make_acme_applicant("jordan@example.com", "Jordan Applicant", fake, subject="acme-jordan")


def test_applying_and_what_follows_wait_one_broker_timeout_at_most(
    client, job, organization, jordan, fake, stalled_broker, settings
):
    """Before, with the broker away each press of Apply took 5-10 s, and so did every other request that
    enqueued a task: each publish waited for the broker again."""
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_REQUIRE_HTTPS = False
    outbound.endpoint_create(owner_type="organization", owner_id=organization.pk, url="http://127.0.0.1:9/hooks",
                             event_types=["application.created"])
    consent_grant(user=jordan, provider_id="acme")
    _, key = organization_api_key_create(organization=organization, actor=None, scopes=["applications:write"])
    client.force_login(jordan)
    one_wait = settings.BROKER_CONNECT_TIMEOUT + settings.BROKER_READ_TIMEOUT

    started = time.monotonic()
    response = client.post(reverse("jobs:apply", args=[job.slug]), {"provider": "acme"})
    applying = time.monotonic() - started
    application = Application.objects.get(job=job, applicant=jordan)
    # The employer's ATS moves it: a request that enqueues another task (the applicant's email).
    started = time.monotonic()
    moved = client.post(f"/api/v1/applications/{application.pk}/status/", {"status": "reviewing"},
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    moving = time.monotonic() - started

    assert response.status_code == 302
    assert moved.status_code == 200
    assert applying < one_wait + 1.0, f"applying took {applying:.2f} s"
    assert moving < 1.0, f"the next request that enqueues a task took {moving:.2f} s"
    delivery = Delivery.objects.get(event_type="application.created")
    assert delivery.ordering_key == f"application:{application.pk}"
    assert delivery.status == "pending"  # the sweep sends it
    application.refresh_from_db()
    assert application.status == "reviewing"
