"""The inbound webhook receiver: POST /integrations/webhooks/<partner>/.

It checks the signature against the raw body with the partner's scheme (schemes.py), stores the event (one
INSERT, committed before the answer) and answers 200 at once; processing happens in a Celery task, the
drain, that the stored event wakes (services.py). A partner's keys are kept in this process from
one request to the next: the INSERT is made only while the partner row still matches them, and anything
else (a refusal, a duplicate, a partner that changed) is decided again with the row read afresh. Every
refusal is a short JSON message, stores nothing and logs neither the secret nor the signature:

    404 unknown or disabled partner      413 body over 256 KB (refused before it is read whole)
    401 bad, missing or malformed signature
    400 timestamp more than 5 minutes off, body that is not a JSON object, event without a type, JSON nested
        more than 64 deep (measured before parsing), a NUL character or a lone surrogate in any string
"""

import logging

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from common import bad_input
from common.errors import ApplicationError
from integrations.partners.selectors import WebhookKeys, partner_webhook_keys_cached, partner_webhook_keys_read
from integrations.webhooks.inbound import schemes
from integrations.webhooks.inbound import services as inbound_services
from integrations.webhooks.inbound.schemes import Refused

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024
# A body that does not parse is named in a few words (the parser's own message would quote the body).
_JSON_REFUSALS = {"parse_error": "The body is not valid JSON."}


def _read_body(request) -> bytes:
    """The raw body, never more than MAX_BODY_BYTES + 1 bytes of it: a declared length over the limit is
    refused unread, and a chunked body without a length is read up to one byte past the limit."""
    declared = request.META.get("CONTENT_LENGTH")
    if declared:
        try:
            length = int(declared)
        except ValueError:
            raise Refused(400, "The Content-Length header is not a number.") from None
        if length > MAX_BODY_BYTES:
            raise Refused(413, "The body is over 256 KB.")
        return request.read(length)
    if "chunked" not in request.META.get("HTTP_TRANSFER_ENCODING", "").lower():
        return b""
    stream, chunks, size = request.META["wsgi.input"], [], 0
    while size <= MAX_BODY_BYTES:
        chunk = stream.read(MAX_BODY_BYTES + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > MAX_BODY_BYTES:
        raise Refused(413, "The body is over 256 KB.")
    return b"".join(chunks)


def _refusal(partner_slug: str, refused: Refused) -> JsonResponse:
    logger.warning(
        "webhooks.refused", extra={"partner": partner_slug[:50], "status": refused.status, "reason": refused.message}
    )
    return JsonResponse({"error": refused.message}, status=refused.status)


def _record(request, keys: WebhookKeys, body: bytes, *, guarded: bool) -> inbound_services.Recorded | None:
    """Verifies the body with the keys and stores the event; raises Refused. None: guarded, and nothing
    was stored (the same event again, or a partner that changed)."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "The body is not UTF-8 JSON.") from None
    now = timezone.now()
    verified = schemes.verify(
        scheme=keys.signature_scheme, secrets=keys.secrets(now=now), body=body, headers=request.headers, now=now
    )
    try:
        payload = bad_input.json_loads(body)
    except bad_input.BadInput as error:
        raise Refused(400, _JSON_REFUSALS.get(error.code, error.message)) from None
    if not isinstance(payload, dict):
        raise Refused(400, "The body is not a JSON object.")
    try:
        return inbound_services.inbound_event_record(
            keys=keys, verified=verified, body=body, payload=payload, guarded=guarded
        )
    except ApplicationError as error:
        raise Refused(400, error.message) from None


@csrf_exempt
@require_POST
def receive(request, partner_slug: str):
    body: bytes | None = None
    unread: Refused | None = None
    recorded = None
    keys = partner_webhook_keys_cached(slug=partner_slug)
    if keys is not None:  # the usual case: one INSERT, guarded by the partner row
        try:
            body = _read_body(request)
            recorded = _record(request, keys, body, guarded=True)
        except Refused as refused:
            if body is None:
                unread = refused
    try:
        if recorded is None:  # first request, refusal, duplicate or changed partner: with the row read now
            keys = partner_webhook_keys_read(slug=partner_slug)
            if keys is None:
                raise Refused(404, "No active partner has this webhook URL.")
            if unread is not None:
                raise unread
            if body is None:
                body = _read_body(request)
            recorded = _record(request, keys, body, guarded=False)
            if recorded is None:  # pragma: no cover - unguarded, the row is stored or found
                raise Refused(503, "The event could not be stored; send it again.")
    except Refused as refused:
        return _refusal(partner_slug, refused)
    assert keys is not None  # noqa: S101  (for the type checker: a stored event had its partner's keys)
    logger.info(
        "webhooks.received",
        extra={
            "partner": keys.slug, "event_type": recorded.event_type, "event_pk": recorded.pk,
            "duplicate": not recorded.created,
        },
    )
    return JsonResponse({"received": True, "duplicate": not recorded.created})
