"""Employer API answers carry applicants' data and differ by key: no cache may keep or share them.

Every operation of the employer API, as the published schema lists it, is called over HTTP with an
organization key, on the organization's real rows and on an id it does not have: each answer, success or
error, says `Cache-Control: private, no-store` and `Vary: Authorization`. Before, none of them said either.
"""

import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from portfolio.accounts.services import organization_api_key_create
from portfolio.jobs.api.employer import TAG
from tests.jobs.test_permissions import ALL_SCOPES
from tests.jobs.test_permissions import world as world  # the fixture: an organization with a job, an application, ...

pytestmark = pytest.mark.django_db

BODIES = {
    "applications_status_change": {"status": "interview", "note": "Strong reel"},
    "webhook_endpoints_redeliver_failed": {"since": "2026-01-01T00:00:00Z"},
    "jobs_update": {"title": "Motion designer"},
}


def _employer_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method.upper(), path, operation["operationId"])
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if TAG in operation.get("tags", [])
    ]


OPERATIONS = _employer_operations()


def test_the_schema_lists_every_employer_operation():
    assert len(OPERATIONS) >= 18, OPERATIONS


@pytest.mark.parametrize("real_ids", [True, False], ids=["its rows", "an unknown id"])
@pytest.mark.parametrize(("method", "path", "operation_id"), OPERATIONS, ids=[o[2] for o in OPERATIONS])
def test_every_answer_is_private_and_varies_by_key(client, world, method, path, operation_id, real_ids):  # noqa: F811
    _, key = organization_api_key_create(organization=world.organization, actor=None, scopes=ALL_SCOPES)
    ids = {
        "job_id": world.open_job.pk, "application_id": world.application.pk,
        "endpoint_id": world.endpoint.pk, "delivery_id": world.delivery.pk,
    }
    url = path.format(**{name: (value if real_ids else 999_999) for name, value in ids.items()})
    response = client.generic(
        method, url, data=json.dumps(BODIES.get(operation_id, {})), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code < 500, (operation_id, response.status_code, response.content[:200])
    if not real_ids and "{" in path:
        assert response.status_code == 404
    assert response["Cache-Control"] == "private, no-store", operation_id
    assert "Authorization" in [name.strip() for name in response["Vary"].split(",")], operation_id


def test_a_refused_key_is_answered_private_too(client, world):  # noqa: F811
    response = client.get("/api/v1/jobs/", HTTP_AUTHORIZATION="Bearer rfo_nope_nope")
    assert response.status_code == 401
    assert response["Cache-Control"] == "private, no-store"
    assert "Authorization" in response["Vary"]


def test_a_query_the_api_never_sees_is_answered_private_too(client, world):  # noqa: F811
    """A NUL character in the query is refused before the view (common.bad_input): the same headers."""
    _, key = organization_api_key_create(organization=world.organization, actor=None, scopes=ALL_SCOPES)
    response = client.get("/api/v1/jobs/?status=a%00b", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 400
    assert response["Cache-Control"] == "private, no-store"
    assert "Authorization" in response["Vary"]
