"""The request-line limit the README gives gunicorn: a lookup's URL up to 8190 bytes reaches the API and gets
its JSON answer; a longer one is refused by gunicorn itself with a plain 414 (documented), before Reelfolio
sees it. Partners with long lists of ids use POST /api/v1/anchors/lookup instead."""

import os

import pytest

from tests.processes import gunicorn_running, raw_get, readme_request_line_limit


@pytest.fixture
def gunicorn(tmp_path):
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with gunicorn_running(workers=1, env=env, log_path=tmp_path / "gunicorn.log") as port:
        yield port


def test_a_request_line_within_the_readme_limit_reaches_the_api_and_a_longer_one_is_refused(gunicorn):
    limit = readme_request_line_limit()
    assert limit == 8190  # gunicorn's own ceiling: a larger value would not be honoured
    base = "/api/v1/anchors/?platform=sandbox-video"
    overhead = len("GET  HTTP/1.1")

    def target(length: int) -> str:
        ids = ""
        while len(base) + len(ids) + overhead < length:
            ids += "&video_id=v-1234567"
        return base + ids

    status, body = raw_get(gunicorn, target(limit - 200))
    assert status == 401 and b'"error"' in body  # Django's answer: the one JSON error shape (no key sent)
    status, body = raw_get(gunicorn, target(limit + 200))
    assert status == 414 and b'"error"' not in body  # gunicorn's plain refusal, as the README and schema say
