"""A database that cannot be reached (PostgreSQL restarting) answers 503 with Retry-After, never the 500 page.

Through HTTP with the whole middleware stack: the connection's address is pointed at a database that does
not answer (a port nothing listens on; on SQLite, a file in a folder that does not exist), so every query of
the request fails the way it does while PostgreSQL restarts.
"""

import socket
from contextlib import contextmanager

import pytest
from django.db import connections
from django.test import Client

from portfolio.accounts.services import organization_api_key_create

pytestmark = pytest.mark.django_db(transaction=True)


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_unreachable():
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/reelfolio.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_dead_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def client_seeing_answers():
    """The test client as a browser sees it: an exception in a view is the answer the handlers make of it."""
    return Client(raise_request_exception=False)


def test_the_job_page_answers_503_with_a_page_of_its_own(job, client_seeing_answers):
    """Before, a job page asked for while PostgreSQL restarted was the HTML 500 page ("Something went wrong on
    our side"), as if it were a bug."""
    with database_unreachable():
        response = client_seeing_answers.get(f"/jobs/{job.slug}/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "Reelfolio is back in a moment" in page
    assert "try again in a few seconds" in page
    assert "Something went wrong" not in page


def test_a_signed_in_page_answers_503_too(applicant, client_seeing_answers):
    """The session itself lives in the database: reading it fails before the view runs its own query."""
    client_seeing_answers.force_login(applicant)
    with database_unreachable():
        response = client_seeing_answers.get("/applications/")

    assert response.status_code == 503
    assert "Reelfolio is back in a moment" in response.content.decode()


def test_an_api_path_answers_503_in_the_error_shape(job, organization, client_seeing_answers):
    _, key = organization_api_key_create(organization=organization, actor=None, scopes=["jobs:read"])
    with database_unreachable():
        response = client_seeing_answers.get("/api/v1/jobs/", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"error": {
        "code": "unavailable", "message": "The service is briefly unavailable; retry in 5 seconds.", "details": {}
    }}

