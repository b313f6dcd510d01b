"""Bad input to any operation of the API gets a clear 400, never a 500.

Driven from the published OpenAPI schema, so that a new operation, parameter or field is covered as soon
as it is published: every query parameter and every field of every request body (at any depth) is sent a
NUL character, a lone surrogate, a 1 MB string, 10,000 items and JSON nested 50,000 deep, by a caller
allowed to use the operation, on the caller's real rows. NUL characters and lone surrogates are refused
with a 400 in the one error shape that names the field. Before, a NUL in a note reached PostgreSQL (a
DataError, 500), and deep JSON made the parser run out of stack (RecursionError, an HTML 500).
"""

import json

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator

from integrations.partners import services as partner_services
from portfolio.accounts.services import organization_api_key_create
from tests.jobs.test_permissions import ALL_SCOPES
from tests.jobs.test_permissions import world as world  # the fixture: an organization with a job, an application, ...

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
SURROGATE = "a\ud800b"
MEGABYTE = "x" * 1_000_000
DEEP = 50_000
BAD_VALUES = {
    "NUL": NUL,
    "lone surrogate": SURROGATE,
    "1 MB string": MEGABYTE,
    "10,000 items": ["x"] * 10_000,
}
CSRF_TOKEN = "badinputcsrftokenbadinputcsrftok"  # 32 characters: a valid unmasked CSRF secret

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
COMPONENTS = SCHEMA["components"]["schemas"]
OPERATIONS = [
    (method.upper(), path, operation)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
]


def _resolved(schema: dict) -> dict:
    reference = schema.get("$ref", "")
    return COMPONENTS[reference.rsplit("/", 1)[1]] if reference else schema


def body_fields(schema: dict, prefix: tuple = ()) -> list[tuple]:
    """The path of every field of a body schema, nested objects and arrays of objects included."""
    schema = _resolved(schema)
    paths = []
    for name, field in schema.get("properties", {}).items():
        field = _resolved(field)
        paths.append((*prefix, name))
        items = _resolved(field.get("items", {}))
        if field.get("type") == "object":
            paths += body_fields(field, (*prefix, name))
        elif "properties" in items:
            paths += body_fields(items, (*prefix, name, 0))
    return paths


def body_with(path: tuple, value) -> object:
    """A body that holds `value` at `path` (a 0 in the path is the first item of an array)."""
    for step in reversed(path):
        value = [value] if step == 0 else {step: value}
    return value


def deep_json(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture
def callers(world, client):  # noqa: F811 - the fixture imported above
    """The headers of a caller allowed to use each operation, and the ids of real rows in its paths."""
    partner_key = partner_services.partner_create(name="Sandbox Video").key
    _, org_key = organization_api_key_create(organization=world.organization, actor=None, scopes=ALL_SCOPES)
    client.force_login(world.applicant)
    applicant_session = client.cookies["sessionid"].value
    real_ids = {
        "job_id": world.open_job.pk, "application_id": world.application.pk,
        "endpoint_id": world.endpoint.pk, "delivery_id": world.delivery.pk,
    }

    def headers_for(path: str) -> dict[str, str]:
        if path.startswith("/api/v1/anchors/"):
            return {"HTTP_AUTHORIZATION": f"Bearer {partner_key}"}
        if path.endswith("/apply/"):
            cookie = f"sessionid={applicant_session}; csrftoken={CSRF_TOKEN}"
            return {"HTTP_COOKIE": cookie, "HTTP_X_CSRFTOKEN": CSRF_TOKEN}
        return {"HTTP_AUTHORIZATION": f"Bearer {org_key}"}

    return headers_for, real_ids


def _send(client, callers, method, path, *, query: str = "", body: str | None = None):
    headers_for, real_ids = callers
    url = path.format(**real_ids) + (f"?{query}" if query else "")
    data = body if body is not None else ""
    return client.generic(method, url, data.encode("utf-8", "surrogatepass"), "application/json", **headers_for(path))


def _assert_clear_400(response, what: str, field: str | None = None):
    assert response.status_code == 400, (what, response.status_code, response.content[:300])
    error = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str), (what, error)
    if field is not None:
        assert field in error["message"], (what, error)


def _assert_no_500(response, what: str):
    assert response.status_code < 500, (what, response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert set(response.json()["error"]) >= {"code", "message"}, (what, response.content[:300])


def test_the_schema_has_operations_with_bodies_and_parameters():
    with_bodies = [op for _, _, op in OPERATIONS if "requestBody" in op]
    with_parameters = [op for _, _, op in OPERATIONS if any(p["in"] == "query" for p in op.get("parameters", []))]
    assert len(with_bodies) >= 8 and len(with_parameters) >= 5


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=[op["operationId"] for *_, op in OPERATIONS])
def test_every_query_parameter_refuses_bad_input_clearly(client, callers, method, path, operation):
    """(A lone surrogate cannot be percent-encoded as UTF-8: its bytes are read as U+FFFD.)"""
    for parameter in (p for p in operation.get("parameters", []) if p["in"] == "query"):
        name = parameter["name"]
        what = f"{operation['operationId']} ?{name}"
        _assert_clear_400(_send(client, callers, method, path, query=f"{name}=a%00b"), f"{what} NUL", name)
        _assert_no_500(_send(client, callers, method, path, query=f"{name}=a%ED%A0%80b"), f"{what} surrogate")
        _assert_no_500(_send(client, callers, method, path, query=f"{name}={MEGABYTE}"), f"{what} 1 MB")
        _assert_no_500(_send(client, callers, method, path, query="&".join([f"{name}=x"] * 10_000)), f"{what} 10,000")
        _assert_no_500(_send(client, callers, method, path, query=f"{name}={deep_json(5_000)}"), f"{what} deep")


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [operation for operation in OPERATIONS if "requestBody" in operation[2]],
    ids=[op["operationId"] for *_, op in OPERATIONS if "requestBody" in op],
)
def test_every_body_field_refuses_bad_input_clearly(client, callers, method, path, operation):
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    fields = body_fields(schema)
    assert fields, operation["operationId"]
    for field in fields:
        what = f"{operation['operationId']} {'.'.join(map(str, field))}"
        named = ".".join(map(str, field))
        for label, value in BAD_VALUES.items():
            response = _send(client, callers, method, path, body=json.dumps(body_with(field, value)))
            if label in ("NUL", "lone surrogate"):
                _assert_clear_400(response, f"{what} {label}", named)
            else:
                _assert_no_500(response, f"{what} {label}")
        deep = json.dumps(body_with(field, "@")).replace('"@"', deep_json())
        response = _send(client, callers, method, path, body=deep)
        _assert_clear_400(response, f"{what} deep JSON", "nested more than 64 levels deep")
    _assert_clear_400(_send(client, callers, method, path, body=deep_json()), "the whole body nested deep")


@pytest.mark.parametrize(("depth", "status"), [(64, 400), (65, 400), (50_000, 400)])
def test_json_nesting_is_measured_before_parsing(client, callers, depth, status):
    """64 levels parse (and the lookup refuses the array as a body); one more, or 50,000, is refused
    before the parser goes deep, with the same clear message."""
    response = _send(client, callers, "POST", "/api/v1/anchors/lookup", body=deep_json(depth))
    assert response.status_code == status
    message = response.json()["error"]["message"]
    assert ("nested more than 64 levels deep" in message) is (depth > 64), message


def test_brackets_inside_strings_do_not_count_as_nesting(client, callers):
    body = json.dumps({"platform": "sandbox-video", "video_ids": ["[" * 10_000 + "{" * 10_000]})
    response = _send(client, callers, "POST", "/api/v1/anchors/lookup", body=body)
    assert response.status_code == 400
    assert "nested" not in response.json()["error"]["message"]
    assert "longer than 128 characters" in response.json()["error"]["message"]


def test_a_nul_in_a_status_note_is_refused_and_nothing_changes(client, callers, world):  # noqa: F811
    """The regression of the issue: a NUL in the note of a status change reached PostgreSQL (500)."""
    path = "/api/v1/applications/{application_id}/status/"
    body = json.dumps({"status": "interview", "note": "Strong\x00 reel"})
    response = _send(client, callers, "POST", path, body=body)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "message": "note contains a NUL character (U+0000), which cannot be stored: remove it.",
        "details": {"note": ["This contains a NUL character (U+0000), which cannot be stored: remove it."]},
    }
    world.application.refresh_from_db()
    assert world.application.status == "new"


@pytest.fixture(autouse=True)
def _requests_keep_the_test_connection():
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
