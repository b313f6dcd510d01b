"""Creators, their linked accounts (rows written directly, as test data) and their imported videos."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache, caches

from integrations.oauth.models import LinkedAccount
from integrations.providers.types import PortfolioItem, Profile, RemoteVideo
from portfolio.accounts.services import user_sign_up
from portfolio.creators import services

PASSWORD = "orchid-lantern-42"
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


def make_creator(email: str, name: str):
    return user_sign_up(email=email, name=name, password=PASSWORD, role="creator")


def link_account(user, *, provider_id: str, role: str, subject: str, profile: Profile | None = None):
    return LinkedAccount.objects.create(
        user=user, provider_id=provider_id, role=role, subject=subject, profile=(profile or Profile()).as_json()
    )


def remote_videos(count: int, *, prefix: str = "v", start: int = 1001) -> list[RemoteVideo]:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        RemoteVideo(
            platform_video_id=f"{prefix}-{start + n}",
            title=f"Clip {n + 1}",
            cover_image_url=f"https://cdn.video.example/{prefix}-{start + n}.jpg",
            share_url=f"https://video.example/watch/{prefix}-{start + n}",
            embed_url=f"https://video.example/embed/{prefix}-{start + n}",
            duration_seconds=30 + n,
            published_at=base + timedelta(days=n),
        )
        for n in range(count)
    ]


CASEY_PROFILE = Profile(
    display_name="Casey Creator",
    headline="Motion designer",
    bio="I animate logos and explainers.",
    skills=["After Effects", "Illustration"],
    rate="$85/hr",
    location="Lisbon, PT",
    avatar_url="https://cdn.freelance.example/casey.png",
    profile_url="https://freelance.example/casey",
    portfolio_items=[
        PortfolioItem(id="p-1", title="Brand reel", url="https://freelance.example/casey/p-1"),
        PortfolioItem(id="p-2", title="Explainer", url="https://freelance.example/casey/p-2"),
    ],
)


@pytest.fixture(autouse=True)
def clean_cache():
    """Links, public pages and click counters live in the caches: each test starts and ends with them empty."""
    cache.clear()
    caches["clicks"].clear()
    yield
    cache.clear()
    caches["clicks"].clear()


@pytest.fixture
def creator(db):
    return make_creator("casey@example.com", "Casey Creator")


@pytest.fixture
def video_account(creator):
    return link_account(creator, provider_id="sandbox-video", role="videos", subject="sbx-v-1")


@pytest.fixture
def freelance_account(creator):
    return link_account(
        creator, provider_id="sandbox-freelance", role="portfolio", subject="sbx-u-1", profile=CASEY_PROFILE
    )


@pytest.fixture
def videos(video_account):
    services.videos_sync(linked_account=video_account, videos=remote_videos(3))
    return list(video_account.videos.order_by("platform_video_id"))


@pytest.fixture
def other_creator(db):
    return make_creator("robin@example.com", "Robin Other")


@pytest.fixture
def other_video(other_creator):
    account = link_account(other_creator, provider_id="sandbox-video", role="videos", subject="sbx-v-2")
    services.videos_sync(linked_account=account, videos=remote_videos(1, prefix="r"))
    return account.videos.get()


def target_for(user, key: str = "page"):
    """One of the creator's link targets, by form key ("profile:<id>", "project:<id>:<project>"), or
    "page": their Reelfolio page, which the forms no longer offer but links fall back to after an unlink."""
    from portfolio.creators import selectors

    if key == "page":
        return selectors.reelfolio_page_target(handle=user.creator_profile.handle)
    targets = selectors.anchor_targets_for_creator(user=user, handle=user.creator_profile.handle)
    return next(t for t in targets if t.key == key)


@pytest.fixture
def racing_cache(settings):
    """The cache as a RacingLocMemCache (tests/creators/racing_cache.py): set `key_part` and `before_write`."""
    from tests.creators.racing_cache import RacingLocMemCache

    settings.CACHES = {
        "default": {"BACKEND": "tests.creators.racing_cache.RacingLocMemCache", "LOCATION": "race"},
        "clicks": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "race-clicks"},
    }
    yield RacingLocMemCache
    RacingLocMemCache.before_write = None
    RacingLocMemCache.key_part = ""


PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)
# Two networks of the tiny GeoIP database below, and their countries.
GB_ADDRESS, PT_ADDRESS = "81.2.69.142", "2.125.160.216"


@pytest.fixture
def geoip_database(tmp_path, settings):
    """A tiny GeoLite2-Country database written for the test (two networks), configured as GEOIP_PATH."""
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="GeoLite2-Country")
    writer.insert_network(IPSet(["81.2.69.0/24"]), {"country": {"iso_code": "GB"}})
    writer.insert_network(IPSet(["2.125.160.0/24"]), {"country": {"iso_code": "PT"}})
    path = tmp_path / "countries.mmdb"
    writer.to_db_file(str(path))
    settings.GEOIP_PATH = str(path)
    return path
