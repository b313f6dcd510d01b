"""Checks of a provider's configuration (an OAUTH_PROVIDERS entry): a mistake raises ImproperlyConfigured
at startup, never a failure in front of a creator."""

import re
from typing import Self
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from integrations.providers.addresses import is_secure_url
from integrations.providers.discovery import issuer_for_discovery_url
from integrations.providers.provider_attributes import ProviderAttributes

ROLES = ("portfolio", "videos")
PROVIDER_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")
# Options of OAUTH_PROVIDERS entries (and class defaults) that are addresses Reelfolio talks to or trusts.
URL_OPTIONS = (
    "discovery_url", "authorize_url", "token_url", "revocation_url", "api_base_url", "issuer",
    "profile_url", "portfolio_url", "video_list_url",
)


class ConfigurationMixin(ProviderAttributes):
    """Building a provider from its OAUTH_PROVIDERS entry, and what follows from its configuration."""

    @classmethod
    def from_config(cls, config: dict) -> Self:
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
