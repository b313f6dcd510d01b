"""The shared base of every provider: what a concrete provider declares, and how its answers are read.

A concrete provider is a small declarative class: its endpoints, scopes, and how to read the user id,
the profile, the portfolio and the videos out of its API's answers. The flow lives once, in
integrations.oauth; the jobs around it each have their module here:

- `config`: checks of the configuration;
- `client`: the Authlib client and the calls made with it (refresh, revocation, the API);
- `discovery`: trusting a discovery document;
- `token_errors`: what a token endpoint's failure means for the creator;
- `paging`: following `Link: rel="next"`.
"""

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

from integrations.providers.client import ClientMixin
from integrations.providers.config import ConfigurationMixin
from integrations.providers.discovery import DiscoveryMixin
from integrations.providers.errors import ProviderError
from integrations.providers.mapping import clean_profile, clean_video
from integrations.providers.paging import LinkPagingMixin
from integrations.providers.token_errors import TokenErrorsMixin
from integrations.providers.types import Account, RemoteVideo


class Provider(ConfigurationMixin, ClientMixin, DiscoveryMixin, TokenErrorsMixin, LinkPagingMixin):
    """A configured provider. Subclasses set `kind` and the class attributes below."""

    kind: ClassVar[str] = ""
    default_name: ClassVar[str] = ""
    default_role: ClassVar[str] = ""
    default_scopes: ClassVar[str] = ""
    # Endpoints. A discovered provider sets `discovery_url` and leaves the others to its metadata.
    authorize_url: str = ""
    token_url: str = ""
    revocation_url: str = ""
    discovery_url: str = ""
    api_base_url: str = ""
    # The issuer the authorization response's `iss` must equal (RFC 9207) when nothing is discovered.
    issuer: str = ""
    token_endpoint_auth_method: ClassVar[str] = "client_secret_basic"
    # Error codes of the token endpoint meaning "this grant is gone; the creator must connect again".
    invalid_grant_errors: ClassVar[frozenset[str]] = frozenset({"invalid_grant"})
    # Headers for calls to the provider's API (for instance an API version).
    api_headers: ClassVar[dict[str, str]] = {}
    # Options an entry of OAUTH_PROVIDERS may set for this kind, besides the common ones.
    options: ClassVar[tuple[str, ...]] = ("authorize_url", "token_url", "revocation_url", "api_base_url")
    required_options: ClassVar[tuple[str, ...]] = ()
    common_options: ClassVar[tuple[str, ...]] = ("id", "kind", "name", "role", "client_id", "client_secret", "scopes")

    def __init__(self, *, id: str, client_id: str, client_secret: str = "", name: str = "", role: str = "",
                 scopes: str = "", **options: Any):
        self.id = id
        self.client_id = client_id
        self.client_secret = client_secret
        self.name = name or self.default_name or id
        self.role = role or self.default_role
        self.scopes = scopes or self.default_scopes
        for key, value in options.items():
            setattr(self, key, value)

    def __repr__(self):
        return f"<{type(self).__name__} {self.id}>"

    # --- what subclasses map ---------------------------------------------------------------------

    def account(self, *, token: dict) -> Account:
        """Who the creator is, right after the token exchange (`token` may carry validated ID token claims)."""
        account = self._mapped(lambda: self.fetch_account(token=token))
        return dataclasses.replace(account, profile=clean_profile(account.profile))

    def profile(self, *, access_token: str) -> Account:
        account = self._mapped(lambda: self.fetch_profile(access_token=access_token))
        return dataclasses.replace(account, profile=clean_profile(account.profile))

    def videos(self, *, access_token: str) -> list[RemoteVideo]:
        return [clean_video(video) for video in self._mapped(lambda: self.fetch_videos(access_token=access_token))]

    def _mapped(self, fetch: Callable):
        try:
            return fetch()
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            raise ProviderError(f"{self.name} answered in a shape Reelfolio does not understand.") from None

    def fetch_account(self, *, token: dict) -> Account:
        return self.fetch_profile(access_token=token["access_token"])

    def fetch_profile(self, *, access_token: str) -> Account:
        raise NotImplementedError

    def fetch_videos(self, *, access_token: str) -> list[RemoteVideo]:
        return []
