"""Erasing an account reaches every copy Reelfolio keeps of the applicant: the applications and their
snapshots, the notes that quote them, the ATS webhooks' outbox and delivery log (and what the ATS answered),
invitations to their address, the partners' events kept in the inbox and the caches of their pages; their
other sessions and the status emails still waiting reach nobody; a redelivery sends the redacted form, and
each organization's ATS is told that the applicant's data was erased.

The search covers every text and JSON column of every model of the default database. The sandbox database
is left out on purpose: it plays the partner platforms (a person's account at the freelance platform is not
Reelfolio's to erase), and this applicant's freelance account is at another provider anyway.
"""

import json

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.test import Client
from django.urls import reverse
from standardwebhooks.webhooks import Webhook

from integrations.webhooks.models import Delivery, DeliveryAttempt, InboundEvent
from integrations.webhooks.outbound import services as outbound
from portfolio.accounts.models import OrganizationInvitation
from portfolio.accounts.services import organization_api_key_create, organization_member_invite
from portfolio.creators.models import CreatorProfile
from portfolio.jobs.models import Application, ApplicationStatusChange
from portfolio.jobs.services import review
from portfolio.jobs.services.applications import application_create
from portfolio.jobs.services.consent import consent_grant
from tests.integrations.oauth.helpers import page_text
from tests.integrations.outbound_webhooks.receiver import Answer, Receiver
from tests.integrations.webhooks import inbound_helpers
from tests.jobs.apply_support import make_acme_applicant, published_job, question
from tests.jobs.conftest import make_employer, org_videos

pytestmark = pytest.mark.django_db

EMAIL = "jordan.erased@example.com"
NAME = "Jordan Applicant"  # as their freelance profile names them too
SUBJECT = "acme-jordan-7781"
ANSWER = "I live at 12 Quiet Lane"
TRACES = (EMAIL, NAME, SUBJECT, ANSWER, "I cut short-form ads.")


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_REQUIRE_HTTPS = False


@pytest.fixture
def receiver():
    with Receiver() as running:
        # An ATS that echoes what it received: the delivery log keeps the start of every answer.
        running.default = Answer(body=json.dumps({"received": EMAIL, "name": NAME}).encode())
        yield running


def deliver_all() -> None:
    """What the worker does with each enqueued delivery."""
    for delivery_id in Delivery.objects.order_by("id").values_list("pk", flat=True):
        outbound.delivery_attempt(delivery_id=delivery_id)


def text_columns(model) -> list[str]:
    return [
        field.attname
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField | models.JSONField)
    ]


def traces_left() -> list[str]:
    """Every (table, column) of the default database whose text holds one of the applicant's traces."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label == "sandbox" or not model._meta.managed:
            continue
        columns = text_columns(model)
        if not columns:
            continue
        for row in model.objects.values_list("pk", *columns):
            for column, value in zip(columns, row[1:], strict=True):
                text = value if isinstance(value, str) else json.dumps(value)
                for trace in TRACES:
                    if trace.lower() in (text or "").lower():
                        found.append(f"{model._meta.db_table}.{column} (row {row[0]}) holds {trace!r}")
    return found


def test_erasing_reaches_every_copy_and_tells_both_ats(
    client, fake, receiver, employer, organization, videos, django_capture_on_commit_callbacks
):
    """Before, erasing anonymized the applications only: the ATS outbox and delivery log kept the whole
    profile (shown by the delivery log, sent again by a redelivery), and so did notes and invitations."""
    other_owner = make_employer("owner@elsewhere.example", "Esme Owner", "Elsewhere Films")
    other = other_owner.organizations.get()
    secrets = {}
    for org in (organization, other):
        endpoint, secret = outbound.endpoint_create(
            owner_type="organization", owner_id=org.pk, url=f"{receiver.url}/org-{org.pk}",
            event_types=["application.created", "application.status_changed"],
        )
        secrets[org.pk] = (endpoint, secret)

    jordan = make_acme_applicant(EMAIL, NAME, fake, subject=SUBJECT)
    consent_grant(user=jordan, provider_id="acme")
    job = published_job(organization=organization, actor=employer, video=videos[0],
                        questions=[question("Where are you based?")])
    other_job = published_job(organization=other, actor=other_owner, video=org_videos(other, 1, prefix="else")[0])
    here = application_create(job=job, applicant=jordan, answers={job.questions.get().pk: ANSWER})
    there = application_create(job=other_job, applicant=jordan)
    review.application_status_change(application=here, actor=employer, status="interview",
                                      note=f"{NAME} was great, write to {EMAIL}")
    review.application_note_add(application=here, author=employer, body=f"Ask {NAME} about the Berlin shoot")
    deliver_all()  # both ATS receive the applications, and answer with what they received
    assert EMAIL in receiver.requests[0].body.decode()
    review.application_status_change(application=there, actor=other_owner, status="reviewing")  # still pending
    organization_member_invite(organization=organization, actor=employer, email=EMAIL)  # an invitation to their address
    partner = inbound_helpers.make_partner(slug="acme-freelance", provider_id="acme")
    told = inbound_helpers.send(client, partner, "profile.updated",
                                {"provider": "acme", "account_id": SUBJECT, "updated_at": "2026-12-01T10:00:00Z"})
    assert told.status_code in (200, 202, 204)  # the partner's event, kept in the inbox
    handle = CreatorProfile.objects.get(user=jordan).handle
    assert NAME in page_text(client.get(f"/@{handle}"))  # their public page, cached
    assert traces_left(), "the search finds the applicant before the erasure"
    sent_before = len(receiver.requests)

    phone = Client()  # another session of theirs
    phone.force_login(jordan)
    client.force_login(jordan)
    with django_capture_on_commit_callbacks(execute=True):
        erased = client.post(reverse("jobs:applicant_erase"), {"confirm": EMAIL}, follow=True)
    assert "Your account is closed." in page_text(erased)
    receiver.default = Answer()  # the ATS holds nothing of them any more

    assert traces_left() == []
    assert not OrganizationInvitation.objects.exists()
    assert json.loads(InboundEvent.objects.get().body) == {"type": "profile.updated", "redacted": True}
    assert client.get(f"/@{handle}").status_code == 404
    assert phone.get(reverse("jobs:applicant_applications"))["Location"].startswith(reverse("accounts:login"))
    # The status emails still waiting (their task never ran here) find nobody to write to.
    waiting = ApplicationStatusChange.objects.filter(applicant_notified_at__isnull=True).values_list("pk", flat=True)
    assert len(waiting) == 2
    mail.outbox.clear()
    assert [review.application_status_email_send(status_change_id=pk) for pk in waiting] == [False, False]
    assert mail.outbox == []

    # The pending delivery goes out redacted, then each ATS hears of the erasure, after the events before it.
    deliver_all()
    after = [(r.path.rsplit("/", 1)[1], Webhook(secrets[int(r.path.rsplit("-", 1)[1])][1]).verify(r.body, r.headers))
             for r in receiver.requests[sent_before:]]
    assert [(path, event["type"]) for path, event in after] == [
        (f"org-{other.pk}", "application.status_changed"),
        (f"org-{organization.pk}", "application.erased"),
        (f"org-{other.pk}", "application.erased"),
    ]
    pending = after[0][1]["data"]
    assert pending["redacted"] is True
    assert pending["application"]["applicant"] == {"name": "Erased applicant"}
    assert pending["application"]["answers"] == []
    assert {path: event["data"] for path, event in after[1:]} == {
        f"org-{organization.pk}": {
            "application": {"id": here.pk, "job_id": job.pk, "erased_at": pending_erased_at(here)},
            "job": {"id": job.pk, "slug": job.slug, "title": job.title},
            "redacted": True,
        },
        f"org-{other.pk}": {
            "application": {"id": there.pk, "job_id": other_job.pk, "erased_at": pending_erased_at(there)},
            "job": {"id": other_job.pk, "slug": other_job.slug, "title": other_job.title},
            "redacted": True,
        },
    }

    # The employer API's delivery log shows the redacted form, and a redelivery sends it.
    key = organization_api_key_create(organization=organization, actor=None, scopes=["webhooks:manage"], name="ATS")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    endpoint = secrets[organization.pk][0]
    log = client.get(f"/api/v1/webhook-endpoints/{endpoint.pk}/deliveries/", **auth).json()["results"]
    created = next(d for d in log if d["event_type"] == "application.created")
    assert created["payload"]["data"]["redacted"] is True and created["redacted_at"]
    assert created["payload"]["data"]["application"]["applicant"] == {"name": "Erased applicant"}
    assert all(not attempt["response_body"] or EMAIL not in attempt["response_body"]
               for delivery in log for attempt in delivery["attempts"])
    assert not any(trace in json.dumps(log) for trace in TRACES)
    redeliver = client.post(f"/api/v1/webhook-deliveries/{created['id']}/redeliver/", **auth)
    assert redeliver.status_code == 202
    deliver_all()
    again = Webhook(secrets[organization.pk][1]).verify(receiver.requests[-1].body, receiver.requests[-1].headers)
    assert again["type"] == "application.created" and again["data"]["redacted"] is True
    assert again["data"]["application"]["id"] == here.pk
    assert not any(trace in receiver.requests[-1].body.decode() for trace in TRACES)
    assert DeliveryAttempt.objects.filter(delivery_id=created["id"]).count() == 2
    assert traces_left() == []


def pending_erased_at(application) -> str:
    erased_at = Application.objects.get(pk=application.pk).anonymized_at
    return erased_at.isoformat().replace("+00:00", "Z")
