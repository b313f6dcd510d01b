"""Anchors: the "View My Portfolio" link on videos, attached, retargeted and detached."""

import secrets
import string
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from common.errors import ApplicationError, Gone, PermissionDenied, full_clean
from portfolio.creators import selectors
from portfolio.creators.models import PortfolioAnchor, Video
from portfolio.creators.services.invalidation import handle_of, invalidate_on_commit
from portfolio.creators.validators import target_url_validate

CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 10  # 62**10 ≈ 8e17 codes: not guessable, still short


def _new_codes(count: int) -> list[str]:
    """Fresh short codes, none of them in use (the unique constraint stays the last word)."""
    codes: set[str] = set()
    while len(codes) < count:
        batch = {"".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH)) for _ in range(count - len(codes))}
        codes |= batch - set(PortfolioAnchor.objects.filter(code__in=batch).values_list("code", flat=True))
    return list(codes)


def _check_videos_attachable(*, creator, videos: Sequence[Video]) -> None:
    for video in videos:
        if video.owner_id != creator.pk:
            raise PermissionDenied("You can only attach links to your own videos.")
        if video.status != Video.Status.ACTIVE:
            raise Gone(f"The video {video.title or video.platform_video_id!r} was removed.")
        linked_account = video.linked_account  # no query when there is none
        if linked_account is None or linked_account.user_id != creator.pk:
            raise PermissionDenied("You can only attach links to videos of a video account you linked.")


@transaction.atomic
def anchors_attach(*, creator, videos: Sequence[Video], target: selectors.AnchorTarget) -> list[PortfolioAnchor]:
    """Puts "View My Portfolio" on these videos, or points their existing link at the new target.

    A video keeps its one link (and its short code) for good: changing the target or attaching again
    after a detach reuses it.
    """
    if not videos:
        raise ApplicationError("Choose at least one video.")
    if target.linked_account is not None and target.linked_account.user_id != creator.pk:
        raise PermissionDenied.on_field("target", "Links can only point to your own linked accounts.")
    url = target_url_validate(target.url)
    video_ids = [v.pk for v in videos]
    locked = list(
        Video.objects.select_for_update(of=("self",))
        .select_related("linked_account")
        .filter(pk__in=video_ids)
        .order_by("pk")
    )
    _check_videos_attachable(creator=creator, videos=locked)
    existing = {a.video_id: a for a in PortfolioAnchor.objects.select_for_update().filter(video_id__in=video_ids)}
    now = timezone.now()
    fields = {
        "target_kind": target.kind,
        "target_url": url,
        "linked_account": target.linked_account,
        "project_id": target.project_id,
        "is_active": True,
        "updated_at": now,
    }
    codes = iter(_new_codes(sum(1 for v in locked if v.pk not in existing)))
    saved = []
    for video in locked:
        anchor = existing.get(video.pk) or PortfolioAnchor(video=video, code=next(codes))
        for name, value in fields.items():
            setattr(anchor, name, value)
        saved.append(anchor)
    # Every anchor gets the same target: validating one validates them all (the rest differ by video and code).
    full_clean(saved[0], validate_unique=False)
    PortfolioAnchor.objects.bulk_update([a for a in saved if a.pk], list(fields))
    PortfolioAnchor.objects.bulk_create([a for a in saved if not a.pk])
    invalidate_on_commit(videos=locked, codes=[a.code for a in saved], handles=[handle_of(creator.pk)])
    return saved


@transaction.atomic
def anchor_detach(*, creator, anchor: PortfolioAnchor) -> PortfolioAnchor:
    """Takes "View My Portfolio" off a video; its short link answers 410 from now on."""
    anchor = PortfolioAnchor.objects.select_for_update().select_related("video").get(pk=anchor.pk)
    if anchor.video.owner_id != creator.pk:
        raise PermissionDenied("You can only detach links from your own videos.")
    if anchor.is_active:
        anchor.is_active = False
        anchor.save(update_fields=["is_active", "updated_at"])
        invalidate_on_commit(videos=[anchor.video], codes=[anchor.code], handles=[handle_of(creator.pk)])
    return anchor


