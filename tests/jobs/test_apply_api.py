"""POST /api/v1/jobs/<id>/apply/: the statuses a script on the job page gets, in the one error shape."""

import pytest
from django.test import Client

from portfolio.jobs.models import Application
from portfolio.jobs.services import jobs as job_services
from portfolio.jobs.services.consent import consent_grant
from tests.jobs.apply_support import make_acme_applicant, published_job, question
from tests.jobs.conftest import job_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def jordan(fake):
    user = make_acme_applicant("jordan@example.com", "Jordan Applicant", fake, subject="acme-jordan")
    consent_grant(user=user, provider_id="acme")
    return user


@pytest.fixture
def api(jordan):
    client = Client(enforce_csrf_checks=True)
    client.force_login(jordan)
    client.get("/")  # the home page sets the CSRF cookie
    return client


def post(client, job_id, body=None):
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    return client.post(f"/api/v1/jobs/{job_id}/apply/", body or {}, content_type="application/json",
                       headers={"X-CSRFToken": token})


def test_applying_answers_201_with_the_application(api, job):
    response = post(api, job.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    application = Application.objects.get()
    assert body["id"] == application.pk
    assert body["job"] == {"id": job.pk, "slug": job.slug, "title": job.title, "organization": "Northwind Studio"}
    assert body["status"] == "new"
    assert body["provider"] == "acme"
    assert body["snapshot_source"] == "live"
    assert body["snapshot"]["email"] == "jordan@example.com"
    assert "token" not in response.content.decode()


def test_a_second_application_answers_409(api, job):
    first = post(api, job.pk).json()
    response = post(api, job.pk)
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert error["message"].startswith("You applied on ")
    assert error["details"] == {"application_id": first["id"]}
    assert Application.objects.count() == 1


def test_a_closed_job_answers_410_and_writes_nothing(api, job, employer):
    job_services.job_close(job=job, actor=employer)
    response = post(api, job.pk)
    assert response.status_code == 410
    assert response.json()["error"] == {
        "code": "gone", "message": "“Motion designer for launch videos” is closed and takes no more applications.",
        "details": {},
    }
    assert not Application.objects.exists()


def test_missing_answers_answer_400_naming_each(api, organization, employer, videos):
    job = published_job(organization=organization, actor=employer, video=videos[1],
                        questions=[question("Where do you live?"), question("Start in January?", kind="yes_no")])
    q = list(job.questions.all())
    response = post(api, job.pk, {"answers": {str(q[0].pk): "Berlin"}})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"]["fields"] == {
        f"question_{q[1].pk}": ["Answer “Start in January?”: this question is required."]
    }
    assert not Application.objects.exists()
    assert post(api, job.pk, {"answers": {str(q[0].pk): "Berlin", str(q[1].pk): "no"}}).status_code == 201


def test_without_consent_or_a_linked_account_answers_403(job, fake):
    from portfolio.accounts.services import user_sign_up

    robin = make_acme_applicant("robin@example.com", "Robin", fake, subject="acme-robin")
    nobody = user_sign_up(email="new@example.com", name="New", password="orchid-lantern-42", role="creator")
    for user, code in ((robin, "consent_required"), (nobody, "not_linked")):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        client.get("/")
        response = post(client, job.pk)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == code
    assert not Application.objects.exists()


def test_without_a_session_or_its_csrf_token_answers_403(job, jordan):
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(f"/api/v1/jobs/{job.pk}/apply/", {}, content_type="application/json").status_code == 403
    no_csrf = Client(enforce_csrf_checks=True)
    no_csrf.force_login(jordan)
    response = no_csrf.post(f"/api/v1/jobs/{job.pk}/apply/", {}, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    assert not Application.objects.exists()


def test_a_draft_or_unknown_job_answers_404(api, organization, employer, videos):
    draft = job_services.job_create(organization=organization, actor=employer, video=videos[1], fields=job_fields())
    for job_id in (draft.pk, 999_999):
        response = post(api, job_id)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_the_operation_is_in_the_schema_with_its_error_answers(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/jobs/{job_id}/apply/"]["post"]
    assert operation["operationId"] == "job_apply"
    assert set(operation["responses"]) >= {"201", "400", "403", "404", "409", "410", "429"}
