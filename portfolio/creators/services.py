"""Writes for creators: profiles and handles, videos from linked accounts, anchors, removal, click folding.

Every service that changes what a video shows drops, once its transaction commits, the partner API's
anchor cache of those videos, the cached short links and the cached public page of their creator.
"""

import logging
import re
import secrets
import string
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from integrations.oauth.models import LinkedAccount
from integrations.oauth.types import RemoteVideo
from portfolio.creators import clicks, selectors
from portfolio.creators.anchor_cache import anchors_cache_invalidate
from portfolio.creators.cache_entries import entries_invalidate
from portfolio.creators.models import CreatorProfile, LinkClickDaily, PortfolioAnchor, Video
from portfolio.creators.validators import http_or_blank, target_url_validate

logger = logging.getLogger(__name__)

HANDLE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{1,28}[a-z0-9])$")
HANDLE_RULES = "3 to 30 characters: lowercase letters, digits, '-' and '_', starting and ending with a letter or digit."
CODE_ALPHABET = string.ascii_letters + string.digits
CODE_LENGTH = 10  # 62**10 ≈ 8e17 codes: not guessable, still short


# --- After-commit cache invalidation -------------------------------------------------------------------


def _invalidate_on_commit(*, videos: Iterable[Video] = (), codes: Iterable[str] = (), handles: Iterable[str] = ()):
    videos = [v for v in videos]
    codes = {c for c in codes if c}
    handles = {h for h in handles if h}

    def invalidate():
        anchors_cache_invalidate(videos=videos)
        entries_invalidate(
            [selectors.link_cache_key(c) for c in codes] + [selectors.public_page_cache_key(h) for h in handles]
        )

    # robust: the change is committed; an unreachable cache is logged and its stale entries expire.
    transaction.on_commit(invalidate, robust=True)


def creator_page_invalidate(*, user_id: int) -> None:
    """Drops the creator's cached public page once the transaction commits (their profile changed)."""
    _invalidate_on_commit(handles=[_handle_of(user_id)])


def _handle_of(user) -> str:
    profile = CreatorProfile.objects.filter(user=user).values_list("handle", flat=True).first()
    return profile or ""


# --- Creator profiles ----------------------------------------------------------------------------------


def handle_validate(handle: str) -> str:
    handle = handle.strip().lower().lstrip("@")
    if not HANDLE_RE.match(handle):
        raise ValidationError({"handle": f"Choose a handle of {HANDLE_RULES}"})
    return handle


def _free_handle(base: str, *, salt: str = "") -> str:
    base = re.sub(r"[^a-z0-9_-]", "", slugify(base).lower()).strip("-_")[:24] or "creator"
    if len(base) < 3:
        base = f"{base}-creator"
    if salt:
        base = f"{base}-{salt}"
    candidate, n = base, 1
    while selectors.handle_is_taken(handle=candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


HANDLE_TAKEN = "This handle is taken; try another one."


@transaction.atomic
def creator_profile_create(*, user, handle: str = "") -> CreatorProfile:
    """A creator's profile; without a handle, one is made from their name (or email) that nobody uses yet.

    Two creators of the same name signing up at once may pick the same free handle: the one whose
    insert the database refuses takes the next free handle (after two such clashes, one with a random part).
    """
    chosen = handle_validate(handle) if handle else ""
    for attempt in range(5):
        if chosen and selectors.handle_is_taken(handle=chosen):
            raise ValidationError({"handle": HANDLE_TAKEN})
        salt = secrets.token_hex(2) if attempt >= 2 else ""
        candidate = chosen or _free_handle(user.name or user.email.split("@")[0], salt=salt)
        profile = CreatorProfile(user=user, handle=candidate)
        profile.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                profile.save()
        except IntegrityError:
            if not selectors.handle_is_taken(handle=candidate):
                raise  # not the handle: this user has a profile already
            continue
        _invalidate_on_commit(handles=[candidate])  # someone may have looked it up while it was free
        return profile
    raise ValidationError({"handle": HANDLE_TAKEN})


def creator_profile_ensure(*, user) -> CreatorProfile:
    """The creator's profile, made on first use for creators who signed up before profiles existed."""
    profile = CreatorProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    try:
        return creator_profile_create(user=user)
    except (IntegrityError, ValidationError):  # made at the same moment by another request
        return CreatorProfile.objects.get(user=user)


@transaction.atomic
def creator_profile_update(*, profile: CreatorProfile, handle: str) -> CreatorProfile:
    """Changes the handle; links to the old Reelfolio page now point to the new one."""
    handle = handle_validate(handle)
    old_handle = profile.handle
    if handle == old_handle:
        return profile
    if selectors.handle_is_taken(handle=handle, exclude_user=profile.user):
        raise ValidationError({"handle": HANDLE_TAKEN})
    profile.handle = handle
    profile.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            profile.save(update_fields=["handle"])
    except IntegrityError:  # taken at this very moment by another creator
        profile.handle = old_handle
        raise ValidationError({"handle": HANDLE_TAKEN}) from None
    anchors = list(PortfolioAnchor.objects.select_related("video").filter(video__owner=profile.user))
    page_anchors = [a for a in anchors if a.target_kind == PortfolioAnchor.TargetKind.REELFOLIO_PAGE]
    PortfolioAnchor.objects.filter(pk__in=[a.pk for a in page_anchors]).update(
        target_url=selectors.reelfolio_page_url(handle=handle), updated_at=timezone.now()
    )
    _invalidate_on_commit(
        videos=[a.video for a in page_anchors], codes=[a.code for a in anchors], handles=[old_handle, handle]
    )
    return profile


# --- Anchors -------------------------------------------------------------------------------------------


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
            raise ValidationError("You can only attach links to your own videos.")
        if video.status != Video.Status.ACTIVE:
            raise ValidationError(f"The video {video.title or video.platform_video_id!r} was removed.")
        if video.linked_account_id is None or video.linked_account.user_id != creator.pk:
            raise ValidationError("You can only attach links to videos of a video account you linked.")


@transaction.atomic
def anchors_attach(*, creator, videos: Sequence[Video], target: selectors.AnchorTarget) -> list[PortfolioAnchor]:
    """Puts "View My Portfolio" on these videos, or points their existing link at the new target.

    A video keeps its one link (and its short code) for good: changing the target or attaching again
    after a detach reuses it.
    """
    if not videos:
        raise ValidationError("Choose at least one video.")
    if target.linked_account is not None and target.linked_account.user_id != creator.pk:
        raise ValidationError({"target": "Links can only point to your own linked accounts."})
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
    saved[0].full_clean(validate_unique=False)
    PortfolioAnchor.objects.bulk_update([a for a in saved if a.pk], list(fields))
    PortfolioAnchor.objects.bulk_create([a for a in saved if not a.pk])
    _invalidate_on_commit(videos=locked, codes=[a.code for a in saved], handles=[_handle_of(creator)])
    return saved


@transaction.atomic
def anchor_detach(*, creator, anchor: PortfolioAnchor) -> PortfolioAnchor:
    """Takes "View My Portfolio" off a video; its short link answers 410 from now on."""
    anchor = PortfolioAnchor.objects.select_for_update().select_related("video").get(pk=anchor.pk)
    if anchor.video.owner_id != creator.pk:
        raise ValidationError("You can only detach links from your own videos.")
    if anchor.is_active:
        anchor.is_active = False
        anchor.save(update_fields=["is_active", "updated_at"])
        _invalidate_on_commit(videos=[anchor.video], codes=[anchor.code], handles=[_handle_of(creator)])
    return anchor


# --- Videos --------------------------------------------------------------------------------------------


@transaction.atomic
def video_remove(*, video: Video, reason: str = Video.RemovedReason.PLATFORM) -> Video:
    """Hides a video everywhere at once: no anchors in the partner API, 410 on its link, off public pages.

    An operator's removal (reason "admin") sticks: a later sync that lists the video does not bring it back.
    """
    video = Video.objects.select_for_update().get(pk=video.pk)
    already = video.status == Video.Status.REMOVED
    if already and not (reason == Video.RemovedReason.ADMIN and video.removed_reason != reason):
        return video
    video.status = Video.Status.REMOVED
    video.removed_at = video.removed_at if already else timezone.now()
    video.removed_reason = reason
    video.full_clean(exclude=["owner", "linked_account"], validate_unique=False)
    video.save(update_fields=["status", "removed_at", "removed_reason", "updated_at"])
    code = PortfolioAnchor.objects.filter(video=video).values_list("code", flat=True).first()
    _invalidate_on_commit(videos=[video], codes=[code] if code else [], handles=[_handle_of(video.owner_id)])
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
    handles = [_handle_of(owner_id) for owner_id in {v.owner_id for v in removing}]
    _invalidate_on_commit(videos=removing, codes=list(codes), handles=handles)
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
    moved_codes, moved_from = [], set()
    now = timezone.now()
    for video_id, remote in remote_by_id.items():
        fields = _remote_fields(remote)
        video = known.get(video_id)
        if video is None:
            video = Video(
                owner=user, linked_account=linked_account, platform=platform, platform_video_id=video_id, **fields
            )
            video.full_clean(exclude=["owner", "linked_account"], validate_unique=False, validate_constraints=False)
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
        video.full_clean(exclude=["owner", "linked_account"], validate_unique=False, validate_constraints=False)
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
        handles = [_handle_of(user), *(_handle_of(owner_id) for owner_id in moved_from)]
        _invalidate_on_commit(videos=[*changed, *new], codes=[*codes, *moved_codes], handles=handles)
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
    _invalidate_on_commit(videos=[a.video for a in anchors], codes=[a.code for a in anchors], handles=[handle])


# --- Click counts ----------------------------------------------------------------------------------------

FOLD_LOCK_KEY = "creators:clicks-fold-lock"
FOLD_LOCK_SECONDS = 300
FOLD_BATCH = 500


def clicks_fold(*, now=None) -> int:
    """Moves the click counts from the cache into LinkClickDaily; returns how many clicks it moved.

    For each link and day it adds the counter's value to the row and subtracts the same value from the
    counter, in one database transaction; clicks that arrive meanwhile stay in the counter. One fold
    runs at a time.
    """
    now = now or timezone.now()
    token = secrets.token_hex(8)
    # The lock lives with the counters: an entry of `default` can be culled by a flood of made-up URLs.
    counters = clicks.counter_cache()
    if not counters.add(FOLD_LOCK_KEY, token, FOLD_LOCK_SECONDS):
        logger.info("clicks_fold skipped: another fold is running")
        return 0
    try:
        days = [(now.date() - timedelta(days=n)).isoformat() for n in range(clicks.FOLD_DAYS)]
        anchor_ids = clicks.clicked_anchor_ids(days=days)
        if anchor_ids is None:
            since = now - timedelta(days=clicks.FOLD_DAYS + 1)
            anchor_ids = list(selectors.anchors_to_fold(since=since).values_list("id", flat=True))
        moved = 0
        for start in range(0, len(anchor_ids), FOLD_BATCH):
            pending = clicks.pending_counts(anchor_ids=anchor_ids[start : start + FOLD_BATCH], days=days)
            for (anchor_id, day), (total, uniques) in pending.items():
                try:
                    _fold_one(anchor_id=anchor_id, day=day, total=total, uniques=uniques)
                except IntegrityError:  # the link was deleted meanwhile: its counts go with it
                    logger.warning("clicks_fold dropped the counts of a deleted link", extra={"anchor_id": anchor_id})
                    counters.delete_many([clicks.total_key(anchor_id, day), clicks.unique_key(anchor_id, day)])
                    continue
                moved += total
        return moved
    finally:
        if counters.get(FOLD_LOCK_KEY) == token:
            counters.delete(FOLD_LOCK_KEY)


@transaction.atomic
def _fold_one(*, anchor_id: int, day: str, total: int, uniques: int) -> None:
    rows = LinkClickDaily.objects.filter(anchor_id=anchor_id, day=day)
    if not rows.update(clicks=F("clicks") + total, unique_visitors=F("unique_visitors") + uniques):
        LinkClickDaily.objects.create(anchor_id=anchor_id, day=day, clicks=total, unique_visitors=uniques)
    if total:
        clicks.counter_incr(clicks.total_key(anchor_id, day), -total)
    if uniques:
        clicks.counter_incr(clicks.unique_key(anchor_id, day), -uniques)
