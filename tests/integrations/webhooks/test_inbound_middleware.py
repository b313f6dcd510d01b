"""Inbound webhooks received before most of the middleware stack (WebhookReceiveMiddleware): a partner sees
the same status, body and headers as from the whole stack, the event is stored as before, and everything the
stack decides first (HTTPS, hosts, uploads, methods, other paths) is still decided by it.

Which way a request went is read from the request the test client hands back: the stack's
SessionMiddleware gives every request it sees a `session`; the middleware answers before it."""

import io

import pytest
from django.test import Client

from integrations.webhooks.models import InboundEvent
from tests.early_answers import answered_early, seen, whole_stack_client
from tests.integrations.webhooks.inbound_helpers import make_partner, post, signed_headers, standard_body, url_for

pytestmark = pytest.mark.django_db

RECEIVE_MIDDLEWARE = "integrations.webhooks.inbound.middleware.WebhookReceiveMiddleware"


@pytest.fixture
def partner():
    return make_partner()


def answers(client, partner, *, secure: bool, number: int) -> list:
    """An event stored, the same event again, a bad signature, an unknown partner, a body that is no JSON
    object, a body over the limit and a bad Content-Length, as the client answers them."""
    body = standard_body("video.removed", {"video_id": f"v-{number}"})
    headers = signed_headers(body, event_id=f"msg_way_{number}")
    bad_json = b"[1, 2]"
    return [
        post(client, partner, body, {**headers, "secure": secure}),
        post(client, partner, body, {**headers, "secure": secure}),
        post(client, partner, body, {**signed_headers(body, secret="whsec_" + "QUFB" * 11), "secure": secure}),
        post(client, "nobody", body, {**headers, "secure": secure}),
        post(client, partner, bad_json, {**signed_headers(bad_json), "secure": secure}),
        post(client, partner, b"{" + b" " * (256 * 1024) + b"}", {**headers, "secure": secure}),
        post(client, partner, body, {**headers, "CONTENT_LENGTH": "ten", "secure": secure}),
    ]


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_every_answer_is_the_whole_stacks_header_for_header_and_the_event_is_stored_alike(
    client, partner, settings, secure
):
    early = answers(client, partner, secure=secure, number=1)
    assert all(answered_early(response) for response in early)
    assert [response.status_code for response in early] == [200, 200, 401, 404, 400, 413, 400]
    assert [early[0].json(), early[1].json()] == [
        {"received": True, "duplicate": False}, {"received": True, "duplicate": True}
    ]
    assert all(response["X-Request-ID"] for response in early)

    stack = whole_stack_client(settings, RECEIVE_MIDDLEWARE)
    whole = answers(stack, partner, secure=secure, number=2)
    assert not any(answered_early(response) for response in whole)
    assert [seen(response) for response in early] == [seen(response) for response in whole]
    events = InboundEvent.objects.order_by("pk")
    assert [(event.event_id, event.status, event.partner_id) for event in events] == [
        ("msg_way_1", InboundEvent.Status.PENDING, partner.pk), ("msg_way_2", InboundEvent.Status.PENDING, partner.pk)
    ]
    # The headers the stack adds to every answer, here on the middleware's.
    headers = early[0]
    assert "default-src 'self'" in headers["Content-Security-Policy"].split("; ")
    assert headers["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert (headers["X-Frame-Options"], headers["X-Content-Type-Options"]) == ("DENY", "nosniff")
    assert headers["Referrer-Policy"] == "same-origin"
    assert ("Strict-Transport-Security" in headers) is (secure and settings.SECURE_HSTS_SECONDS > 0)
    assert headers["Content-Length"] == str(len(headers.content))


def test_what_the_stack_answers_first_is_still_answered_by_it(client, partner, settings):
    body = standard_body("video.removed", {"video_id": "v-1"})
    headers = signed_headers(body)

    upload = client.post(url_for(partner), {"event": io.BytesIO(body)}, **headers)  # a file part
    assert (upload.status_code, upload["Content-Type"]) == (415, "text/plain; charset=utf-8")  # RefuseUploads
    other_host = post(client, partner, body, {**headers, "HTTP_HOST": "evil.example"})
    assert (other_host.status_code, answered_early(other_host)) == (400, False)
    read = client.get(url_for(partner))
    assert (read.status_code, answered_early(read)) == (405, False)
    assert read["Allow"] == "POST"
    not_a_slug = client.generic("POST", "/integrations/webhooks/acme.video/", body, content_type="application/json")
    assert (not_a_slug.status_code, answered_early(not_a_slug)) == (404, False)
    deeper = client.generic("POST", url_for(partner) + "more/", body, content_type="application/json")
    assert (deeper.status_code, answered_early(deeper)) == (404, False)
    assert InboundEvent.objects.count() == 0

    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # the middleware reads the settings when the stack is built
    redirected = post(client, partner, body, headers)
    assert redirected.status_code == 301  # SecurityMiddleware's
    assert redirected["Location"] == f"https://testserver{url_for(partner)}"
    over_https = post(client, partner, body, {**headers, "secure": True})
    assert (over_https.status_code, answered_early(over_https)) == (200, True)
    assert InboundEvent.objects.count() == 1


def test_without_a_header_middleware_the_early_answer_leaves_its_header_out_too(client, partner, settings):
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != "csp.middleware.CSPMiddleware"]
    client = Client()
    body = standard_body("video.removed", {"video_id": "v-1"})
    response = post(client, partner, body, signed_headers(body))
    assert (response.status_code, answered_early(response)) == (200, True)
    assert "Content-Security-Policy" not in response
    assert response["X-Frame-Options"] == "DENY"
