"""The partner API's per-video cache of anchors: the write side (invalidation) and the read side.

Every service that changes what a video shows (a video imported, restored, removed or moved to another
owner; an anchor attached, changed or detached; a job on it published, edited, closed or expired) calls
`anchors_cache_invalidate` after its transaction commits.

Kinds of anchors are `AnchorSource`s in ANCHOR_SOURCES, in render order: the portfolio link is this
app's; other apps add theirs with `register_anchor_source` from their AppConfig.ready() (the jobs app
adds "Apply"), so this module never imports them.

The read side, `anchor_fragments`, answers from the cache with one read (common/cache.py; the partner
API's warm request reads them in the same round trip as its key and throttle) and fills what is missing
with ONE database query, whatever the number of ids and of anchor kinds. A video's cached value is the
list of anchors to render ([] for a known video without any) carrying its entry of the answer already as
JSON text (an `AnchorList`: the answer is these fragments joined, never encoded as a whole per request),
or `ABSENT` for an id that names no active video, so that unknown ids cost no query either until their
entry expires.

Every drop also tells the CDN in front of the partner API (`cdn.cdn_purge`): answers name each video they
cover in `Surrogate-Key`, so a purge of `video:<platform>:<id>` drops every cached answer about it.

Beside each video's entry the cache keeps its version (`anchors_version_key`): a number derived from the
entry's JSON text, written with the entry and dropped with it. The answer's ETag is a digest of the
platform and each id asked with its version (`anchors_etag`), so a revalidation compares the versions
alone: the partner API answers 304 from them without reading any video's anchors, and a version that is
missing is never taken as unchanged (the full read answers and writes it back).

A lookup that reads the database just before a change commits and writes the cache just after the
change's invalidation does not put the old anchors back: invalidation leaves a short-lived marker that
lookups' writes (adds) do not replace (cache_entries.py).
"""

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypedDict
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

from common.cache import is_version, version_digest
from portfolio.creators import cdn
from portfolio.creators.cache_entries import entries_add, entries_get_many, entries_invalidate, entry_or_none
from portfolio.creators.models import Video

CACHE_PREFIX = "anchors:v2"  # v2: entries are AnchorLists (v1 processes cannot read them)
ABSENT = 0  # cached for ids that name no active video of the platform


VERSION_PREFIX = "anchors-version:v1"


def anchors_cache_key(*, platform: str, platform_video_id: str) -> str:
    return f"{CACHE_PREFIX}:{platform}:{platform_video_id}"


def anchors_version_key(*, platform: str, platform_video_id: str) -> str:
    """The key of the version of the video's cached anchors (what the ETag is made of)."""
    return f"{VERSION_PREFIX}:{platform}:{platform_video_id}"


def entry_version(fragment: str | None) -> int:
    """The version of a video's entry: 60 bits of a hash of its JSON text (None: no active video), so it
    changes whenever what the video shows changes, and only then."""
    text = "" if fragment is None else fragment
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 4


def anchors_etag(*, platform: str, video_ids: list[str], versions: list[int]) -> str:
    """The answer's ETag: a digest of the platform and of each id asked, in order, with its version."""
    return f'"{version_digest(platform, video_ids, versions)}"'


_SURROGATE_SAFE = re.compile(r"[A-Za-z0-9!$&'()*+,;=:@._~-]*")


def surrogate_key(*, platform: str, platform_video_id: str) -> str:
    """The name of a video in the partner API's `Surrogate-Key` header and in CDN purges:
    `video:<platform>:<id>`, the id percent-encoded where it has characters a header cannot carry as they
    are (non-ASCII, or `%`, `"`, `/` and the like)."""
    if not _SURROGATE_SAFE.fullmatch(platform_video_id):
        platform_video_id = quote(platform_video_id, safe="!$&'()*+,;=:@-._~")
    return f"video:{platform}:{platform_video_id}"


def anchors_cache_invalidate(*, videos: Iterable) -> None:
    """Drops the cached anchors of these videos (objects with .platform and .platform_video_id), here and
    at the CDN."""
    videos = list(videos)
    if not videos:
        return
    try:
        # The versions first: from the moment an answer's entries change, no revalidation can match it.
        entries_invalidate(
            [anchors_version_key(platform=v.platform, platform_video_id=v.platform_video_id) for v in videos]
            + [anchors_cache_key(platform=v.platform, platform_video_id=v.platform_video_id) for v in videos]
        )
    finally:  # the CDN is told even while our own cache is away
        names = {surrogate_key(platform=v.platform, platform_video_id=v.platform_video_id) for v in videos}
        cdn.cdn_purge(surrogate_keys=sorted(names))


class Anchor(TypedDict):
    kind: str
    label: str
    url: str


@dataclass(frozen=True)
class AnchorSource:
    """One kind of anchor, joined into the single video query.

    `related` are select_related paths and `fields` the columns `render` reads; `annotations` returns
    query annotations for sources behind a to-many relation (a job source would annotate the slug of
    the video's open job with a Subquery rather than add a query). `render` turns one fetched video
    into its anchors of this kind.
    """

    kind: str
    render: Callable[[Video], list[Anchor]]
    related: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    annotations: Callable[[], dict] = field(default=dict)


def _render_portfolio(video: Video) -> list[Anchor]:
    try:
        anchor = video.portfolio_anchor
    except ObjectDoesNotExist:
        return []
    if not anchor.is_active:
        return []
    return [{"kind": "portfolio", "label": "View My Portfolio", "url": f"{settings.SITE_URL}/l/{anchor.code}"}]


PORTFOLIO_SOURCE = AnchorSource(
    kind="portfolio",
    render=_render_portfolio,
    related=("portfolio_anchor",),
    fields=("portfolio_anchor__code", "portfolio_anchor__is_active"),
)

# In render order: the portfolio link first, then the sources other apps register (the jobs app's "Apply").
ANCHOR_SOURCES: tuple[AnchorSource, ...] = (PORTFOLIO_SOURCE,)
ANCHOR_KINDS: tuple[str, ...] = tuple(source.kind for source in ANCHOR_SOURCES)


def register_anchor_source(source: AnchorSource) -> AnchorSource:
    """Adds a kind of anchor after those already there; registering a kind again replaces it in place.

    Called from an AppConfig.ready(). Its annotations join the single video query: a source behind a
    to-many relation annotates with a Subquery instead of adding a query.
    """
    global ANCHOR_SOURCES, ANCHOR_KINDS
    others = [existing for existing in ANCHOR_SOURCES if existing.kind != source.kind]
    if len(others) == len(ANCHOR_SOURCES):
        ANCHOR_SOURCES = (*ANCHOR_SOURCES, source)
    else:
        ANCHOR_SOURCES = tuple(source if existing.kind == source.kind else existing for existing in ANCHOR_SOURCES)
    ANCHOR_KINDS = tuple(existing.kind for existing in ANCHOR_SOURCES)
    return source


def _anchors_from_database(*, platform: str, video_ids: list[str]) -> dict[str, list[Anchor]]:
    """The anchors of the active videos among `video_ids`, in one query."""
    videos = Video.objects.filter(
        platform=platform, platform_video_id__in=video_ids, status=Video.Status.ACTIVE
    ).order_by()
    related = [path for source in ANCHOR_SOURCES for path in source.related]
    fields = [name for source in ANCHOR_SOURCES for name in source.fields]
    annotations = {name: value for source in ANCHOR_SOURCES for name, value in source.annotations().items()}
    videos = videos.select_related(*related).only("platform_video_id", *fields).annotate(**annotations)
    return {
        video.platform_video_id: [anchor for source in ANCHOR_SOURCES for anchor in source.render(video)]
        for video in videos
    }


class AnchorList:
    """A video's anchors as cached: `json`, the video's entry of the answer (`{"video_id": ..., "anchors":
    [...]}`) as JSON text, encoded once when it is read from the database. Pickled as that text alone, so
    reading one from the cache builds no dicts; it equals the list of anchors it holds."""

    __slots__ = ("json",)

    def __init__(self, json_text: str):
        self.json = json_text

    def __reduce__(self):
        return (AnchorList, (self.json,))

    @property
    def anchors(self) -> list[Anchor]:
        return json.loads(self.json)["anchors"]

    def __eq__(self, other):
        if isinstance(other, AnchorList):
            return self.json == other.json
        return self.anchors == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self):
        return f"AnchorList({self.json})"


def json_text(value) -> str:
    """JSON as the partner API writes it (DRF's JSONRenderer's: compact, UTF-8, U+2028/2029 escaped)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _cached(video_id: str, anchors: list[Anchor]) -> AnchorList:
    return AnchorList(json_text({"video_id": video_id, "anchors": anchors}))


def _fragment(video_id: str, value) -> str | None:
    """The video's entry of the answer as JSON text; None for an id that names no active video."""
    if isinstance(value, AnchorList):
        return value.json
    if isinstance(value, list):  # a plain list of anchors, as an operator or a test may have cached one
        return json_text({"video_id": video_id, "anchors": value})
    return None


@dataclass(frozen=True)
class AnchorsAnswer:
    fragments: list[str]  # the entries of the known active videos, as JSON text, in the order asked
    etag: str  # anchors_etag of every id asked


def anchors_answer(
    *, platform: str, video_ids: list[str], cached: dict | None = None, versions: dict | None = None
) -> AnchorsAnswer:
    """The entries of the answer, as JSON text, of the known active videos among `video_ids` (distinct
    ids), in the order asked (ids of unknown or removed videos are left out), and the answer's ETag.

    `cached` is what the caller already read from the cache for these videos' keys (the partner API reads
    it in the same round trip as its key check), and `versions` what it read of their version keys (None:
    not read); without `cached` both are read here. What is missing is read from the database (one query)
    and cached with its version; a version missing beside a cached entry is written back.
    """
    keys = {video_id: anchors_cache_key(platform=platform, platform_video_id=video_id) for video_id in video_ids}
    version_keys = {
        video_id: anchors_version_key(platform=platform, platform_video_id=video_id) for video_id in video_ids
    }
    if cached is None:
        # One read for both ({} while the cache is away: all read from the database).
        read = entries_get_many([*keys.values(), *version_keys.values()])
        found = {key: read[key] for key in keys.values() if key in read}
        versions = {key: read[key] for key in version_keys.values() if key in read}
    else:
        found = {key: value for key, value in cached.items() if entry_or_none(value) is not None}
    missing = [video_id for video_id, key in keys.items() if key not in found]
    to_add: dict = {}
    if missing:
        fetched = _anchors_from_database(platform=platform, video_ids=missing)
        fresh = {
            keys[video_id]: _cached(video_id, fetched[video_id]) if video_id in fetched else ABSENT
            for video_id in missing
        }
        to_add.update(fresh)
        found.update(fresh)
    fragments: list[str] = []
    entry_versions: list[int] = []
    for video_id, key in keys.items():
        fragment = _fragment(video_id, found[key])
        version = entry_version(fragment)
        entry_versions.append(version)
        if fragment is not None:
            fragments.append(fragment)
        if key in to_add or (versions is not None and not is_version(versions.get(version_keys[video_id]))):
            to_add[version_keys[video_id]] = version
    if to_add:
        # Adds: neither an entry nor a version replaces the marker a change leaves (cache_entries.py).
        entries_add(to_add, timeout=settings.ANCHORS_CACHE_SECONDS)
    return AnchorsAnswer(fragments, anchors_etag(platform=platform, video_ids=list(keys), versions=entry_versions))


def anchor_fragments(*, platform: str, video_ids: list[str], cached: dict | None = None) -> list[str]:
    """The entries of the answer, as JSON text, of the known active videos among `video_ids` (distinct
    ids), in the order asked; ids of unknown or removed videos are left out (see anchors_answer)."""
    return anchors_answer(platform=platform, video_ids=video_ids, cached=cached).fragments


def anchors_for_videos(*, platform: str, video_ids: list[str]) -> list[dict]:
    """[{"video_id": ..., "anchors": [...]}] for the known active videos among `video_ids` (distinct
    ids), in the order asked; ids of unknown or removed videos are left out."""
    return [json.loads(fragment) for fragment in anchor_fragments(platform=platform, video_ids=video_ids)]
