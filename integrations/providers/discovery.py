"""Discovery trust: a provider's metadata document is used only when its issuer is the one its address
names (RFC 8414 §3.3) and every address in it is https."""

import logging
import time
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

from common import http
from integrations.providers.addresses import is_secure_url
from integrations.providers.errors import ProviderError
from integrations.providers.provider_attributes import ProviderAttributes

logger = logging.getLogger(__name__)

METADATA_TTL_SECONDS = 3600
OIDC_DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
RFC8414_PREFIX = "/.well-known/oauth-authorization-server"
# Addresses in a discovery document that Reelfolio sends the creator, codes, tokens or trust to.
METADATA_URL_FIELDS = (
    "issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "revocation_endpoint", "jwks_uri",
)


def issuer_for_discovery_url(url: str) -> str:
    """The issuer a discovery document at `url` must name (OpenID Connect Discovery 1.0, RFC 8414 §3)."""
    parts = urlsplit(url)
    if parts.path.endswith(OIDC_DISCOVERY_SUFFIX):
        path = parts.path[: -len(OIDC_DISCOVERY_SUFFIX)]
    elif parts.path.startswith(RFC8414_PREFIX):
        path = parts.path[len(RFC8414_PREFIX):]
    else:
        raise ImproperlyConfigured(
            f"The discovery URL {url} ends neither in {OIDC_DISCOVERY_SUFFIX} nor starts with {RFC8414_PREFIX}."
        )
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class DiscoveryMixin(ProviderAttributes):
    """The provider's discovered metadata (when it has a `discovery_url`) and the endpoints read from it."""

    def metadata(self) -> dict:
        """The discovered metadata, checked: its issuer must be the one its URL names (RFC 8414 §3.3)."""
        if not self.discovery_url:
            return {}
        client = self.client
        loaded_at = client.server_metadata.get("_loaded_at")
        if loaded_at and time.time() - loaded_at > METADATA_TTL_SECONDS:
            client.server_metadata = {}
        try:
            metadata = client.load_server_metadata()
        except http.Timeout:
            raise ProviderError(f"{self.name} did not answer in time. Please try again later.") from None
        except (ValueError, TypeError, AttributeError):  # requests' JSONDecodeError is a ValueError too
            client.server_metadata = {}
            raise ProviderError(f"{self.name} sent a discovery document that is not valid JSON.") from None
        except http.RequestException:
            raise ProviderError(f"{self.name} could not be reached. Please try again later.") from None
        expected = issuer_for_discovery_url(self.discovery_url)
        # The well-known path is appended after dropping the issuer's terminating "/" (OpenID Connect
        # Discovery §4, RFC 8414 §3): both spellings name this URL. `iss` and ID tokens must then match
        # the issuer exactly as the document spells it.
        if metadata.get("issuer") not in (expected, f"{expected}/"):
            client.server_metadata = {}
            logger.warning("oauth.discovery_issuer_mismatch", extra={"provider": self.id})
            raise ProviderError(
                f"{self.name}'s discovery document names a different issuer than its address; "
                "Reelfolio does not trust it, so nothing was linked."
            )
        insecure = [
            field for field in METADATA_URL_FIELDS
            if metadata.get(field) and not (isinstance(metadata[field], str) and is_secure_url(metadata[field]))
        ]
        if insecure:
            client.server_metadata = {}
            logger.warning("oauth.discovery_insecure_url", extra={"provider": self.id, "field": insecure[0]})
            raise ProviderError(
                f"{self.name}'s discovery document gives a plain-http address for {insecure[0]}; Reelfolio "
                "talks to providers over https only, so nothing was linked."
            )
        return metadata

    def expected_issuer(self) -> str:
        return self.metadata().get("issuer", "") if self.discovery_url else self.issuer

    def requires_iss(self) -> bool:
        """RFC 9207: a server that advertises `iss` in authorization responses must always send it."""
        return bool(self.metadata().get("authorization_response_iss_parameter_supported")) if self.discovery_url \
            else bool(self.issuer)

    def endpoint(self, name: str) -> str:
        """An endpoint from the configuration, or else from the discovered metadata."""
        configured = {"token_endpoint": self.token_url, "revocation_endpoint": self.revocation_url}.get(name)
        return configured or self.metadata().get(name, "")
