"""The two providers of the built-in sandbox partner (docs/sandbox.md), configured when SANDBOX_ENABLED.

They talk to the sandbox over HTTP at SITE_URL like to any outside provider and never import its code.
"""

from django.conf import settings

from common import formats
from integrations.providers.cursor_videos import CursorVideoListMixin
from integrations.providers.mapping import portfolio_item, text
from integrations.providers.oidc import OIDCProvider
from integrations.providers.paging import MAX_PAGES
from integrations.providers.provider import Provider
from integrations.providers.types import Account, PortfolioItem, Profile


def sandbox_configs() -> list[dict]:
    discovery_url = f"{settings.SITE_URL}/sandbox/.well-known/openid-configuration"
    api_base_url = f"{settings.SITE_URL}/sandbox/api/"
    secret = settings.SANDBOX_CLIENT_SECRET
    return [
        {"id": "sandbox-freelance", "kind": SandboxFreelanceProvider.kind, "discovery_url": discovery_url,
         "api_base_url": api_base_url, "client_id": "reelfolio-sandbox-freelance", "client_secret": secret},
        {"id": "sandbox-video", "kind": SandboxVideoProvider.kind, "discovery_url": discovery_url,
         "api_base_url": api_base_url, "client_id": "reelfolio-sandbox-video", "client_secret": secret},
    ]


def rate(hourly_rate) -> str:
    if not isinstance(hourly_rate, dict) or not hourly_rate.get("amount"):
        return ""
    # Written once, at the sync, the way every page writes pay: "$85 per hour".
    return formats.pay(text(hourly_rate["amount"], 20), None, text(hourly_rate.get("currency"), 3), "HOUR")


class SandboxFreelanceProvider(OIDCProvider):
    """A freelance platform: OpenID Connect sign-in, profile and projects from its freelance API."""

    kind = "sandbox-freelance"
    default_name = "Sandbox Freelance"
    default_role = "portfolio"
    default_scopes = "openid profile email offline_access portfolio.read"
    options = ("discovery_url", "api_base_url")
    required_options = ("discovery_url", "api_base_url")
    # The freelance API's `id` is its own; the validated ID token's `sub` is the subject.
    profile_names_subject = False

    def fetch_profile(self, *, access_token: str) -> Account:
        me, _ = self.api_json("GET", "freelance/me", access_token=access_token)
        items: list[PortfolioItem] = []
        page = 1
        for _ in range(MAX_PAGES):
            data, _ = self.api_json("GET", "freelance/me/projects", access_token=access_token, params={"page": page})
            items.extend(portfolio_item(**{key: project.get(key) for key in ("id", "title", "url", "cover_image_url")})
                         for project in data["projects"])
            page = data.get("next_page")
            if not page:
                break
        return Account(
            subject=text(me["id"], 255),
            profile=Profile(
                display_name=text(me.get("name"), 200),
                headline=text(me.get("headline"), 300),
                bio=text(me.get("bio")),
                skills=[text(skill, 100) for skill in me.get("skills") or []],
                rate=rate(me.get("hourly_rate")),
                location=text(me.get("location"), 200),
                avatar_url=text(me.get("avatar_url"), 1000),
                profile_url=text(me.get("profile_url"), 1000),
                portfolio_items=items,
            ),
        )


class SandboxVideoProvider(CursorVideoListMixin, Provider):
    """A TikTok-style video platform: plain OAuth 2.0 (no openid) against the same authorization server."""

    kind = "sandbox-video"
    default_name = "Sandbox Video"
    default_role = "videos"
    default_scopes = "videos.read offline_access"
    options = ("discovery_url", "api_base_url")
    required_options = ("discovery_url", "api_base_url")
    video_list_url = "videos/list"
    max_count = 10

    def fetch_profile(self, *, access_token: str) -> Account:
        me, _ = self.api_json("GET", "videos/me", access_token=access_token)
        return Account(
            subject=text(me["open_id"], 255),
            profile=Profile(
                display_name=text(me.get("display_name"), 200), avatar_url=text(me.get("avatar_url"), 1000)
            ),
        )
