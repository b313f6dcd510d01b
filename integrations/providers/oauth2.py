"""A plain OAuth 2.0 provider: explicit endpoints and a mapping from its profile answer to ours.

    {"id": "folio", "kind": "oauth2", "name": "Folio", "role": "portfolio",
     "authorize_url": "...", "token_url": "...", "revocation_url": "...", "issuer": "...",
     "profile_url": "https://api.folio.example/me",
     "profile_mapping": {"subject": "id", "display_name": "name", "headline": "title",
                         "skills": "skills", "avatar_url": "photo.url", "profile_url": "links.html"},
     "portfolio_url": "https://api.folio.example/me/projects", "portfolio_path": "data",
     "portfolio_mapping": {"id": "id", "title": "name", "url": "link", "cover_image_url": "cover"},
     "client_id": "...", "client_secret": "...", "scopes": "profile projects"}

Mapping values are dotted paths into the JSON answer; the portfolio follows `Link: rel="next"`.
"""

from typing import Any

from django.core.exceptions import ImproperlyConfigured

from integrations.providers.mapping import portfolio_item, text
from integrations.providers.provider import Provider
from integrations.providers.types import Account, Profile

PROFILE_FIELDS = ("display_name", "headline", "bio", "skills", "rate", "location", "avatar_url", "profile_url")
ITEM_FIELDS = ("id", "title", "url", "cover_image_url")


def dig(data: Any, path: str) -> Any:
    """The value at a dotted path ("photo.url", "items.0.name"), or None."""
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


class OAuth2Provider(Provider):
    kind = "oauth2"
    options = (
        "authorize_url", "token_url", "revocation_url", "api_base_url", "issuer", "token_endpoint_auth_method",
        "profile_url", "profile_mapping", "portfolio_url", "portfolio_path", "portfolio_mapping",
    )
    required_options = ("authorize_url", "token_url", "profile_url", "profile_mapping", "role")
    profile_url = ""
    profile_mapping: dict = {}
    portfolio_url = ""
    portfolio_path = ""
    portfolio_mapping: dict = {}

    def check(self) -> None:
        super().check()
        if "subject" not in self.profile_mapping:
            raise ImproperlyConfigured(f"Provider {self.id!r}: profile_mapping needs a `subject` path.")
        unknown = set(self.profile_mapping) - {"subject", *PROFILE_FIELDS}
        unknown |= set(self.portfolio_mapping) - set(ITEM_FIELDS)
        if unknown:
            raise ImproperlyConfigured(f"Provider {self.id!r}: unknown mapping field(s) {', '.join(sorted(unknown))}.")
        if self.token_endpoint_auth_method not in ("client_secret_basic", "client_secret_post", "none"):
            raise ImproperlyConfigured(f"Provider {self.id!r}: unsupported token_endpoint_auth_method.")

    def fetch_profile(self, *, access_token: str) -> Account:
        data, _ = self.api_json("GET", self.profile_url, access_token=access_token)
        subject = text(dig(data, self.profile_mapping["subject"]), 255)
        if not subject:
            raise ValueError("no subject")
        fields: dict[str, Any] = {}
        for name in PROFILE_FIELDS:
            if name not in self.profile_mapping:
                continue
            value = dig(data, self.profile_mapping[name])
            if name == "skills":
                fields[name] = [text(skill, 100) for skill in (value or []) if text(skill)]
            else:
                fields[name] = text(value)
        return Account(subject=subject, profile=Profile(portfolio_items=self.fetch_portfolio(access_token), **fields))

    def fetch_portfolio(self, access_token: str) -> list:
        if not self.portfolio_url:
            return []
        mapping = {"id": "id", "title": "title", "url": "url", "cover_image_url": "cover_image_url",
                   **self.portfolio_mapping}
        items = []
        for page in self.api_pages(self.portfolio_url, access_token=access_token):
            for entry in (dig(page, self.portfolio_path) if self.portfolio_path else page) or []:
                items.append(portfolio_item(**{name: dig(entry, path) for name, path in mapping.items()}))
        return items
