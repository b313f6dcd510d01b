"""Creator profiles and their handles (the public page /@<handle>)."""

import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from common.errors import ApplicationError, Conflict, full_clean
from portfolio.creators import selectors
from portfolio.creators.models import CreatorProfile, PortfolioAnchor
from portfolio.creators.services.invalidation import invalidate_on_commit

HANDLE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{1,28}[a-z0-9])$")
HANDLE_RULES = "3 to 30 characters: lowercase letters, digits, '-' and '_', starting and ending with a letter or digit."


def handle_validate(handle: str) -> str:
    handle = handle.strip().lower().lstrip("@")
    if not HANDLE_RE.match(handle):
        raise ApplicationError.on_field("handle", f"Choose a handle of {HANDLE_RULES}")
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
            raise Conflict.on_field("handle", HANDLE_TAKEN)
        salt = secrets.token_hex(2) if attempt >= 2 else ""
        candidate = chosen or _free_handle(user.name or user.email.split("@")[0], salt=salt)
        profile = CreatorProfile(user=user, handle=candidate)
        full_clean(profile, validate_unique=False)
        try:
            with transaction.atomic():
                profile.save()
        except IntegrityError:
            if not selectors.handle_is_taken(handle=candidate):
                raise  # not the handle: this user has a profile already
            continue
        invalidate_on_commit(handles=[candidate])  # someone may have looked it up while it was free
        return profile
    raise Conflict.on_field("handle", HANDLE_TAKEN)


def creator_profile_ensure(*, user) -> CreatorProfile:
    """The creator's profile, made on first use for creators who signed up before profiles existed."""
    profile = CreatorProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile
    try:
        return creator_profile_create(user=user)
    except (IntegrityError, ApplicationError):  # made at the same moment by another request
        return CreatorProfile.objects.get(user=user)


@transaction.atomic
def creator_profile_update(*, profile: CreatorProfile, handle: str) -> CreatorProfile:
    """Changes the handle; links to the old Reelfolio page now point to the new one."""
    handle = handle_validate(handle)
    old_handle = profile.handle
    if handle == old_handle:
        return profile
    if selectors.handle_is_taken(handle=handle, exclude_user=profile.user):
        raise Conflict.on_field("handle", HANDLE_TAKEN)
    profile.handle = handle
    full_clean(profile, validate_unique=False)
    try:
        with transaction.atomic():
            profile.save(update_fields=["handle"])
    except IntegrityError:  # taken at this very moment by another creator
        profile.handle = old_handle
        raise Conflict.on_field("handle", HANDLE_TAKEN) from None
    anchors = list(PortfolioAnchor.objects.select_related("video").filter(video__owner=profile.user))
    page_anchors = [a for a in anchors if a.target_kind == PortfolioAnchor.TargetKind.REELFOLIO_PAGE]
    PortfolioAnchor.objects.filter(pk__in=[a.pk for a in page_anchors]).update(
        target_url=selectors.reelfolio_page_url(handle=handle), updated_at=timezone.now()
    )
    invalidate_on_commit(
        videos=[a.video for a in page_anchors], codes=[a.code for a in anchors], handles=[old_handle, handle]
    )
    return profile


