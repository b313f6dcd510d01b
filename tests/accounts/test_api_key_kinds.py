"""Partners' keys (`rfk_...`, the anchor API) and organizations' keys (`rfo_...`, the employer API) are one
design (common/api_keys): each kind authenticates on its own API, and both APIs refuse a missing scope, a
revoked key, a made-up key, a key of the other kind and a malformed header in the same words, with the
same status and error code. The commands that make them print the key in the same way."""

import re
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from integrations.partners import services as partner_services
from integrations.partners.models import ApiKey
from portfolio.accounts import services as account_services
from portfolio.accounts.models import OrganizationApiKey, User

pytestmark = pytest.mark.django_db

ANCHORS = "/api/v1/anchors/?platform=sandbox-video&video_id=v-1"
JOBS = "/api/v1/jobs/"


@dataclass
class Kind:
    """One kind of key on its own API: a GET that its key's scope allows."""

    name: str
    path: str
    scope: str
    model: type


KINDS = [
    Kind("partner", ANCHORS, "anchors:read", ApiKey),
    Kind("organization", JOBS, "jobs:read", OrganizationApiKey),
]


@pytest.fixture(autouse=True)
def clean_cache():
    """Partner key records and the failed-check counters live in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner():
    return account_services.user_sign_up(
        email="owner@acme.example", name="Olivia", password="orchid-lantern-42", role="employer",
        organization_name="Acme Films",
    )


def make_key(kind: Kind, owner: User) -> str:
    if kind.name == "partner":
        return partner_services.partner_create(name="Acme Video").key
    _, key = account_services.organization_api_key_create(
        organization=owner.organizations.get(), actor=owner, scopes=["jobs:read"]
    )
    return key


def call(path: str, key: str | None = None, *, header: str | None = None):
    headers = {}
    if key is not None or header is not None:
        headers["HTTP_AUTHORIZATION"] = header if header is not None else f"Bearer {key}"
    return Client().get(path, **headers)


def refusal(response) -> tuple[int, str, str]:
    error = response.json()["error"]
    return response.status_code, error["code"], error["message"]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_each_kind_of_key_authenticates_on_its_api_and_its_use_is_recorded(kind, owner):
    key = make_key(kind, owner)
    response = call(kind.path, key)
    assert response.status_code == 200, response.content
    assert kind.model.objects.get().last_used_at is not None


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_a_key_without_the_operations_scope_is_refused_alike_on_both_apis(kind, owner):
    key = make_key(kind, owner)
    kind.model.objects.update(scopes=["some:other"])  # its scopes changed since it was made
    response = call(kind.path, key)
    assert refusal(response) == (403, "permission_denied", f"This API key lacks the {kind.scope} scope.")


def test_a_write_with_a_read_only_organization_key_is_refused_for_its_scope(owner):
    key = make_key(KINDS[1], owner)
    response = Client().post(JOBS, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert refusal(response) == (403, "permission_denied", "This API key lacks the jobs:write scope.")


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_a_revoked_key_is_refused_alike_on_both_apis(kind, owner):
    key = make_key(kind, owner)
    if kind.name == "partner":
        partner_services.api_key_revoke(api_key=ApiKey.objects.get())
    else:
        account_services.organization_api_key_revoke(api_key=OrganizationApiKey.objects.get(), actor=owner)
    response = call(kind.path, key)
    assert refusal(response) == (401, "authentication_failed", "This API key has been revoked.")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_a_made_up_key_and_a_key_of_the_other_kind_are_invalid_on_both_apis(kind, owner):
    own = make_key(kind, owner)
    other = make_key(KINDS[1] if kind.name == "partner" else KINDS[0], owner)
    prefix = own[: own.index("_") + 1]
    made_up = prefix + "0" * 12 + "_" + "A" * 43
    for key in (made_up, other, own + "x"):
        response = call(kind.path, key)
        assert refusal(response) == (401, "authentication_failed", "Invalid API key."), key[:4]


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_a_malformed_header_says_how_to_send_the_key(kind, owner):
    response = call(kind.path, header="Token abc")
    status, code, message = refusal(response)
    assert (status, code) == (401, "authentication_failed")
    assert message.startswith("Send the API key as: Authorization: Bearer ")


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.name)
def test_without_any_credentials_both_apis_answer_401(kind):
    status, code, message = refusal(call(kind.path))
    assert (status, code) == (401, "not_authenticated")
    assert message.startswith("Authentication credentials were not provided: send Authorization: Bearer <API key>")


def test_both_commands_print_the_new_key_once_with_its_scopes(owner):
    printed = {}
    for command, args in (("create_partner", ["Acme Video"]), ("create_org_api_key", ["acme-films"])):
        out = StringIO()
        call_command(command, *args, stdout=out)
        printed[command] = re.findall(r"^API key \(([^)]*)\): (\S+)$", out.getvalue(), flags=re.MULTILINE)
    assert printed["create_partner"][0][0] == "anchors:read"
    assert printed["create_org_api_key"][0][0] == "applications:read, jobs:read"
    for command, kind in (("create_partner", KINDS[0]), ("create_org_api_key", KINDS[1])):
        [(_scopes, key)] = printed[command]
        assert call(kind.path, key).status_code == 200, command
