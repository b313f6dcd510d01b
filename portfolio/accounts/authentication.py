"""Employer API authentication: an organization's API key (`Authorization: Bearer rfo_<prefix>_<secret>`)
or a member's logged-in session (with CSRF), and the scope check of each operation.

A key acts for its organization only, with its scopes only. A member's session acts for every
organization they belong to, with every scope: the API answers to the same people as the pages.
"""

from dataclasses import dataclass

from rest_framework import authentication, exceptions, permissions

from integrations.partners import failed_auth, keys
from portfolio.accounts import services
from portfolio.accounts.models import Membership, OrganizationApiKey


@dataclass(frozen=True)
class OrganizationClient:
    """The caller of an employer API request made with a key: `request.user` and `request.auth` hold it."""

    api_key: OrganizationApiKey
    organization_id: int
    scopes: frozenset[str]

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None

    def __str__(self):
        return f"API key {self.api_key.prefix} of organization {self.organization_id}"


class OrganizationApiKeyAuthentication(authentication.BaseAuthentication):
    """Bearer keys of organizations. Without an Authorization header the request is left to the session
    authentication; a header that does not name a usable key is a 401 at once."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.keyword.lower() or not key.strip():
            raise exceptions.AuthenticationFailed("Send the API key as: Authorization: Bearer rfo_<prefix>_<secret>.")
        parsed = keys.parse_api_key(key.strip(), kind=services.API_KEY_KIND)
        if parsed is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        prefix, secret = parsed
        # Made-up keys cost a query each: the failed checks of one address are limited (as for partners).
        wait = failed_auth.failed_auth_wait(request)
        if wait is not None:
            raise exceptions.Throttled(wait=wait, detail="Too many invalid API keys from this address.")
        api_key = OrganizationApiKey.objects.filter(prefix=prefix).first()
        if api_key is None or not keys.secret_matches(secret, api_key.secret_hash):
            failed_auth.failed_auth_record(request)
            raise exceptions.AuthenticationFailed("Invalid API key.")
        if api_key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        services.organization_api_key_mark_used(api_key=api_key)
        client = OrganizationClient(
            api_key=api_key, organization_id=api_key.organization_id, scopes=frozenset(api_key.scopes)
        )
        return client, client

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


def requires_scope(scope: str):
    """Marks an API view's handler (get, post, ...) with the scope an API key needs for it."""

    def mark(handler):
        handler.required_scope = scope
        return handler

    return mark


class EmployerAccess(permissions.BasePermission):
    """Lets in organization API keys that carry the handler's scope, and logged-in employers (whose
    objects are then limited to their organizations by the view). Everyone else: 401 or 403."""

    def has_permission(self, request, view):
        handler = getattr(view, request.method.lower(), None)
        scope = getattr(handler, "required_scope", None)
        client = request.auth
        if isinstance(client, OrganizationClient):
            if scope is None or scope not in client.scopes:
                raise exceptions.PermissionDenied(f"This API key lacks the {scope} scope.")
            return True
        user = request.user
        if not user or not user.is_authenticated:
            raise exceptions.NotAuthenticated(
                "Authentication credentials were not provided: send Authorization: Bearer <API key>, "
                "or log in as a member of the organization."
            )
        if not Membership.objects.filter(user=user).exists():
            raise exceptions.PermissionDenied("Only members of an organization use the employer API.")
        return True


def organization_ids_for(request) -> list[int]:
    """The organizations whose objects this request may see: the key's, or the member's."""
    client = request.auth
    if isinstance(client, OrganizationClient):
        return [client.organization_id]
    return list(Membership.objects.filter(user=request.user).values_list("organization_id", flat=True))
