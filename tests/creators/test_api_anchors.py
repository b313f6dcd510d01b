"""The partner anchor API: shapes, authentication, limits, caching and query counts."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from integrations.partners import services as partner_services
from integrations.partners.models import ApiKey
from portfolio.creators import services as creator_services
from portfolio.creators.anchor_cache import anchors_cache_invalidate, anchors_cache_key
from portfolio.creators.api import AnchorsOutputSerializer
from portfolio.creators.models import PortfolioAnchor, Video
from tests.creators.conftest import target_for

pytestmark = pytest.mark.django_db

URL = reverse("api-anchors")
PLATFORM = "sandbox-video"


# tests/creators/conftest.py empties the cache around every test and provides `creator`, `videos`
# (three synced from a linked video account: v-1001..v-1003 on sandbox-video) and `target_for`.


def make_video(owner, video_id, *, code=None, anchor_active=True, status=Video.Status.ACTIVE, platform=PLATFORM):
    video = Video.objects.create(owner=owner, platform=platform, platform_video_id=video_id, status=status)
    if code:
        PortfolioAnchor.objects.create(
            video=video,
            code=code,
            target_kind=PortfolioAnchor.TargetKind.REELFOLIO_PAGE,
            target_url="https://reelfolio.example/@casey",
            is_active=anchor_active,
        )
    return video


@pytest.fixture
def partner_key():
    return partner_services.partner_create(name="Sandbox Video").key


def get(client, key, query="", **headers):
    if key is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client.get(f"{URL}?{query}", **headers)


def portfolio_anchor(code):
    return {"kind": "portfolio", "label": "View My Portfolio", "url": f"http://127.0.0.1:8000/l/{code}"}


# --- Shapes ---------------------------------------------------------------------------------------


def test_known_videos_get_their_anchors_in_the_order_asked_and_unknown_ids_are_absent(client, creator, partner_key):
    make_video(creator, "v-1", code="code0001")
    make_video(creator, "v-2")  # known, nothing attached
    make_video(creator, "v-3", code="code0003", anchor_active=False)  # detached anchor
    make_video(creator, "v-4", code="code0004", status=Video.Status.REMOVED)
    make_video(creator, "v-1", code="code0005", platform="other-platform")

    response = get(client, partner_key, "platform=sandbox-video&video_id=v-3&video_id=v-1&video_id=nope"
                   "&video_id=v-4&video_id=v-2&video_id=v-1")

    assert response.status_code == 200
    assert response.json() == {
        "platform": "sandbox-video",
        "videos": [
            {"video_id": "v-3", "anchors": []},
            {"video_id": "v-1", "anchors": [portfolio_anchor("code0001")]},
            {"video_id": "v-2", "anchors": []},
        ],
    }
    # The body is what the documented (OpenAPI) output serializer describes.
    described = AnchorsOutputSerializer(data=response.json())
    assert described.is_valid(), described.errors
    assert described.data == response.json()


def test_the_answer_follows_what_the_creator_does_at_once(
    client, creator, videos, partner_key, django_capture_on_commit_callbacks
):
    """Synced videos, a link attached, detached, a video removed: each change shows on the next lookup,
    through the invalidation the creators' services run on commit, while answers are cached between."""
    query = "platform=sandbox-video&video_id=v-1001&video_id=v-1002&video_id=v-1003"

    def answer():
        return {video["video_id"]: video["anchors"] for video in get(client, partner_key, query).json()["videos"]}

    assert answer() == {"v-1001": [], "v-1002": [], "v-1003": []}

    with django_capture_on_commit_callbacks(execute=True):
        creator_services.anchors_attach(creator=creator, videos=videos[:2], target=target_for(creator))
    first, second = (PortfolioAnchor.objects.get(video=video) for video in videos[:2])
    assert answer() == {
        "v-1001": [portfolio_anchor(first.code)],
        "v-1002": [portfolio_anchor(second.code)],
        "v-1003": [],
    }

    with django_capture_on_commit_callbacks(execute=True):
        creator_services.anchor_detach(creator=creator, anchor=first)
    assert answer()["v-1001"] == []

    with django_capture_on_commit_callbacks(execute=True):
        creator_services.video_remove(video=videos[1])
    assert answer() == {"v-1001": [], "v-1003": []}


def test_a_platform_without_known_videos_answers_an_empty_list(client, partner_key):
    response = get(client, partner_key, "platform=unknown-platform&video_id=v-1")
    assert response.status_code == 200
    assert response.json() == {"platform": "unknown-platform", "videos": []}


def test_a_hundred_ids_are_answered(client, creator, partner_key):
    for number in range(100):
        make_video(creator, f"v-{number}", code=f"code{number:04d}")
    query = "platform=sandbox-video&" + "&".join(f"video_id=v-{number}" for number in range(100))
    response = get(client, partner_key, query)
    assert response.status_code == 200
    videos = response.json()["videos"]
    assert [video["video_id"] for video in videos] == [f"v-{number}" for number in range(100)]
    assert videos[42]["anchors"] == [portfolio_anchor("code0042")]


# --- Authentication and scopes --------------------------------------------------------------------


def test_without_a_key_the_answer_is_401_with_the_bearer_challenge(client):
    response = get(client, None, "platform=sandbox-video&video_id=v-1")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["error"] == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided: send Authorization: Bearer <API key>.",
    }


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        ("Basic dXNlcjpwYXNz", "Send the API key as: Authorization: Bearer <API key>."),
        ("Bearer", "Send the API key as: Authorization: Bearer <API key>."),
        ("Bearer not-a-key", "Invalid API key."),
        ("Bearer rfk_0123456789ab_" + "A" * 43, "Invalid API key."),
    ],
)
def test_a_malformed_or_unknown_key_is_401(client, partner_key, authorization, message):
    response = client.get(f"{URL}?platform=sandbox-video&video_id=v-1", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == message
    assert response["Cache-Control"] == "no-store"


def test_a_wrong_secret_with_a_real_prefix_is_401(client, partner_key):
    forged = partner_key[:-4] + ("AAAA" if not partner_key.endswith("AAAA") else "BBBB")
    assert get(client, partner_key, "platform=p&video_id=v").status_code == 200  # the record is now cached
    response = get(client, forged, "platform=p&video_id=v")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Invalid API key."


def test_a_revoked_key_is_refused_at_once_although_its_lookup_was_cached(
    client, partner_key, django_capture_on_commit_callbacks, django_assert_num_queries
):
    assert get(client, partner_key, "platform=p&video_id=v").status_code == 200
    api_key = ApiKey.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        partner_services.api_key_revoke(api_key=api_key)

    # The revocation wrote the key's new state into the cache: refusing it costs no query either.
    with django_assert_num_queries(0):
        response = get(client, partner_key, "platform=p&video_id=v")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This API key has been revoked."


def test_a_disabled_partner_is_refused_at_once_and_works_again_once_enabled(
    client, partner_key, django_capture_on_commit_callbacks
):
    partner = ApiKey.objects.select_related("partner").get().partner
    assert get(client, partner_key, "platform=p&video_id=v").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        partner_services.partner_update(
            partner=partner, name=partner.name, signature_scheme=partner.signature_scheme, is_active=False
        )
    response = get(client, partner_key, "platform=p&video_id=v")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "This partner is disabled."

    with django_capture_on_commit_callbacks(execute=True):
        partner_services.partner_update(
            partner=partner, name=partner.name, signature_scheme=partner.signature_scheme, is_active=True
        )
    assert get(client, partner_key, "platform=p&video_id=v").status_code == 200


def test_a_key_without_the_anchors_scope_is_403(client, partner_key):
    # Today anchors:read is the only scope; a key stored without it stands for keys of other scopes.
    ApiKey.objects.update(scopes=[])
    response = get(client, partner_key, "platform=p&video_id=v")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "This API key lacks the anchors:read scope."


def test_the_key_records_when_it_was_last_used(client, partner_key):
    assert ApiKey.objects.get().last_used_at is None
    get(client, partner_key, "platform=p&video_id=v")
    assert ApiKey.objects.get().last_used_at is not None


# --- Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("video_id=v-1", "platform: This query parameter is required, e.g. platform=sandbox-video."),
        ("platform=&video_id=v-1", "platform: Give the platform's id, e.g. platform=sandbox-video."),
        ("platform=a%20b&video_id=v-1",
         "platform: A platform id is letters, digits, '.', '_' and '-', e.g. platform=sandbox-video."),
        ("platform=p&platform=q&video_id=v-1", "platform: Give platform once."),
        ("platform=p", "video_id: Give at least one video id: video_id=<id>, repeated for more."),
        ("platform=p&video_id=v-1&video_id=", "video_id: Video id number 2 is empty."),
        ("platform=p&video_id=" + "x" * 129, "video_id: Video id number 1 is longer than 128 characters."),
        ("platform=p&video_id=a%20b",
         "video_id: Video id number 1 has spaces, control characters or bytes that are not UTF-8."),
        ("platform=p&video_id=%ff%fe",
         "video_id: Video id number 1 has spaces, control characters or bytes that are not UTF-8."),
        ("platform=p&video_id=v-1&video_ids=v-2",
         "Unknown query parameter 'video_ids': this endpoint takes platform and video_id."),
        ("platform=p&video_id[0]=v-1",
         "Unknown query parameter 'video_id[0]': this endpoint takes platform and video_id."),
        ("platform=p&video_id=v-1&=x", "Unknown query parameter '': this endpoint takes platform and video_id."),
        ("platform=p&" + "&".join(f"video_id=v-{n}" for n in range(101)),
         "video_id: At most 100 video ids per request; this one has 101."),
    ],
)
def test_bad_queries_are_400_with_a_message(client, partner_key, query, message):
    response = get(client, partner_key, query)
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "invalid"
    assert body["error"]["message"] == message
    assert response["Cache-Control"] == "no-store"


def test_only_get_is_allowed(client, partner_key):
    response = client.post(f"{URL}?platform=p&video_id=v", HTTP_AUTHORIZATION=f"Bearer {partner_key}")
    assert response.status_code == 405
    assert response.json()["error"]["message"] == 'Method "POST" not allowed.'


# --- HTTP caching ---------------------------------------------------------------------------------


def test_answers_carry_cache_control_and_an_etag_and_a_matching_if_none_match_is_304(
    client, creator, partner_key, settings
):
    settings.PARTNER_API_MAX_AGE = 90
    video = make_video(creator, "v-1", code="code0001")
    query = "platform=sandbox-video&video_id=v-1"

    first = get(client, partner_key, query)
    assert first["Cache-Control"] == "public, max-age=90, stale-while-revalidate=30, stale-if-error=86400"
    assert first["Vary"] == "Authorization"
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) == 34

    again = get(client, partner_key, query, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == first["Cache-Control"]

    # A change (here: the anchor detached) changes the body, hence the ETag.
    PortfolioAnchor.objects.filter(video=video).update(is_active=False)
    anchors_cache_invalidate(videos=[video])
    changed = get(client, partner_key, query, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed.json()["videos"] == [{"video_id": "v-1", "anchors": []}]
    assert changed["ETag"] != etag


# --- The cache and query counts (the hot path) ------------------------------------------------------


def test_query_counts_cold_key_cold_anchors_then_warm(client, creator, partner_key, django_assert_num_queries):
    for number in range(100):
        make_video(creator, f"v-{number}", code=f"code{number:04d}" if number % 2 else None)
    query = "platform=sandbox-video&" + "&".join(f"video_id=v-{number}" for number in range(100))

    # Nothing cached: the key lookup, the key's last-used update, and ONE query for 100 videos.
    with django_assert_num_queries(3):
        assert get(client, partner_key, query).status_code == 200
    # Everything cached: no query at all (key, throttle counter and anchors all come from the cache).
    with django_assert_num_queries(0):
        warm = get(client, partner_key, query)
    assert warm.status_code == 200
    assert len(warm.json()["videos"]) == 100


def test_a_cached_key_with_uncached_anchors_costs_one_query(client, creator, partner_key, django_assert_num_queries):
    make_video(creator, "v-1", code="code0001")
    make_video(creator, "v-2", code="code0002")
    get(client, partner_key, "platform=p&video_id=warm-up")

    with django_assert_num_queries(1):
        assert get(client, partner_key, "platform=sandbox-video&video_id=v-1&video_id=v-2").status_code == 200


def test_unknown_ids_are_cached_too(client, partner_key, django_assert_num_queries):
    get(client, partner_key, "platform=sandbox-video&video_id=nope-1&video_id=nope-2")
    with django_assert_num_queries(0):
        response = get(client, partner_key, "platform=sandbox-video&video_id=nope-2&video_id=nope-1")
    assert response.json()["videos"] == []


def test_an_invalidated_video_is_read_again_alone(client, creator, partner_key, django_assert_num_queries):
    video = make_video(creator, "v-1", code="code0001")
    make_video(creator, "v-2", code="code0002")
    query = "platform=sandbox-video&video_id=v-1&video_id=v-2"
    assert get(client, partner_key, query).json()["videos"][0]["anchors"] == [portfolio_anchor("code0001")]

    PortfolioAnchor.objects.filter(video=video).update(code="code9999")
    with django_assert_num_queries(0):  # not invalidated yet: the cached answer stands
        assert get(client, partner_key, query).json()["videos"][0]["anchors"] == [portfolio_anchor("code0001")]

    anchors_cache_invalidate(videos=[video])
    with django_assert_num_queries(1):
        videos = get(client, partner_key, query).json()["videos"]
    assert videos == [
        {"video_id": "v-1", "anchors": [portfolio_anchor("code9999")]},
        {"video_id": "v-2", "anchors": [portfolio_anchor("code0002")]},
    ]


def test_a_detach_that_commits_while_a_lookup_reads_the_video_shows_on_the_next_lookup(
    client, creator, videos, partner_key, racing_cache, django_capture_on_commit_callbacks
):
    """Regression: a lookup that read the anchors just before a detach committed cached them just after the
    detach's invalidation, and partners kept rendering the detached link until the entry expired."""
    [anchor] = creator_services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))

    def detach_meanwhile():
        with django_capture_on_commit_callbacks(execute=True):
            creator_services.anchor_detach(creator=creator, anchor=anchor)

    key_part = anchors_cache_key(platform=PLATFORM, platform_video_id="v-1001")
    racing_cache.key_part, racing_cache.before_write = key_part, detach_meanwhile
    query = f"platform={PLATFORM}&video_id=v-1001"
    assert get(client, partner_key, query).json()["videos"][0]["anchors"] == [portfolio_anchor(anchor.code)]
    assert racing_cache.before_write is None  # the detach did happen in between
    assert get(client, partner_key, query).json()["videos"] == [{"video_id": "v-1001", "anchors": []}]


def test_a_change_that_was_not_invalidated_shows_once_the_entry_expires(client, creator, partner_key, settings):
    """A change that no service announced (made straight in the database) is served from the cache for
    ANCHORS_CACHE_SECONDS at most. The local-memory cache runs on a clock the test moves: Redis keeps
    time on its own side."""
    settings.CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"expiry-{alias}"}
        for alias in ("default", "clicks")
    }
    settings.ANCHORS_CACHE_SECONDS = 300
    video = make_video(creator, "v-1", code="code0001")
    query = "platform=sandbox-video&video_id=v-1"
    with freeze_time() as clock:
        assert get(client, partner_key, query).json()["videos"][0]["anchors"] == [portfolio_anchor("code0001")]

        PortfolioAnchor.objects.filter(video=video).update(is_active=False)  # no invalidation
        clock.tick(299)
        assert get(client, partner_key, query).json()["videos"][0]["anchors"] == [portfolio_anchor("code0001")]
        clock.tick(2)
        assert get(client, partner_key, query).json()["videos"] == [{"video_id": "v-1", "anchors": []}]


def test_a_new_video_shows_once_its_cache_entry_is_invalidated(client, creator, partner_key):
    query = "platform=sandbox-video&video_id=v-new"
    assert get(client, partner_key, query).json()["videos"] == []
    video = make_video(creator, "v-new", code="code0001")
    anchors_cache_invalidate(videos=[video])
    assert get(client, partner_key, query).json()["videos"] == [
        {"video_id": "v-new", "anchors": [portfolio_anchor("code0001")]}
    ]


# --- Throttling -----------------------------------------------------------------------------------


def test_each_key_is_throttled_on_its_own_with_retry_after(client, partner_key, settings):
    settings.PARTNER_API_RATE = "3/min"
    query = "platform=p&video_id=v"
    for _ in range(3):
        assert get(client, partner_key, query).status_code == 200

    response = get(client, partner_key, query)
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    unit = "second" if retry_after == 1 else "seconds"  # a window about to end leaves one second
    assert response.json()["error"]["message"] == f"Request was throttled. Expected available in {retry_after} {unit}."
    assert response["Cache-Control"] == "no-store"

    other_key = partner_services.partner_create(name="Another Partner").key
    assert get(client, other_key, query).status_code == 200
