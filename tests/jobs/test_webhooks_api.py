"""ATS webhooks for employers: the jobs services write their events, and the employer API registers
endpoints, rotates secrets, sends test events, reads the delivery log and redelivers."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from common import crypto
from integrations.oauth.models import LinkedAccount, OAuthToken
from integrations.webhooks.models import Delivery, Endpoint
from integrations.webhooks.outbound import services as outbound
from portfolio.accounts.services import organization_api_key_create
from portfolio.jobs.models import Application
from portfolio.jobs.services import jobs as job_services
from portfolio.jobs.services import review as review_services
from portfolio.jobs.services.applications import application_create, application_withdraw
from portfolio.jobs.services.consent import consent_grant
from tests.integrations.outbound_webhooks.receiver import Answer
from tests.jobs.conftest import make_employer
from tests.jobs.review_support import published_job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_REQUIRE_HTTPS = False


def bearer(organization, scopes=("webhooks:manage",)):
    key = organization_api_key_create(organization=organization, actor=None, scopes=list(scopes), name="ATS")[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def deliver_all() -> None:
    """What the worker does with each enqueued delivery."""
    for delivery_id in Delivery.objects.order_by("id").values_list("pk", flat=True):
        outbound.delivery_attempt(delivery_id=delivery_id)


def test_the_api_registers_an_endpoint_and_shows_its_secret_once(client, organization, receiver):
    auth = bearer(organization)

    created = client.post("/api/v1/webhook-endpoints/", {"url": receiver.url, "event_types": ["job.closed"],
                                                         "description": "Greenhouse"},
                          content_type="application/json", **auth)

    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert (body["organization"], body["url"], body["event_types"], body["enabled"]) == (
        "northwind-studio", receiver.url, ["job.closed"], True)
    listed = client.get("/api/v1/webhook-endpoints/", **auth).json()["results"]
    assert [e["id"] for e in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert body["secret"] not in json.dumps(client.get(f"/api/v1/webhook-endpoints/{body['id']}/", **auth).json())


def test_refusals_name_the_field_and_change_nothing(client, organization, settings):
    auth = bearer(organization)
    settings.WEBHOOK_ALLOWED_NETWORKS = []

    refused = client.post("/api/v1/webhook-endpoints/", {"url": "http://127.1:9000/", "event_types": ["nope"]},
                          content_type="application/json", **auth)

    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["details"]["fields"]["url"] == [
        "127.1 resolves to 127.0.0.1, a loopback address. Webhooks are only sent to addresses on the public internet."
    ]
    assert error["details"]["fields"]["event_types"][0].startswith("Unknown event type 'nope'")
    assert not Endpoint.objects.exists()


def test_scope_and_ownership_are_checked(client, organization, receiver):
    other = make_employer("boss@elsewhere.example", "Other Boss", "Elsewhere Inc").organizations.get()
    theirs, _ = outbound.endpoint_create(owner_type="organization", owner_id=other.pk, url=receiver.url,
                                         event_types=["job.closed"])

    no_scope = client.get("/api/v1/webhook-endpoints/", **bearer(organization, scopes=["jobs:read"]))
    assert no_scope.status_code == 403
    assert no_scope.json()["error"]["message"] == "This API key lacks the webhooks:manage scope."
    auth = bearer(organization)
    for method, path in [("get", f"/api/v1/webhook-endpoints/{theirs.pk}/"),
                         ("delete", f"/api/v1/webhook-endpoints/{theirs.pk}/"),
                         ("post", f"/api/v1/webhook-endpoints/{theirs.pk}/rotate-secret/"),
                         ("get", f"/api/v1/webhook-endpoints/{theirs.pk}/deliveries/")]:
        assert getattr(client, method)(path, **auth).status_code == 404
    assert Endpoint.objects.filter(pk=theirs.pk).exists()


def test_rotate_test_log_redeliver_disable_and_delete(client, organization, receiver, django_assert_num_queries):
    auth = bearer(organization)
    endpoint = client.post("/api/v1/webhook-endpoints/", {"url": receiver.url, "event_types": ["job.closed"]},
                           content_type="application/json", **auth).json()
    base = f"/api/v1/webhook-endpoints/{endpoint['id']}"

    rotated = client.post(f"{base}/rotate-secret/", **auth).json()
    assert rotated["secret"] != endpoint["secret"] and rotated["previous_secret_expires_at"]
    receiver.answers = [Answer(status=500, body=b"oops")]
    test = client.post(f"{base}/test/", **auth)
    assert test.status_code == 202 and test.json()["event_type"] == "webhook.test"
    deliver_all()
    for secret in (endpoint["secret"], rotated["secret"]):  # both signatures during the overlap
        Webhook(secret).verify(receiver.requests[0].body, receiver.requests[0].headers)

    with django_assert_num_queries(4):  # the key, the endpoint, one page of deliveries, their attempts
        log = client.get(f"{base}/deliveries/", **auth)
    [delivery] = log.json()["results"]
    assert (delivery["status"], delivery["last_error"]) == ("pending", "Answered 500.")
    assert delivery["payload"]["type"] == "webhook.test"
    [attempt] = delivery["attempts"]
    assert (attempt["status_code"], attempt["response_body"], attempt["succeeded"]) == (500, "oops", False)

    assert client.post(f"/api/v1/webhook-deliveries/{delivery['id']}/redeliver/", **auth).status_code == 409
    Delivery.objects.filter(pk=delivery["id"]).update(status="failed")
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    again = client.post(f"{base}/redeliver-failed/", {"since": since}, content_type="application/json", **auth)
    assert again.json() == {"queued": 1}
    deliver_all()
    assert Delivery.objects.get().status == "delivered"
    assert client.post(f"/api/v1/webhook-deliveries/{delivery['id']}/redeliver/", **auth).status_code == 202

    disabled = client.patch(base + "/", {"enabled": False}, content_type="application/json", **auth).json()
    assert (disabled["enabled"], disabled["disabled_reason"]) == (False, "Disabled by a member of the organization.")
    assert client.post(f"{base}/test/", **auth).json()["error"]["message"] == (
        "This endpoint is disabled: enable it to send a test event."
    )
    assert client.delete(base + "/", **auth).status_code == 204
    assert not Endpoint.objects.exists() and not Delivery.objects.exists()


def test_the_jobs_services_send_their_events_oldest_first(organization, employer, videos, receiver, settings):
    """Publishing, applying, moving, withdrawing and closing each write one event in their transaction;
    the payloads carry ids and the consented profile, never tokens."""
    settings.SITE_URL = "http://127.0.0.1:1"  # the freelance provider is down: apply uses the synced profile
    endpoint, secret = outbound.endpoint_create(owner_type="organization", owner_id=organization.pk,
                                                url=receiver.url, event_types=list(outbound.EVENT_TYPES))
    from tests.jobs.conftest import make_applicant

    applicant = make_applicant("jordan@example.com", "Jordan Applicant", subject="sbx-f-jordan")
    OAuthToken.objects.create(linked_account=LinkedAccount.objects.get(user=applicant),
                              access_token_encrypted=crypto.encrypt("secret-access-token"),
                              expires_at=timezone.now() + timedelta(hours=1))
    consent_grant(user=applicant, provider_id="sandbox-freelance")

    job = published_job(organization=organization, actor=employer, video=videos[0])
    application = application_create(job=job, applicant=applicant)
    review_services.application_status_change(application=application, actor=employer, status="interview")
    application_withdraw(application=Application.objects.get(pk=application.pk), actor=applicant)
    job_services.job_close(job=job, actor=employer)
    deliver_all()

    payloads = [Webhook(secret).verify(r.body, r.headers) for r in receiver.requests]
    assert [p["type"] for p in payloads] == [
        "job.published", "application.created", "application.status_changed", "application.withdrawn", "job.closed"
    ]
    created = payloads[1]["data"]
    assert created["application"]["id"] == application.pk
    assert created["application"]["applicant"]["email"] == "jordan@example.com"
    assert created["job"]["url"].endswith(f"/jobs/{job.slug}/")
    assert payloads[2]["data"]["change"]["to_status"] == "interview"
    assert payloads[3]["data"]["application"]["status"] == "withdrawn"
    assert "secret-access-token" not in b"".join(r.body for r in receiver.requests).decode()
    assert set(Delivery.objects.filter(event_type__startswith="application.").values_list("ordering_key", flat=True)) \
        == {f"application:{application.pk}"}
