"""Errors reported to Sentry (SENTRY_DSN) carry no secret, token, email or applicant data: a request that
fails with all of them in its address, headers, body and error message is captured as Sentry would send it."""

import json
import logging

import pytest
import sentry_sdk
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import RequestFactory
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from portfolio.core.error_reports import error_reports_start

pytestmark = pytest.mark.django_db

SECRETS = [
    "oauth-code-1234", "oauth-state-5678", "jordan@example.com", "rfk_partnerkey0123456789", "hunter2-password",
    "session-cookie-value", "whsec_c2VjcmV0LXNlY3JldA", "Jordan Applicant", "+44 20 7946 0000",
]


@csrf_exempt
def fail(request):
    """Fails with the request's secrets in a local variable, a logged error and its own message."""
    password = request.POST["password"]  # noqa: F841  (a local variable the report must not carry)
    email = request.GET["email"]
    logging.getLogger("portfolio.jobs").error(f"could not email {email}", extra={"token": request.GET["code"]})
    raise ValueError(f"applying failed for {email} with {request.headers['X-Secret']}")


urlpatterns = [path("failing/", fail), path("", include("portfolio.urls"))]


class Captured(Transport):
    sent: list[dict] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        for item in envelope.items:
            if item.payload.json is not None:
                self.sent.append(item.payload.json)


@pytest.fixture
def reports():
    Captured.sent = []
    error_reports_start(dsn="https://public@sentry.example.invalid/1", environment="test", transport=Captured)
    yield Captured.sent
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: nothing is reported by the tests after this one


def test_a_failing_request_is_reported_without_secrets_tokens_emails_or_applicant_data(reports, settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    # Through Django's WSGI handler, as gunicorn calls it: Sentry reads the request's address and headers there.
    environ = RequestFactory().post(
        "/failing/?code=oauth-code-1234&state=oauth-state-5678&email=jordan@example.com",
        {"name": "Jordan Applicant", "phone": "+44 20 7946 0000", "password": "hunter2-password"},
        HTTP_AUTHORIZATION="Bearer rfk_partnerkey0123456789",
        HTTP_X_SECRET="whsec_c2VjcmV0LXNlY3JldA",
        HTTP_COOKIE="sessionid=session-cookie-value",
    ).environ
    statuses = []
    # As Django's test client does: the request's start and end must not close the test's database connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        b"".join(WSGIHandler()(environ, lambda status, headers, *args: statuses.append(status)))
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    assert statuses == ["500 Internal Server Error"]
    sentry_sdk.flush()

    events = [event for event in reports if event.get("exception") or event.get("logentry")]
    assert events, "the error was not reported"
    assert any("ValueError" in json.dumps(event) for event in events)
    assert all(len(event.get("tags", {}).get("request_id", "")) == 32 for event in events), "the request id is kept"
    assert any(event.get("request", {}).get("url", "").endswith("/failing/") for event in events), "the address is kept"
    sent = json.dumps(reports)
    for secret in SECRETS:
        assert secret not in sent, f"{secret!r} was sent to Sentry"

