"""Organization API keys: made by owners on the organization page or at the command line, shown once,
stored hashed, revoked after a confirmation."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from common import api_keys as keys
from common.errors import ApplicationError, PermissionDenied
from portfolio.accounts import services
from portfolio.accounts.models import Membership, OrganizationApiKey, User

pytestmark = pytest.mark.django_db

PASSWORD = "orchid-lantern-42"
KEY = re.compile(r"rfo_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


@pytest.fixture
def owner():
    return services.user_sign_up(
        email="owner@acme.example", name="Olivia", password=PASSWORD, role="employer", organization_name="Acme Films"
    )


@pytest.fixture
def organization(owner):
    return owner.organizations.get()


@pytest.fixture
def colleague(organization):
    user = User.objects.create_user(email="sam@acme.example", password=PASSWORD, name="Sam", role="employer")
    Membership.objects.create(organization=organization, user=user, role="member")
    return user


def test_an_owner_creates_a_key_that_is_shown_once_and_stored_only_hashed(client, owner, organization):
    client.force_login(owner)
    url = reverse("accounts:api_key_create", args=["acme-films"])
    response = client.post(url, {"name": "ATS sync", "scopes": ["jobs:read", "applications:write"]})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/organizations/acme-films/#api-keys"
    assert not KEY.search(response["Location"])

    page = client.get(response["Location"])
    html = page.content.decode()
    shown = KEY.findall(html)
    assert len(set(shown)) == 1
    assert "Copy your new key now" in html
    assert "no-store" in page["Cache-Control"]
    api_key = OrganizationApiKey.objects.get()
    assert api_key.name == "ATS sync"
    assert api_key.scopes == ["applications:write", "jobs:read"]
    assert api_key.created_by == owner
    prefix, secret = keys.parse_api_key(shown[0], kind="rfo")
    assert api_key.prefix == prefix
    assert secret not in api_key.secret_hash and keys.secret_matches(secret, api_key.secret_hash)

    again = client.get(response["Location"]).content.decode()
    assert not KEY.search(again)
    assert "Copy your new key now" not in again
    assert f"rfo_{api_key.prefix}_…" in again


def test_a_key_without_a_scope_is_refused_with_the_reason_and_nothing_is_made(client, owner):
    client.force_login(owner)
    response = client.post(reverse("accounts:api_key_create", args=["acme-films"]), {"name": "x"})
    assert response.status_code == 400
    assert "Tick at least one thing the key may do." in response.content.decode()
    assert not OrganizationApiKey.objects.exists()


def test_a_refused_key_shows_the_whole_organization_page_with_its_reason(client, owner):
    """Regression: a key sent back with an error showed the page without its pending invitations, video
    account and webhooks sections, as if the organization had none."""
    client.force_login(owner)
    client.post(reverse("accounts:organization_detail", args=["acme-films"]), {"email": "kim@acme.example"})
    refused = client.post(reverse("accounts:api_key_create", args=["acme-films"]), {"name": "x"}).content.decode()
    visited = client.get(reverse("accounts:organization_detail", args=["acme-films"])).content.decode()
    for section in ('id="invitations-heading"', 'id="video-account"', 'id="webhooks"', 'id="api-keys"'):
        assert section in refused and section in visited, section
    assert "kim@acme.example" in refused


def test_a_member_sees_the_keys_but_cannot_create_or_revoke_them(client, owner, organization, colleague):
    api_key, _ = services.organization_api_key_create(organization=organization, actor=owner, scopes=["jobs:read"])
    client.force_login(colleague)
    page = client.get(reverse("accounts:organization_detail", args=["acme-films"])).content.decode()
    assert f"rfo_{api_key.prefix}_…" in page
    assert "Create API key" not in page and "Owners of Acme Films can create them." not in page

    response = client.post(reverse("accounts:api_key_create", args=["acme-films"]), {"scopes": ["jobs:read"]})
    assert response.status_code == 403
    revoke = reverse("accounts:api_key_revoke", args=["acme-films", api_key.pk])
    assert client.get(revoke).status_code == 403
    assert client.post(revoke).status_code == 403
    assert OrganizationApiKey.objects.count() == 1
    assert OrganizationApiKey.objects.get().revoked_at is None

    with pytest.raises(PermissionDenied, match="Only owners of Acme Films can create API keys."):
        services.organization_api_key_create(organization=organization, actor=colleague, scopes=["jobs:read"])


def test_an_outsider_gets_404_for_another_organizations_keys(client, organization, owner):
    api_key, _ = services.organization_api_key_create(organization=organization, actor=owner, scopes=["jobs:read"])
    outsider = services.user_sign_up(
        email="eve@other.example", name="Eve", password=PASSWORD, role="employer", organization_name="Other"
    )
    client.force_login(outsider)
    create = reverse("accounts:api_key_create", args=["acme-films"])
    assert client.post(create, {"scopes": ["jobs:read"]}).status_code == 404
    revoke = reverse("accounts:api_key_revoke", args=["acme-films", api_key.pk])
    assert client.post(revoke).status_code == 404
    # Their own organization's URL with this organization's key id: still 404.
    assert client.post(reverse("accounts:api_key_revoke", args=["other", api_key.pk])).status_code == 404
    assert OrganizationApiKey.objects.get().revoked_at is None
    assert OrganizationApiKey.objects.count() == 1


def test_revoking_asks_first_then_revokes_for_good(client, owner, organization):
    api_key, _ = services.organization_api_key_create(
        organization=organization, actor=owner, scopes=["jobs:read"], name="old ATS"
    )
    client.force_login(owner)
    url = reverse("accounts:api_key_revoke", args=["acme-films", api_key.pk])
    confirm = client.get(url).content.decode()
    assert "Revoke the key old ATS?" in confirm
    api_key.refresh_from_db()
    assert api_key.revoked_at is None

    response = client.post(url, follow=True)
    assert "The key old ATS is revoked: it no longer works." in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert "This key is already revoked" in client.get(url).content.decode()


def test_unknown_scopes_are_refused_by_the_service():
    with pytest.raises(ApplicationError, match="Unknown scope 'jobs:delete'"):
        services.organization_api_key_create(organization=None, actor=None, scopes=["jobs:delete"])


def test_the_command_prints_the_key_once(organization):
    out = StringIO()
    call_command(
        "create_org_api_key", "acme-films", "--scope", "jobs:read", "--scope", "jobs:write", "--name", "CI", stdout=out
    )
    printed = KEY.findall(out.getvalue())
    assert len(printed) == 1
    assert "Store it now: it is not shown again." in out.getvalue()
    api_key = OrganizationApiKey.objects.get()
    assert (api_key.name, api_key.scopes, api_key.created_by) == ("CI", ["jobs:read", "jobs:write"], None)
    assert keys.secret_matches(keys.parse_api_key(printed[0], kind="rfo")[1], api_key.secret_hash)


def test_the_command_refuses_an_unknown_organization(db):
    with pytest.raises(CommandError, match="No organization has the name or slug 'nope'; nothing was created."):
        call_command("create_org_api_key", "nope", stdout=StringIO())
    assert not OrganizationApiKey.objects.exists()


def test_the_command_takes_the_organizations_name_too(organization):
    out = StringIO()
    call_command("create_org_api_key", organization.name, stdout=out)
    assert len(KEY.findall(out.getvalue())) == 1
    assert OrganizationApiKey.objects.get().organization == organization
