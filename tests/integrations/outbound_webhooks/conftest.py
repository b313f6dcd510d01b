"""A local receiver, loopback allowed for it, and an endpoint of an organization (a plain owner id)."""

import pytest

from integrations.webhooks.outbound import services as outbound
from tests.integrations.outbound_webhooks.receiver import Receiver

OWNER = {"owner_type": "organization", "owner_id": 4242}


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_REQUIRE_HTTPS = False


@pytest.fixture
def endpoint_and_secret(db, receiver, loopback_allowed):
    return outbound.endpoint_create(**OWNER, url=receiver.url, event_types=list(outbound.EVENT_TYPES))
