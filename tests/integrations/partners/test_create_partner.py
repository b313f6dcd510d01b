"""`python manage.py create_partner <name>` prints a working API key and the webhook secret once."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from integrations.partners import selectors
from integrations.partners.models import Partner

pytestmark = pytest.mark.django_db


def create_partner(*args):
    out = StringIO()
    call_command("create_partner", *args, stdout=out)
    return out.getvalue()


def test_prints_a_key_that_opens_the_anchor_api_and_the_stored_webhook_secret(client):
    output = create_partner("Acme Video")

    assert "Created partner Acme Video (acme-video)." in output
    assert "Store these now: they are not shown again." in output
    key = re.search(r"API key \(anchors:read\): (rfk_\S+)", output)[1]
    secret = re.search(r"Webhook secret \(Standard Webhooks[^)]*\)\): (whsec_\S+)", output)[1]
    assert "Webhook URL: http://127.0.0.1:8000/integrations/webhooks/acme-video/" in output

    assert selectors.partner_webhook_secret(partner=Partner.objects.get()) == secret
    response = client.get("/api/v1/anchors/?platform=p&video_id=v", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_slug_and_signature_scheme_can_be_chosen():
    output = create_partner("Clip Platform", "--slug", "clips", "--signature-scheme", "timestamp_hex")
    assert "Created partner Clip Platform (clips)." in output
    assert "Webhook secret (t=<unix>,s=<hex HMAC-SHA256> (video platforms)): whsec_" in output
    assert Partner.objects.get().signature_scheme == "timestamp_hex"


def test_a_taken_name_is_an_error_that_creates_nothing():
    create_partner("Acme Video")
    with pytest.raises(CommandError, match="The partner was not created. name: Partner with this Name already exists."):
        create_partner("Acme Video")
    assert Partner.objects.count() == 1
