"""Anchors: the "View My Portfolio" link on videos, attached, retargeted and detached."""

import dataclasses
import secrets
import string
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from common.errors import ApplicationError, Gone, PermissionDenied, full_clean
from portfolio.creators import selectors
from portfolio.creators.models import PortfolioAnchor, Video
from portfolio.creators.services.invalidation import handle_of, invalidate_on_commit
from portfolio.creators.validators import custom_target_url_validate, target_url_validate

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


class ReplacementsChanged(ApplicationError):
    """More links would be replaced than the creator confirmed: they changed meanwhile. Nothing was written."""

    code = "replacements_changed"

    def __init__(self, *, replaced: int, confirmed: int):
        super().__init__(
            f"Since you confirmed, your links changed: {replaced} set by hand would now be replaced, not "
            f"{confirmed}. Nothing was changed; check the numbers and confirm again.",
            status=409,
        )
        self.replaced = replaced


def anchor_target_validate(*, creator, target: selectors.AnchorTarget) -> selectors.AnchorTarget:
    """The target as a link may lead there (its address checked and tidied), or ApplicationError saying why not."""
    if target.linked_account is not None and target.linked_account.user_id != creator.pk:
        raise PermissionDenied.on_field("target", "Links can only point to your own linked accounts.")
    if target.kind == PortfolioAnchor.TargetKind.CUSTOM_URL:
        url = custom_target_url_validate(target.url, handles=selectors.creator_handles(user=creator))
    else:
        url = target_url_validate(target.url)
    return dataclasses.replace(target, url=url)


@transaction.atomic
def anchors_attach(
    *,
    creator,
    videos: Sequence[Video],
    target: selectors.AnchorTarget,
    keep_other_links: bool = False,
    replacements_confirmed: int | None = None,
) -> list[PortfolioAnchor]:
    """Puts "View My Portfolio" on these videos, or points their existing link at the new target.

    A video keeps its one link (and its short code) for good: changing the target or attaching again
    after a detach reuses it. With `keep_other_links`, videos whose link is on and leads elsewhere are
    left as they are. With `replacements_confirmed`, the creator agreed to replace that many such links:
    if more would be replaced now (they changed since), nothing is written (ReplacementsChanged).
    """
    if not videos:
        raise ApplicationError("Choose at least one video.")
    target = anchor_target_validate(creator=creator, target=target)
    url = target.url
    video_ids = [v.pk for v in videos]
    locked = list(
        Video.objects.select_for_update(of=("self",))
        .select_related("linked_account")
        .filter(pk__in=video_ids)
        .order_by("pk")
    )
    _check_videos_attachable(creator=creator, videos=locked)
    existing = {a.video_id: a for a in PortfolioAnchor.objects.select_for_update().filter(video_id__in=video_ids)}
    elsewhere = {
        video_id for video_id, anchor in existing.items()
        if anchor.is_active and not selectors.anchor_has_target(anchor, target)
    }
    if keep_other_links:
        locked = [video for video in locked if video.pk not in elsewhere]
        if not locked:
            return []
    elif replacements_confirmed is not None and len(elsewhere) > replacements_confirmed:
        raise ReplacementsChanged(replaced=len(elsewhere), confirmed=replacements_confirmed)
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


