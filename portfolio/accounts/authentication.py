"""Employer API authentication: an organization's API key (`Authorization: Bearer rfo_<prefix>_<secret>`,
common.api_keys) or a member's logged-in session (with CSRF), and the scope check of each operation.

A key acts for its organization only, with its scopes only. A member's session acts for every
organization they belong to, with every scope: the API answers to the same people as the pages.
"""

from dataclasses import dataclass

from rest_framework import exceptions

from common.api_keys.authentication import ApiKeyAuthentication, ApiKeyClient, HasScopes
from integrations.partners import failed_auth
from portfolio.accounts import permissions, services
from portfolio.accounts.models import Membership, OrganizationApiKey


@dataclass(frozen=True)
class OrganizationClient(ApiKeyClient):
    """The caller of an employer API request made with a key: `request.user` and `request.auth` hold it."""

    api_key: OrganizationApiKey
    organization_id: int
    scopes: frozenset[str]

    def __str__(self):
        return f"API key {self.api_key.prefix} of organization {self.organization_id}"


class OrganizationApiKeyAuthentication(ApiKeyAuthentication):
    """Bearer keys of organizations. Without an Authorization header the request is left to the session
    authentication; a header that does not name a usable key is a 401 at once. Made-up keys cost a query
    each: the failed checks of one address are limited (as for partners)."""

    kind = OrganizationApiKey.KIND
    header_help = "Send the API key as: Authorization: Bearer rfo_<prefix>_<secret>."
    failed_checks_wait = staticmethod(failed_auth.failed_auth_wait)
    failed_check_record = staticmethod(failed_auth.failed_auth_record)

    def read_record(self, *, prefix):
        return OrganizationApiKey.objects.filter(prefix=prefix).first()

    def client(self, record: OrganizationApiKey, *, prefix: str) -> OrganizationClient:
        scopes = frozenset(record.scopes)
        return OrganizationClient(api_key=record, organization_id=record.organization_id, scopes=scopes)

    def mark_used(self, client):
        services.organization_api_key_mark_used(api_key=client.api_key)


class EmployerAccess(HasScopes):
    """Lets in organization API keys that carry the handler's scope, and logged-in members of an
    organization (whose objects are then limited to their organizations by the view). Everyone else: 401
    or 403."""

    client_class = OrganizationClient
    not_authenticated_message = (
        "Authentication credentials were not provided: send Authorization: Bearer <API key>, "
        "or log in as a member of the organization."
    )

    def without_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return super().without_key(request, view)
        if not permissions.IsMember().has_permission(request, view):
            raise exceptions.PermissionDenied(permissions.IsMember.message)
        return True


def organization_ids_for(request) -> list[int]:
    """The organizations whose objects this request may see: the key's, or the member's."""
    client = request.auth
    if isinstance(client, OrganizationClient):
        return [client.organization_id]
    return list(Membership.objects.filter(user=request.user).values_list("organization_id", flat=True))
