"""The normalized shapes every provider maps its responses into."""

from dataclasses import asdict, dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PortfolioItem:
    id: str  # the provider's id of the project, stable across syncs
    title: str
    url: str
    cover_image_url: str = ""


@dataclass(frozen=True)
class Profile:
    display_name: str = ""
    headline: str = ""
    bio: str = ""
    skills: list[str] = field(default_factory=list)
    rate: str = ""  # as the provider shows it, e.g. "$85/hr"
    location: str = ""
    avatar_url: str = ""
    profile_url: str = ""
    portfolio_items: list[PortfolioItem] = field(default_factory=list)

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict | None) -> "Profile":
        data = dict(data or {})
        items = [PortfolioItem(**item) for item in data.pop("portfolio_items", [])]
        known = {name for name in cls.__dataclass_fields__}
        return cls(portfolio_items=items, **{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class RemoteVideo:
    """One video of a video-platform account, as the provider API lists it."""

    platform_video_id: str
    title: str = ""
    cover_image_url: str = ""
    share_url: str = ""
    embed_url: str = ""
    duration_seconds: int | None = None
    published_at: datetime | None = None


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
