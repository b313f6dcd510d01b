"""The receiver: signatures checked against the raw body, every refusal with its status and nothing stored,
one row per event however often it arrives."""

import hashlib
import io
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from integrations.partners import services as partner_services
from integrations.partners.models import Partner
from integrations.webhooks.inbound import schemes
from integrations.webhooks.models import InboundEvent
from tests.integrations.webhooks.inbound_helpers import (
    SECRET,
    make_partner,
    post,
    send,
    signed_headers,
    standard_body,
    tiktok_body,
    url_for,
)

TIKTOK = Partner.SignatureScheme.TIMESTAMP_HEX

# The verification vector of the Standard Webhooks reference libraries (libraries/python/tests).
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

# A `t=,s=` vector computed with openssl: HMAC-SHA256 of "<t>.<body>" keyed with the secret's text.
TIKTOK_SECRET = "whsec_dGlrdG9rLXN0eWxlLXZlY3Rvci1zZWNyZXQtMzJieXRlcw=="
TIKTOK_T = 1767225600
TIKTOK_BODY = (
    b'{"client_key":"sbx-client","event":"post.publish.no_longer_publicaly_available","create_time":1767225600,'
    b'"user_openid":"sbx-v-1","content":"{\\"publish_id\\":\\"p-1\\",\\"post_id\\":\\"v-1001\\"}"}'
)
TIKTOK_SIGNATURE = "4fe8ea11d73a3946d9e2a4a835fe39961387dee2701de7431fd5384c033a49b3"

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return make_partner()


def test_the_standard_webhooks_vector_signs_as_the_specification_says():
    """Our signer (the sandbox's) produces the reference libraries' signature for their vector."""
    headers = schemes.sign_headers(
        scheme=Partner.SignatureScheme.STANDARD_WEBHOOKS, secret=VECTOR_SECRET, body=VECTOR_BODY,
        event_id=VECTOR_ID, at=datetime.fromtimestamp(VECTOR_TIMESTAMP, tz=UTC),
    )
    assert headers["webhook-signature"] == VECTOR_SIGNATURE
    assert headers["webhook-timestamp"] == str(VECTOR_TIMESTAMP)


def test_the_standard_webhooks_vector_is_refused_as_stale_and_its_secret_verifies_a_fresh_signature(client):
    """The vector as published is from 2021: refused for its timestamp (400), not its signature. The same
    secret, id and body signed now are accepted and stored under the vector's id."""
    partner = make_partner(slug="vector-partner", secret=VECTOR_SECRET)
    stale = {"HTTP_WEBHOOK_ID": VECTOR_ID, "HTTP_WEBHOOK_TIMESTAMP": str(VECTOR_TIMESTAMP),
             "HTTP_WEBHOOK_SIGNATURE": VECTOR_SIGNATURE}
    response = post(client, partner, VECTOR_BODY, stale)
    assert response.status_code == 400
    assert "more than 5 minutes old" in response.json()["error"]

    # The body has no "type": give it one, keeping the vector's secret and id.
    body = b'{"type": "vector.test", "test": 2432232314}'
    response = post(client, partner, body, signed_headers(body, secret=VECTOR_SECRET, event_id=VECTOR_ID))
    assert response.status_code == 200, response.content
    assert InboundEvent.objects.get().event_id == VECTOR_ID


def test_the_t_s_vector_verifies_and_its_event_id_is_the_body_digest(client):
    """The `t=,s=` scheme matches our own vector, and an event without an id is stored under the SHA-256 of
    its raw body."""
    verified = schemes.verify(
        scheme=TIKTOK, secrets=[("current", TIKTOK_SECRET)], body=TIKTOK_BODY,
        headers={"TikTok-Signature": f"t={TIKTOK_T},s={TIKTOK_SIGNATURE}"},
        now=datetime.fromtimestamp(TIKTOK_T + 10, tz=UTC),
    )
    assert verified.event_id == hashlib.sha256(TIKTOK_BODY).hexdigest()

    partner = make_partner(slug="tiktok-style", scheme=TIKTOK, secret=TIKTOK_SECRET)
    body = tiktok_body("authorization.removed", user_openid="sbx-v-1", content={"reason": 1},
                       create_time=int(timezone.now().timestamp()))
    response = post(client, partner, body, signed_headers(body, scheme=TIKTOK, secret=TIKTOK_SECRET))
    assert response.status_code == 200, response.content
    event = InboundEvent.objects.get()
    assert (event.event_id, event.event_type) == (hashlib.sha256(body).hexdigest(), "authorization.removed")


def test_a_valid_event_is_stored_with_its_raw_body_and_audit_headers_and_answered_at_once(client, partner):
    """The body is kept byte for byte; the audit headers never include the signature."""
    body = b'{"type":"profile.updated",  "timestamp":"2026-03-01T10:00:00Z","data":{"provider":"sandbox-video"}}'
    headers = signed_headers(body, event_id="msg_audit_1")
    response = post(client, partner, body, headers)
    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    event = InboundEvent.objects.get()
    assert event.body.encode() == body
    assert event.status == InboundEvent.Status.PENDING
    assert event.occurred_at == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert event.headers["webhook-id"] == "msg_audit_1"
    assert event.headers["verified-with"] == "current secret"
    assert headers["HTTP_WEBHOOK_SIGNATURE"] not in json.dumps(event.headers)


def test_the_same_event_again_is_acknowledged_and_not_stored_twice(client, partner):
    first = send(client, partner, "video.removed", {"video_id": "v-1"}, event_id="msg_dup")
    again = send(client, partner, "video.removed", {"video_id": "v-1"}, event_id="msg_dup")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"received": True, "duplicate": True}
    assert InboundEvent.objects.count() == 1


def _chunked(body: bytes, reads: list):
    """A wsgi.input that records how much the receiver read from it."""
    stream = io.BytesIO(body)

    class Counting:
        def read(self, size=-1):
            chunk = stream.read(size)
            reads.append(len(chunk))
            return chunk

        def readline(self, size=-1):
            line = stream.readline(size)
            reads.append(len(line))
            return line

    return Counting()


def _refusal_cases():
    now = timezone.now()
    body = standard_body("video.removed", {"video_id": "v-1"})
    good = signed_headers(body)
    return {
        "bad signature": (body, {**good, "HTTP_WEBHOOK_SIGNATURE": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
                          401, "does not match"),
        "signed with another secret": (
            body, signed_headers(body, secret="whsec_" + "QUFB" * 11), 401, "does not match"
        ),
        "body changed after signing": (body + b" ", good, 401, "does not match"),
        "missing signature": (body, {k: v for k, v in good.items() if k != "HTTP_WEBHOOK_SIGNATURE"}, 401, "missing"),
        "signature without its version": (body, {**good, "HTTP_WEBHOOK_SIGNATURE": "g0hM9SsE"}, 401, "malformed"),
        "signature in bad base64": (body, {**good, "HTTP_WEBHOOK_SIGNATURE": "v1,@@not-base64@@"}, 401, "malformed"),
        "timestamp not a number": (
            body, {**good, "HTTP_WEBHOOK_TIMESTAMP": "1e9"}, 401, "timestamp is missing or malformed"
        ),
        "stale timestamp": (body, signed_headers(body, at=now - timedelta(minutes=5, seconds=30)), 400, "old"),
        "future timestamp": (body, signed_headers(body, at=now + timedelta(minutes=5, seconds=30)), 400, "ahead"),
        "malformed JSON": (b'{"type": "video.removed",', signed_headers(b'{"type": "video.removed",'), 400,
                           "not valid JSON"),
        "JSON that is not an object": (b"[1, 2]", signed_headers(b"[1, 2]"), 400, "not a JSON object"),
        "event without a type": (b'{"data": {}}', signed_headers(b'{"data": {}}'), 400, "no type"),
        "body not UTF-8": (b'{"type": "\xff"}', signed_headers(b'{"type": "x"}'), 400, "not UTF-8"),
        # Before, a signed body nested 5,000 deep made the parser run out of stack (RecursionError, a 500), and a
        # NUL or a lone surrogate in a string reached the database.
        "JSON nested 5,000 deep": (DEEP, signed_headers(DEEP), 400, "nested more than 64 levels deep"),
        "a NUL in a string": (NUL, signed_headers(NUL), 400, "type contains a NUL character"),
        "a lone surrogate in a string": (SURROGATE, signed_headers(SURROGATE), 400, "data.title contains a lone"),
    }


DEEP = b'{"type": "video.removed", "data": ' + b"[" * 5_000 + b"]" * 5_000 + b"}"
NUL = b'{"type": "video.removed\\u0000", "data": {}}'
SURROGATE = b'{"type": "video.published", "data": {"title": "\\ud800"}}'


@pytest.mark.parametrize("case", list(_refusal_cases()))
def test_refused_requests_get_their_status_and_a_short_message_and_store_nothing(client, partner, case):
    body, headers, status, message = _refusal_cases()[case]
    response = post(client, partner, body, headers)
    assert response.status_code == status
    assert message in response.json()["error"]
    assert InboundEvent.objects.count() == 0


def test_a_tiktok_style_signature_that_is_bad_or_malformed_is_refused(client):
    partner = make_partner(slug="tiktok-style", scheme=TIKTOK)
    body = tiktok_body("authorization.removed", user_openid="u", content={}, create_time=1)
    for header, message in [
        ("t=1,s=abc", "malformed"),
        (f"t={int(timezone.now().timestamp())},s={'0' * 64}", "does not match"),
        ("", "missing"),
    ]:
        response = post(client, partner, body, {"HTTP_TIKTOK_SIGNATURE": header} if header else {})
        assert response.status_code == 401
        assert message in response.json()["error"]
    assert InboundEvent.objects.count() == 0


def test_an_unknown_or_disabled_partner_is_404_and_nothing_is_stored(client, partner):
    body = standard_body("video.removed", {"video_id": "v-1"})
    response = post(client, "nobody", body, signed_headers(body))
    assert response.status_code == 404
    assert response.json() == {"error": "No active partner has this webhook URL."}
    partner_services.partner_update(partner=partner, name=partner.name, signature_scheme=partner.signature_scheme,
                                    is_active=False)
    assert post(client, partner, body, signed_headers(body)).status_code == 404
    assert InboundEvent.objects.count() == 0


def test_a_body_over_256_kb_is_refused_413_before_it_is_read(client, partner):
    """A declared length over the limit is refused without reading a byte; a chunked body without a
    length is read no further than one byte past the limit."""
    huge = b'{"type": "x", "pad": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    reads: list[int] = []
    response = client.generic("POST", url_for(partner), b"", content_type="application/json",
                              CONTENT_LENGTH=str(len(huge)), **{"wsgi.input": _chunked(huge, reads)})
    assert response.status_code == 413
    assert response.json() == {"error": "The body is over 256 KB."}
    assert sum(reads) == 0

    reads.clear()
    response = client.generic("POST", url_for(partner), b"", content_type="application/json", CONTENT_LENGTH="",
                              HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": _chunked(huge, reads)})
    assert response.status_code == 413
    assert sum(reads) == 256 * 1024 + 1
    assert InboundEvent.objects.count() == 0


def test_a_chunked_body_under_the_limit_is_received(client, partner):
    body = standard_body("video.removed", {"video_id": "v-1"})
    response = client.generic("POST", url_for(partner), b"", content_type="application/json", CONTENT_LENGTH="",
                              HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": _chunked(body, [])},
                              **signed_headers(body))
    assert response.status_code == 200, response.content


def test_only_post_is_answered(client, partner):
    assert client.get(url_for(partner)).status_code == 405


def test_refusals_and_receipts_log_neither_the_secret_nor_the_signature(client, partner, caplog):
    caplog.set_level(logging.DEBUG)
    body = standard_body("video.removed", {"video_id": "v-1"})
    good = signed_headers(body)
    post(client, partner, body, good)
    post(client, partner, body + b" ", good)
    post(client, partner, body, {**good, "HTTP_WEBHOOK_SIGNATURE": "v1,@@"})
    logged = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    assert "webhooks.refused" in logged and "webhooks.received" in logged
    assert SECRET not in logged and SECRET.removeprefix("whsec_") not in logged
    assert good["HTTP_WEBHOOK_SIGNATURE"].split(",", 1)[1] not in logged


def test_after_a_rotation_both_secrets_verify_for_24_hours_then_only_the_new_one(client, partner):
    rotated = partner_services.partner_webhook_secret_rotate(partner=partner)
    assert rotated.webhook_secret != SECRET
    assert rotated.previous_valid_until - timezone.now() > timedelta(hours=23, minutes=59)
    for n, secret in enumerate([SECRET, rotated.webhook_secret]):
        body = standard_body("video.removed", {"video_id": f"v-{n}"})
        assert post(client, partner, body, signed_headers(body, secret=secret)).status_code == 200
    assert sorted(InboundEvent.objects.values_list("headers__verified-with", flat=True)) == [
        "current secret", "previous secret"
    ]

    # A day later (the overlap ends): the previous secret no longer verifies.
    Partner.objects.filter(pk=partner.pk).update(previous_webhook_secret_expires_at=timezone.now())
    body = standard_body("video.removed", {"video_id": "v-late"})
    response = post(client, partner, body, signed_headers(body, secret=SECRET))
    assert response.status_code == 401
    assert post(client, partner, body, signed_headers(body, secret=rotated.webhook_secret)).status_code == 200


def test_a_standard_webhooks_signature_list_verifies_when_any_one_matches(client, partner):
    body = standard_body("video.removed", {"video_id": "v-1"})
    headers = signed_headers(body)
    other = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
    headers["HTTP_WEBHOOK_SIGNATURE"] = f"{other} {headers['HTTP_WEBHOOK_SIGNATURE']}"
    assert post(client, partner, body, headers).status_code == 200


def test_a_known_partners_event_is_stored_with_one_statement_and_a_duplicate_answered_as_before(
    client, partner, django_assert_num_queries
):
    """Once the receiver has read a partner, its next event costs one INSERT (no partner query, no
    transaction of its own); a copy of it is still answered 200 "duplicate" and stored once."""
    assert send(client, partner, "video.removed", {"video_id": "v-0"}).status_code == 200
    body = standard_body("video.removed", {"video_id": "v-1"})
    headers = signed_headers(body, event_id="msg_warm")
    with django_assert_num_queries(1):
        first = post(client, partner, body, headers)
    again = post(client, partner, body, headers)
    assert first.json() == {"received": True, "duplicate": False}
    assert (again.status_code, again.json()) == (200, {"received": True, "duplicate": True})
    assert InboundEvent.objects.filter(event_id="msg_warm").count() == 1


def test_a_partner_changed_after_the_receiver_read_it_is_judged_by_its_row_as_it_is_now(client, partner):
    """Another process disables the partner, rotates its secret or changes its scheme: the next request
    here is decided on the row as it is now, not on the keys this process kept."""
    assert send(client, partner, "video.removed", {"video_id": "v-0"}).status_code == 200
    Partner.objects.filter(pk=partner.pk).update(is_active=False)
    body = standard_body("video.removed", {"video_id": "v-1"})
    response = post(client, partner, body, signed_headers(body))
    assert (response.status_code, response.json()) == (404, {"error": "No active partner has this webhook URL."})
    Partner.objects.filter(pk=partner.pk).update(is_active=True)

    rotated = partner_services.partner_webhook_secret_rotate(partner=Partner.objects.get(pk=partner.pk))
    assert post(client, partner, body, signed_headers(body, secret=rotated.webhook_secret)).status_code == 200
    assert InboundEvent.objects.order_by("-pk").first().headers["verified-with"] == "current secret"

    Partner.objects.filter(pk=partner.pk).update(signature_scheme=TIKTOK)
    body = standard_body("video.removed", {"video_id": "v-2"})
    response = post(client, partner, body, signed_headers(body, secret=rotated.webhook_secret))
    assert (response.status_code, response.json()) == (401, {"error": "The TikTok-Signature header is missing."})
    assert InboundEvent.objects.count() == 2
