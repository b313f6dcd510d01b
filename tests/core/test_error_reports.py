"""Errors reported to Sentry (SENTRY_DSN) carry no secret, token, email or applicant data: a request that
fails with all of them in its address, headers, body and error message is captured as Sentry would send it."""

import json
import logging

import pytest
import sentry_sdk
from django.test import Client
from django.urls import include, path
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from portfolio.core.error_reports import error_reports_start

pytestmark = pytest.mark.django_db

SECRETS = [
    "oauth-code-1234", "oauth-state-5678", "jordan@example.com", "rfk_partnerkey0123456789", "hunter2-password",
    "session-cookie-value", "whsec_c2VjcmV0LXNlY3JldA", "Jordan Applicant", "+44 20 7946 0000",
]


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
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "session-cookie-value"
    response = client.post(
        "/failing/?code=oauth-code-1234&state=oauth-state-5678&email=jordan@example.com",
        {"name": "Jordan Applicant", "phone": "+44 20 7946 0000", "password": "hunter2-password"},
        HTTP_AUTHORIZATION="Bearer rfk_partnerkey0123456789",
        HTTP_X_SECRET="whsec_c2VjcmV0LXNlY3JldA",
    )
    assert response.status_code == 500
    sentry_sdk.flush()

    events = [event for event in reports if event.get("exception") or event.get("logentry")]
    assert events, "the error was not reported"
    assert any("ValueError" in json.dumps(event) for event in events)
    assert any(event.get("extra", {}).get("request_id", "-") != "-" for event in events), "the request id is kept"
    sent = json.dumps(reports)
    for secret in SECRETS:
        assert secret not in sent, f"{secret!r} was sent to Sentry"

