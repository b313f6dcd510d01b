"""The Authlib client of a provider, and every call made with it: token refresh, revocation, its API.

Every call has the timeouts of common.http (the settings') and every failure becomes a ProviderError with
a message fit for the creator.
"""

from collections.abc import Callable
from functools import cached_property
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from authlib.integrations.requests_client import OAuth2Session
from joserfc.errors import JoseError

from common import http
from integrations.providers.errors import ProviderError, TokenRejected
from integrations.providers.provider_attributes import ProviderAttributes


class ClientMixin(ProviderAttributes):
    """Authlib's client for the provider (PKCE, state, nonce and ID token checks are its work) and the
    calls made with it."""

    def client_auth_methods(self) -> list[tuple[str, Callable]]:
        """Extra client authentication methods (name, function) for providers with their own."""
        return []

    def session_kwargs(self) -> dict:
        return {
            "scope": self.scopes,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
            "revocation_endpoint_auth_method": self.token_endpoint_auth_method,
            "default_timeout": http.timeout(),
        }

    def authorize_params(self) -> dict:
        return {}

    @cached_property
    def client(self):
        """Authlib's Django client for this provider: PKCE, state, nonce and ID token checks are its work."""
        kwargs: dict[str, Any] = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "client_kwargs": self.session_kwargs(),
        }
        if self.discovery_url:
            kwargs["server_metadata_url"] = self.discovery_url
        if self.authorize_url:
            kwargs["authorize_url"] = self.authorize_url
        if self.token_url:
            kwargs["access_token_url"] = self.token_url
        if self.api_base_url:
            kwargs["api_base_url"] = self.api_base_url
        if self.authorize_params():
            kwargs["authorize_params"] = self.authorize_params()
        if self.client_auth_methods():
            kwargs["client_auth_methods"] = self.client_auth_methods()
        return OAuth().register(self.id, **kwargs)

    def refresh(self, *, refresh_token: str) -> dict:
        """Asks the token endpoint for a new access token; may rotate the refresh token."""
        try:
            self.metadata()
            token = self.client.fetch_access_token(grant_type="refresh_token", refresh_token=refresh_token)
        except ProviderError:
            raise
        except (AuthlibBaseError, JoseError, http.RequestException, ValueError, TypeError) as error:
            raise self.token_error(error, "renew access", refreshing=True) from None
        if not token.get("access_token"):
            raise ProviderError(f"{self.name} renewed access without an access token.")
        return self.checked_token(dict(token), "renew access")

    def revoke(self, *, token: str, token_type_hint: str) -> bool:
        """Revokes one token (RFC 7009). False when the provider has no revocation endpoint."""
        url = self.endpoint("revocation_endpoint")
        if not url:
            return False
        session = OAuth2Session(client_id=self.client_id, client_secret=self.client_secret, **self.session_kwargs())
        for method in self.client_auth_methods():
            session.register_client_auth_method(method)
        try:
            with session:
                response = session.revoke_token(url, token=token, token_type_hint=token_type_hint)
        except (http.RequestException, AuthlibBaseError) as error:
            raise self.token_error(error, "revoke access") from None
        if response.status_code != 200:
            raise ProviderError(f"{self.name} refused to revoke access (HTTP {response.status_code}).")
        return True

    # --- the provider's API ----------------------------------------------------------------------

    def api(self, method: str, url: str, *, access_token: str, **kwargs) -> http.Response:
        """One call to the provider's API with the creator's access token."""
        self.metadata()
        headers = {**self.api_headers, **kwargs.pop("headers", {})}
        token = {"access_token": access_token, "token_type": "Bearer"}
        try:
            response = self.client.request(method, url, token=token, headers=headers, **kwargs)
        except http.Timeout:
            raise ProviderError(f"{self.name} did not answer in time. Please try again later.") from None
        except http.RequestException:
            raise ProviderError(f"{self.name} could not be reached. Please try again later.") from None
        if response.status_code == 401:
            raise TokenRejected(f"{self.name} no longer accepts Reelfolio's access. Please reconnect.")
        if response.status_code >= 400:
            raise ProviderError(f"{self.name} answered with an error (HTTP {response.status_code}). Please try again.")
        return response

    def api_json(self, method: str, url: str, *, access_token: str, **kwargs) -> tuple[Any, http.Response]:
        response = self.api(method, url, access_token=access_token, **kwargs)
        try:
            return response.json(), response
        except ValueError:
            raise ProviderError(f"{self.name} sent an answer that is not valid JSON.") from None
