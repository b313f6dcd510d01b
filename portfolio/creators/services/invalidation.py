"""After-commit cache invalidation, shared by every creators service.

Every service that changes what a video shows drops, once its transaction commits, the partner API's
anchor cache of those videos, the cached short links and the cached public page of their creator, and has
the creator's link-preview card drawn anew (by a task: it may fetch their avatar).
"""

from collections.abc import Iterable

from django.db import transaction

from portfolio.creators import selectors
from portfolio.creators.anchor_cache import anchors_cache_invalidate
from portfolio.creators.cache_entries import entries_invalidate
from portfolio.creators.models import CreatorProfile, PortfolioAnchor, Video
from portfolio.creators.services.social_card import creator_card_draw_later


def invalidate_on_commit(*, videos: Iterable[Video] = (), codes: Iterable[str] = (), handles: Iterable[str] = ()):
    videos = [v for v in videos]
    codes = {c for c in codes if c}
    handles = {h for h in handles if h}

    def invalidate():
        anchors_cache_invalidate(videos=videos)
        entries_invalidate(
            [selectors.link_cache_key(c) for c in codes] + [selectors.public_page_cache_key(h) for h in handles]
        )
        for handle in handles:
            creator_card_draw_later(handle=handle)

    # robust: the change is committed; an unreachable cache is logged and its stale entries expire.
    transaction.on_commit(invalidate, robust=True)



def creator_page_invalidate(*, user_id: int) -> None:
    """Drops the creator's cached public page once the transaction commits (their profile changed)."""
    invalidate_on_commit(handles=[handle_of(user_id)])


def creator_caches_invalidate(*, user_id: int) -> None:
    """Drops, once the transaction commits, every cached thing that shows the creator: their public page,
    their short links and the partner API's anchors of their videos (their account is being closed)."""
    videos = list(Video.objects.filter(owner_id=user_id).only("platform", "platform_video_id"))
    codes = PortfolioAnchor.objects.filter(video__owner_id=user_id).values_list("code", flat=True)
    invalidate_on_commit(videos=videos, codes=codes, handles=[handle_of(user_id)])


def handle_of(user_id: int | None) -> str:
    """The handle of the user's creator profile, or "" when they have none."""
    if user_id is None:
        return ""
    profile = CreatorProfile.objects.filter(user_id=user_id).values_list("handle", flat=True).first()
    return profile or ""
