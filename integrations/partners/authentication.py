"""Partner API authentication: `Authorization: Bearer rfk_<prefix>_<secret>` (common.api_keys), with the
key's record cached (selectors.py), and the scope check of the partner API."""

from dataclasses import dataclass

from common.api_keys.authentication import ApiKeyAuthentication, ApiKeyClient, HasScopes
from integrations.partners import failed_auth, keys, selectors, services


@dataclass(frozen=True)
class PartnerClient(ApiKeyClient):
    """The caller of a partner API request: `request.user` and `request.auth` both hold it."""

    api_key_id: int
    partner_id: int
    partner_slug: str
    scopes: frozenset[str]
    api_key_prefix: str = ""  # names the key's throttle counter (throttling.py)

    def __str__(self):
        return f"partner {self.partner_slug} (key {self.api_key_id})"


class PartnerApiKeyAuthentication(ApiKeyAuthentication):
    """Bearer API keys of partners. Without an Authorization header the request stays anonymous (and
    the view's permission answers 401); a header that does not name a usable key is a 401 at once."""

    kind = keys.API_KEY_KIND
    failed_checks_wait = staticmethod(failed_auth.failed_auth_wait)
    failed_check_record = staticmethod(failed_auth.failed_auth_record)

    def cached_record(self, *, prefix):
        return selectors.api_key_record_cached(prefix=prefix)

    def read_record(self, *, prefix):
        return selectors.api_key_record_read(prefix=prefix)

    def found(self, record: selectors.ApiKeyRecord):
        return record if record.found else None

    def holder_refusal(self, record: selectors.ApiKeyRecord) -> str:
        return "" if record.partner_active else "This partner is disabled."

    def client(self, record: selectors.ApiKeyRecord, *, prefix: str) -> PartnerClient:
        assert record.id is not None and record.partner_id is not None  # a found key's record has both
        return PartnerClient(
            api_key_id=record.id,
            partner_id=record.partner_id,
            partner_slug=record.partner_slug,
            scopes=frozenset(record.scopes),
            api_key_prefix=prefix,
        )

    def mark_used(self, client):
        services.api_key_mark_used(api_key_id=client.api_key_id)


def client_for_record(
    record: selectors.ApiKeyRecord, *, prefix: str, secret: str
) -> tuple[PartnerClient | None, str]:
    """The caller a key's record and secret make, or (None, why the key is refused): the anchors' hot path
    checks a cached key exactly as the DRF view does."""
    client, refusal = _authentication.client_for_record(record, prefix=prefix, secret=secret)
    assert client is None or isinstance(client, PartnerClient)
    return client, refusal


_authentication = PartnerApiKeyAuthentication()


class HasScope(HasScopes):
    """Lets in partner clients whose key carries every scope in the view's `required_scopes`."""

    client_class = PartnerClient
