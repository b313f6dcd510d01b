"""The employer API: organization API keys and members' sessions, jobs and applications, the error shape,
cursor pages, and the OpenAPI schema with every operation's errors."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from portfolio.accounts.models import OrganizationApiKey
from portfolio.accounts.services import organization_api_key_create, organization_api_key_revoke
from portfolio.jobs.models import Application, ApplicationStatusChange, Job
from portfolio.jobs.services import review as review_services
from tests.jobs.conftest import job_fields, make_applicant, make_employer
from tests.jobs.review_support import application_for, published_job

pytestmark = pytest.mark.django_db

ALL_SCOPES = ["jobs:read", "jobs:write", "applications:read", "applications:write"]


@pytest.fixture
def job(organization, employer, videos):
    return published_job(organization=organization, actor=employer, video=videos[0])


@pytest.fixture
def application(job, applicant):
    return application_for(job, applicant)


def key_for(organization, *, actor=None, scopes=ALL_SCOPES, name="ATS"):
    return organization_api_key_create(organization=organization, actor=actor, scopes=scopes, name=name)[1]


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_key_reads_its_organizations_jobs_and_applications(client, organization, employer, job, application):
    key = key_for(organization)
    listed = client.get("/api/v1/jobs/", **bearer(key))
    assert listed.status_code == 200
    [item] = listed.json()["results"]
    assert (item["id"], item["status"], item["organization"]) == (job.pk, "published", "northwind-studio")
    assert item["url"].endswith(f"/jobs/{job.slug}/")
    assert listed.json()["next"] is None

    assert client.get(f"/api/v1/jobs/{job.pk}/", **bearer(key)).json()["title"] == job.title
    applications = client.get(f"/api/v1/jobs/{job.pk}/applications/", **bearer(key)).json()["results"]
    assert [a["id"] for a in applications] == [application.pk]
    one = client.get(f"/api/v1/applications/{application.pk}/", **bearer(key)).json()
    assert one["applicant"]["name"] == "Jordan Applicant"
    assert one["applicant"]["portfolio_items"][0]["cover_image_url"] == "https://cdn.freelance.example/p-7.jpg"
    assert one["history"] == [
        {"from_status": "", "to_status": "new", "at": one["history"][0]["at"], "by": {"kind": "applicant"}, "note": ""}
    ]
    assert OrganizationApiKey.objects.get().last_used_at is not None


def test_a_key_moves_an_application_and_the_applicant_is_told(
    client, organization, application, django_capture_on_commit_callbacks
):
    key = key_for(organization, name="Greenhouse")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            f"/api/v1/applications/{application.pk}/status/",
            {"status": "interview", "note": "Strong reel"},
            content_type="application/json",
            **bearer(key),
        )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "interview"
    assert body["history"][-1]["by"] == {"kind": "api_key", "name": "Greenhouse", "prefix": key.split("_")[1]}
    assert len(callbacks) == 1
    assert review_services.application_status_email_send(status_change_id=application.status_changes.last().pk)
    assert len(mail.outbox) == 1


def test_status_errors_are_in_the_one_error_shape_and_change_nothing(client, organization, application, applicant):
    key = key_for(organization)
    url = f"/api/v1/applications/{application.pk}/status/"
    withdrawn = client.post(url, {"status": "withdrawn"}, content_type="application/json", **bearer(key))
    assert withdrawn.status_code == 400
    assert withdrawn.json()["error"] == {
        "code": "invalid",
        "message": "Only the applicant can withdraw an application.",
        "details": {"fields": {"status": ["Only the applicant can withdraw an application."]}},
    }
    unknown = client.post(url, {"status": "archived"}, content_type="application/json", **bearer(key))
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"] == {"status": ['"archived" is not a valid choice.']}
    same = client.post(url, {"status": "new"}, content_type="application/json", **bearer(key))
    assert same.status_code == 409
    assert same.json()["error"]["message"] == "This application is already at “New”; nothing changed."
    assert ApplicationStatusChange.objects.count() == 1


def test_the_status_filter_and_cursor_pages(client, organization, member, job, application):
    for n in range(3):
        extra = application_for(job, make_applicant(f"c{n}@example.com", f"Cursor {n}", subject=f"sbx-f-c{n}"))
        review_services.application_status_change(application=extra, actor=member, status="reviewing")
    key = key_for(organization)
    url = f"/api/v1/jobs/{job.pk}/applications/"
    reviewing = client.get(url, {"status": "reviewing"}, **bearer(key)).json()["results"]
    assert [a["applicant"]["name"] for a in reviewing] == ["Cursor 2", "Cursor 1", "Cursor 0"]

    first = client.get(url, {"page_size": 2}, **bearer(key)).json()
    assert len(first["results"]) == 2 and first["previous"] is None
    second = client.get(first["next"], **bearer(key)).json()
    assert [a["applicant"]["name"] for a in second["results"]] == ["Cursor 0", "Jordan Applicant"]
    assert second["next"] is None

    bad = client.get(url, {"status": "archived"}, **bearer(key))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    assert client.get(url, {"cursor": "garbage"}, **bearer(key)).status_code == 404


def test_the_application_list_makes_the_same_number_of_queries_for_many(
    client, organization, member, job, application, django_assert_num_queries
):
    key = key_for(organization)
    url = f"/api/v1/jobs/{job.pk}/applications/"
    client.get(url, **bearer(key))
    with django_assert_num_queries(5) as few:
        client.get(url, **bearer(key))
    for n in range(5):
        extra = application_for(job, make_applicant(f"n{n}@example.com", f"N {n}", subject=f"sbx-f-n{n}"))
        review_services.application_status_change(application=extra, actor=member, status="offer")
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(client.get(url, **bearer(key)).json()["results"]) == 6


@pytest.mark.parametrize("made_by", ["owner", "command line"])
def test_a_key_creates_publishes_changes_and_closes_a_job(client, organization, employer, videos, made_by):
    """A key acts for its organization, whether an owner made it on the page or an operator with
    create_org_api_key (no member behind it)."""
    key = key_for(organization, actor=employer if made_by == "owner" else None)
    fields = job_fields()
    payload = {**fields, "closes_on": fields["closes_on"].isoformat(), "video": videos[1].pk}
    payload["questions"] = [{"kind": "yes_no", "prompt": "Can you start in January?", "required": True}]
    created = client.post("/api/v1/jobs/", payload, content_type="application/json", **bearer(key))
    assert created.status_code == 201, created.content
    job = created.json()
    assert (job["status"], job["video"], job["questions"][0]["prompt"]) == (
        "draft", videos[1].pk, "Can you start in January?"
    )
    url = f"/api/v1/jobs/{job['id']}/"
    assert client.post(url + "publish/", **bearer(key)).json()["status"] == "published"
    again = client.post(url + "publish/", **bearer(key))
    assert again.status_code == 409 and again.json()["error"]["message"] == "This job is already published."
    changed = client.patch(url, {"title": "Senior motion designer"}, content_type="application/json", **bearer(key))
    assert changed.status_code == 200 and changed.json()["title"] == "Senior motion designer"
    assert changed.json()["questions"][0]["prompt"] == "Can you start in January?"
    assert client.post(url + "close/", **bearer(key)).json()["status"] == "closed"


def test_a_bad_job_is_refused_with_each_reason_and_nothing_is_written(client, organization, employer, videos):
    key = key_for(organization, actor=employer)
    fields = job_fields(pay_min=90, pay_max=40, remote_countries=[], closes_on=date.today() - timedelta(days=1))
    payload = {**fields, "closes_on": fields["closes_on"].isoformat(), "video": videos[0].pk}
    response = client.post("/api/v1/jobs/", payload, content_type="application/json", **bearer(key))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert set(error["details"]["fields"]) >= {"pay_max", "remote_countries", "closes_on"}
    assert not Job.objects.exists()


def test_a_member_session_needs_its_csrf_token_on_writes(organization, member, application):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    url = f"/api/v1/applications/{application.pk}/status/"
    assert browser.get(f"/api/v1/applications/{application.pk}/").status_code == 200
    refused = browser.post(url, {"status": "reviewing"}, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["error"]["message"]
    browser.get("/accounts/organizations/northwind-studio/")  # sets the CSRF cookie
    token = browser.cookies["csrftoken"].value
    moved = browser.post(url, {"status": "reviewing"}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert moved.status_code == 200
    assert moved.json()["history"][-1]["by"] == {"kind": "member", "name": "Mo Member"}


def test_a_key_without_the_scope_is_refused_and_changes_nothing(client, organization, application, job):
    key = key_for(organization, scopes=["jobs:read"])
    response = client.post(
        f"/api/v1/applications/{application.pk}/status/", {"status": "hired"}, content_type="application/json",
        **bearer(key),
    )
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied", "message": "This API key lacks the applications:write scope."
    }
    assert client.get(f"/api/v1/applications/{application.pk}/", **bearer(key)).status_code == 403
    assert client.get(f"/api/v1/jobs/{job.pk}/", **bearer(key)).status_code == 200
    application.refresh_from_db()
    assert application.status == "new"


def test_revoked_unknown_and_malformed_keys_are_401(client, organization, job):
    key = key_for(organization)
    organization_api_key_revoke(api_key=OrganizationApiKey.objects.get(), actor=None)
    revoked = client.get("/api/v1/jobs/", **bearer(key))
    assert revoked.status_code == 401
    assert revoked.json()["error"]["message"] == "This API key has been revoked."
    assert revoked["WWW-Authenticate"] == 'Bearer realm="api"'
    unknown = key[:-4] + "AAAA"
    assert client.get("/api/v1/jobs/", **bearer(unknown)).json()["error"]["message"] == "Invalid API key."
    partner_style = "rfk_" + key[4:]
    assert client.get("/api/v1/jobs/", **bearer(partner_style)).status_code == 401
    anonymous = client.get("/api/v1/jobs/")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_authenticated"


def test_a_key_or_member_of_another_organization_gets_404_and_changes_nothing(client, job, application):
    other_owner = make_employer("boss@elsewhere.example", "Bo Boss", "Elsewhere")
    other_key = key_for(other_owner.organizations.get(), actor=other_owner)
    for auth in (bearer(other_key), {}):
        if not auth:
            client.force_login(other_owner)
        assert client.get(f"/api/v1/jobs/{job.pk}/", **auth).status_code == 404
        assert client.get(f"/api/v1/applications/{application.pk}/", **auth).status_code == 404
        moved = client.post(
            f"/api/v1/applications/{application.pk}/status/", {"status": "hired"}, content_type="application/json",
            **auth,
        )
        assert moved.status_code == 404
        assert moved.json()["error"]["message"] == "No application with this id among your organization's."
        assert client.get("/api/v1/jobs/", **auth).json()["results"] == []
    application.refresh_from_db()
    assert application.status == "new"


def test_a_creator_session_is_refused(client, applicant, application):
    client.force_login(applicant)
    response = client.get(f"/api/v1/applications/{application.pk}/")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only members of an organization use the employer API."
    assert Application.objects.get().status == "new"


EMPLOYER_OPERATIONS = {
    ("/api/v1/jobs/", "get"): {"200", "400", "401", "403", "404", "429"},
    ("/api/v1/jobs/", "post"): {"201", "400", "401", "403", "404", "429"},
    ("/api/v1/jobs/{job_id}/", "get"): {"200", "401", "403", "404", "429"},
    ("/api/v1/videos/", "get"): {"200", "401", "403", "404", "429"},
    ("/api/v1/jobs/{job_id}/", "patch"): {"200", "400", "401", "403", "404", "429"},
    ("/api/v1/jobs/{job_id}/publish/", "post"): {"200", "400", "401", "403", "404", "409", "429"},
    ("/api/v1/jobs/{job_id}/close/", "post"): {"200", "400", "401", "403", "404", "409", "429"},
    ("/api/v1/jobs/{job_id}/applications/", "get"): {"200", "400", "401", "403", "404", "429"},
    ("/api/v1/applications/{application_id}/", "get"): {"200", "401", "403", "404", "429"},
    ("/api/v1/applications/{application_id}/status/", "post"): {"200", "400", "401", "403", "404", "409", "429"},
}


def test_the_schema_validates_and_lists_every_employer_operation_with_its_errors():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert not GENERATOR_STATS, f"drf-spectacular warned: {dict(GENERATOR_STATS._warn_cache)}"
    validate_schema(schema)
    for (path, method), codes in EMPLOYER_OPERATIONS.items():
        operation = schema["paths"][path][method]
        # Every operation also documents the 400 and 415 of a request it cannot read.
        assert set(operation["responses"]) == codes | {"400", "415"}, (path, method)
        for code in codes - {"200", "201"}:
            assert operation["responses"][code]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/Error"
            }
        assert {"organizationApiKey": []} in operation["security"]
        assert {"cookieAuth": []} in operation["security"]
    assert schema["components"]["securitySchemes"]["organizationApiKey"]["bearerFormat"] == "rfo_<prefix>_<secret>"


def test_the_served_schema_lists_the_employer_paths(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    assert {path for path, _method in EMPLOYER_OPERATIONS} <= set(paths)
