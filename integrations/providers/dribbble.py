"""Dribbble: the portfolio is the creator's shots; its tokens do not expire and cannot be revoked by API.

Sample answers: tests/integrations/providers/fixtures/dribbble/ (from developer.dribbble.com/v2).
"""

import html

from django.utils.html import strip_tags

from integrations.providers.mapping import portfolio_item, text
from integrations.providers.provider import Provider
from integrations.providers.types import Account, Profile


class DribbbleProvider(Provider):
    kind = "dribbble"
    default_name = "Dribbble"
    default_role = "portfolio"
    default_scopes = "public"
    authorize_url = "https://dribbble.com/oauth/authorize"
    token_url = "https://dribbble.com/oauth/token"
    api_base_url = "https://api.dribbble.com/v2/"
    token_endpoint_auth_method = "client_secret_post"

    def fetch_profile(self, *, access_token: str) -> Account:
        user, _ = self.api_json("GET", "user", access_token=access_token)
        shots = []
        for page in self.api_pages("user/shots", access_token=access_token, params={"per_page": 100}):
            shots.extend(page)
        items = [
            portfolio_item(
                id=shot["id"], title=shot.get("title"), url=shot.get("html_url"),
                cover_image_url=(shot.get("images") or {}).get("normal") or (shot.get("images") or {}).get("hidpi"),
            )
            for shot in shots
        ]
        return Account(
            subject=text(user["id"], 255),
            profile=Profile(
                display_name=text(user.get("name") or user.get("login"), 200),
                bio=text(html.unescape(strip_tags(user.get("bio") or ""))),  # Dribbble sends HTML
                location=text(user.get("location"), 200),
                avatar_url=text(user.get("avatar_url"), 1000),
                profile_url=text(user.get("html_url"), 1000),
                portfolio_items=items,
            ),
        )
