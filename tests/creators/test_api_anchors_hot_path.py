"""The partner API's hot path: what a warm request costs (database queries, cache round trips), that it
answers exactly as the full DRF view does, and what it tells CDNs (Surrogate-Key, purges on change)."""

import json
import threading
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connections
from django.urls import reverse
from redis.connection import AbstractConnection

from common import cache as cache_door
from integrations.partners import services as partner_services
from integrations.partners.models import ApiKey
from integrations.partners.scopes import ANCHORS_READ
from portfolio.celery import app as celery_app
from portfolio.creators import services
from portfolio.creators.anchor_cache import anchors_cache_key, anchors_version_key
from portfolio.creators.models import PortfolioAnchor, Video
from portfolio.creators.tasks import cdn_purge_task
from tests.creators.conftest import BROWSER_UA, target_for
from tests.integrations.outbound_webhooks.receiver import Answer, Receiver

pytestmark = pytest.mark.django_db

GET_URL = reverse("api-anchors")
LOOKUP_URL = reverse("api-anchors-lookup")
PLATFORM = "sandbox-video"
ON_REDIS = django_settings.CACHES["default"]["BACKEND"].endswith(".RedisCache")


@pytest.fixture
def partner_key():
    return partner_services.partner_create(name="Sandbox Video").key


def make_video(owner, video_id, *, code=None):
    video = Video.objects.create(owner=owner, platform=PLATFORM, platform_video_id=video_id)
    if code:
        PortfolioAnchor.objects.create(
            video=video,
            code=code,
            target_kind=PortfolioAnchor.TargetKind.REELFOLIO_PAGE,
            target_url="https://reelfolio.example/@casey",
        )
    return video


def query_of(video_ids):
    return f"platform={PLATFORM}&" + "&".join(f"video_id={video_id}" for video_id in video_ids)


def get(client, key, video_ids, **headers):
    return client.get(f"{GET_URL}?{query_of(video_ids)}", HTTP_AUTHORIZATION=f"Bearer {key}", **headers)


def lookup(client, key, video_ids):
    body = json.dumps({"platform": PLATFORM, "video_ids": video_ids})
    return client.post(LOOKUP_URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")


@contextmanager
def redis_round_trips():
    """Counts the commands this thread sends to any Redis server; a pipeline or a script is one send."""
    sent: list[int] = []
    original = AbstractConnection.send_packed_command
    me = threading.get_ident()

    def counting(self, command, check_health=True):
        if threading.get_ident() == me:
            sent.append(1)
        return original(self, command, check_health)

    AbstractConnection.send_packed_command = counting  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        AbstractConnection.send_packed_command = original  # type: ignore[method-assign]


# --- Cost of a request ----------------------------------------------------------------------------------


def test_warm_requests_and_revalidations_make_no_query_and_a_cold_one_makes_one(
    client, creator, partner_key, django_assert_num_queries
):
    ids = [f"v-{number}" for number in range(50)]
    for number, video_id in enumerate(ids):
        make_video(creator, video_id, code=f"code{number:04d}" if number % 2 else None)
    get(client, partner_key, ["warm-up"])  # the key is cached from here on

    with django_assert_num_queries(1):  # cold: one query for the anchors of all 50
        cold = get(client, partner_key, ids)
    assert cold.status_code == 200
    with django_assert_num_queries(0):
        warm = get(client, partner_key, ids)
    assert (warm.status_code, warm.content, warm["ETag"]) == (200, cold.content, cold["ETag"])
    with django_assert_num_queries(0):
        revalidated = get(client, partner_key, ids, HTTP_IF_NONE_MATCH=warm["ETag"])
    assert revalidated.status_code == 304
    with django_assert_num_queries(0):
        assert lookup(client, partner_key, ids).content == warm.content


@pytest.mark.skipif(not ON_REDIS, reason="counts round trips to Redis (CI runs it with CACHE_URL=redis://...)")
@pytest.mark.parametrize("count", [1, 100])
def test_a_warm_lookup_is_one_redis_round_trip(client, creator, partner_key, count):
    """Before, a warm request made three (the key, the throttle, the anchors), each on a new client."""
    ids = [f"v-{number}" for number in range(count)]
    for number, video_id in enumerate(ids):
        make_video(creator, video_id, code=f"code{number:04d}")
    assert get(client, partner_key, ids).status_code == 200  # cold key, cold anchors
    assert get(client, partner_key, ids).status_code == 200  # the script is loaded on the server

    with redis_round_trips() as sent:
        warm = get(client, partner_key, ids)
    assert warm.status_code == 200
    assert len(warm.json()["videos"]) == count
    assert len(sent) == 1
    with redis_round_trips() as sent:
        assert get(client, partner_key, ids, HTTP_IF_NONE_MATCH=warm["ETag"]).status_code == 304
    assert len(sent) == 1
    with redis_round_trips() as sent:  # an ETag that no longer matches: the anchors come in the same trip
        stale = get(client, partner_key, ids, HTTP_IF_NONE_MATCH='"' + "0" * 32 + '"')
    assert (stale.status_code, stale.content) == (200, warm.content)
    assert len(sent) == 1
    with redis_round_trips() as sent:
        assert lookup(client, partner_key, ids).status_code == 200
    assert len(sent) == 1


@pytest.mark.skipif(not ON_REDIS, reason="counts round trips to Redis (CI runs it with CACHE_URL=redis://...)")
def test_a_warm_counted_redirect_is_one_redis_round_trip(client, creator, videos):
    """One script checks the link's cache entry and counts the click (portfolio/creators/short_links.py);
    before, the link's target and the click script were two. The day's salt is read once per process."""
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    for visitor in (1, 2):  # warm: the link cached, the salt read, the script loaded
        client.get(f"/l/{anchor.code}", HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR=f"198.51.100.{visitor}")
    with redis_round_trips() as sent:
        response = client.get(f"/l/{anchor.code}", HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="198.51.100.3")
    assert response.status_code == 302
    assert len(sent) == 1


@pytest.mark.skipif(not ON_REDIS, reason="the client is Redis's (CI runs it with CACHE_URL=redis://...)")
def test_the_redis_client_is_built_once_and_shared(client, partner_key):
    assert cache_door.redis_client() is cache_door.redis_client()
    assert cache_door.redis_handle("clicks") is not None


def test_what_djangos_cache_writes_the_hot_paths_read_back_alike():
    from portfolio.creators.anchor_cache import AnchorList

    values = {
        "int": 7,
        "negative": -3,
        "big": 2**59 + 1,
        "anchors": AnchorList('{"video_id":"v-1","anchors":[]}'),
        "text": "12",  # a string of digits stays a string
        "list": [{"kind": "portfolio"}],
    }
    cache.set_many(values)
    assert cache_door.get_many(list(values)) == values
    assert type(cache_door.get_many(["text"])["text"]) is str


# --- Revalidation ----------------------------------------------------------------------------------------


def revalidate(client, key, video_ids, etag):
    return get(client, key, video_ids, HTTP_IF_NONE_MATCH=etag)


def test_every_change_of_what_a_video_shows_changes_the_etag(
    client, creator, videos, partner_key, django_capture_on_commit_callbacks
):
    ids = [video.platform_video_id for video in videos]
    first = get(client, partner_key, ids)
    assert revalidate(client, partner_key, ids, first["ETag"]).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        [anchor] = services.anchors_attach(creator=creator, videos=[videos[1]], target=target_for(creator))
    attached = revalidate(client, partner_key, ids, first["ETag"])
    assert attached.status_code == 200
    assert [video["anchors"] for video in attached.json()["videos"]][1][0]["kind"] == "portfolio"
    assert attached["ETag"] != first["ETag"]
    assert revalidate(client, partner_key, ids, attached["ETag"]).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        services.anchor_detach(creator=creator, anchor=anchor)
    detached = revalidate(client, partner_key, ids, attached["ETag"])
    assert detached.status_code == 200
    # The same answer as the first one, hence the same ETag: it names what the videos show.
    assert (detached.content, detached["ETag"]) == (first.content, first["ETag"])

    with django_capture_on_commit_callbacks(execute=True):
        services.video_remove(video=videos[2])
    removed = revalidate(client, partner_key, ids, detached["ETag"])
    assert removed.status_code == 200
    assert [video["video_id"] for video in removed.json()["videos"]] == ids[:2]
    assert removed["ETag"] != detached["ETag"]
    assert revalidate(client, partner_key, ids, removed["ETag"]).status_code == 304


def test_a_revalidation_reads_the_versions_and_not_the_anchors(
    client, creator, partner_key, django_assert_num_queries
):
    make_video(creator, "v-1", code="code0001")
    make_video(creator, "v-2")
    ids = ["v-1", "v-2", "nope"]
    etag = get(client, partner_key, ids)["ETag"]
    cache.delete_many([anchors_cache_key(platform=PLATFORM, platform_video_id=video_id) for video_id in ids])

    with django_assert_num_queries(0):  # had the anchors been needed, they would have come from the database
        revalidated = revalidate(client, partner_key, ids, etag)
    assert (revalidated.status_code, revalidated["ETag"]) == (304, etag)
    assert revalidated["Cache-Control"].startswith("public, max-age=")
    assert revalidated["Vary"] == "Authorization"
    with django_assert_num_queries(1):
        assert get(client, partner_key, ids)["ETag"] == etag
    # The same ids in another order are another answer.
    assert revalidate(client, partner_key, ["v-2", "v-1", "nope"], etag).status_code == 200


def test_a_missing_version_is_never_taken_as_unchanged(client, creator, partner_key, django_assert_num_queries):
    video = make_video(creator, "v-1", code="code0001")
    make_video(creator, "v-2")
    ids = ["v-1", "v-2"]
    etag = get(client, partner_key, ids)["ETag"]
    version_key = anchors_version_key(platform=PLATFORM, platform_video_id="v-1")

    # The cache lost v-1's version only: the anchors are read and compared; the version is written back.
    cache.delete(version_key)
    with django_assert_num_queries(0):
        assert revalidate(client, partner_key, ids, etag).status_code == 304
    assert cache.get(version_key) is not None

    # A change that no service announced, and the cache lost v-1's version and anchors: read again.
    PortfolioAnchor.objects.filter(video=video).update(is_active=False)
    cache.delete_many([version_key, anchors_cache_key(platform=PLATFORM, platform_video_id="v-1")])
    with django_assert_num_queries(1):
        changed = revalidate(client, partner_key, ids, etag)
    assert changed.status_code == 200
    assert changed.json()["videos"] == [{"video_id": "v-1", "anchors": []}, {"video_id": "v-2", "anchors": []}]
    assert changed["ETag"] != etag
    with django_assert_num_queries(0):
        assert revalidate(client, partner_key, ids, changed["ETag"]).status_code == 304


def test_a_revalidation_takes_weak_and_listed_etags_and_a_lookup_post_is_answered_in_full(
    client, creator, partner_key
):
    make_video(creator, "v-1", code="code0001")
    etag = get(client, partner_key, ["v-1"])["ETag"]
    assert revalidate(client, partner_key, ["v-1"], f'"{"a" * 32}", W/{etag}').status_code == 304
    assert revalidate(client, partner_key, ["v-1"], "*").status_code == 304
    assert revalidate(client, partner_key, ["v-1"], '"not-ours"').status_code == 200
    body = json.dumps({"platform": PLATFORM, "video_ids": ["v-1"]})
    posted = client.post(
        LOOKUP_URL,
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {partner_key}",
        HTTP_IF_NONE_MATCH=etag,
    )
    assert (posted.status_code, posted["ETag"]) == (200, etag)


# --- The same answer whichever way it is made ----------------------------------------------------------


def test_the_first_answer_made_by_the_full_view_and_the_warm_one_are_byte_for_byte_alike(
    client, creator, partner_key
):
    make_video(creator, "v-1", code="code0001")
    make_video(creator, "vidéo-2")  # non-ASCII ids are written as UTF-8, not escaped
    first = get(client, partner_key, ["v-1", "vidéo-2", "nope"])  # the key is not cached: the DRF view
    warm = get(client, partner_key, ["v-1", "vidéo-2", "nope"])
    assert first.content == warm.content
    assert first["ETag"] == warm["ETag"]
    assert first["Allow"] == warm["Allow"] == "GET, HEAD, OPTIONS"
    assert warm.content.decode() == (
        '{"platform":"sandbox-video","videos":[{"video_id":"v-1","anchors":[{"kind":"portfolio",'
        '"label":"View My Portfolio","url":"http://127.0.0.1:8000/l/code0001"}]},'
        '{"video_id":"vidéo-2","anchors":[]}]}'
    )


def test_the_rate_is_counted_once_per_request_whichever_way_it_is_answered(client, creator, partner_key, settings):
    settings.PARTNER_API_RATE = "3/min"
    make_video(creator, "v-1")
    statuses = [get(client, partner_key, ["v-1"]).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    response = get(client, partner_key, ["v-1"])
    assert response.json()["error"]["code"] == "throttled"
    assert int(response["Retry-After"]) >= 1
    assert response["Cache-Control"] == "no-store"


def test_a_wrong_secret_on_a_known_key_is_refused_and_costs_the_key_nothing(client, creator, partner_key, settings):
    settings.PARTNER_API_RATE = "2/min"
    make_video(creator, "v-1")
    assert get(client, partner_key, ["v-1"]).status_code == 200  # the key is cached: the hot path reads it
    forged = partner_key[:-5] + ("AAAAA" if not partner_key.endswith("AAAAA") else "BBBBB")
    for _ in range(3):
        response = get(client, forged, ["v-1"])
        assert response.status_code == 401
        assert response.json()["error"]["message"] == "Invalid API key."
    assert get(client, partner_key, ["v-1"]).status_code == 200  # the second of two: the forged ones did not count
    assert get(client, partner_key, ["v-1"]).status_code == 429


def test_a_cached_key_without_the_scope_gets_the_full_views_403(client, creator):
    created = partner_services.partner_create(name="Other Video")
    key = created.key
    ApiKey.objects.filter(pk=created.api_key.pk).update(scopes=["jobs:read"])
    response = get(client, key, ["v-1"])
    assert response.status_code == 403
    response = get(client, key, ["v-1"])  # again, the key now cached
    assert response.status_code == 403
    assert response.json()["error"]["message"] == f"This API key lacks the {ANCHORS_READ} scope."


# --- CDN ------------------------------------------------------------------------------------------------


def test_answers_name_each_video_in_surrogate_key_and_may_be_served_stale(client, creator, partner_key):
    make_video(creator, "v-1", code="code0001")
    response = get(client, partner_key, ["v-1", "nope", "a%2Fb", "vidéo"])
    assert response["Surrogate-Key"] == (
        "video:sandbox-video:v-1 video:sandbox-video:nope video:sandbox-video:a%2Fb video:sandbox-video:vid%C3%A9o"
    )
    assert "stale-while-revalidate=30" in response["Cache-Control"]
    assert "stale-if-error=86400" in response["Cache-Control"]
    assert get(client, "rfk_000000000000_" + "x" * 43, ["v-1"])["Cache-Control"] == "no-store"


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def cdn():
    with Receiver() as running:
        yield running


def test_a_change_of_a_videos_anchors_purges_its_surrogate_key_at_the_cdn(
    creator, videos, settings, cdn, eager_celery, django_capture_on_commit_callbacks
):
    settings.CDN_PURGE = "portfolio.creators.cdn.HttpPurge"
    settings.CDN_PURGE_URL = cdn.url
    settings.CDN_PURGE_TOKEN = "cdn-token-for-tests"
    with django_capture_on_commit_callbacks(execute=True):
        [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    with django_capture_on_commit_callbacks(execute=True):
        services.anchor_detach(creator=creator, anchor=anchor)

    assert [json.loads(request.body) for request in cdn.requests] == [
        {"surrogate_keys": ["video:sandbox-video:v-1001"]},
        {"surrogate_keys": ["video:sandbox-video:v-1001"]},
    ]
    assert cdn.requests[0].headers["fastly-key"] == "cdn-token-for-tests"


def test_a_purge_the_cdn_refuses_is_retried(settings, cdn, eager_celery):
    settings.CDN_PURGE_URL = cdn.url
    cdn.answers = [Answer(status=503), Answer(status=200)]
    cdn_purge_task.delay(["video:sandbox-video:v-1"])  # eager: a retry runs at once
    bodies = [json.loads(request.body) for request in cdn.requests]
    assert bodies == [{"surrogate_keys": ["video:sandbox-video:v-1"]}] * 2


def test_without_a_cdn_a_purge_is_a_log_line(creator, videos, django_capture_on_commit_callbacks, caplog):
    with caplog.at_level("INFO", logger="portfolio.creators.cdn"), django_capture_on_commit_callbacks(execute=True):
        services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    [record] = [r for r in caplog.records if r.name == "portfolio.creators.cdn"]
    assert record.getMessage() == "cdn purge"
    assert record.surrogate_keys == ["video:sandbox-video:v-1001"]


@pytest.mark.django_db(transaction=True)
def test_a_warm_key_with_uncached_anchors_and_the_database_away_is_the_apis_503(client, partner_key, tmp_path):
    """The fast path hands the request to the full view, which answers in the API's error shape, not an
    HTML 500."""
    assert get(client, partner_key, ["warm-up"]).status_code == 200  # the key is cached
    database = connections["default"]
    saved = dict(database.settings_dict)
    database.close()
    if database.vendor == "sqlite":
        database.settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    else:
        database.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        response = get(client, partner_key, ["v-not-cached"])
    finally:
        database.close()
        database.settings_dict.clear()
        database.settings_dict.update(saved)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "unavailable"
