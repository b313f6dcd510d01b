"""An organization registers an ATS webhook endpoint in a real browser, copies its secret, sends a test event
and reads the delivery log; a refused address gets its reason on the form.

Screenshots at phone (390 px) and desktop (1280 px) widths go to test-results/.
"""

import contextlib
import uuid

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from integrations.webhooks.models import Delivery, Endpoint
from integrations.webhooks.outbound import services as outbound
from tests import screenshots
from tests.conftest import wait_until
from tests.integrations.outbound_webhooks.receiver import Answer
from tests.jobs.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


shoot = screenshots.shooter("webhooks", leave_at="phone")


@pytest.fixture
def own_queue(settings):
    """Deliveries go onto a queue no worker reads: the test sends them as the worker would, then empties it."""
    from portfolio.celery import app

    settings.WEBHOOK_CELERY_QUEUE = f"webhooks-test-browser-{uuid.uuid4().hex[:8]}"
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_REQUIRE_HTTPS = False
    yield
    with app.connection_for_write() as connection, contextlib.suppress(Exception):
        connection.default_channel.queue_purge(settings.WEBHOOK_CELERY_QUEUE)


def test_register_an_endpoint_send_a_test_event_and_read_the_log(page, organization, employer, receiver, own_queue,
                                                                 settings):
    page.set_viewport_size({"width": screenshots.WIDTHS["phone"], "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(employer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Organizations").wait_for()
    page.goto(f"/accounts/organizations/{organization.slug}/")
    expect(page.get_by_role("heading", name="Webhooks to your ATS")).to_be_visible()
    expect(page.get_by_text("No endpoints yet.")).to_be_visible()

    page.get_by_role("button", name="Add an endpoint").click()
    settings.WEBHOOK_ALLOWED_NETWORKS = []
    page.get_by_label("Endpoint URL").fill("http://127.1:8080/hooks")
    page.get_by_role("button", name="Add endpoint").click()
    expect(page.get_by_text("127.1 resolves to 127.0.0.1, a loopback address.")).to_be_visible()
    shoot(page, "refused")
    assert not Endpoint.objects.exists()

    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    page.get_by_label("Endpoint URL").fill(receiver.url)
    page.get_by_label("Description").fill("Greenhouse (production)")
    page.get_by_label("A job was closed").uncheck()
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.get_by_label("Signing secret").input_value()
    assert secret.startswith("whsec_")
    endpoint = Endpoint.objects.get()
    assert "job.closed" not in endpoint.event_types

    receiver.answers = [Answer(status=503, body=b'{"error": "maintenance"}')]
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_text("A test event is on its way")).to_be_visible()
    delivery = Delivery.objects.get()
    outbound.delivery_attempt(delivery_id=delivery.pk)  # the worker's first attempt: 503
    wait_until(lambda: outbound.delivery_attempt(delivery_id=delivery.pk) == "delivered", message="the retry")
    assert Webhook(secret).verify(receiver.requests[-1].body, receiver.requests[-1].headers)["type"] == "webhook.test"

    page.reload()
    expect(page.get_by_label("Signing secret")).to_have_count(0)  # shown once
    log = page.locator("#deliveries")
    log.get_by_text("webhook.test", exact=True).click()
    expect(log.get_by_role("cell", name="503", exact=True)).to_be_visible()
    expect(log.get_by_text('{"error": "maintenance"}')).to_be_visible()
    expect(log.get_by_role("cell", name="200", exact=True)).to_be_visible()
    shoot(page, "endpoint-log")

    page.goto(f"/accounts/organizations/{organization.slug}/")
    expect(page.get_by_role("link", name=receiver.url)).to_be_visible()
    page.locator("#webhooks").scroll_into_view_if_needed()
    shoot(page, "organization-section")
