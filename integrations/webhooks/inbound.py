"""The inbound webhook receiver: POST /integrations/webhooks/<partner>/.

It checks the signature against the raw body with the partner's scheme (schemes.py), stores the event and
answers 200 at once; processing happens in a Celery task. Every refusal is a short JSON message, stores
nothing and logs neither the secret nor the signature:

    404 unknown or disabled partner      413 body over 256 KB (refused before it is read whole)
    401 bad, missing or malformed signature
    400 timestamp more than 5 minutes off, body that is not a JSON object, event without a type
"""

import json
import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from common.errors import ApplicationError
from integrations.partners.selectors import partner_for_webhooks, partner_webhook_secrets
from integrations.webhooks import inbound_services, schemes
from integrations.webhooks.schemes import Refused

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024


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


@csrf_exempt
@require_POST
def receive(request, partner_slug: str):
    partner = partner_for_webhooks(slug=partner_slug)
    try:
        if partner is None:
            raise Refused(404, "No active partner has this webhook URL.")
        body = _read_body(request)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "The body is not UTF-8 JSON.") from None
        verified = schemes.verify(
            scheme=partner.signature_scheme,
            secrets=partner_webhook_secrets(partner=partner),
            body=body,
            headers=request.headers,
        )
        try:
            payload = json.loads(body)
        except ValueError:
            raise Refused(400, "The body is not valid JSON.") from None
        if not isinstance(payload, dict):
            raise Refused(400, "The body is not a JSON object.")
        try:
            event, created = inbound_services.inbound_event_record(
                partner=partner, verified=verified, body=body, payload=payload
            )
        except ApplicationError as error:
            raise Refused(400, error.message) from None
    except Refused as refused:
        return _refusal(partner_slug, refused)
    logger.info(
        "webhooks.received",
        extra={"partner": partner.slug, "event_type": event.event_type, "event_pk": event.pk, "duplicate": not created},
    )
    return JsonResponse({"received": True, "duplicate": not created})
