"""POST /api/v1/anchors/lookup (the ids in a JSON body), and what the anchor lookup answers to hostile input:
control characters, more parameters than Django reads, paths that name no operation."""

import json

import pytest
from django.urls import reverse

from integrations.partners import services as partner_services
from portfolio.creators.api import MAX_VIDEO_ID_LENGTH, VIDEO_ID_PATTERN
from tests.creators.test_api_anchors import make_video, portfolio_anchor

pytestmark = pytest.mark.django_db

LOOKUP = reverse("api-anchors-lookup")
GET_URL = reverse("api-anchors")


@pytest.fixture
def partner_key():
    return partner_services.partner_create(name="Sandbox Video").key


def lookup(client, key, body, **headers):
    return client.post(
        LOOKUP,
        json.dumps(body) if not isinstance(body, bytes | str) else body,
        content_type=headers.pop("content_type", "application/json"),
        HTTP_AUTHORIZATION=f"Bearer {key}",
        **headers,
    )


def test_lookup_answers_exactly_what_the_get_answers_with_the_same_headers(client, creator, partner_key):
    """100 ids of 128 characters (a 14 KB URL, over any server's request line) work as a JSON body."""
    long_ids = [f"v-{number:03d}-" + "x" * (MAX_VIDEO_ID_LENGTH - 6) for number in range(100)]
    make_video(creator, long_ids[0], code="code0001")
    make_video(creator, "v-2")

    posted = lookup(client, partner_key, {"platform": "sandbox-video", "video_ids": [long_ids[0], "v-2", "v-2", "zz"]})
    got = client.get(
        f"{GET_URL}?platform=sandbox-video&video_id={long_ids[0]}&video_id=v-2&video_id=v-2&video_id=zz",
        HTTP_AUTHORIZATION=f"Bearer {partner_key}",
    )
    assert posted.status_code == got.status_code == 200
    assert posted.json() == got.json() == {
        "platform": "sandbox-video",
        "videos": [
            {"video_id": long_ids[0], "anchors": [portfolio_anchor("code0001")]},
            {"video_id": "v-2", "anchors": []},
        ],
    }
    for header in ("ETag", "Cache-Control", "Vary"):
        assert posted[header] == got[header]

    hundred = lookup(client, partner_key, {"platform": "sandbox-video", "video_ids": long_ids})
    assert hundred.status_code == 200
    assert [video["video_id"] for video in hundred.json()["videos"]] == [long_ids[0]]


def test_lookup_uses_the_same_cache_as_the_get(client, creator, partner_key, django_assert_num_queries):
    make_video(creator, "v-1", code="code0001")
    client.get(f"{GET_URL}?platform=sandbox-video&video_id=v-1", HTTP_AUTHORIZATION=f"Bearer {partner_key}")
    with django_assert_num_queries(0):  # key, throttle and anchors all from the cache the GET filled
        assert lookup(client, partner_key, {"platform": "sandbox-video", "video_ids": ["v-1"]}).status_code == 200


def test_a_matching_if_none_match_on_the_lookup_is_answered_in_full(client, creator, partner_key):
    make_video(creator, "v-1", code="code0001")
    first = lookup(client, partner_key, {"platform": "sandbox-video", "video_ids": ["v-1"]})
    again = lookup(
        client, partner_key, {"platform": "sandbox-video", "video_ids": ["v-1"]}, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 200
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"video_ids": ["v-1"]}, 'platform: Give the platform\'s id, e.g. "platform": "sandbox-video".'),
        ({"platform": "sandbox-video"}, 'video_ids: Give at least one video id, e.g. "video_ids": ["v-1001"].'),
        (
            {"platform": "sandbox-video", "video_ids": []},
            'video_ids: Give at least one video id, e.g. "video_ids": ["v-1001"].',
        ),
        (
            {"platform": "sandbox-video", "video_ids": [f"v-{n}" for n in range(101)]},
            "video_ids: At most 100 video ids per request; this one has 101.",
        ),
        (
            {"platform": "sandbox-video", "video_ids": ["v-1", "v\x01-2"]},
            "video_ids: Video id number 2 has spaces, control characters or bytes that are not UTF-8.",
        ),
        (
            {"platform": "sandbox\nvideo", "video_ids": ["v-1"]},
            "platform: A platform id is letters, digits, '.', '_' and '-', e.g. \"platform\": \"sandbox-video\".",
        ),
        (
            {"platform": "p", "video_ids": ["v"], "video_id": ["v"]},
            "Unknown field 'video_id': this endpoint takes platform and video_ids.",
        ),
        (["not", "an", "object"], "Invalid data. Expected a dictionary, but got list."),
    ],
)
def test_bad_lookup_bodies_are_400_with_a_message(client, partner_key, body, message):
    response = lookup(client, partner_key, body)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
    assert response["Cache-Control"] == "no-store"


def test_a_lookup_body_that_is_not_json_is_refused(client, partner_key):
    not_json = lookup(client, partner_key, b"{platform", content_type="application/json")
    assert not_json.status_code == 400
    assert not_json.json()["error"]["code"] == "parse_error"
    form = lookup(client, partner_key, "platform=p&video_ids=v", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415
    assert form.json()["error"]["message"] == 'Unsupported media type "application/x-www-form-urlencoded" in request.'


def test_the_lookup_needs_the_partner_key(client):
    response = client.post(LOOKUP, {"platform": "p", "video_ids": ["v"]}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x1f", "\x7f", "\x85", "\u2028", "\ufffd", " ", "\t"])
def test_ids_with_control_characters_are_400_as_the_schemas_pattern_says(client, partner_key, control):
    """The schema publishes the pattern the server applies: whatever it refuses, the server refuses with 400."""
    import re

    video_id = f"v{control}1"
    assert not re.fullmatch(VIDEO_ID_PATTERN, video_id)
    got = client.get(
        GET_URL, {"platform": "sandbox-video", "video_id": video_id}, HTTP_AUTHORIZATION=f"Bearer {partner_key}"
    )
    posted = lookup(client, partner_key, {"platform": "sandbox-video", "video_ids": [video_id]})
    for response in (got, posted):
        assert response.status_code == 400
        message = response.json()["error"]["message"]
        # A NUL is refused before the query or body reaches the view, for every field alike (common.bad_input).
        assert "control characters" in message or "contains a NUL character" in message


def test_the_schema_publishes_the_patterns_and_the_lookup(client):
    schema = client.get("/api/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/anchors/"]["get"]["parameters"]}
    assert parameters["video_id"]["schema"]["items"]["pattern"] == VIDEO_ID_PATTERN
    assert parameters["platform"]["schema"]["pattern"].startswith("^")
    lookup_operation = schema["paths"]["/api/v1/anchors/lookup"]["post"]
    body = lookup_operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["platform", "video_ids"]
    assert body["properties"]["video_ids"]["items"]["pattern"] == VIDEO_ID_PATTERN
    assert set(lookup_operation["responses"]) == {"200", "400", "401", "403", "415", "429", "503"}
    assert "8190" in schema["paths"]["/api/v1/anchors/"]["get"]["description"]


def test_more_than_1000_parameters_is_a_json_400_not_djangos_html_page(client, partner_key):
    query = "platform=sandbox-video&" + "&".join(f"video_id=v-{n}" for n in range(1001))
    response = client.get(f"{GET_URL}?{query}", HTTP_AUTHORIZATION=f"Bearer {partner_key}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "bad_request"
    assert response.json()["error"]["message"] == "Too many parameters: at most 1000 per request."


def test_more_than_1000_parameters_on_the_employer_api_is_a_json_400_too(client):
    query = "&".join(f"status=open{n}" for n in range(1001))
    response = client.get(f"/api/v1/jobs/?{query}", HTTP_AUTHORIZATION="Bearer rfo_x_y")
    assert response.status_code in (400, 401)
    assert response["Content-Type"] == "application/json"
    assert set(response.json()["error"]) >= {"code", "message"}


@pytest.mark.parametrize(
    "path", ["/api/v1/jobs/abc/", "/api/v1/jobs/1%00/", "/api/v1/nothing-here", "/api/v1/anchors/lookup/"]
)
def test_a_path_that_names_no_operation_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "No API operation has this path."}}


def test_pages_outside_the_api_keep_djangos_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
