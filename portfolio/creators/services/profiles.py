"""Creator profiles and their handles (the public page /@<handle>)."""

import functools
import re
import secrets
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django.utils.text import slugify

from common.errors import ApplicationError, Conflict, full_clean
from portfolio.creators import selectors
from portfolio.creators.models import CreatorProfile, PortfolioAnchor, PreviousHandle, ProjectPlacement
from portfolio.creators.services.invalidation import invalidate_on_commit

HANDLE_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{1,28}[a-z0-9])$")
HANDLE_RULES = "3 to 30 characters: lowercase letters, digits, '-' and '_', starting and ending with a letter or digit."


# Words a handle may not be, besides the first segments of our own URLs: /@admin or /@support would pass
# for Reelfolio itself.
RESERVED_WORDS = frozenset({
    "about", "account", "admin", "administrator", "api", "app", "apply", "auth", "billing", "blog", "contact",
    "creators", "dashboard", "demo", "docs", "employer", "employers", "help", "home", "legal", "login",
    "logout", "me", "media", "moderator", "official", "partner", "partners", "privacy", "reelfolio",
    "root", "security", "settings", "signin", "signup", "staff", "static", "status", "support", "system",
    "terms", "webhooks", "www",
})


def _first_segments(patterns) -> set[str]:
    """The first path segment of every URL pattern, looking inside includes mounted at the root."""
    words = set()
    for pattern in patterns:
        first = str(pattern.pattern).lstrip("^").split("/")[0].rstrip("$").lower()
        if not first and isinstance(pattern, URLResolver):
            words |= _first_segments(pattern.url_patterns)
        elif re.fullmatch(r"[a-z0-9_-]+", first):
            words.add(first)
    return words


@functools.cache
def reserved_handles() -> frozenset[str]:
    """Handles nobody may take: the first segment of every URL of ours (admin, api, jobs, l, accounts,
    healthz, ...), and RESERVED_WORDS."""
    return frozenset(_first_segments(get_resolver().url_patterns) | {"sandbox", "integrations"} | RESERVED_WORDS)


def handle_is_reserved(handle: str) -> bool:
    return handle.lower().strip("-_") in reserved_handles()


def handle_validate(handle: str) -> str:
    handle = handle.strip().lower().lstrip("@")
    if not HANDLE_RE.match(handle):
        raise ApplicationError.on_field("handle", f"Choose a handle of {HANDLE_RULES}")
    if handle_is_reserved(handle):
        raise ApplicationError.on_field("handle", f"“{handle}” is kept for Reelfolio's own pages; choose another one.")
    return handle


def _free_handle(base: str, *, salt: str = "") -> str:
    base = re.sub(r"[^a-z0-9_-]", "", slugify(base).lower()).strip("-_")[:24] or "creator"
    if len(base) < 3:
        base = f"{base}-creator"
    if salt:
        base = f"{base}-{salt}"
    if handle_is_reserved(base):
        base = f"{base}-creator"
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
        PreviousHandle.objects.filter(handle=candidate).delete()  # its old owner's redirect ends here
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
    """Changes the handle; links to the old Reelfolio page now point to the new one, and the old page
    address redirects to the new one until another creator takes it."""
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
    # The old address redirects to the new one until another creator takes it; the new one is nobody's
    # redirect any more.
    PreviousHandle.objects.filter(handle=handle).delete()
    PreviousHandle.objects.update_or_create(handle=old_handle, defaults={"profile": profile})
    anchors = list(PortfolioAnchor.objects.select_related("video").filter(video__owner=profile.user))
    page_anchors = [a for a in anchors if a.target_kind == PortfolioAnchor.TargetKind.REELFOLIO_PAGE]
    PortfolioAnchor.objects.filter(pk__in=[a.pk for a in page_anchors]).update(
        target_url=selectors.reelfolio_page_url(handle=handle), updated_at=timezone.now()
    )
    invalidate_on_commit(
        videos=[a.video for a in page_anchors], codes=[a.code for a in anchors], handles=[old_handle, handle]
    )
    return profile




AVATAR_HTTPS_ONLY = "The avatar must be an https:// address of an image (a page served over https shows no other)."


def _https_url_validate(url: str, *, field: str, refusal: str, what: str) -> str:
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise ApplicationError.on_field(field, refusal)
    if parts.username or parts.password:
        raise ApplicationError.on_field(field, f"{what} must not carry a user name or password.")
    return url


def _avatar_url_validate(url: str) -> str:
    return _https_url_validate(url, field="avatar_url", refusal=AVATAR_HTTPS_ONLY, what="The avatar's address")


CTA_HTTPS_ONLY = "The button's address must be an https:// address."


@transaction.atomic
def creator_page_look_update(
    *, profile: CreatorProfile, theme: str, cta_label: str, cta_url: str
) -> CreatorProfile:
    """The public page's colours and its one button: blank label and address make it "Hire me", to the linked
    freelance profile; an address of the creator's own (a booking page, a shop) needs its label."""
    if theme not in CreatorProfile.Theme.values:
        raise ApplicationError.on_field("theme", "Choose one of the themes shown.")
    label = " ".join(cta_label.split())
    url = _https_url_validate(cta_url, field="cta_url", refusal=CTA_HTTPS_ONLY, what="The button's address")
    if url and not label:
        raise ApplicationError.on_field("cta_label", "Give the button its words, e.g. “Book a call”.")
    profile.theme, profile.cta_label, profile.cta_url = theme, label, url
    full_clean(profile, validate_unique=False)
    profile.save(update_fields=["theme", "cta_label", "cta_url"])
    invalidate_on_commit(handles=[profile.handle])
    return profile


@transaction.atomic
def creator_identity_update(
    *, profile: CreatorProfile, display_name: str, bio: str, avatar_url: str
) -> CreatorProfile:
    """The name, bio and avatar the public page shows; a blank one falls back to the freelance profile's."""
    profile.display_name = " ".join(display_name.split())
    profile.bio = bio.strip().replace("\r\n", "\n")
    profile.avatar_url = _avatar_url_validate(avatar_url)
    full_clean(profile, validate_unique=False)
    profile.save(update_fields=["display_name", "bio", "avatar_url"])
    invalidate_on_commit(handles=[profile.handle])
    return profile


@transaction.atomic
def creator_projects_arrange(*, profile: CreatorProfile, order: list[str], shown: set[str]) -> None:
    """Places the creator's projects on their public page: `order` lists every project's key
    ("<account id>:<project id>", as `selectors.projects_for_creator` gives them) from first to last,
    `shown` the keys of those the page shows. A key that is not one of the creator's projects is refused."""
    known = {p.key: p for p in selectors.projects_for_creator(profile=profile)}
    if len(set(order)) != len(order) or set(order) != set(known):
        raise Conflict(
            "Your projects changed since this page was loaded (a sync may have brought new ones): "
            "check the list and save again."
        )
    if not shown <= set(known):
        raise ApplicationError("Choose projects from the list.")
    ProjectPlacement.objects.filter(profile=profile).delete()
    ProjectPlacement.objects.bulk_create(
        ProjectPlacement(
            profile=profile, linked_account_id=known[key].account_id, project_id=known[key].project_id,
            position=position, is_shown=key in shown,
        )
        for position, key in enumerate(order)
    )
    invalidate_on_commit(handles=[profile.handle])
