"""Who calls an API with a key, and what the key lets them do.

`ApiKeyAuthentication` reads `Authorization: Bearer <kind>_<prefix>_<secret>`: no header leaves the request
to the next authentication (or anonymous); a header that does not name a usable key is a 401 at once. Each
kind of key says how its record is found (and cached), what else refuses it (a disabled partner) and which
caller it makes. Lookups of keys not already known are limited per client address: made-up keys cost a
query each.

`HasScopes` is the one scope check: an operation names the scopes a key needs for it, on the view
(`required_scopes = (...)`) or on its handler (`@requires_scope(...)` on `get`, `post`, ...).
"""

from collections.abc import Callable
from typing import Any

from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from common.api_keys import INVALID_KEY, StoredKey, key_refusal, parse_api_key

TOO_MANY_INVALID_KEYS = "Too many invalid API keys from this address."


class ApiKeyClient:
    """The caller of a request made with an API key: `request.user` and `request.auth` both hold it. A
    kind of key subclasses it (as a frozen dataclass) with what its views need to know."""

    scopes: frozenset[str]

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Bearer API keys of one kind (`kind`). A subclass reads the key's record (`read_record`, and
    `cached_record` when records are cached), may refuse it for its holder's sake (`holder_refusal`), makes
    the caller (`client`) and records the key's use (`mark_used`)."""

    keyword = "Bearer"
    kind: str
    # What a malformed Authorization header is told.
    header_help = "Send the API key as: Authorization: Bearer <API key>."
    # The limit on failed checks per client address: seconds to wait (None: go on), and counting one.
    failed_checks_wait: Callable[[Any], int | None]
    failed_check_record: Callable[[Any], None]

    def authenticate(self, request: Request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.keyword.lower() or not key.strip():
            raise exceptions.AuthenticationFailed(self.header_help)
        parsed = parse_api_key(key.strip(), kind=self.kind)
        if parsed is None:
            raise exceptions.AuthenticationFailed(INVALID_KEY)
        prefix, secret = parsed
        record = self.cached_record(prefix=prefix)
        from_database = record is None
        if record is None:
            # Only here, before a query: a key in the cache costs the warm path nothing more.
            wait = self.failed_checks_wait(request)
            if wait is not None:
                raise exceptions.Throttled(wait=wait, detail=TOO_MANY_INVALID_KEYS)
            record = self.read_record(prefix=prefix)
        client, refusal = self.client_for_record(record, prefix=prefix, secret=secret)
        if client is None:
            if refusal == INVALID_KEY:
                self.failed_check_record(request)
            raise exceptions.AuthenticationFailed(refusal)
        if from_database:
            self.mark_used(client)
        return client, client

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'

    def client_for_record(self, record: Any, *, prefix: str, secret: str) -> tuple[ApiKeyClient | None, str]:
        """The caller a key's record and secret make, or (None, why the key is refused)."""
        found = self.found(record)
        refusal = key_refusal(found, secret=secret) or self.holder_refusal(record)
        if refusal:
            return None, refusal
        return self.client(record, prefix=prefix), ""

    # --- What each kind of key says ---------------------------------------------------------------------

    def cached_record(self, *, prefix: str) -> Any | None:
        """The record of the key with this prefix when a cache holds it; None to read the database."""
        return None

    def read_record(self, *, prefix: str) -> Any:
        """The record of the key with this prefix, read from the database (None, or a record that says it
        was not found, when no key has it)."""
        raise NotImplementedError

    def found(self, record: Any) -> StoredKey | None:
        """The record as a stored key, None when it names no key."""
        return record

    def holder_refusal(self, record: Any) -> str:
        """Why the key's holder refuses it although the key is valid (e.g. a disabled partner); "" if not."""
        return ""

    def client(self, record: Any, *, prefix: str) -> ApiKeyClient:
        raise NotImplementedError

    def mark_used(self, client: ApiKeyClient) -> None:
        """Records that the key was used (called when its record came from the database)."""
        raise NotImplementedError


def requires_scope(scope: str):
    """Marks an API view's handler (get, post, ...) with the scope an API key needs for it, where the
    handlers of one view need different scopes."""

    def mark(handler):
        handler.required_scopes = (scope,)
        return handler

    return mark


def required_scopes(request: Request, view) -> tuple[str, ...]:
    """The scopes a key needs for this request: its handler's, else the view's `required_scopes`."""
    handler = getattr(view, request.method.lower(), None)  # type: ignore[union-attr]
    needed = getattr(handler, "required_scopes", None) or getattr(view, "required_scopes", None) or ()
    return tuple(needed)


def missing_scopes(client: ApiKeyClient, needed: tuple[str, ...]) -> list[str]:
    """The scopes of `needed` that the caller's key lacks."""
    return [scope for scope in needed if scope not in client.scopes]


class HasScopes(permissions.BasePermission):
    """Lets in callers with an API key of `client_class` that carries every scope the operation needs; an
    operation that names none takes no key. Any other caller goes to `without_key`: by default a 401."""

    client_class: type[ApiKeyClient] = ApiKeyClient
    not_authenticated_message = "Authentication credentials were not provided: send Authorization: Bearer <API key>."

    def has_permission(self, request, view):
        client = request.auth
        if not isinstance(client, self.client_class):
            return self.without_key(request, view)
        needed = required_scopes(request, view)
        if not needed:
            raise exceptions.PermissionDenied("This operation does not take an API key.")
        missing = missing_scopes(client, needed)
        if missing:
            raise exceptions.PermissionDenied(f"This API key lacks the {missing[0]} scope.")
        return True

    def without_key(self, request, view) -> bool:
        raise exceptions.NotAuthenticated(self.not_authenticated_message)
