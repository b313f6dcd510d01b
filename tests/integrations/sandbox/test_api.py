"""The sandbox's freelance and video-platform APIs: shapes, pagination, scopes and bad input."""

import json

import pytest

from tests.integrations.sandbox.conftest import FREELANCE, VIDEO

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

SITE = "http://127.0.0.1:8000"


@pytest.fixture
def freelance_token(flow):
    return flow.tokens(FREELANCE)["access_token"]


@pytest.fixture
def video_token(flow):
    return flow.tokens(VIDEO)["access_token"]


def list_videos(flow, token, body):
    return flow.api(
        "/sandbox/api/videos/list", token, method="post", data=json.dumps(body), content_type="application/json"
    )


def test_freelance_profile_has_the_documented_shape(flow, freelance_token):
    response = flow.api("/sandbox/api/freelance/me", freelance_token)

    assert response.status_code == 200
    assert response.json() == {
        "id": "sbx-u-1",
        "name": "Casey Creator",
        "headline": "Motion designer",
        "bio": "I turn brand guidelines into motion: logo stings, explainers and launch reels.",
        "skills": ["After Effects", "Illustration", "Cinema 4D"],
        "hourly_rate": {"amount": "85.00", "currency": "USD"},
        "location": "Lisbon, PT",
        "avatar_url": f"{SITE}/static/sandbox/avatars/casey.png",
        "profile_url": f"{SITE}/sandbox/freelancers/casey",
    }


def test_projects_are_paginated_ten_per_page(flow, freelance_token, django_assert_num_queries):
    pages = []
    page = 1
    while page:
        # One query for the token (with its user), one for the page.
        with django_assert_num_queries(2, using="sandbox"):
            response = flow.api(f"/sandbox/api/freelance/me/projects?page={page}", freelance_token)
        assert response.status_code == 200
        data = response.json()
        assert data["page"] == page
        pages.append(data["projects"])
        page = data["next_page"]

    assert [len(projects) for projects in pages] == [10, 10, 3]
    first = pages[0][0]
    assert first == {
        "id": "p-1",
        "title": "Brand launch reel",
        "url": f"{SITE}/sandbox/freelancers/casey#p-1",
        "cover_image_url": f"{SITE}/static/sandbox/covers/cover-1.png",
    }
    ids = [project["id"] for projects in pages for project in projects]
    assert len(set(ids)) == 23


def test_a_page_past_the_end_is_empty(flow, freelance_token):
    response = flow.api("/sandbox/api/freelance/me/projects?page=9", freelance_token)

    assert response.json() == {"projects": [], "page": 9, "next_page": None}


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "²", "9999999"])
def test_a_bad_page_number_is_a_clear_400(flow, freelance_token, page):
    response = flow.api("/sandbox/api/freelance/me/projects", freelance_token, data={"page": page})

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "'page' must be a whole number from 1."}


def test_a_user_without_projects_gets_an_empty_first_page(flow):
    token = flow.tokens(FREELANCE, username="sam")["access_token"]

    response = flow.api("/sandbox/api/freelance/me/projects", token)

    assert response.json() == {"projects": [], "page": 1, "next_page": None}
    assert flow.api("/sandbox/api/freelance/me", token).json()["hourly_rate"] is None


def test_video_account_has_the_documented_shape(flow, video_token):
    response = flow.api("/sandbox/api/videos/me", video_token)

    assert response.status_code == 200
    assert response.json() == {
        "open_id": "sbx-v-1",
        "display_name": "casey.moves",
        "avatar_url": f"{SITE}/static/sandbox/avatars/casey.png",
    }


def test_video_list_walks_all_pages_by_cursor_newest_first(flow, video_token, django_assert_num_queries):
    videos, cursor, has_more = [], 0, True
    while has_more:
        with django_assert_num_queries(2, using="sandbox"):
            response = list_videos(flow, video_token, {"cursor": cursor, "max_count": 10})
        assert response.status_code == 200
        data = response.json()
        videos.extend(data["videos"])
        assert data["cursor"] == cursor + len(data["videos"])
        cursor, has_more = data["cursor"], data["has_more"]

    assert len(videos) == 25
    assert len({video["id"] for video in videos}) == 25
    times = [video["create_time"] for video in videos]
    assert times == sorted(times, reverse=True)
    assert videos[0] == {
        "id": "v-1001",
        "title": "Behind the keyframes",
        "cover_image_url": f"{SITE}/static/sandbox/covers/cover-2.png",
        "share_url": f"{SITE}/sandbox/videos/v-1001",
        "embed_link": f"{SITE}/sandbox/videos/v-1001/embed",
        "duration": 22,
        "create_time": 1767225600,
    }


def test_video_list_defaults_to_the_first_ten(flow, video_token):
    response = flow.api("/sandbox/api/videos/list", video_token, method="post", content_type="application/json")

    data = response.json()
    assert len(data["videos"]) == 10
    assert data["cursor"] == 10
    assert data["has_more"] is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("not json", "The body must be a JSON object."),
        ("[1, 2]", "The body must be a JSON object."),
        ('{"cursor": -1}', "'cursor' must be a whole number from 0."),
        ('{"cursor": "10"}', "'cursor' must be a whole number from 0."),
        ('{"cursor": true}', "'cursor' must be a whole number from 0."),
        ('{"max_count": 0}', "'max_count' must be a whole number from 1 to 20."),
        ('{"max_count": 21}', "'max_count' must be a whole number from 1 to 20."),
        ('{"max_count": 2.5}', "'max_count' must be a whole number from 1 to 20."),
    ],
)
def test_bad_video_list_bodies_are_a_clear_400(flow, video_token, body, message):
    response = flow.api(
        "/sandbox/api/videos/list", video_token, method="post", data=body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": message}


def test_wrong_method_on_an_api_is_405(flow, video_token):
    response = flow.api("/sandbox/api/videos/list", video_token)

    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_missing_or_unknown_token_is_401_invalid_token(client, seeded):
    missing = client.get("/sandbox/api/freelance/me")
    unknown = client.get("/sandbox/api/freelance/me", HTTP_AUTHORIZATION="Bearer not-a-token")
    wrong_scheme = client.get("/sandbox/api/freelance/me", HTTP_AUTHORIZATION="Basic Zm9vOmJhcg==")

    for response in (missing, unknown, wrong_scheme):
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_token"
        assert response["WWW-Authenticate"].startswith('Bearer realm="sandbox"')


def test_a_token_without_the_scope_is_403_insufficient_scope(flow, freelance_token, video_token):
    videos_with_freelance_token = list_videos(flow, freelance_token, {})
    profile_with_video_token = flow.api("/sandbox/api/freelance/me", video_token)
    userinfo_without_openid = flow.api("/sandbox/oauth/userinfo", video_token)

    assert videos_with_freelance_token.status_code == 403
    assert videos_with_freelance_token.json() == {
        "error": "insufficient_scope",
        "error_description": "This endpoint needs the scope 'videos.read'.",
    }
    assert profile_with_video_token.status_code == 403
    assert profile_with_video_token.json()["error_description"] == "This endpoint needs the scope 'portfolio.read'."
    assert userinfo_without_openid.status_code == 403


def test_each_user_sees_only_their_own_data(flow):
    casey = flow.tokens(VIDEO, username="casey")["access_token"]
    flow.client.post("/sandbox/logout")
    jordan = flow.tokens(VIDEO, username="jordan")["access_token"]

    jordans = list_videos(flow, jordan, {"max_count": 20}).json()
    caseys = list_videos(flow, casey, {"max_count": 20}).json()

    assert [video["id"] for video in jordans["videos"]] == ["v-2001", "v-2002", "v-2003", "v-2004"]
    assert jordans["has_more"] is False
    assert all(video["id"].startswith("v-10") for video in caseys["videos"])
