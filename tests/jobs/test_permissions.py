"""Every job and application page and employer API operation, walked with every wrong role: a visitor who
is not logged in, another creator, a member of another organization, and an API key of another
organization. Each is turned away (a login redirect for a visitor on a page, 401 for an API call without
credentials, otherwise 403 or 404) and nothing changes: no row is added, removed or touched.

Pages that belong to whoever is logged in (My applications, sharing, export, erase) cannot be "someone
else's": they are walked too, and must never show or change the applicant's data.

Last, every page of the project guarded by a role decorator (creator, applicant, employer, member, owner) is
walked with each role that decorator turns away, and the API's role permissions with theirs.
"""

from dataclasses import dataclass, replace

import pytest
from django.test import Client
from django.urls import resolve, reverse

from common import crypto
from integrations.webhooks.models import Delivery, Endpoint
from portfolio.accounts.models import Membership, OrganizationApiKey, User
from portfolio.accounts.services import organization_api_key_create
from portfolio.jobs.models import (
    Application,
    ApplicationNote,
    ApplicationStatusChange,
    ApplyConsent,
    Job,
    ScreeningQuestion,
)
from portfolio.jobs.services import jobs as job_services
from tests.jobs.conftest import APPLICANT_PROFILE, job_fields, make_applicant, make_employer, org_videos
from tests.jobs.review_support import application_for, published_job

pytestmark = pytest.mark.django_db

ALL_SCOPES = ["jobs:read", "jobs:write", "applications:read", "applications:write", "webhooks:manage"]
ROLES = ["anonymous", "other_creator", "other_member", "other_key"]


@dataclass
class World:
    organization: object
    draft: Job
    open_job: Job
    application: Application
    applicant: User
    video_id: int
    endpoint: Endpoint
    delivery: Delivery


@pytest.fixture
def world(organization, employer, member, videos, applicant):
    draft = job_services.job_create(organization=organization, actor=employer, video=videos[1], fields=job_fields())
    open_job = published_job(
        organization=organization,
        actor=employer,
        video=videos[0],
        questions=[{"kind": "short_text", "prompt": "Where?", "required": True, "choices": [], "prefill_from": ""}],
    )
    application = application_for(open_job, applicant)
    ApplyConsent.objects.create(user=applicant, provider_id="sandbox-freelance", fields=["name", "email"])
    # The organization's ATS endpoint and one failed delivery to it (test data: no SSRF check, no sending).
    endpoint = Endpoint.objects.create(
        owner_type="organization", owner_id=organization.pk, url="https://ats.northwind.example/hooks",
        event_types=["application.created"], secret_encrypted=crypto.encrypt("whsec_dGVzdA=="),
    )
    delivery = Delivery.objects.create(
        endpoint=endpoint, msg_id="msg_1", event_type="application.created", body="{}", status="failed"
    )
    return World(organization, draft, open_job, application, applicant, videos[0].pk, endpoint, delivery)


@pytest.fixture
def callers(world):
    """A client per wrong role (the key as an Authorization header on an anonymous client)."""
    other_creator = make_applicant(
        "other@example.com",
        "Other Creator",
        subject="sbx-f-other",
        profile=replace(APPLICANT_PROFILE, display_name="Other Creator", profile_url="https://freelance.example/o"),
    )
    other_owner = make_employer("boss@elsewhere.example", "Bo Boss", "Elsewhere")
    elsewhere = other_owner.organizations.get()
    org_videos(elsewhere, 1, prefix="else")
    _, other_key = organization_api_key_create(organization=elsewhere, actor=other_owner, scopes=ALL_SCOPES)
    clients = {"anonymous": (Client(), {})}
    for role, user in (("other_creator", other_creator), ("other_member", other_owner)):
        client = Client()
        client.force_login(user)
        clients[role] = (client, {})
    clients["other_key"] = (Client(), {"HTTP_AUTHORIZATION": f"Bearer {other_key}"})
    return clients


def state(world) -> dict:
    """Everything a wrong request could change, to compare before and after."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Job, ScreeningQuestion, Application, ApplicationStatusChange, ApplicationNote,
                          ApplyConsent, User, Membership, OrganizationApiKey)
        },
        "jobs": list(Job.objects.order_by("pk").values_list("pk", "status", "title", "updated_at")),
        "applications": list(
            Application.objects.order_by("pk").values_list("pk", "status", "updated_at", "applicant_id")
        ),
        "consents": list(ApplyConsent.objects.order_by("pk").values_list("pk", "user_id", "granted_at")),
        "applicant": User.objects.filter(pk=world.applicant.pk).values_list("is_active", "email").get(),
        "endpoints": list(
            Endpoint.objects.order_by("pk").values_list("pk", "url", "is_enabled", "secret_encrypted", "updated_at")
        ),
        "deliveries": list(
            Delivery.objects.order_by("pk").values_list("pk", "status", "attempt_count", "next_attempt_at")
        ),
    }


def pages(world) -> list[tuple[str, str, dict]]:
    """(method, URL, form data) of every page about the organization's jobs or the applicant's application."""
    org, draft, open_job, application = world.organization.slug, world.draft, world.open_job, world.application
    form = {**job_fields(), "closes_on": job_fields()["closes_on"].isoformat(), "video": world.video_id}
    return [
        ("get", reverse("jobs:job_list", args=[org]), {}),
        ("get", reverse("jobs:job_create", args=[org]), {}),
        ("post", reverse("jobs:job_create", args=[org]), form),
        ("get", reverse("jobs:job_manage", args=[draft.pk]), {}),
        ("get", reverse("jobs:job_edit", args=[draft.pk]), {}),
        ("post", reverse("jobs:job_edit", args=[draft.pk]), {**form, "title": "Hijacked"}),
        ("post", reverse("jobs:job_publish", args=[draft.pk]), {}),
        ("get", reverse("jobs:job_close", args=[open_job.pk]), {}),
        ("post", reverse("jobs:job_close", args=[open_job.pk]), {}),
        # A draft is nobody's to see or apply to but its organization's.
        ("get", reverse("jobs:job_page", args=[draft.slug]), {}),
        ("get", reverse("jobs:job_card", args=[draft.slug]), {}),
        ("post", reverse("jobs:apply", args=[draft.slug]), {}),
        ("get", reverse("jobs:apply_consent", args=[draft.slug]), {}),
        ("post", reverse("jobs:apply_consent", args=[draft.slug]), {}),
        ("get", reverse("jobs:apply_questions", args=[draft.slug]), {}),
        ("post", reverse("jobs:apply_questions", args=[draft.slug]), {}),
        ("get", reverse("jobs:applicant_withdraw", args=[application.pk]), {}),
        ("post", reverse("jobs:applicant_withdraw", args=[application.pk]), {}),
        ("get", reverse("jobs:review_dashboard", args=[open_job.pk]), {}),
        ("get", reverse("jobs:review_csv", args=[open_job.pk]), {}),
        ("post", reverse("jobs:review_status_change", args=[application.pk]), {"status": "hired"}),
        ("post", reverse("jobs:review_note_add", args=[application.pk]), {"body": "Peeked"}),
    ]


def own_pages() -> list[tuple[str, str, dict]]:
    """Pages of whoever is logged in: never the applicant's data for anyone else."""
    return [
        ("get", reverse("jobs:applicant_applications"), {}),
        ("post", reverse("jobs:applicant_consent_revoke", args=["sandbox-freelance"]), {}),
        ("get", reverse("jobs:applicant_export"), {}),
        ("get", reverse("jobs:applicant_erase"), {}),
        ("get", reverse("jobs:jobs_home"), {}),  # Jobs in the menu: one's own organization's jobs
    ]


def api_operations(world) -> list[tuple[str, str, dict]]:
    """(method, path, JSON body) of every employer API operation and the apply operation."""
    draft, open_job, application, endpoint = world.draft, world.open_job, world.application, world.endpoint
    fields = job_fields()
    new_job = {
        **fields, "closes_on": fields["closes_on"].isoformat(), "video": world.video_id,
        "organization": world.organization.slug,
    }
    return [
        ("post", "/api/v1/jobs/", new_job),
        ("get", f"/api/v1/jobs/{draft.pk}/", {}),
        ("patch", f"/api/v1/jobs/{draft.pk}/", {"title": "Hijacked"}),
        ("post", f"/api/v1/jobs/{draft.pk}/publish/", {}),
        ("post", f"/api/v1/jobs/{open_job.pk}/close/", {}),
        ("get", f"/api/v1/jobs/{open_job.pk}/applications/", {}),
        ("get", f"/api/v1/applications/{application.pk}/", {}),
        ("post", f"/api/v1/applications/{application.pk}/status/", {"status": "hired", "note": "x"}),
        ("post", f"/api/v1/jobs/{draft.pk}/apply/", {}),
        # The organization's ATS endpoints and their deliveries.
        ("post", "/api/v1/webhook-endpoints/", {
            "organization": world.organization.slug, "url": "https://ats.elsewhere.example/hooks",
            "event_types": ["application.created"],
        }),
        ("get", f"/api/v1/webhook-endpoints/{endpoint.pk}/", {}),
        ("patch", f"/api/v1/webhook-endpoints/{endpoint.pk}/", {"url": "https://evil.example/hooks"}),
        ("delete", f"/api/v1/webhook-endpoints/{endpoint.pk}/", {}),
        ("post", f"/api/v1/webhook-endpoints/{endpoint.pk}/rotate-secret/", {}),
        ("post", f"/api/v1/webhook-endpoints/{endpoint.pk}/test/", {}),
        ("get", f"/api/v1/webhook-endpoints/{endpoint.pk}/deliveries/", {}),
        ("post", f"/api/v1/webhook-endpoints/{endpoint.pk}/redeliver-failed/", {"since": "2020-01-01T00:00:00Z"}),
        ("post", f"/api/v1/webhook-deliveries/{world.delivery.pk}/redeliver/", {}),
    ]


def _request(client, method, url, data, headers, *, json=False):
    send = getattr(client, method)
    if json:
        return send(url, data, content_type="application/json", **headers) if method != "get" else send(url, **headers)
    return send(url, data, **headers) if method == "post" else send(url, **headers)


def _refused_page(role: str, response) -> bool:
    # Pages take no API keys: a visitor with one is a visitor.
    if role in ("anonymous", "other_key") and response.status_code == 302:
        return response["Location"].startswith(reverse("accounts:login"))
    return response.status_code in (403, 404)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_turns_a_wrong_role_away_and_changes_nothing(world, callers, role):
    client, headers = callers[role]
    before = state(world)
    for method, url, data in pages(world):
        response = _request(client, method, url, data, headers)
        assert _refused_page(role, response), (role, method, url, response.status_code)
        assert state(world) == before, (role, method, url)


@pytest.mark.parametrize("role", ROLES)
def test_pages_of_ones_own_never_show_or_change_the_applicants_data(world, callers, role):
    client, headers = callers[role]
    before = state(world)
    for method, url, data in own_pages():
        response = _request(client, method, url, data, headers)
        if role in ("anonymous", "other_key"):
            assert _refused_page(role, response), (role, method, url, response.status_code)
        else:
            assert response.status_code in (200, 302, 403, 404), (role, method, url, response.status_code)
            body = response.content.decode(errors="replace")
            assert "Jordan Applicant" not in body and "jordan@example.com" not in body, (role, url)
            assert world.open_job.title not in body, (role, url)
        assert state(world) == before, (role, method, url)


@pytest.mark.parametrize("role", ROLES)
def test_every_api_operation_turns_a_wrong_role_away_and_changes_nothing(world, callers, role):
    client, headers = callers[role]
    before = state(world)
    for method, path, body in api_operations(world):
        response = _request(client, method, path, body, headers, json=True)
        allowed = (401, 403) if role == "anonymous" else (403, 404)
        assert response.status_code in allowed, (role, method, path, response.status_code, response.content[:200])
        assert set(response.json()) == {"error"}, (role, method, path)
        assert state(world) == before, (role, method, path)


@pytest.mark.parametrize("role", ROLES)
def test_the_lists_of_a_wrong_role_never_hold_the_organizations_rows(world, callers, role):
    client, headers = callers[role]
    for path, ours in (
        ("/api/v1/jobs/", {world.draft.pk, world.open_job.pk}),
        ("/api/v1/webhook-endpoints/", {world.endpoint.pk}),
        ("/api/v1/videos/", {world.video_id}),
    ):
        response = client.get(path, **headers)
        if response.status_code == 200:
            assert role in ("other_member", "other_key"), (role, path)
            assert not {row["id"] for row in response.json()["results"]} & ours, (role, path)
        else:
            assert response.status_code in ((401,) if role == "anonymous" else (403,)), (role, path)

def test_the_walk_covers_every_page_and_api_operation_of_the_jobs_app(world):
    """A page or an operation added later without joining this walk fails here."""
    from portfolio.jobs import api_urls, urls

    walked_pages = {resolve(url).url_name for _m, url, _d in [*pages(world), *own_pages()]}
    assert walked_pages == {pattern.name for pattern in urls.urlpatterns}
    walked_api = {(resolve(path).url_name, method) for method, path, _b in api_operations(world)}
    # The lists: test_the_lists_of_a_wrong_role_never_hold_the_organizations_rows.
    walked_api |= {("api-jobs", "get"), ("api-webhook-endpoints", "get"), ("api-videos", "get")}
    declared = {
        (pattern.name, method)
        for pattern in api_urls.urlpatterns
        for method in ("get", "post", "patch", "put", "delete")
        if hasattr(pattern.callback.cls, method)
    }
    assert walked_api == declared


# --- Every page a role guards, across the project ---------------------------------------------------------


def _guarded_pages(patterns=None, namespace=""):
    """(URL name, route kwargs, required role, methods the role is required for) of every page whose view
    names the role it requires (portfolio.accounts.permissions, portfolio.creators.permissions)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _guarded_pages(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and hasattr(entry.callback, "required_role"):
            converters = getattr(entry.pattern, "converters", {})
            # Any value will do: the decorator refuses before the view looks anything up.
            kwargs = {name: conv.to_url(1 if conv.regex == "[0-9]+" else "x") for name, conv in converters.items()}
            yield (
                f"{namespace}{entry.name}",
                kwargs,
                entry.callback.required_role,
                entry.callback.required_role_methods or ("GET", "POST"),
            )


def test_every_guarded_page_turns_away_every_wrong_role_and_changes_nothing(organization, employer, member, applicant):
    """Each role decorator (creator, applicant, employer, member, owner), on every page it guards, refuses each
    role it does not admit: a visitor is sent to log in, a creator or employer of the wrong kind gets a 403
    that says why, someone outside the organization a 404, a member who is not an owner a 403."""
    outsider = make_employer("boss@elsewhere.example", "Bo Boss", "Elsewhere")
    people = {"creator": applicant, "outsider": outsider, "member": member}
    # Who each role turns away, and with which status (a visitor: always the login page).
    refused = {
        "creator": {"outsider": 403, "member": 403},
        "applicant": {"outsider": 403, "member": 403},
        "employer": {"creator": 403},
        "member": {"creator": 404, "outsider": 404},
        "owner": {"creator": 404, "outsider": 404, "member": 403},
    }
    pages = list(_guarded_pages())
    assert {role for _n, _k, role, _m in pages} == set(refused), "a role decorator guards no page"
    before = {model.__name__: model.objects.count() for model in (Membership, OrganizationApiKey, Job, Endpoint)}
    for name, kwargs, role, methods in pages:
        if "slug" in kwargs:
            kwargs = {**kwargs, "slug": organization.slug}
        url = reverse(name, kwargs=kwargs)
        for method in methods:
            response = getattr(Client(), method.lower())(url)
            assert response.status_code == 302, (name, method)
            assert response["Location"].startswith(reverse("accounts:login")), (name, method)
            for who, status in refused[role].items():
                client = Client()
                client.force_login(people[who])
                response = getattr(client, method.lower())(url)
                assert response.status_code == status, (name, method, who, response.status_code)
                if status == 403:
                    assert "You cannot open this page" in response.content.decode(), (name, who)
    after = {model.__name__: model.objects.count() for model in (Membership, OrganizationApiKey, Job, Endpoint)}
    assert after == before


def test_the_api_permissions_refuse_each_wrong_role_in_the_one_error_shape(world, callers, employer):
    """IsApplicant (applying through the API) and IsMember (the employer API with a session)."""
    client, _ = callers["other_creator"]
    response = client.get("/api/v1/jobs/")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied", "message": "Only members of an organization use the employer API.",
    }
    employer_client = Client(enforce_csrf_checks=False)
    employer_client.force_login(employer)
    response = employer_client.post(f"/api/v1/jobs/{world.open_job.pk}/apply/", {}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied",
        "message": "Employer accounts do not apply to jobs; log in with your creator account.",
    }
