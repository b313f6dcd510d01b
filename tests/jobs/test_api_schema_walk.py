"""Every operation of the published OpenAPI schema answers only what the schema documents, whatever the input.

Schemathesis generates inputs from /api/schema/ itself (valid ones and ones that break the schema: wrong
types, control characters, huge ids, unknown parameters) and sends them through the WSGI application, each
twice: with the generated path ids, and with the ids of real rows of the caller's organization. Any status
the operation does not document, any 5xx, an error body outside the one error shape or a body that is not
JSON fails the test. It is kept to about half a minute.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from integrations.partners import services as partner_services
from portfolio.accounts.services import organization_api_key_create
from tests.jobs.test_permissions import ALL_SCOPES
from tests.jobs.test_permissions import world as world  # the fixture: an organization with a job, an application, ...

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 12
CSRF_TOKEN = "schemawalkcsrftokenschemawalkcsr"  # 32 characters: a valid unmasked CSRF secret


def _error_shape(response) -> str | None:
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        return f"{response.status_code} with a body that is not JSON: {response.text[:200]!r}"
    error = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)):
        return f"{response.status_code} outside the error shape: {body!r}"
    return None


@pytest.fixture
def walk(world, client):  # noqa: F811 - the fixture imported above
    """The schema, and for each operation the headers of a caller allowed to use it, and real path ids."""
    partner_key = partner_services.partner_create(name="Sandbox Video").key
    _, org_key = organization_api_key_create(organization=world.organization, actor=None, scopes=ALL_SCOPES)
    client.force_login(world.applicant)
    applicant_session = client.cookies["sessionid"].value
    real_ids = {
        "job_id": world.open_job.pk,
        "application_id": world.application.pk,
        "endpoint_id": world.endpoint.pk,
        "delivery_id": world.delivery.pk,
    }

    def headers_for(operation) -> dict[str, str]:
        if operation.path.startswith("/api/v1/anchors/"):
            return {"Authorization": f"Bearer {partner_key}"}
        if operation.path.endswith("/apply/"):
            return {"Cookie": f"sessionid={applicant_session}; csrftoken={CSRF_TOKEN}", "X-CSRFToken": CSRF_TOKEN}
        return {"Authorization": f"Bearer {org_key}"}

    # As Django's test client does: the requests share the test's transaction, so none may close the connection.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application()), headers_for, real_ids
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_answers_only_documented_statuses_and_the_one_error_shape(walk):
    schema, headers_for, real_ids = walk
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20, [operation.label for operation in operations]
    failures: list[str] = []
    for operation in operations:
        failures += _walk(operation, headers_for(operation), real_ids)
    assert not failures, f"{len(failures)} undocumented answers:\n" + "\n".join(dict.fromkeys(failures))


def _walk(operation, headers: dict[str, str], real_ids: dict[str, int]) -> list[str]:
    """Sends the generated cases of one operation; returns what was answered outside the schema."""
    failures: list[str] = []

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        for path_parameters in (case.path_parameters, _real(case.path_parameters, real_ids)):
            case.path_parameters = path_parameters
            response = case.call(headers=headers)
            problems = []
            for conformance in (status_code_conformance, content_type_conformance):
                try:
                    case.validate_response(response, checks=[conformance], headers=headers)
                except BaseExceptionGroup as exc:  # schemathesis raises a group of failures
                    problems.append(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            if response.status_code >= 500:
                problems.append("a server error")
            shape = _error_shape(response)
            if shape:
                problems.append(shape)
            if problems:
                failures.append(
                    f"{operation.label} {case.path_parameters} {case.query} body={case.body!r:.120}: "
                    f"{response.status_code}: {'; '.join(problems)}"
                )

    check()
    return failures


def _real(path_parameters, real_ids):
    if not path_parameters:
        return path_parameters
    return {name: real_ids.get(name, value) for name, value in path_parameters.items()}


def test_more_than_1000_parameters_on_any_operation_is_a_documented_json_400(walk, client):
    """Django stops reading at 1000 parameters: every operation says so in its schema and answers it as JSON."""
    schema, headers_for, real_ids = walk
    query = "&".join(f"p{number}=1" for number in range(1001))
    answers = {}
    for operation in (result.ok() for result in schema.get_all_operations()):
        path = operation.path.format(**real_ids)
        headers = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers_for(operation).items()}
        response = client.generic(
            operation.method.upper(), f"{path}?{query}", b"{}", content_type="application/json", **headers
        )
        assert "400" in operation.definition.raw["responses"], operation.label
        answers[operation.label] = (response.status_code, response.json()["error"]["code"])
    assert set(answers.values()) == {(400, "bad_request")}, answers
