"""One JSON error shape for the whole API: {"error": {"code": ..., "message": ..., "details": ...}}."""

import logging
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from redis.exceptions import RedisError
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.cache import CacheAway
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


# What a string input may hold, for the schema: no NUL character anywhere (common.bad_input refuses it) and,
# where a value is required (minLength 1), a character that is not whitespace: DRF trims what it is given,
# with str.strip(), whose whitespace is spelled out here so that Python and ECMAScript read it alike.
_WHITESPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
TEXT_PATTERN = r"^[^\x00]*$"
NON_BLANK_TEXT_PATTERN = rf"^[^\x00]*[^\x00{_WHITESPACE}][^\x00]*$"


def _constrain_text(schema: dict) -> None:
    """The pattern of a free-text string schema (no enum, format or pattern of its own)."""
    if schema.get("type") != "string" or {"enum", "format", "pattern"} & set(schema):
        return
    schema["pattern"] = NON_BLANK_TEXT_PATTERN if schema.get("minLength", 0) >= 1 else TEXT_PATTERN


# drf-spectacular's pattern of a DecimalField, ^-?\d{0,N}(?:\.\d{0,M})?$, also admits "", "-" and ".", which the
# field refuses: the schema asks for a digit.
_DECIMAL_PATTERN = re.compile(r"^\^(-\?)?\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?\$$")


def _constrain_decimal(schema: dict) -> None:
    """A decimal string's pattern that admits only what the DecimalField takes: at least one digit."""
    matched = schema.get("format") == "decimal" and _DECIMAL_PATTERN.match(schema.get("pattern", ""))
    if matched:
        sign, digits, places = matched.group(1) or "", matched.group(2), matched.group(3)
        schema["pattern"] = rf"^{sign}(?:\d{{1,{digits}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"


def _close_object(schema: dict) -> None:
    """A body's object takes its fields and no others: the serializers ignore an unknown field, whose value
    is still read (a NUL character in it is refused), so none is part of the contract."""
    if "properties" in schema:
        schema.setdefault("additionalProperties", False)


def _input_schemas(schema, components: dict, seen: set[str]):
    """Every (sub)schema of a request's input, following $refs into the components once each."""
    if isinstance(schema, list):
        for item in schema:
            yield from _input_schemas(item, components, seen)
        return
    if not isinstance(schema, dict):
        return
    reference = schema.get("$ref", "")
    if reference.startswith("#/components/schemas/"):
        name = reference.rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            yield from _input_schemas(components.get(name), components, seen)
        return
    yield schema
    for key in ("properties", "patternProperties"):
        for value in schema.get(key, {}).values():
            yield from _input_schemas(value, components, seen)
    for key in ("items", "additionalProperties", "allOf", "anyOf", "oneOf"):
        if key in schema:
            yield from _input_schemas(schema[key], components, seen)


def _resolved(schema: dict, components: dict) -> dict:
    reference = schema.get("$ref", "")
    return components.get(reference.rsplit("/", 1)[1], {}) if reference else schema


def document_inputs_exactly(result, generator, request, public):
    """drf-spectacular post-processing hook: the schema says what the server takes. Free-text strings in
    parameters and bodies carry TEXT_PATTERN or NON_BLANK_TEXT_PATTERN, a body's objects list all their
    fields, and a body with required fields is itself required (an operation that reads `{}` as "nothing to
    change" keeps its body optional)."""
    components = result.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                for schema in _input_schemas(parameter.get("schema"), components, seen):
                    _constrain_text(schema)
                    _constrain_decimal(schema)
            body = operation.get("requestBody")
            if not body:
                continue
            for media in body.get("content", {}).values():
                if _resolved(media.get("schema", {}), components).get("required"):
                    body["required"] = True
                for schema in _input_schemas(media.get("schema"), components, seen):
                    _constrain_text(schema)
                    _constrain_decimal(schema)
                    _close_object(schema)
    return result
