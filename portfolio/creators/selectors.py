"""Reads for creators: their videos and targets, the short-link lookup, the public page, analytics."""

import logging
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Lower, NullIf
from django.urls import reverse
from django.utils import timezone

from common.cache import CacheAway
from common.social_cards import Card
from integrations.oauth import registry
from integrations.oauth.models import LinkedAccount
from integrations.providers.types import Profile
from portfolio.creators import clicks as click_counters
from portfolio.creators.cache_entries import entries_add, entries_get_many
from portfolio.creators.click_details import country_name
from portfolio.creators.models import (
    CreatorProfile,
    CreatorVisitorsDaily,
    LinkClickBreakdownDaily,
    LinkClickDaily,
    PortfolioAnchor,
    PreviousHandle,
    ProjectPlacement,
    Video,
)
from portfolio.creators.validators import (
    TARGET_URL_MAX_LENGTH,
    http_or_blank,
    is_own_short_link,
    is_public_page_of,
)

logger = logging.getLogger(__name__)

CODE_RE = re.compile(r"^[0-9A-Za-z]{8,22}$")
LINK_CACHE_SECONDS = 300
PUBLIC_PAGE_CACHE_SECONDS = 300
ANALYTICS_DAYS = 30


# --- Cache keys (the services drop them when what they describe changes) -------------------------------


def _cache_get(key: str):
    """A cache read that an unreachable cache turns into a miss: the page is then built from the database."""
    return entries_get_many([key]).get(key)


def _cache_set(key: str, value, timeout: int) -> None:
    """Caches what was read, unless a change dropped the entry meanwhile (cache_entries.py)."""
    entries_add({key: value}, timeout=timeout)


def link_cache_key(code: str) -> str:
    return f"creators:link:v1:{code}"


def public_page_cache_key(handle: str) -> str:
    return f"creators:page:v2:{handle}"


# --- Creators and their videos -------------------------------------------------------------------------


def reelfolio_page_url(*, handle: str) -> str:
    return settings.SITE_URL + reverse("creators:public_page", kwargs={"handle": handle})


def handle_is_taken(*, handle: str, exclude_user=None) -> bool:
    taken = CreatorProfile.objects.filter(handle__iexact=handle)
    if exclude_user is not None:
        taken = taken.exclude(user=exclude_user)
    return taken.exists()


def handle_moved_to(*, handle: str) -> str | None:
    """The creator's handle now, when `handle` is one they left and nobody has taken since; else None."""
    previous = PreviousHandle.objects.select_related("profile").filter(handle=handle).first()
    return previous.profile.handle if previous is not None else None


def videos_for_creator(*, user) -> QuerySet[Video]:
    """The creator's visible videos: active, and imported through a linked account of their own."""
    return (
        Video.objects.filter(owner=user, status=Video.Status.ACTIVE, linked_account__user=user)
        .select_related("portfolio_anchor")
        .order_by("-published_at", "-id")
    )


# "clicks" sorts by the folded daily rows: the clicks still waiting in the cache (a minute's worth at most)
# are added to the numbers shown, not to the order.
VIDEO_SORTS: dict[str, list[str | Combinable]] = {
    "newest": [F("published_at").desc(nulls_last=True), "-id"],
    "oldest": [F("published_at").asc(nulls_last=True), "id"],
    "clicks": ["-clicks_30d", F("published_at").desc(nulls_last=True), "-id"],
    "title": [Lower(Coalesce(NullIf("title", Value("")), "platform_video_id")), "id"],
}


def videos_for_creator_list(*, user, q: str = "", link: str = "", sort: str = "newest") -> QuerySet[Video]:
    """My videos: the creator's visible videos matching the title search and the link filter ("with",
    "without" or all), sorted, each with `clicks_30d`: the clicks of its link in the last 30 days as
    folded into the daily rows (`with_pending_clicks` adds those still in the cache)."""
    since = analytics_days()[0]
    clicks_30d = (
        LinkClickDaily.objects.filter(anchor__video=OuterRef("pk"), day__gte=since)
        .values("anchor")
        .annotate(total=Sum("clicks"))
        .values("total")
    )
    videos = videos_for_creator(user=user).annotate(
        clicks_30d=Coalesce(Subquery(clicks_30d, output_field=IntegerField()), 0)
    )
    if q:
        videos = videos.filter(title__icontains=q)
    if link == "with":
        videos = videos.filter(portfolio_anchor__is_active=True)
    elif link == "without":
        videos = videos.filter(Q(portfolio_anchor__isnull=True) | Q(portfolio_anchor__is_active=False))
    return videos.order_by(*VIDEO_SORTS.get(sort, VIDEO_SORTS["newest"]))


def with_pending_clicks(videos: list[Video]) -> list[Video]:
    """Adds to each video's `clicks_30d` the clicks of the last days not folded yet (they wait in the cache
    for the fold, a minute at most): one read of the cache for the whole page. An unreachable cache
    leaves the folded counts."""
    anchors = {v.portfolio_anchor.pk: v for v in videos if getattr(v, "portfolio_anchor", None) is not None}
    if not anchors:
        return videos
    window = analytics_days()
    days = [day.isoformat() for day in window[-click_counters.FOLD_DAYS :]]
    try:
        pending = click_counters.pending_counts(anchor_ids=list(anchors), days=days)
    except CacheAway:
        return videos
    for (anchor_id, _day), (total, _uniques) in pending.items():
        video = anchors[anchor_id]
        video.clicks_30d += total  # type: ignore[attr-defined]  # annotated by videos_for_creator_list
    return videos


def video_on_platform(*, platform: str, platform_video_id: str) -> Video | None:
    """The video with this id at its platform, whoever owns it (a platform's webhook event names it so)."""
    if not platform or not platform_video_id:
        return None
    return Video.objects.filter(platform=platform, platform_video_id=platform_video_id).first()


def video_for_creator(*, user, video_id: int) -> Video | None:
    """The one ownership check for a creator's video: None for anyone else's (and for a removed video)."""
    return videos_for_creator(user=user).filter(pk=video_id).first()


def videos_for_creator_by_ids(*, user, video_ids: list[int]) -> list[Video] | None:
    """All of these videos, or None when any of them is not the creator's."""
    wanted = set(video_ids)
    videos = list(videos_for_creator(user=user).filter(pk__in=wanted))
    return videos if len(videos) == len(wanted) else None


def video_accounts_for_creator(*, user) -> QuerySet[LinkedAccount]:
    return LinkedAccount.objects.filter(user=user, role=LinkedAccount.Role.VIDEOS).order_by("provider_id")


def portfolio_accounts_for_creator(*, user) -> list[LinkedAccount]:
    return list(
        LinkedAccount.objects.filter(
            user=user,
            role=LinkedAccount.Role.PORTFOLIO,
            status__in=[LinkedAccount.Status.ACTIVE, LinkedAccount.Status.NEEDS_RECONNECT],
        ).order_by("linked_at", "id")
    )


def identity_defaults_for_creator(*, user) -> dict:
    """What the public page shows for a name, bio and avatar the creator left blank: their first linked
    freelance profile's (with that platform's name as `source`), or their account's name."""
    accounts = portfolio_accounts_for_creator(user=user)
    defaults = {"account_name": user.name, "source": "", "display_name": "", "bio": "", "avatar_url": ""}
    if accounts:
        profile = Profile.from_json(accounts[0].profile)
        defaults.update(
            source=provider_name(accounts[0].provider_id), display_name=profile.display_name, bio=profile.bio,
            avatar_url=http_or_blank(profile.avatar_url),
        )
    return defaults


# --- The projects on the public page -------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectEntry:
    key: str  # "<account id>:<project id>": what the arrange form posts
    account_id: int
    project_id: str
    title: str
    url: str
    cover_image_url: str
    provider: str
    is_shown: bool


def projects_for_creator(*, profile: CreatorProfile, accounts: list[LinkedAccount] | None = None) -> list[ProjectEntry]:
    """Every project of the creator's linked freelance accounts that has an address, in the order of
    their public page: the placed ones by their position, then the others (new since the creator last
    arranged them) in the platforms' order, shown."""
    if accounts is None:
        accounts = portfolio_accounts_for_creator(user=profile.user)
    placements = {
        (p.linked_account_id, p.project_id): p for p in ProjectPlacement.objects.filter(profile=profile)
    }
    entries = []
    for account in accounts:
        provider = provider_name(account.provider_id)
        for item in Profile.from_json(account.profile).portfolio_items:
            url = http_or_blank(item.url, max_length=TARGET_URL_MAX_LENGTH)
            if not url:
                continue
            placement = placements.get((account.pk, item.id))
            entries.append(
                ProjectEntry(
                    key=f"{account.pk}:{item.id}", account_id=account.pk, project_id=item.id, title=item.title,
                    url=url, cover_image_url=http_or_blank(item.cover_image_url), provider=provider,
                    is_shown=placement.is_shown if placement is not None else True,
                )
            )
    unplaced = len(placements)
    return [
        entry
        for _, entry in sorted(
            enumerate(entries),
            key=lambda pair: (
                placements[(pair[1].account_id, pair[1].project_id)].position
                if (pair[1].account_id, pair[1].project_id) in placements
                else unplaced + pair[0]
            ),
        )
    ]


# --- Where a "View My Portfolio" link can point ----------------------------------------------------------


def provider_name(provider_id: str) -> str:
    """The provider's display name, or its id when it is no longer configured."""
    provider = registry.provider_or_none(provider_id)
    return provider.name if provider is not None else provider_id


@dataclass(frozen=True)
class AnchorTarget:
    key: str  # the form value: "page", "profile:<account id>", "project:<account id>:<project id>"
    kind: str
    url: str
    label: str
    linked_account: LinkedAccount | None = None
    project_id: str = ""


def anchor_targets_for_creator(
    *, user, handle: str, accounts: list[LinkedAccount] | None = None
) -> list[AnchorTarget]:
    """Each linked freelance profile and its projects: where "View My Portfolio" can lead.

    The creator's own Reelfolio page is not offered, nor any address that comes back to it: the links
    are shown on that very page, where they would lead round in a circle.
    """
    kinds = PortfolioAnchor.TargetKind
    targets = []
    for account in accounts if accounts is not None else portfolio_accounts_for_creator(user=user):
        profile = Profile.from_json(account.profile)
        name = profile.display_name or account.subject
        provider = provider_name(account.provider_id)
        if profile.profile_url:
            targets.append(
                AnchorTarget(
                    key=f"profile:{account.pk}", kind=kinds.LINKED_PROFILE, url=profile.profile_url,
                    label=f"My profile on {provider} ({name})", linked_account=account,
                )
            )
        for item in profile.portfolio_items:
            targets.append(
                AnchorTarget(
                    key=f"project:{account.pk}:{item.id}", kind=kinds.PROJECT, url=item.url,
                    label=f"Project: {item.title} ({provider})", linked_account=account,
                    project_id=item.id,
                )
            )
    return [t for t in targets if not is_public_page_of(t.url, handle=handle) and not is_own_short_link(t.url)]


CUSTOM_TARGET_KEY = "custom"


def custom_target(*, url: str) -> AnchorTarget:
    """An https address the creator typed (a personal site, a Behance page); the service checks it."""
    url = url.strip()
    return AnchorTarget(key=CUSTOM_TARGET_KEY, kind=PortfolioAnchor.TargetKind.CUSTOM_URL, url=url, label=url)


def creator_handles(*, user) -> list[str]:
    """The creator's handle and the ones they left that still redirect to their page."""
    profile = CreatorProfile.objects.filter(user=user).first()
    if profile is None:
        return []
    return [profile.handle, *PreviousHandle.objects.filter(profile=profile).values_list("handle", flat=True)]


def anchor_has_target(anchor: PortfolioAnchor | None, target: AnchorTarget) -> bool:
    """Whether the video's link is on and already leads to this target (attaching it again changes nothing)."""
    return (
        anchor is not None
        and anchor.is_active
        and anchor.target_kind == target.kind
        and anchor.target_url == target.url
        and anchor.linked_account_id == (target.linked_account.pk if target.linked_account else None)
        and anchor.project_id == target.project_id
    )


@dataclass(frozen=True)
class AttachPreview:
    """What attaching one target to these videos would do: how many links it adds and how many it replaces."""

    new: int  # videos without a link on (never attached, or detached)
    detached: int  # of those, the ones whose link the creator detached
    replaced: int  # links on that lead elsewhere: set by hand, they would be replaced
    unchanged: int  # links that already lead to this target


def attach_preview(*, videos: list[Video], target: AnchorTarget) -> AttachPreview:
    """Counts from the videos as loaded (with their links): no query."""
    new = detached = replaced = unchanged = 0
    for video in videos:
        anchor = getattr(video, "portfolio_anchor", None)
        if anchor is None or not anchor.is_active:
            new += 1
            detached += anchor is not None
        elif anchor_has_target(anchor, target):
            unchanged += 1
        else:
            replaced += 1
    return AttachPreview(new=new, detached=detached, replaced=replaced, unchanged=unchanged)


def reelfolio_page_target(*, handle: str) -> AnchorTarget:
    """The creator's Reelfolio page as a target: where links of an unlinked freelance account fall back to."""
    return AnchorTarget(
        key="page", kind=PortfolioAnchor.TargetKind.REELFOLIO_PAGE, url=reelfolio_page_url(handle=handle),
        label=f"My Reelfolio page (/@{handle})",
    )


# --- The short link ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResolvedLink:
    anchor_id: int
    target_url: str
    gone: bool  # the video was removed or the creator detached the link
    handle: str
    creator_id: int = 0  # the video's owner, whose unique visitors across all links the click counts in


def link_resolve(*, code: str) -> ResolvedLink | None:
    """What /l/<code> answers; cached, so a busy link costs no database query."""
    if not CODE_RE.match(code):
        return None
    key = link_cache_key(code)
    cached = _cache_get(key)
    # An entry cached before links named their creator is read again from the database.
    if cached is not None and (not cached or "creator_id" in cached):
        return ResolvedLink(**cached) if cached else None
    anchor = (
        PortfolioAnchor.objects.select_related("video__owner__creator_profile")
        .filter(code=code)
        .first()
    )
    if anchor is None:
        # Remembered so that guessing codes costs no query. Anyone can fill `default` this way (up to
        # MAX_ENTRIES on the local-memory and database caches, which then cull), so nothing that cannot be
        # read again lives there: click counters are in their own alias (clicks.CACHE_ALIAS).
        _cache_set(key, {}, LINK_CACHE_SECONDS)
        return None
    profile = getattr(anchor.video.owner, "creator_profile", None)
    link = ResolvedLink(
        anchor_id=anchor.pk,
        target_url=anchor.target_url,
        gone=not anchor.is_active or anchor.video.status != Video.Status.ACTIVE,
        handle=profile.handle if profile else "",
        creator_id=anchor.video.owner_id,
    )
    _cache_set(key, link.__dict__, LINK_CACHE_SECONDS)
    return link


# --- The public page /@<handle> -------------------------------------------------------------------------


def public_page_data(*, handle: str) -> dict | None:
    """Everything /@<handle> shows, as plain data (cached); None when there is no such creator."""
    key = public_page_cache_key(handle)
    cached = _cache_get(key)
    if cached is not None:
        return cached or None
    creator = CreatorProfile.objects.select_related("user").filter(handle=handle).first()
    if creator is None:
        _cache_set(key, {}, PUBLIC_PAGE_CACHE_SECONDS)
        return None
    accounts = portfolio_accounts_for_creator(user=creator.user)
    profiles = [Profile.from_json(account.profile) for account in accounts]
    profile = profiles[0] if profiles else Profile()
    projects = projects_for_creator(profile=creator, accounts=accounts)
    videos = (
        Video.objects.filter(
            owner=creator.user,
            status=Video.Status.ACTIVE,
            linked_account__user=creator.user,
            portfolio_anchor__is_active=True,
        )
        .order_by("-published_at", "-id")[:60]
    )
    data = {
        "handle": creator.handle,
        # What the creator set on Reelfolio first, then their freelance profile's.
        "name": creator.display_name or profile.display_name or creator.user.name,
        "headline": profile.headline,
        "bio": creator.bio or profile.bio,
        "skills": list(profile.skills),
        "rate": profile.rate,
        "location": profile.location,
        "avatar_url": creator.avatar_url or http_or_blank(profile.avatar_url),
        "profile_url": http_or_blank(profile.profile_url, max_length=TARGET_URL_MAX_LENGTH),
        "theme": creator.theme,
        "cta_label": creator.cta_label,
        "cta_url": creator.cta_url,
        "projects": [
            {"title": p.title, "url": p.url, "cover_image_url": p.cover_image_url} for p in projects if p.is_shown
        ],
        "videos": [
            {
                "title": video.title,
                "cover_image_url": video.cover_image_url,
                # Its tile plays it on its platform: the page itself is where its link leads.
                "share_url": video.share_url,
            }
            for video in videos
        ],
    }
    _cache_set(key, data, PUBLIC_PAGE_CACHE_SECONDS)
    return data


PUBLIC_PAGE_PROJECTS_FIRST = 4  # the projects shown before "Show all projects"
PUBLIC_PAGE_VIDEOS_FIRST = 6  # the videos shown before "Show more videos"
# The accent colour of each theme, as static/app.css has it (the link-preview card is drawn in it).
THEME_ACCENTS = {"violet": "#5b3fc4", "ocean": "#0b5f8a", "forest": "#2a6b3c", "ember": "#b03a1e"}


def public_page_call_to_action(data: dict) -> dict | None:
    """The page's one button: the creator's own words and address, else "Hire me" to their freelance
    profile; None when there is neither."""
    if data.get("cta_url"):
        return {"label": data.get("cta_label") or "Hire me", "url": data["cta_url"]}
    if data.get("profile_url"):
        return {"label": data.get("cta_label") or "Hire me", "url": data["profile_url"]}
    return None


def public_page_social_card(data: dict) -> Card:
    """The creator's link-preview card: their avatar (or monogram), name, headline, rate and place, in their
    theme's colour."""
    facts = [data.get("rate", ""), data.get("location", "")]
    projects, videos = len(data.get("projects", [])), len(data.get("videos", []))
    counts = [f"{projects} project{'s' if projects != 1 else ''}" if projects else "",
              f"{videos} video{'s' if videos != 1 else ''}" if videos else ""]
    return Card(
        title=data["name"],
        subtitle=data.get("headline") or f"@{data['handle']}",
        facts=[fact for fact in [" · ".join(f for f in facts if f), " · ".join(c for c in counts if c)] if fact],
        monogram="".join(word[:1] for word in data["name"].split()[:2]) or data["handle"][:1],
        accent=THEME_ACCENTS.get(data.get("theme", ""), THEME_ACCENTS["violet"]),
        footer=f"/@{data['handle']}",
        picture_url=data.get("avatar_url", ""),
    )


# --- Analytics -----------------------------------------------------------------------------------------


@dataclass
class ClickSeries:
    title: str
    days: list[date]
    clicks: list[int]
    uniques: list[int]
    video: Video | None = None
    code: str = ""
    totals: dict = field(default_factory=dict)

    def __post_init__(self):
        self.totals = {"clicks": sum(self.clicks), "uniques": sum(self.uniques)}


def analytics_days(*, today: date | None = None) -> list[date]:
    today = today or timezone.now().date()
    return [today - timedelta(days=offset) for offset in range(ANALYTICS_DAYS - 1, -1, -1)]


def analytics_for_creator(
    *, user, video: Video | None = None, today: date | None = None, days: list[date] | None = None
) -> tuple[ClickSeries, list[ClickSeries]]:
    """Clicks and unique visitors per day over `days` (the last 30 by default): in total, and per video
    with a link. The total's unique visitors are the creator's, counted once across all their links
    (CreatorVisitorsDaily); a video's are its link's."""
    days = days or analytics_days(today=today)
    index = {day: i for i, day in enumerate(days)}
    anchors = (
        PortfolioAnchor.objects.filter(video__owner=user)
        .select_related("video")
        .order_by("-video__published_at", "-id")
    )
    if video is not None:
        anchors = anchors.filter(video=video)
    rows = LinkClickDaily.objects.filter(anchor__video__owner=user, day__gte=days[0], day__lte=days[-1])
    if video is not None:
        rows = rows.filter(anchor__video=video)
    per_anchor: dict[int, tuple[list[int], list[int]]] = {}
    for anchor_id, day, day_clicks, day_uniques in rows.values_list("anchor_id", "day", "clicks", "unique_visitors"):
        series = per_anchor.setdefault(anchor_id, ([0] * len(days), [0] * len(days)))
        series[0][index[day]] += day_clicks
        series[1][index[day]] += day_uniques
    per_video = []
    total_clicks, total_uniques = [0] * len(days), [0] * len(days)
    for anchor in anchors:
        clicks, uniques = per_anchor.get(anchor.pk, ([0] * len(days), [0] * len(days)))
        total_clicks = [a + b for a, b in zip(total_clicks, clicks, strict=True)]
        total_uniques = [a + b for a, b in zip(total_uniques, uniques, strict=True)]
        per_video.append(
            ClickSeries(
                title=anchor.video.title or anchor.video.platform_video_id, days=days, clicks=clicks,
                uniques=uniques, video=anchor.video, code=anchor.code,
            )
        )
    if video is None and per_video:
        # A day counted before the creator-wide visitors were kept has no row of them: it keeps the sum of
        # its links' unique visitors (a visitor of two links counted twice), rather than showing none.
        visitors = CreatorVisitorsDaily.objects.filter(creator=user, day__gte=days[0], day__lte=days[-1])
        for day, day_uniques in visitors.values_list("day", "unique_visitors"):
            total_uniques[index[day]] = day_uniques
    total = ClickSeries(title="All your links", days=days, clicks=total_clicks, uniques=total_uniques)
    return total, per_video


@dataclass(frozen=True)
class BreakdownRow:
    value: str
    clicks: int
    share: int  # per cent of the dimension's clicks, rounded
    label: str = ""  # what the page shows for a country's code: its name


def analytics_breakdowns(*, user, days: list[date]) -> dict[str, list[BreakdownRow]]:
    """The creator's clicks over `days` by referring domain, device class and country, most first (one
    query): {"referrer": [...], "device": [...], "country": [...]}."""
    rows = (
        LinkClickBreakdownDaily.objects.filter(anchor__video__owner=user, day__gte=days[0], day__lte=days[-1])
        .values("dimension", "value")
        .annotate(total=Sum("clicks"))
    )
    found: dict[str, list[tuple[str, int]]] = {d: [] for d in LinkClickBreakdownDaily.Dimension.values}
    for row in rows:
        if row["total"]:
            found[row["dimension"]].append((row["value"], row["total"]))
    result = {}
    for dimension, values in found.items():
        whole = sum(count for _value, count in values) or 1
        values.sort(key=lambda item: (-item[1], item[0]))
        result[dimension] = [
            BreakdownRow(
                value, count, round(100 * count / whole),
                label=country_name(value) if dimension == LinkClickBreakdownDaily.Dimension.COUNTRY else value,
            )
            for value, count in values
        ]
    return result


def breakdown_rows_for_creator(*, user, days: list[date], video: Video | None = None) -> QuerySet:
    """Each link's breakdown rows over `days`, with their videos, for the CSV."""
    rows = LinkClickBreakdownDaily.objects.filter(
        anchor__video__owner=user, day__gte=days[0], day__lte=days[-1], clicks__gt=0
    ).select_related("anchor__video")
    if video is not None:
        rows = rows.filter(anchor__video=video)
    return rows.order_by("day", "anchor_id", "dimension", "-clicks", "value")


def anchors_to_fold(*, since) -> QuerySet:
    """Links that may hold clicks not yet folded: the live ones and those changed lately."""
    return PortfolioAnchor.objects.filter(Q(is_active=True) | Q(updated_at__gte=since)).order_by("id")



def creators_to_fold(*, since) -> list[int]:
    """The owners of the links that may hold clicks not yet folded (anchors_to_fold)."""
    return sorted(set(anchors_to_fold(since=since).values_list("video__owner_id", flat=True)))
def videos_imported_counts(*, linked_accounts) -> dict[int, int]:
    """How many videos each of these linked accounts brought in that are still shown, in one query."""
    rows = (
        Video.objects.filter(linked_account__in=list(linked_accounts), status=Video.Status.ACTIVE)
        .values("linked_account_id")
        .annotate(count=Count("id"))
        .values_list("linked_account_id", "count")
    )
    return dict(rows)


@dataclass(frozen=True)
class OnboardingStep:
    key: str
    done: bool


@dataclass(frozen=True)
class Onboarding:
    """A new creator's checklist: which of the first steps are done. `freelance_linked` and `videos_linked`
    tell the first step's two halves apart."""

    freelance_linked: bool
    videos_linked: bool
    link_attached: bool
    clicked: bool

    @property
    def steps(self) -> list[OnboardingStep]:
        return [
            OnboardingStep("accounts", self.freelance_linked and self.videos_linked),
            OnboardingStep("link", self.link_attached),
            OnboardingStep("click", self.clicked),
        ]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def is_complete(self) -> bool:
        return all(step.done for step in self.steps)


def creator_onboarding(*, user) -> Onboarding | None:
    """The creator's checklist, in one query; None once every step is done (the checklist then goes away)."""
    accounts = LinkedAccount.objects.filter(user=OuterRef("pk"), status=LinkedAccount.Status.ACTIVE)
    row = (
        get_user_model().objects.filter(pk=user.pk)
        .annotate(
            freelance_linked=Exists(accounts.filter(role=LinkedAccount.Role.PORTFOLIO)),
            videos_linked=Exists(accounts.filter(role=LinkedAccount.Role.VIDEOS)),
            link_attached=Exists(
                PortfolioAnchor.objects.filter(
                    video__owner=OuterRef("pk"), is_active=True, video__status=Video.Status.ACTIVE
                )
            ),
            clicked=Exists(LinkClickDaily.objects.filter(anchor__video__owner=OuterRef("pk"), clicks__gt=0)),
        )
        .values("freelance_linked", "videos_linked", "link_attached", "clicked")
        .first()
    )
    if row is None:
        return None
    onboarding = Onboarding(**row)
    return None if onboarding.is_complete else onboarding
