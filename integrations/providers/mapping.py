"""Reading a provider's answers into ours: clean text, http(s) links only, portfolio items."""

import dataclasses
from typing import Any
from urllib.parse import urlsplit

from integrations.providers.types import PortfolioItem, Profile, RemoteVideo


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


def portfolio_item(*, id: Any, title: Any, url: Any, cover_image_url: Any = "") -> PortfolioItem:
    return PortfolioItem(id=text(id, 128), title=text(title, 300), url=text(url, 1000),
                         cover_image_url=text(cover_image_url, 1000))
