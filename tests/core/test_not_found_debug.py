"""Under `./dev up` (DEBUG=true) a 404 is still the product's own: the site's page, and the API's JSON error
shape under /api/. Before, DEBUG showed Django's debug page listing every URL pattern of the site."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_client(settings):
    settings.DEBUG = True
    return Client()  # a new client loads the middleware under DEBUG


@pytest.mark.parametrize("path", ["/no-such-page/", "/@nobody", "/jobs/no-such-job/"])
def test_an_unknown_page_under_debug_is_the_sites_404(debug_client, path):
    response = debug_client.get(path)
    assert response.status_code == 404
    page = response.content.decode()
    assert "This page does not exist" in page
    assert 'class="brand"' in page
    assert "URLconf" not in page and "Using the URLconf" not in page  # Django's debug page says this
    assert "admin/" not in page.replace('href="/admin/', "")


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/jobs/abc/", "/api/nope"])
def test_an_unknown_api_path_under_debug_answers_the_apis_error_shape(debug_client, path):
    response = debug_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"error": {"code": "not_found", "message": "No API operation has this path."}}


def test_a_missing_slash_still_redirects_under_debug(debug_client):
    """APPEND_SLASH still sends /accounts/login to /accounts/login/ rather than answering 404."""
    response = debug_client.get("/accounts/login")
    assert response.status_code == 301
    assert response["Location"] == "/accounts/login/"


def test_the_same_answers_without_debug(client):
    assert "This page does not exist" in client.get("/@nobody").content.decode()
    assert client.get("/api/v1/nope").json()["error"]["code"] == "not_found"


def test_an_error_under_the_api_is_in_the_apis_error_shape_and_a_page_is_the_sites(rf):
    from portfolio.core.views import server_error

    response = server_error(rf.get("/api/v1/jobs/"))
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["code"] == "server_error"
    page = server_error(rf.get("/creator/videos/"))
    assert page.status_code == 500 and b"<html" in page.content.lower()
