"""Partner API authentication: `Authorization: Bearer rfk_<prefix>_<secret>`, and a scope check."""

from dataclasses import dataclass

from rest_framework import authentication, exceptions, permissions

from integrations.partners import failed_auth, keys, selectors, services


@dataclass(frozen=True)
class PartnerClient:
    """The caller of a partner API request: `request.user` and `request.auth` both hold it."""

    api_key_id: int
    partner_id: int
    partner_slug: str
    scopes: frozenset[str]
    api_key_prefix: str = ""  # names the key's throttle counter (throttling.py)

    is_authenticated = True
    is_anonymous = False

    def __str__(self):
        return f"partner {self.partner_slug} (key {self.api_key_id})"


INVALID_KEY = "Invalid API key."


def client_for_record(
    record: selectors.ApiKeyRecord, *, prefix: str, secret: str
) -> tuple[PartnerClient | None, str]:
    """The caller a key's record and secret make, or (None, why the key is refused)."""
    if not record.found or not keys.secret_matches(secret, record.secret_hash):
        return None, INVALID_KEY
    if record.revoked:
        return None, "This API key has been revoked."
    if not record.partner_active:
        return None, "This partner is disabled."
    assert record.id is not None and record.partner_id is not None  # a found key's record has both
    client = PartnerClient(
        api_key_id=record.id,
        partner_id=record.partner_id,
        partner_slug=record.partner_slug,
        scopes=frozenset(record.scopes),
        api_key_prefix=prefix,
    )
    return client, ""


class PartnerApiKeyAuthentication(authentication.BaseAuthentication):
    """Bearer API keys of partners. Without an Authorization header the request stays anonymous (and
    the view's permission answers 401); a header that does not name a usable key is a 401 at once."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, key = header.partition(" ")
        if scheme.lower() != self.keyword.lower() or not key.strip():
            raise exceptions.AuthenticationFailed("Send the API key as: Authorization: Bearer <API key>.")
        parsed = keys.parse_api_key(key.strip())
        if parsed is None:
            raise exceptions.AuthenticationFailed(INVALID_KEY)
        prefix, secret = parsed
        record = selectors.api_key_record_cached(prefix=prefix)
        from_database = record is None
        if record is None:
            # Only here, before a query: a key in the cache costs the warm path nothing more.
            wait = failed_auth.failed_auth_wait(request)
            if wait is not None:
                raise exceptions.Throttled(wait=wait, detail="Too many invalid API keys from this address.")
            record = selectors.api_key_record_read(prefix=prefix)
        client, refusal = client_for_record(record, prefix=prefix, secret=secret)
        if client is None:
            if refusal == INVALID_KEY:
                failed_auth.failed_auth_record(request)
            raise exceptions.AuthenticationFailed(refusal)
        if from_database:
            services.api_key_mark_used(api_key_id=client.api_key_id)
        return client, client

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class HasScope(permissions.BasePermission):
    """Lets in partner clients whose key carries every scope in the view's `required_scopes`."""

    def has_permission(self, request, view):
        client = request.auth
        if not isinstance(client, PartnerClient):
            raise exceptions.NotAuthenticated(
                "Authentication credentials were not provided: send Authorization: Bearer <API key>."
            )
        missing = [scope for scope in getattr(view, "required_scopes", ()) if scope not in client.scopes]
        if missing:
            raise exceptions.PermissionDenied(f"This API key lacks the {missing[0]} scope.")
        return True
