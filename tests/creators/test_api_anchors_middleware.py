"""Warm anchor lookups answered before most of the middleware stack (common/early_answers.py): a partner
sees the same status, body and headers as from the whole stack, and everything the stack decides (HTTPS,
hosts, uploads, keys, rates, a cold or unreachable cache) is still decided as before.

Which way a request went is read from the request the test client hands back: the stack's
SessionMiddleware gives every request it sees a `session`; the hot path answers before it."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from integrations.partners import services as partner_services
from portfolio.creators.models import PortfolioAnchor, Video
from tests.early_answers import answered_early, seen, whole_stack_client
from tests.redis_server import private_redis_running

pytestmark = pytest.mark.django_db

GET_URL = reverse("api-anchors")
LOOKUP_URL = reverse("api-anchors-lookup")
PLATFORM = "sandbox-video"


@pytest.fixture
def partner_key():
    return partner_services.partner_create(name="Sandbox Video").key


@pytest.fixture
def videos(creator):
    made = []
    for number in range(3):
        video = Video.objects.create(owner=creator, platform=PLATFORM, platform_video_id=f"v-{number}")
        if number != 1:
            PortfolioAnchor.objects.create(
                video=video,
                code=f"code{number:04d}",
                target_kind=PortfolioAnchor.TargetKind.REELFOLIO_PAGE,
                target_url="https://reelfolio.example/@casey",
            )
        made.append(video)
    return made


def get(client, key, video_ids, **extra):
    query = f"platform={PLATFORM}&" + "&".join(f"video_id={video_id}" for video_id in video_ids)
    return client.get(f"{GET_URL}?{query}", HTTP_AUTHORIZATION=f"Bearer {key}", **extra)


def lookup(client, key, video_ids, **extra):
    body = json.dumps({"platform": PLATFORM, "video_ids": video_ids})
    return client.post(LOOKUP_URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}", **extra)


@pytest.mark.parametrize("secure", [False, True], ids=["http", "https"])
def test_warm_answers_and_revalidations_are_the_whole_stacks_header_for_header(
    client, videos, partner_key, settings, secure
):
    ids = ["v-0", "v-1", "v-2", "unknown"]
    assert get(client, partner_key, ids).status_code == 200  # warms the key and the anchors
    hot = [get(client, partner_key, ids, secure=secure), lookup(client, partner_key, ids, secure=secure)]
    etag = hot[0]["ETag"]
    hot.append(get(client, partner_key, ids, secure=secure, HTTP_IF_NONE_MATCH=etag))
    assert all(answered_early(response) for response in hot)
    assert [response.status_code for response in hot] == [200, 200, 304]
    assert all(response["X-Request-ID"] for response in hot)

    stack = whole_stack_client(settings)
    whole = [
        get(stack, partner_key, ids, secure=secure),
        lookup(stack, partner_key, ids, secure=secure),
        get(stack, partner_key, ids, secure=secure, HTTP_IF_NONE_MATCH=etag),
    ]
    assert not any(answered_early(response) for response in whole)
    assert [seen(response) for response in hot] == [seen(response) for response in whole]
    # The headers the stack adds to every answer, here on the hot path's.
    headers = hot[0]
    assert "default-src 'self'" in headers["Content-Security-Policy"].split("; ")
    assert headers["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert (headers["X-Frame-Options"], headers["X-Content-Type-Options"]) == ("DENY", "nosniff")
    assert headers["Referrer-Policy"] == "same-origin"
    assert ("Strict-Transport-Security" in headers) is (secure and settings.SECURE_HSTS_SECONDS > 0)
    assert headers["Content-Length"] == str(len(headers.content))
    assert headers["Cache-Control"].startswith("public, max-age=")
    assert headers["Surrogate-Key"] == " ".join(f"video:{PLATFORM}:{video_id}" for video_id in ids)


def test_a_cold_cache_goes_down_the_stack_and_the_next_request_is_answered_alike_by_the_hot_path(
    client, videos, partner_key
):
    first = get(client, partner_key, ["v-0", "v-1"])  # neither the key nor the anchors are cached
    assert not answered_early(first)
    cold_anchors = get(client, partner_key, ["v-2"])  # a cached key, an uncached video: still the hot path
    assert answered_early(cold_anchors) and cold_anchors.status_code == 200
    again = get(client, partner_key, ["v-0", "v-1"])
    assert answered_early(again)
    assert seen(again) == seen(first)


def test_over_the_rate_the_stack_answers_429_with_its_headers_and_each_request_counts_once(
    client, videos, partner_key, settings
):
    settings.PARTNER_API_RATE = "3/min"
    answers = [get(client, partner_key, ["v-0"]) for _ in range(3)]
    assert [(response.status_code, answered_early(response)) for response in answers] == [
        (200, False),
        (200, True),
        (200, True),
    ]
    throttled = lookup(client, partner_key, ["v-0"])
    assert (throttled.status_code, answered_early(throttled)) == (429, False)
    assert throttled.json()["error"]["code"] == "throttled"
    assert int(throttled["Retry-After"]) >= 1
    assert throttled["Cache-Control"] == "no-store"
    assert throttled["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in throttled


def test_errors_are_the_stacks(client, videos, partner_key):
    assert get(client, partner_key, ["v-0"]).status_code == 200  # the key is cached from here on
    refused = get(client, partner_key[:-4] + "AAAA", ["v-0"])
    assert (refused.status_code, answered_early(refused)) == (401, False)
    assert refused.json()["error"]["message"] == "Invalid API key."
    bad = get(client, partner_key, ["v 0"])
    assert (bad.status_code, answered_early(bad)) == (400, False)
    assert bad.json()["error"]["code"] == "invalid"
    upload = client.get(
        f"{GET_URL}?platform={PLATFORM}&video_id=v-0",
        HTTP_AUTHORIZATION=f"Bearer {partner_key}",
        CONTENT_TYPE="multipart/form-data; boundary=x",
    )
    assert upload.status_code == 415
    assert client.get(GET_URL).status_code == 401  # no key: the DRF view's answer
    assert client.get(reverse("api-docs")).status_code == 200


def test_what_the_stack_redirects_or_refuses_before_any_view_is_still_redirected_or_refused(
    client, videos, partner_key, settings
):
    assert get(client, partner_key, ["v-0"]).status_code == 200  # the key and the anchors are cached
    assert get(client, partner_key, ["v-0"], HTTP_HOST="evil.example").status_code == 400
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # the middleware reads the settings when the stack is built
    redirected = get(client, partner_key, ["v-0"])
    assert redirected.status_code == 301
    assert redirected["Location"] == f"https://testserver{GET_URL}?platform={PLATFORM}&video_id=v-0"
    over_https = get(client, partner_key, ["v-0"], secure=True)
    assert (over_https.status_code, answered_early(over_https)) == (200, True)


@pytest.fixture
def private_redis(tmp_path, settings):
    yield from private_redis_running(tmp_path, settings)


def test_with_redis_down_the_stack_answers_from_the_database_and_after_it_the_hot_path_again(
    client, videos, partner_key, private_redis, settings
):
    settings.CACHE_OUTAGE_SECONDS = 0  # every request tries the cache again: no waiting in the test
    assert get(client, partner_key, ["v-0", "v-1"]).status_code == 200  # warms the key and the anchors
    warm = get(client, partner_key, ["v-0", "v-1"])
    assert answered_early(warm)

    private_redis.stop()
    during = get(client, partner_key, ["v-0", "v-1"])
    assert not answered_early(during)
    assert seen(during) == seen(warm)

    private_redis.start()
    after = get(client, partner_key, ["v-0", "v-1"])
    assert answered_early(after)
    assert seen(after) == seen(warm)


def test_a_query_string_is_read_as_django_reads_it_whichever_way_it_is_written(client, videos, partner_key):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {partner_key}"}
    plain = get(client, partner_key, ["v-0", "v-1", "v-0"])  # repeated ids are answered once
    assert plain.status_code == 200
    for query in (
        f"platform={PLATFORM}&video_id=v-0&video_id=v-1",
        f"video_id=v-0&&platform={PLATFORM}&video_id=v-1&",  # empty fields are skipped
        f"platform={PLATFORM}&video_id=v%2D0&video_id=v-1",  # escaped
        "platform=sandbox%2Dvideo&video_id=v-0&video_id=v-1",
    ):
        response = client.get(f"{GET_URL}?{query}", **auth)
        assert (response.status_code, response.content, answered_early(response)) == (200, plain.content, True), query
    for query, message in (
        (f"platform={PLATFORM}&video_id=v-0&colour=red", "Unknown query parameter 'colour'"),
        (f"platform={PLATFORM}&video_id=v+0", "Video id number 1 has spaces"),
        (f"platform={PLATFORM}&platform={PLATFORM}&video_id=v-0", "Give platform once."),
        (f"platform={PLATFORM}&video_id=", "Video id number 1 is empty."),
        (f"platform={PLATFORM}&video_id", "Video id number 1 is empty."),
    ):
        response = client.get(f"{GET_URL}?{query}", **auth)
        assert (response.status_code, answered_early(response)) == (400, False), query
        assert message in json.dumps(response.json()["error"]), query


def test_without_a_header_middleware_the_hot_path_leaves_its_header_out_too(client, videos, partner_key, settings):
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != "csp.middleware.CSPMiddleware"]
    client = Client()
    assert get(client, partner_key, ["v-0"]).status_code == 200  # warms the key and the anchors
    warm = get(client, partner_key, ["v-0"])
    assert answered_early(warm)
    assert "Content-Security-Policy" not in warm
    assert warm["X-Frame-Options"] == "DENY"
