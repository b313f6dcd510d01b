"""The shared base of every provider: its configuration, its Authlib client, and the calls it makes.

A concrete provider is a small declarative class: its endpoints, scopes, and how to read the user id,
the profile, the portfolio and the videos out of its API's answers. The flow lives once, in
integrations.oauth; every HTTP call goes through the helpers here, with settings.HTTP_TIMEOUT, and
every failure becomes a ProviderError with a message fit for the creator.
"""

import dataclasses
import ipaddress
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from joserfc.errors import JoseError

from integrations.providers.errors import ProviderError, ReconnectRequired, TokenRejected
from integrations.providers.types import PortfolioItem, Profile, RemoteVideo

logger = logging.getLogger(__name__)

ROLES = ("portfolio", "videos")
PROVIDER_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
METADATA_TTL_SECONDS = 3600
# A guard against a provider whose "next page" never ends.
MAX_PAGES = 50
OIDC_DISCOVERY_SUFFIX = "/.well-known/openid-configuration"
RFC8414_PREFIX = "/.well-known/oauth-authorization-server"
# Options of OAUTH_PROVIDERS entries (and class defaults) that are addresses Reelfolio talks to or trusts.
URL_OPTIONS = (
    "discovery_url", "authorize_url", "token_url", "revocation_url", "api_base_url", "issuer",
    "profile_url", "portfolio_url", "video_list_url",
)
# Addresses in a discovery document that Reelfolio sends the creator, codes, tokens or trust to.
METADATA_URL_FIELDS = (
    "issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "revocation_endpoint", "jwks_uri",
)


@dataclass(frozen=True)
class Account:
    """Who the person is at the provider, and their normalized profile.

    `email` is what the provider says their address is; `email_verified` is true only when the provider
    says it confirmed that address (OpenID Connect's `email_verified` claim). Only a verified email may
    be used to recognise or create a Reelfolio account.
    """

    subject: str
    profile: Profile
    email: str = ""
    email_verified: bool = False


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


def is_loopback_host(host: str | None) -> bool:
    """localhost, 127.0.0.0/8 or ::1."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_secure_url(url: str) -> bool:
    """https, or plain http to a loopback address (a local sandbox or test server), and nothing else."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname
    except ValueError:
        return False
    return bool(host) and (scheme == "https" or (scheme == "http" and is_loopback_host(host)))


def text(value: Any, limit: int = 1000) -> str:
    """A provider's field as a clean string (None and non-strings become text or "")."""
    if value is None:
        return ""
    return str(value).strip()[:limit]


def web_url(value: str) -> str:
    """`value` if it is an http(s) URL, else "": a provider cannot make us render `javascript:` links."""
    scheme = urlsplit(value).scheme.lower() if value else ""
    return value if scheme in ("http", "https") else ""


def clean_profile(profile: Profile) -> Profile:
    items = [
        dataclasses.replace(item, url=web_url(item.url), cover_image_url=web_url(item.cover_image_url))
        for item in profile.portfolio_items
    ]
    return dataclasses.replace(
        profile, avatar_url=web_url(profile.avatar_url), profile_url=web_url(profile.profile_url), portfolio_items=items
    )


def clean_video(video: RemoteVideo) -> RemoteVideo:
    return dataclasses.replace(
        video, cover_image_url=web_url(video.cover_image_url), share_url=web_url(video.share_url),
        embed_url=web_url(video.embed_url),
    )


class Provider:
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

    # --- configuration -----------------------------------------------------------------------------

    @classmethod
    def from_config(cls, config: dict) -> "Provider":
        """Builds a provider from one OAUTH_PROVIDERS entry; a mistake raises ImproperlyConfigured."""
        label = f"OAUTH_PROVIDERS entry {config.get('id', '(without id)')!r}"
        unknown = sorted(set(config) - set(cls.common_options) - set(cls.options))
        if unknown:
            raise ImproperlyConfigured(f"{label}: unknown option(s) {', '.join(unknown)} for kind {cls.kind!r}.")
        provider_id = config.get("id", "")
        if not isinstance(provider_id, str) or not PROVIDER_ID_PATTERN.match(provider_id):
            raise ImproperlyConfigured(f"{label}: `id` must be lowercase letters, digits and dashes (at most 50).")
        for key in ("client_id", *cls.required_options):
            if not config.get(key):
                raise ImproperlyConfigured(f"{label}: `{key}` is required for kind {cls.kind!r}.")
        role = config.get("role") or cls.default_role
        if role not in ROLES:
            raise ImproperlyConfigured(f"{label}: `role` must be one of {', '.join(ROLES)}.")
        provider = cls(**{key: value for key, value in config.items() if key != "kind"})
        provider.check()
        return provider

    def check(self) -> None:
        """Raises ImproperlyConfigured when the provider cannot work as configured."""
        for option in URL_OPTIONS:
            url = getattr(self, option, "")
            if not isinstance(url, str) or not url:
                continue
            parts = urlsplit(url)
            if not (parts.scheme or parts.netloc):  # a path under api_base_url, which is checked itself
                continue
            if not is_secure_url(url):
                raise ImproperlyConfigured(
                    f"Provider {self.id!r}: `{option}` {url} must be https; plain http is allowed only to a "
                    "loopback address (127.0.0.0/8, ::1, localhost)."
                )
        if self.discovery_url:
            issuer_for_discovery_url(self.discovery_url)
        elif not (self.authorize_url and self.token_url):
            raise ImproperlyConfigured(f"Provider {self.id!r} needs a discovery URL or both authorize and token URLs.")

    @property
    def redirect_uri(self) -> str:
        """Exactly the URI registered with the provider: SITE_URL, never the request's host."""
        return f"{settings.SITE_URL}/integrations/oauth/{self.id}/callback/"

    @property
    def uses_openid(self) -> bool:
        return "openid" in self.scopes.replace(",", " ").split()

    def __repr__(self):
        return f"<{type(self).__name__} {self.id}>"

    # --- the Authlib client ----------------------------------------------------------------------

    def client_auth_methods(self) -> list[tuple[str, Callable]]:
        """Extra client authentication methods (name, function) for providers with their own."""
        return []

    def session_kwargs(self) -> dict:
        return {
            "scope": self.scopes,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": self.token_endpoint_auth_method,
            "revocation_endpoint_auth_method": self.token_endpoint_auth_method,
            "default_timeout": settings.HTTP_TIMEOUT,
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
        except requests.Timeout:
            raise ProviderError(f"{self.name} did not answer in time. Please try again later.") from None
        except (ValueError, TypeError, AttributeError):  # requests' JSONDecodeError is a ValueError too
            client.server_metadata = {}
            raise ProviderError(f"{self.name} sent a discovery document that is not valid JSON.") from None
        except requests.RequestException:
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

    # --- token endpoint --------------------------------------------------------------------------

    def token_error(self, error: Exception, action: str, *, refreshing: bool = False) -> ProviderError:
        """Turns a failure of a token endpoint call into the error the creator sees."""
        if refreshing and isinstance(error, OAuthError) and error.error in self.invalid_grant_errors:
            return ReconnectRequired(f"{self.name} no longer accepts Reelfolio's access. Please reconnect.")
        if isinstance(error, OAuthError):
            return ProviderError(f"{self.name} refused to {action} ({error.error}).")
        if isinstance(error, requests.Timeout):
            return ProviderError(f"{self.name} did not answer in time while trying to {action}. Please try again.")
        if isinstance(error, requests.HTTPError):
            return ProviderError(
                f"{self.name} failed while trying to {action} (HTTP {error.response.status_code}). Please try again."
            )
        if isinstance(error, requests.RequestException) and not isinstance(error, requests.JSONDecodeError):
            return ProviderError(f"{self.name} could not be reached to {action}. Please try again later.")
        if isinstance(error, (AuthlibBaseError, JoseError)):
            return ProviderError(f"{self.name}'s answer failed a security check while trying to {action}.")
        return ProviderError(f"{self.name} sent an answer Reelfolio cannot read while trying to {action}.")

    def checked_token(self, token: dict, action: str) -> dict:
        """The token endpoint's answer, refused unless Reelfolio can store it: text tokens and an expiry
        a date can hold. Checked before anything is written, so a garbage answer changes nothing."""
        try:
            for name in ("access_token", "refresh_token"):
                if not isinstance(token.get(name) or "", str):
                    raise TypeError(name)
            if token.get("expires_at"):
                datetime.fromtimestamp(int(token["expires_at"]), tz=UTC)
        except (TypeError, ValueError, OverflowError, OSError) as error:
            raise self.token_error(error, action) from None
        return token

    def refresh(self, *, refresh_token: str) -> dict:
        """Asks the token endpoint for a new access token; may rotate the refresh token."""
        try:
            self.metadata()
            token = self.client.fetch_access_token(grant_type="refresh_token", refresh_token=refresh_token)
        except ProviderError:
            raise
        except (AuthlibBaseError, JoseError, requests.RequestException, ValueError, TypeError) as error:
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
        except (requests.RequestException, AuthlibBaseError) as error:
            raise self.token_error(error, "revoke access") from None
        if response.status_code != 200:
            raise ProviderError(f"{self.name} refused to revoke access (HTTP {response.status_code}).")
        return True

    # --- the provider's API ----------------------------------------------------------------------

    def api(self, method: str, url: str, *, access_token: str, **kwargs) -> requests.Response:
        """One call to the provider's API with the creator's access token."""
        self.metadata()
        headers = {**self.api_headers, **kwargs.pop("headers", {})}
        token = {"access_token": access_token, "token_type": "Bearer"}
        try:
            response = self.client.request(method, url, token=token, headers=headers, **kwargs)
        except requests.Timeout:
            raise ProviderError(f"{self.name} did not answer in time. Please try again later.") from None
        except requests.RequestException:
            raise ProviderError(f"{self.name} could not be reached. Please try again later.") from None
        if response.status_code == 401:
            raise TokenRejected(f"{self.name} no longer accepts Reelfolio's access. Please reconnect.")
        if response.status_code >= 400:
            raise ProviderError(f"{self.name} answered with an error (HTTP {response.status_code}). Please try again.")
        return response

    def api_json(self, method: str, url: str, *, access_token: str, **kwargs) -> tuple[Any, requests.Response]:
        response = self.api(method, url, access_token=access_token, **kwargs)
        try:
            return response.json(), response
        except ValueError:
            raise ProviderError(f"{self.name} sent an answer that is not valid JSON.") from None

    def api_pages(self, url: str, *, access_token: str, params: dict | None = None) -> Iterator[Any]:
        """GET `url` and every page its `Link: rel="next"` header leads to (GitHub, Dribbble, RFC 8288)."""
        for _ in range(MAX_PAGES):
            data, response = self.api_json("GET", url, access_token=access_token, params=params)
            yield data
            url = response.links.get("next", {}).get("url")
            params = None
            if not url:
                return
            url = urljoin(response.url, url)
            # The next request carries the access token: only to where this page was asked for (not where
            # a redirect took it, which requests did not send the token to).
            asked = response.history[0].url if response.history else response.url
            if urlsplit(url)[:2] != urlsplit(asked)[:2]:
                logger.warning("oauth.next_page_elsewhere", extra={"provider": self.id})
                raise ProviderError(f"{self.name} sent a next page on another address, so nothing was read from it.")

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


def portfolio_item(*, id: Any, title: Any, url: Any, cover_image_url: Any = "") -> PortfolioItem:
    return PortfolioItem(id=text(id, 128), title=text(title, 300), url=text(url, 1000),
                         cover_image_url=text(cover_image_url, 1000))
