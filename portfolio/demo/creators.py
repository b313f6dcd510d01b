"""The creators part of the demo: Casey's sandbox accounts, videos and one "View My Portfolio" link, so that
the tour can start where a viewer does, on a video of Casey's at the sandbox video platform.

The links are written as a sync would write them, from the sandbox's seed data, but hold no tokens: they are
marked "needs reconnect", and the creator's Linked accounts page asks to reconnect them (log in at the
sandbox as `casey`); the videos and the link stay. Running it again changes nothing.
"""

from django.conf import settings
from django.db import transaction
from django.templatetags.static import static
from django.utils import timezone

from common import formats
from integrations.oauth.models import LinkedAccount
from integrations.providers.types import PortfolioItem, Profile, RemoteVideo
from integrations.sandbox import seed_data
from portfolio.accounts.models import User
from portfolio.creators import selectors
from portfolio.creators.models import PortfolioAnchor, Video
from portfolio.creators.services import anchors_attach, creator_profile_ensure, videos_sync

DEMO_CREATOR_EMAIL = "creator@demo.reelfolio.test"
SANDBOX_USERNAME = "casey"


def _casey() -> dict:
    return next(user for user in seed_data.USERS if user["username"] == SANDBOX_USERNAME)


def _profiles(casey: dict) -> dict[str, Profile]:
    site = settings.SITE_URL
    profile_url = f"{site}/sandbox/freelancers/{casey['username']}"
    rate = formats.pay(casey.get("hourly_rate"), None, casey["currency"], "HOUR")
    return {
        "sandbox-freelance": Profile(
            display_name=casey["name"], headline=casey["headline"], bio=casey["bio"], skills=list(casey["skills"]),
            rate=rate, location=casey["location"], avatar_url=f"{site}{static(casey['avatar'])}",
            profile_url=profile_url,
            portfolio_items=[
                PortfolioItem(id=p["public_id"], title=p["title"], url=f"{profile_url}#{p['public_id']}")
                for p in casey["projects"]
            ],
        ),
        "sandbox-video": Profile(
            display_name=casey["video_display_name"], avatar_url=f"{site}{static(casey['avatar'])}"
        ),
    }


def sandbox_remote_videos(sandbox_user: dict) -> list[RemoteVideo]:
    """The videos of a sandbox user (seed_data.USERS) as the sandbox video platform lists them."""
    site = settings.SITE_URL
    return [
        RemoteVideo(
            platform_video_id=video["public_id"],
            title=video["title"],
            cover_image_url=f"{site}{static(video['cover_image'])}",
            share_url=f"{site}/sandbox/videos/{video['public_id']}",
            embed_url=f"{site}/sandbox/videos/{video['public_id']}/embed",
            duration_seconds=video["duration"],
            published_at=video["published_at"],
        )
        for video in sandbox_user["videos"]
    ]


@transaction.atomic
def seed_creator_demo() -> Video | None:
    """Gives the demo creator Casey's sandbox accounts and videos, and "View My Portfolio" (to the sandbox
    freelance profile) on the newest video; returns the video that carries it (None when the demo creator
    is missing or someone else linked Casey's sandbox accounts)."""
    creator = User.objects.filter(email=DEMO_CREATOR_EMAIL).first()
    if creator is None:
        return None
    casey = _casey()
    subjects = {"sandbox-freelance": casey["freelance_id"], "sandbox-video": casey["video_open_id"]}
    roles = {"sandbox-freelance": LinkedAccount.Role.PORTFOLIO, "sandbox-video": LinkedAccount.Role.VIDEOS}
    profiles = _profiles(casey)
    accounts = {}
    for provider_id, subject in subjects.items():
        linked = LinkedAccount.objects.filter(provider_id=provider_id, subject=subject).first()
        if linked is None:
            if LinkedAccount.objects.filter(user=creator, provider_id=provider_id).exists():
                return None  # the demo creator linked another account of this provider: leave it
            linked = LinkedAccount.objects.create(
                user=creator, provider_id=provider_id, role=roles[provider_id], subject=subject,
                status=LinkedAccount.Status.NEEDS_RECONNECT, profile=profiles[provider_id].as_json(),
                last_synced_at=timezone.now(),
            )
        if linked.user_id != creator.pk:
            return None
        accounts[provider_id] = linked
    anchored = (
        Video.objects.filter(owner=creator, status=Video.Status.ACTIVE, portfolio_anchor__is_active=True)
        .order_by("-published_at", "-id")
        .first()
    )
    if anchored is not None or PortfolioAnchor.objects.filter(video__owner=creator).exists():
        return anchored  # the creator chose (or took off) links since: leave them
    if not Video.objects.filter(owner=creator).exists():
        videos_sync(linked_account=accounts["sandbox-video"], videos=sandbox_remote_videos(casey))
    video = Video.objects.filter(owner=creator, status=Video.Status.ACTIVE).order_by("-published_at", "-id").first()
    if video is None:
        return None
    profile = creator_profile_ensure(user=creator)
    target = next(
        target
        for target in selectors.anchor_targets_for_creator(user=creator, handle=profile.handle)
        if target.linked_account is not None and target.kind == PortfolioAnchor.TargetKind.LINKED_PROFILE
    )
    anchors_attach(creator=creator, videos=[video], target=target)
    return video
