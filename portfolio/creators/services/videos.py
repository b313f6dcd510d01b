"""Videos: imported from linked video accounts, kept in step by syncs, removed."""

import logging
import re
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from common.errors import ApplicationError, full_clean
from integrations.oauth import services as oauth_services
from integrations.oauth.models import LinkedAccount
from integrations.providers.types import RemoteVideo
from portfolio.creators import selectors
from portfolio.creators.models import PortfolioAnchor, Video
from portfolio.creators.services.invalidation import handle_of, invalidate_on_commit
from portfolio.creators.services.profiles import creator_profile_ensure
from portfolio.creators.validators import http_or_blank

logger = logging.getLogger(__name__)


@transaction.atomic
def video_remove(*, video: Video, reason: str = Video.RemovedReason.PLATFORM, at: datetime | None = None) -> Video:
    """Hides a video everywhere at once: no anchors in the partner API, 410 on its link, off public pages.

    An operator's removal (reason "admin") sticks: a later sync that lists the video does not bring it back.
    `at` is when it was removed (a platform's event says when), now by default.
    """
    video = Video.objects.select_for_update().get(pk=video.pk)
    already = video.status == Video.Status.REMOVED
    if already and not (reason == Video.RemovedReason.ADMIN and video.removed_reason != reason):
        return video
    video.status = Video.Status.REMOVED
    video.removed_at = video.removed_at if already else (at or timezone.now())
    video.removed_reason = reason
    full_clean(video, exclude=["owner", "linked_account"], validate_unique=False)
    video.save(update_fields=["status", "removed_at", "removed_reason", "updated_at"])
    code = PortfolioAnchor.objects.filter(video=video).values_list("code", flat=True).first()
    invalidate_on_commit(videos=[video], codes=[code] if code else [], handles=[handle_of(video.owner_id)])
    return video


def _videos_remove(*, videos, reason: str) -> int:
    """Removes the active ones of these videos (a queryset) at once, as `video_remove` does each; returns
    how many. For the many videos of an account that is unlinked or a platform that lists none of them."""
    removing = list(videos.select_for_update(of=("self",)).filter(status=Video.Status.ACTIVE).order_by("pk"))
    if not removing:
        return 0
    now = timezone.now()
    Video.objects.filter(pk__in=[v.pk for v in removing]).update(
        status=Video.Status.REMOVED, removed_at=now, removed_reason=reason, updated_at=now
    )
    codes = PortfolioAnchor.objects.filter(video__in=removing).values_list("code", flat=True)
    handles = [handle_of(owner_id) for owner_id in {v.owner_id for v in removing}]
    invalidate_on_commit(videos=removing, codes=list(codes), handles=handles)
    return len(removing)


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def _remote_fields(remote: RemoteVideo) -> dict:
    return {
        "title": _CONTROL_CHARACTERS.sub("", remote.title or "").strip()[:300],
        "cover_image_url": http_or_blank(remote.cover_image_url),
        "share_url": http_or_blank(remote.share_url),
        "embed_url": http_or_blank(remote.embed_url),
        "duration_seconds": remote.duration_seconds if (remote.duration_seconds or 0) >= 0 else None,
        "published_at": remote.published_at,
    }


@transaction.atomic
def videos_sync(*, linked_account: LinkedAccount, videos: Sequence[RemoteVideo]) -> dict[str, int]:
    """Upserts the creator's videos from the full list their video account has now.

    New videos are added, known ones updated (and brought back if they had vanished from the platform
    or their account had been unlinked), and the creator's videos from this platform that are no longer
    in the list are removed as `video_remove` does. Returns how many were created, updated, removed.
    """
    user = linked_account.user
    platform = linked_account.provider_id
    id_length = Video._meta.get_field("platform_video_id").max_length
    assert id_length is not None  # a CharField
    remote_by_id = {
        r.platform_video_id: r
        for r in videos
        if 0 < len(r.platform_video_id or "") <= id_length and not _CONTROL_CHARACTERS.search(r.platform_video_id)
    }
    if len(remote_by_id) < len({r.platform_video_id for r in videos}):
        # One odd entry from the platform must not keep the creator's other videos out.
        logger.warning("videos_sync skipped videos without a usable id", extra={"linked_account_id": linked_account.pk})
    known = {
        v.platform_video_id: v
        for v in Video.objects.select_for_update().filter(platform=platform, platform_video_id__in=list(remote_by_id))
    }
    new, updated, changed = [], [], []
    # What a video moving to this user takes away: its old link (deleted) and its old owner's page.
    moved_codes: list[str] = []
    moved_from: set[int] = set()
    now = timezone.now()
    for video_id, remote in remote_by_id.items():
        fields = _remote_fields(remote)
        video = known.get(video_id)
        if video is None:
            video = Video(
                owner=user, linked_account=linked_account, platform=platform, platform_video_id=video_id, **fields
            )
            full_clean(video, exclude=["owner", "linked_account"], validate_unique=False, validate_constraints=False)
            new.append(video)
            continue
        shown_before = (video.status, video.owner_id, video.title, video.cover_image_url, video.share_url)
        if video.owner_id != user.pk:
            # The platform account moved to another Reelfolio user: the previous owner's link goes with it.
            moved_codes += PortfolioAnchor.objects.filter(video=video).values_list("code", flat=True)
            moved_from.add(video.owner_id)
            PortfolioAnchor.objects.filter(video=video).delete()
            changed.append(video)
            video.owner = user
        video.linked_account = linked_account
        video.updated_at = now
        for name, value in fields.items():
            setattr(video, name, value)
        if video.status == Video.Status.REMOVED and video.removed_reason != Video.RemovedReason.ADMIN:
            video.status, video.removed_at, video.removed_reason = Video.Status.ACTIVE, None, ""
        full_clean(video, exclude=["owner", "linked_account"], validate_unique=False, validate_constraints=False)
        updated.append(video)
        if shown_before != (video.status, video.owner_id, video.title, video.cover_image_url, video.share_url):
            changed.append(video)
    Video.objects.bulk_create(new)
    state = ["owner", "linked_account", "status", "removed_at", "removed_reason", "updated_at"]
    Video.objects.bulk_update(updated, [*state, *_remote_fields(RemoteVideo(""))])
    gone = Video.objects.filter(owner=user, platform=platform, status=Video.Status.ACTIVE).exclude(
        platform_video_id__in=list(remote_by_id)
    )
    removed = _videos_remove(videos=gone, reason=Video.RemovedReason.PLATFORM)
    if changed or new:
        codes = PortfolioAnchor.objects.filter(video__in=changed).values_list("code", flat=True) if changed else []
        handles = [handle_of(user.pk), *(handle_of(owner_id) for owner_id in moved_from)]
        invalidate_on_commit(videos=[*changed, *new], codes=[*codes, *moved_codes], handles=handles)
    return {"created": len(new), "updated": len(updated), "removed": removed}


@transaction.atomic
def linked_account_unlinked(*, linked_account: LinkedAccount) -> None:
    """What unlinking an account does to the creator's videos and links.

    - A video account: its videos are removed (reason "unlinked"): their links answer 410 and they leave
      the public page. Linking the same account again brings them back with their links and codes.
    - A freelance account: links that pointed at its profile or projects now point at the creator's
      Reelfolio page, so no published link breaks.
    """
    if linked_account.role == LinkedAccount.Role.VIDEOS:
        _videos_remove(videos=Video.objects.filter(linked_account=linked_account), reason=Video.RemovedReason.UNLINKED)
        return
    anchors = list(
        PortfolioAnchor.objects.select_for_update().select_related("video").filter(linked_account=linked_account)
    )
    if not anchors:
        return
    handle = creator_profile_ensure(user=linked_account.user).handle
    PortfolioAnchor.objects.filter(pk__in=[a.pk for a in anchors]).update(
        target_kind=PortfolioAnchor.TargetKind.REELFOLIO_PAGE,
        target_url=selectors.reelfolio_page_url(handle=handle),
        linked_account=None,
        project_id="",
        updated_at=timezone.now(),
    )
    invalidate_on_commit(videos=[a.video for a in anchors], codes=[a.code for a in anchors], handles=[handle])




# --- one video at a time, as a platform's webhook events tell -----------------------------------------


def _at_precision_of(held: datetime, occurred_at: datetime) -> datetime:
    """`held` as precise as the event's time: platforms that time events in whole seconds are not older
    than what we wrote within that same second."""
    return held.replace(microsecond=0) if occurred_at.microsecond == 0 else held


def _holds_newer_state(video: Video, occurred_at: datetime) -> bool:
    """Whether what we hold of the video is newer than an event that happened at `occurred_at` (or an
    operator removed it, which no event undoes)."""
    if video.status == Video.Status.REMOVED:
        return video.removed_reason == Video.RemovedReason.ADMIN or (
            video.removed_at is not None and _at_precision_of(video.removed_at, occurred_at) > occurred_at
        )
    return _at_precision_of(video.updated_at, occurred_at) > occurred_at


@transaction.atomic
def video_import_one(*, linked_account: LinkedAccount, remote: RemoteVideo, occurred_at: datetime) -> Video | None:
    """Adds or updates one video of a linked video account, as a platform's "published" event describes it.

    An event never lets older state overwrite newer: it changes nothing (and returns None) when the video
    was removed at or after the time the event happened, when an operator removed it, or when what we hold
    was written after that time. A video that had vanished from the platform comes back. An event without
    a title (platforms in TikTok's style send ids only) asks for a sync of the account to fill in the rest.
    """
    video_id = remote.platform_video_id or ""
    id_length = Video._meta.get_field("platform_video_id").max_length
    assert id_length is not None  # a CharField
    if not 0 < len(video_id) <= id_length or _CONTROL_CHARACTERS.search(video_id):
        raise ApplicationError("The video id is empty, too long or has control characters.")
    user, platform = linked_account.user, linked_account.provider_id
    fields = {name: value for name, value in _remote_fields(remote).items() if value not in ("", None)}
    video = Video.objects.select_for_update().filter(platform=platform, platform_video_id=video_id).first()
    moved_codes, handles = [], [handle_of(user.pk)]
    if video is None:
        video = Video(
            owner=user, linked_account=linked_account, platform=platform, platform_video_id=video_id, **fields
        )
    elif _holds_newer_state(video, occurred_at):
        return None
    else:
        if video.owner_id != user.pk:
            # The platform account moved to another Reelfolio user: the previous owner's link goes with it.
            moved_codes = list(PortfolioAnchor.objects.filter(video=video).values_list("code", flat=True))
            PortfolioAnchor.objects.filter(video=video).delete()
            handles.append(handle_of(video.owner_id))
            video.owner = user
        video.linked_account = linked_account
        for name, value in fields.items():
            setattr(video, name, value)
        video.status, video.removed_at, video.removed_reason = Video.Status.ACTIVE, None, ""
    video.full_clean(exclude=["owner", "linked_account"], validate_unique=False, validate_constraints=False)
    video.save()
    codes = list(PortfolioAnchor.objects.filter(video=video).values_list("code", flat=True))
    invalidate_on_commit(videos=[video], codes=[*codes, *moved_codes], handles=handles)
    if not remote.title and linked_account.status == LinkedAccount.Status.ACTIVE:
        oauth_services.linked_account_sync_request(linked_account=linked_account)
    return video


@transaction.atomic
def video_removed_at_platform(*, video: Video, occurred_at: datetime) -> Video | None:
    """Removes a video its platform says is gone (a webhook event), as `video_remove` does, dated when it
    happened. An event older than what we hold of an active video (it was published or synced after the
    removal happened) changes nothing and returns None."""
    video = Video.objects.select_for_update().get(pk=video.pk)
    if video.status == Video.Status.ACTIVE and _holds_newer_state(video, occurred_at):
        return None
    return video_remove(video=video, reason=Video.RemovedReason.PLATFORM, at=occurred_at)
