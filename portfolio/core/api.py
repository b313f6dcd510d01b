"""One JSON error shape for the whole API: {"error": {"code": ..., "message": ..., "details": ...}}."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from redis.exceptions import RedisError
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.cache_guard import CacheAway
from common.errors import ApplicationError

logger = logging.getLogger(__name__)

# A part the API depends on is unreachable (the database, or a cache call with no fallback): 503, retry soon.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, RedisError, CacheAway)
UNAVAILABLE_RETRY_AFTER_SECONDS = 5


def unavailable_body() -> dict:
    """The API's answer while a part it depends on is unreachable (a 503 with Retry-After)."""
    message = f"The service is briefly unavailable; retry in {UNAVAILABLE_RETRY_AFTER_SECONDS} seconds."
    return {"error": {"code": "unavailable", "message": message, "details": {}}}


def _first_message(detail) -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            message = _first_message(value)
            return message if key in ("detail", "non_field_errors") else f"{key}: {message}"
    if isinstance(detail, list) and detail:
        return _first_message(detail[0])
    return str(detail)


def _unreadable_request(exc: SuspiciousOperation) -> exceptions.ParseError:
    """What Django refuses to parse (it would answer its own HTML 400 page), as the API's 400."""
    if isinstance(exc, TooManyFieldsSent):
        message = f"Too many parameters: at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS} per request."
    elif isinstance(exc, RequestDataTooBig):
        message = f"The body is too large: at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    else:
        message = "The request could not be read."
    return exceptions.ParseError(message, code="bad_request")


def exception_handler(exc, context):
    if isinstance(exc, SuspiciousOperation):
        exc = _unreadable_request(exc)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, UNAVAILABLE_ERRORS):
        logger.warning("API request failed: a part it depends on is unreachable", exc_info=exc)
        return Response(unavailable_body(), status=503, headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER_SECONDS)})
    if isinstance(exc, ApplicationError):
        body = {"error": {"code": exc.code, "message": exc.message, "details": exc.extra}}
        return Response(body, status=exc.status)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException) and hasattr(exc, "get_codes"):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else code
    body = {"error": {"code": code, "message": _first_message(detail)}}
    if response.status_code == status.HTTP_400_BAD_REQUEST and isinstance(detail, dict | list):
        body["error"]["details"] = detail
    response.data = body
    return response


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API (exception_handler above), for the OpenAPI schema."""

    class ErrorBodySerializer(serializers.Serializer):
        code = serializers.CharField(help_text="A stable machine-readable code, e.g. invalid, not_authenticated.")
        message = serializers.CharField(help_text="What went wrong, in words fit to show a developer.")
        details = serializers.JSONField(
            required=False,
            help_text="Per-parameter messages (400), or per-field messages under `fields`, or other details.",
        )

    error = ErrorBodySerializer()


UNREADABLE_REQUEST = {
    "400": "The request could not be read: more than 1000 parameters, or a body that is not JSON.",
    "415": "A file upload, or a body that is not `application/json`: no operation takes a file.",
}


def document_unreadable_requests(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation may answer 400 (Django reads at most 1000
    parameters) and 415 (uploads are refused, bodies are JSON), in the one error shape; says so where an
    operation's own responses do not."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status_code, description in UNREADABLE_REQUEST.items():
                responses.setdefault(status_code, {"content": error, "description": description})
            operation["responses"] = dict(sorted(responses.items()))
    return result
