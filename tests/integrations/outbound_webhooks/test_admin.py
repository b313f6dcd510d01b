"""Operators read the delivery log in the admin and redeliver chosen events; secrets never appear there."""

import pytest

from integrations.webhooks.models import Delivery
from integrations.webhooks.outbound import services as outbound
from portfolio.accounts.models import User
from tests.integrations.outbound_webhooks.conftest import OWNER
from tests.integrations.outbound_webhooks.receiver import Answer

pytestmark = pytest.mark.django_db


def test_the_admin_lists_deliveries_with_attempts_and_redelivers(client, endpoint_and_secret, receiver):
    endpoint, secret = endpoint_and_secret
    receiver.answers = [Answer(status=400, headers={"webhook-delivery": "abort-message"}, body=b"bad payload")]
    outbound.event_emit(**OWNER, type="job.closed", data={"job": {"id": 3}})
    delivery = Delivery.objects.get()
    outbound.delivery_attempt(delivery_id=delivery.pk)
    admin = User.objects.create_superuser("ops@reelfolio.example", "a-long-password-1", name="Ops")
    client.force_login(admin)

    listed = client.get("/admin/webhooks/delivery/?status=failed")
    assert listed.status_code == 200 and "job.closed" in listed.content.decode()
    page = client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/").content.decode()
    assert "bad payload" in page and "Answered 400." in page
    assert secret not in client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/").content.decode()

    client.post("/admin/webhooks/delivery/", {"action": "redeliver", "_selected_action": [delivery.pk]})

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING
    assert outbound.delivery_attempt(delivery_id=delivery.pk) == "delivered"
