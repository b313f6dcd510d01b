"""The published OpenAPI schema says exactly what the server takes, for both kinds of API key.

Schemathesis runs its examples, coverage and fuzzing phases on every operation of /api/schema/, with
positive data (what the schema allows: the server must not refuse it as malformed) and negative data (what
it does not: the server must refuse it), through the WSGI application, once with a partner key (`rfk_`)
and once with an organization key (`rfo_`, every scope). Every check of Schemathesis runs: no 5xx, only
documented statuses, content types and headers, answers that match their schemas, valid data accepted and
invalid data refused. Before, blank `title`, `description` and `url`, `page_size=null`, numbers sent for
strings, and a lookup without a body (which the schema called optional) were each answered against the
schema. Fuzzing is bounded (FUZZ_EXAMPLES per operation) to keep the run short.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from integrations.partners import services as partner_services
from portfolio.accounts.services import organization_api_key_create
from tests.jobs.test_permissions import ALL_SCOPES
from tests.jobs.test_permissions import world as world  # the fixture: an organization with a job, an application, ...

pytestmark = pytest.mark.django_db

FUZZ_EXAMPLES = 10


def _published_schema():
    """The schema /api/schema/ publishes, with the WSGI application to send the cases to."""
    loaded = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    loaded.app = get_wsgi_application()
    loaded.config.phases.update(phases=["examples", "coverage", "fuzzing"])
    loaded.config.generation.update(max_examples=FUZZ_EXAMPLES, deterministic=True, database="none")
    return loaded


schema = _published_schema()


@pytest.fixture(autouse=True)
def _requests_share_the_test_transaction():
    """As Django's test client does: the requests share the test's transaction, so none may close the
    connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def partner_key(db):
    return partner_services.partner_create(name="Sandbox Video").key


@pytest.fixture
def organization_key(world):  # noqa: F811 - the fixture imported above
    return organization_api_key_create(organization=world.organization, actor=None, scopes=ALL_SCOPES)[1]


# The keys and rows are made once per operation and shared by its examples (all in the test's transaction).
ONE_WORLD_PER_OPERATION = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def _refused_by_a_domain_rule(response) -> bool:
    """A 400 from a service (common.errors.ApplicationError): its messages by field under `details.fields`.
    The serializers' refusals, and the parser's, name their fields directly under `details`."""
    if response.status_code != 400:
        return False
    details = response.json().get("error", {}).get("details")
    return isinstance(details, dict) and set(details) == {"fields"}


def schema_valid_requests_are_taken(ctx, response, case):
    """Schemathesis' positive_data_acceptance, but for the rules of the domain, which no schema can say: a
    closing date from today on, one of the organization's videos, a city for an on-site job, an https
    address on the public internet. A service refuses those, naming each field under `details.fields`;
    what the schema allows must get past everything else."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Exception:
        if _refused_by_a_domain_rule(response):
            return None
        raise


def _call(case, key: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {key}"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_requests_are_taken],
    )


@schema.parametrize()
@ONE_WORLD_PER_OPERATION
def test_with_a_partner_key_the_server_takes_exactly_what_the_schema_says(case, partner_key):
    _call(case, partner_key)


@schema.parametrize()
@ONE_WORLD_PER_OPERATION
def test_with_an_organization_key_the_server_takes_exactly_what_the_schema_says(case, organization_key):
    _call(case, organization_key)
