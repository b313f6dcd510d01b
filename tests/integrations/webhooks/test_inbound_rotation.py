"""Rotating a partner's webhook secret from the admin or the command: the new secret is shown once, and
both it and the previous one verify during the overlap."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from integrations.webhooks.models import InboundEvent
from tests.integrations.webhooks.inbound_helpers import SECRET, make_partner, post, signed_headers, standard_body

pytestmark = pytest.mark.django_db


def accepted_with(client, partner, secret: str) -> bool:
    body = standard_body("video.removed", {"video_id": "v-1"})
    return post(client, partner, body, signed_headers(body, secret=secret)).status_code == 200


def test_the_admin_rotates_the_secret_after_a_confirmation_and_shows_the_new_one_once(admin_client, client):
    partner = make_partner()
    url = reverse("admin:partners_partner_rotate_secret", args=[partner.pk])
    assert "Rotate webhook secret" in admin_client.get(reverse("admin:partners_partner_change",
                                                                args=[partner.pk])).content.decode()
    confirm = admin_client.get(url)
    assert "Yes, rotate the secret" in confirm.content.decode() and "24 hours" in confirm.content.decode()
    assert accepted_with(client, partner, SECRET)  # nothing changed by looking

    shown = admin_client.post(url, {"confirm": "yes"}, follow=True)
    page = shown.content.decode()
    new_secret = re.search(r'<code id="webhook-secret">(whsec_[^<]+)</code>', page)[1]
    assert "The previous webhook secret keeps verifying until" in page
    assert admin_client.get(shown.redirect_chain[-1][0]).status_code == 410  # shown once
    assert accepted_with(client, partner, new_secret) and accepted_with(client, partner, SECRET)
    assert "Still verifies until" in admin_client.get(
        reverse("admin:partners_partner_change", args=[partner.pk])).content.decode()


def test_the_command_rotates_and_prints_the_new_secret_once():
    partner = make_partner()
    out = io.StringIO()
    call_command("rotate_partner_webhook_secret", partner.slug, stdout=out)
    new_secret = re.search(r"(whsec_\S+)", out.getvalue())[1]
    assert new_secret != SECRET
    assert "The previous secret keeps verifying until" in out.getvalue()
    with pytest.raises(CommandError, match="No partner has the name or slug 'nobody'. Nothing was changed."):
        call_command("rotate_partner_webhook_secret", "nobody")
    assert InboundEvent.objects.count() == 0


def test_the_command_takes_the_partners_name_as_create_partner_was_given_it():
    """`rotate_partner_webhook_secret "Acme Video"` used to want the slug."""
    partner = make_partner()
    out = io.StringIO()
    call_command("rotate_partner_webhook_secret", partner.name.upper(), stdout=out)
    assert f"Rotated the webhook secret of {partner.name} ({partner.slug})." in out.getvalue()
