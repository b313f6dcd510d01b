"""Every early answer (common/early_answers.py: the warm anchor lookup in both forms, the warm short link by
GET and HEAD) against the whole stack: whatever a middleware below would answer first (a host not allowed,
PREPEND_WWW, APPEND_SLASH, the redirect to HTTPS, a refused user agent, an upload) is answered by it, byte
for byte and header for header as without the early answers; and however many paths are asked for, a web
process keeps a bounded handful of header sets.

Every test here runs its own redis-server (tests/redis_server.py): the short link is answered early only on
Redis."""

import gc
import json
import logging
import re
import tracemalloc
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from common import early_answers
from integrations.partners import services as partner_services
from portfolio.creators import services
from tests.creators.conftest import BROWSER_UA, target_for
from tests.early_answers import answered_early, seen, whole_stack_client
from tests.redis_server import private_redis_running

pytestmark = pytest.mark.django_db

PLATFORM = "sandbox-video"  # the platform of the linked video account (tests/creators/conftest.py)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def private_redis(tmp_path, settings):
    yield from private_redis_running(tmp_path, settings)


@pytest.fixture
def early_paths(creator, videos, private_redis) -> dict:
    """{name: request(client, path_suffix, **extra)} for every early answer, each warmed once."""
    key = partner_services.partner_create(name="Sandbox Video").key
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    video_id = videos[0].platform_video_id
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}", "HTTP_USER_AGENT": BROWSER_UA}
    anchors, lookup = reverse("api-anchors"), reverse("api-anchors-lookup")
    body = json.dumps({"platform": PLATFORM, "video_ids": [video_id]})
    # Each with its path as routed, or (slash=True) with a slash too many or too few.
    paths = {
        "anchors GET": lambda client, slash=False, **extra: client.get(
            f"{anchors.rstrip('/') if slash else anchors}?platform={PLATFORM}&video_id={video_id}", **auth, **extra
        ),
        "anchors lookup POST": lambda client, slash=False, **extra: client.post(
            lookup + "/" * slash, body, content_type="application/json", **auth, **extra
        ),
        "short link GET": lambda client, slash=False, **extra: client.get(
            f"/l/{anchor.code}" + "/" * slash, **auth, **extra
        ),
        "short link HEAD": lambda client, slash=False, **extra: client.head(
            f"/l/{anchor.code}" + "/" * slash, **auth, **extra
        ),
    }
    warm = Client()
    for name, request in paths.items():
        request(warm)
        assert answered_early(request(warm)), name  # warm: answered early when nothing below objects
    return paths


def both_ways(early_paths, settings, **extra) -> tuple[dict, dict]:
    """{name: response} of every early path with the early answers, then down the whole stack."""
    early = {name: request(Client(), **extra) for name, request in early_paths.items()}
    middleware = settings.MIDDLEWARE
    stack = whole_stack_client(settings)
    whole = {name: request(stack, **extra) for name, request in early_paths.items()}
    settings.MIDDLEWARE = middleware
    return early, whole


def test_nothing_is_answered_early_that_a_middleware_below_answers_first(early_paths, settings):
    """Regression: with PREPEND_WWW a warm /l/<code> answered its 302 where the whole stack answers a 301 to
    www., and a host outside ALLOWED_HOSTS escaped from the short link as an error instead of the 400."""
    # name: (settings, request headers, the statuses the whole stack answers, whether its answer comes from
    # below SessionMiddleware: CommonMiddleware's does, SecurityMiddleware's and RefuseUploadsMiddleware's not)
    cases = {
        "a host not allowed": ({}, {"HTTP_HOST": "evil.example"}, {400}, True),
        "PREPEND_WWW": ({"PREPEND_WWW": True}, {}, {301}, True),
        "a refused user agent": ({"DISALLOWED_USER_AGENTS": [re.compile("Chrome")]}, {}, {403}, True),
        "the redirect to HTTPS": ({"SECURE_SSL_REDIRECT": True}, {}, {301}, False),
        # A multipart JSON body has no file part: RefuseUploadsMiddleware lets the lookup's view refuse it.
        "an upload": ({}, {"CONTENT_TYPE": "multipart/form-data; boundary=x"}, {400, 415}, None),
    }
    for case, (changed, extra, statuses, below_sessions) in cases.items():
        before = {name: getattr(settings, name) for name in changed}
        for name, value in changed.items():
            setattr(settings, name, value)
        early, whole = both_ways(early_paths, settings, **extra)
        for name in early_paths:
            assert early[name].status_code in statuses, (case, name, early[name].status_code)
            assert seen(early[name]) == seen(whole[name]), (case, name)
            if below_sessions is not None:
                assert answered_early(early[name]) is not below_sessions, (case, name)
        for name, value in before.items():
            setattr(settings, name, value)
    if_www = early_paths["short link GET"](Client(), HTTP_HOST="testserver")
    assert (if_www.status_code, answered_early(if_www)) == (302, True)  # everything back as it was


@pytest.mark.parametrize("append_slash", [True, False], ids=["APPEND_SLASH", "no APPEND_SLASH"])
def test_with_or_without_append_slash_every_path_is_answered_as_the_whole_stack_answers_it(
    early_paths, settings, append_slash
):
    settings.APPEND_SLASH = append_slash
    for secure in (False, True):
        early, whole = both_ways(early_paths, settings, secure=secure)
        for name in early_paths:
            assert answered_early(early[name]) and early[name].status_code in (200, 302), name
            assert seen(early[name]) == seen(whole[name]), name
        early, whole = both_ways(early_paths, settings, secure=secure, slash=True)
        for name in early_paths:
            assert not answered_early(early[name]), name  # no early answer's URL routes that path
            assert seen(early[name]) == seen(whole[name]), name
        unslashed = early["anchors GET"]
        assert (unslashed.status_code == 301) is append_slash  # CommonMiddleware's, to /api/v1/anchors/
    # Three paths answered early, over HTTP and HTTPS: the headers of each scheme are worked out once.
    early_answers.stack_headers.cache_clear()
    for secure in (False, True):
        for name, request in early_paths.items():
            assert answered_early(request(Client(), secure=secure)), name
    info = early_answers.stack_headers.cache_info()
    assert (info.currsize, info.misses, info.hits) == (2, 2, 2 * len(early_paths) - 2)


def test_a_middleware_that_refuses_requests_is_not_skipped(early_paths, settings):
    """A middleware the early answers know, which answers before the view (RefuseUploadsMiddleware), keeps
    answering when it is installed; taken out, the early paths are answered early again."""
    multipart = {"CONTENT_TYPE": "multipart/form-data; boundary=x"}
    for name, request in early_paths.items():
        if name == "anchors lookup POST":  # a multipart JSON body has no file part: the lookup's view refuses it
            continue
        refused = request(Client(), **multipart)
        assert refused.status_code == 415, name
        assert name.endswith("HEAD") or b"takes no file uploads" in refused.content, name
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != early_answers.UPLOADS]
    for name, request in early_paths.items():
        if name != "anchors lookup POST":
            assert answered_early(request(Client(), **multipart)), name


def test_a_nul_in_the_query_string_gets_the_stacks_400_on_every_early_path(early_paths, settings):
    """The early answers know RefuseUnstorableTextMiddleware: a NUL in the query string of an early path is
    the whole stack's 400 naming the parameter, not an answer of the hot path's own."""
    early, whole = both_ways(early_paths, settings, QUERY_STRING="note=%00")
    for name in early_paths:
        assert early[name].status_code == 400, name
        assert not answered_early(early[name]), name
        assert seen(early[name]) == seen(whole[name]), name
    assert b"note" in early["anchors GET"].content


MADE_UP = 10_000  # half partner slugs, half short codes


def test_ten_thousand_made_up_slugs_and_codes_leave_each_process_with_a_bounded_header_cache(videos, caplog):
    """Regression: the headers of an early answer were remembered per path, without bound, so that every
    POST to a made-up /integrations/webhooks/<slug>/ kept an entry in every web process for good."""
    for logger in ("reelfolio.request", "django.request"):  # a line per request would be most of the time
        caplog.set_level(logging.ERROR, logger=logger)
    client = Client()
    key = partner_services.partner_create(name="Sandbox Video").key
    anchors = f"{reverse('api-anchors')}?platform={PLATFORM}&video_id={videos[0].platform_video_id}"
    ours = tuple(str(ROOT / package) for package in ("common", "integrations", "portfolio"))

    def ask(start: int, stop: int) -> None:
        for number in range(start, stop, 2):
            made_up = client.post(f"/integrations/webhooks/made-up-{number}/", b"{}", content_type="application/json")
            assert made_up.status_code == 404
            assert client.get(f"/l/MadeUp{number:05d}").status_code == 404
            if number % 1000 == 0:  # early answers all along (the first request warms the key and anchors
                # again should their cache entries have expired meanwhile)
                client.get(anchors, HTTP_AUTHORIZATION=f"Bearer {key}")
                assert answered_early(client.get(anchors, HTTP_AUTHORIZATION=f"Bearer {key}"))

    ask(0, MADE_UP * 9 // 10)
    info = early_answers.stack_headers.cache_info()
    assert info.currsize <= info.maxsize == 4 and info.hits > 0
    tracemalloc.start()  # over the last tenth: what the requests leave behind in our modules
    try:
        gc.collect()  # cycles of earlier requests that no collection has reached yet are not kept
        before = tracemalloc.take_snapshot()
        ask(MADE_UP * 9 // 10, MADE_UP)
        gc.collect()
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    assert early_answers.stack_headers.cache_info().currsize == info.currsize
    grown = [
        stat for stat in after.compare_to(before, "filename")
        if stat.traceback[0].filename.startswith(ours) and stat.size_diff > 0
    ]
    assert sum(stat.size_diff for stat in grown) < 32 * 1024, [str(stat) for stat in grown[:5]]
