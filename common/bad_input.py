"""Input that no handler can store, refused at the door with a clear 400.

- Text with a NUL character (PostgreSQL's text columns cannot hold it) or a lone surrogate (half of a
  UTF-16 pair, which is not Unicode and cannot be encoded): `text_problem` says what is wrong with a string.
- JSON nested deeper than MAX_JSON_DEPTH: `json_loads` measures the nesting on the raw text before the
  parser recurses into it (Python's parser and everything that walks the result would run out of stack on
  a body nested thousands deep), then refuses either kind of text anywhere in the document, keys included.

Three doors use them: `JSONParser`, the API's default parser; `RefuseUnstorableTextMiddleware`, for the
query string and the fields of every form (answered by the project's 400 handler, in the API's error
shape on API paths; a view that answers in a format of its own is marked `answers_unstorable_text`); and
the inbound webhook receiver. `StringField` is the API's string input: a JSON string and nothing else
(DRF's CharField would take 12 for "12").
"""

import json
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import get_resolver
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError

from common.errors import ApplicationError

MAX_JSON_DEPTH = 64

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# A JSON string, escapes included (the unrolled form: linear on long strings).
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


class BadInput(ApplicationError):
    """Input refused before any handler sees it: 400, `invalid`, naming the field when there is one."""


def text_problem(text: str) -> str | None:
    """What makes `text` unstorable, in words for the person who sent it; None when nothing does."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character (U+0000), which cannot be stored: remove it."
    return "contains a lone surrogate (half of a UTF-16 pair), which is not valid Unicode: remove it."


def json_too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the arrays and objects of the JSON `text` nest deeper than `limit`, read without parsing it
    (brackets inside strings do not count)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def json_loads(text: str | bytes) -> Any:
    """The JSON document of `text` (UTF-8 when bytes). Raises BadInput for a document that is not JSON,
    nests deeper than MAX_JSON_DEPTH, or holds a NUL character or a lone surrogate in any key or string."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise BadInput("The body is not UTF-8.", code="parse_error") from None
    if json_too_deep(text):
        raise BadInput(f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.")
    try:
        document = json.loads(text, parse_constant=_refuse_constant)
    except ValueError as error:
        raise BadInput(f"JSON parse error - {error}", code="parse_error") from None
    _refuse_unstorable_json(document)
    return document


def _refuse_unstorable_json(document: Any) -> None:
    pending: list[tuple[str, Any]] = [("", document)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:  # named as the API's validation names a field: {"questions.0.prompt": [...]}
                raise BadInput(f"{path or 'The body'} {problem}", extra={path: [f"This {problem}"]} if path else None)
        elif isinstance(value, dict):
            for key, item in value.items():
                problem = text_problem(key)
                if problem is not None:
                    raise BadInput(f"A key{f' in {path}' if path else ''} {problem}")
                pending.append((f"{path}.{key}" if path else key, item))
        elif isinstance(value, list):
            pending.extend((f"{path}.{index}" if path else str(index), item) for index, item in enumerate(value))


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with json_loads's limits: the nesting and the text are checked before any view
    reads the body; the refusal is the API's 400 in the one error shape."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        try:
            text = stream.read().decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        return json_loads(text)


class StringField(serializers.CharField):
    """A string input of the API: a JSON string only (DRF's CharField would also take a number or a
    boolean and turn it into text), never with a NUL character or a lone surrogate."""

    default_error_messages = {"invalid": "Not a string: send text in double quotes."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def request_text_problem(request) -> BadInput | None:
    """The first parameter of the query string or field of a form that cannot be stored, as BadInput
    naming it; None when there is none (or when Django cannot read the form: that is refused further on)."""
    try:
        sources = [request.GET]
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            sources.append(request.POST)
    except (SuspiciousOperation, MultiPartParserError):
        return None
    for source in sources:
        for name, values in source.lists():
            problem = text_problem(name)
            if problem is not None:
                return BadInput(f"A parameter name {problem}")
            for value in values:
                problem = text_problem(value)
                if problem is not None:  # named as the API's validation names a field: {"note": [...]}
                    return BadInput(f"“{name}” {problem}", extra={name: [f"This {problem}"]})
    return None


def query_string_refused(query_string: str) -> bool:
    """Whether RefuseUnstorableTextMiddleware would refuse this raw query string, told without parsing it:
    a NUL arrives in a query string only percent-encoded, and a lone surrogate never arrives (Django decodes
    what is not UTF-8 to U+FFFD)."""
    return "%00" in query_string


def answers_unstorable_text(view):
    """Marks a view that answers unstorable text itself, in a format of its own (an OAuth endpoint's error):
    RefuseUnstorableTextMiddleware lets its requests through. The view checks request_text_problem."""
    view.answers_unstorable_text = True
    return view


class RefuseUnstorableTextMiddleware:
    """A query string or form field with a NUL character or a lone surrogate is answered by the project's
    400 handler (handler400, given the BadInput that says which field), before the view reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "answers_unstorable_text", False):
            return None
        problem = request_text_problem(request)
        if problem is None:
            return None
        handler: Callable[..., HttpResponse] = get_resolver().resolve_error_handler(400)
        return handler(request, problem)
