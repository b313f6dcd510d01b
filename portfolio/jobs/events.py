"""The jobs app's webhook events for employers' ATS endpoints: what each event carries.

Each function is called inside the service's transaction, so the outbox rows commit (or roll back) with
the change itself; `integrations.webhooks.outbound.services.event_emit` writes one row per subscribed endpoint of
the organization. Payloads carry ids and what an ATS needs (the applicant's consented profile fields,
their answers), never tokens. One application's events share an ordering key, so an endpoint receives
them oldest first; so do one job's.

Erasure: an application's events are tagged with their applicant (`applicant_subject_key`), so that
erasing the applicant rewrites every copy the outbox and the delivery log hold (`applicant_deliveries_redact`,
with the same "Erased applicant" the employer's pages show), and each organization's ATS is told with
`application.erased`, which carries ids only.
"""

from datetime import date, datetime

from django.conf import settings
from django.urls import reverse

from integrations.webhooks.outbound import endpoint_owners as owners
from integrations.webhooks.outbound import services as outbound
from portfolio.accounts.models import Membership, Organization
from portfolio.jobs.models import Application, ApplicationStatusChange, Job

OWNER_TYPE = "organization"


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    text = value.isoformat()
    return text.replace("+00:00", "Z") if isinstance(value, datetime) else text


def job_data(job: Job) -> dict:
    return {
        "id": job.pk,
        "slug": job.slug,
        "title": job.title,
        "status": job.status,
        "url": settings.SITE_URL + reverse("jobs:job_page", args=[job.slug]),
        "employment_type": job.employment_type,
        "workplace": job.workplace,
        "locality": job.locality,
        "country": job.country,
        "remote_countries": list(job.remote_countries or []),
        "closes_on": _iso(job.closes_on),
        "published_at": _iso(job.published_at),
        "closed_at": _iso(job.closed_at),
    }


def application_data(application: Application) -> dict:
    return {
        "id": application.pk,
        "job_id": application.job_id,
        "status": application.status,
        "created_at": _iso(application.created_at),
        "withdrawn_at": _iso(application.withdrawn_at),
        "provider_id": application.provider_id,
        # The profile fields the applicant agreed to share with the organization, as they applied.
        "applicant": dict(application.snapshot or {}),
        "snapshot_taken_at": _iso(application.snapshot_taken_at),
        "answers": list(application.answers or []),
    }


def applicant_subject_key(user_id: int) -> str:
    """How the outbox names an applicant whose data a delivery carries."""
    return f"applicant:{user_id}"


def _emit(job: Job, type_: str, data: dict, ordering_key: str, *, applicant_id: int | None = None) -> int:
    return outbound.event_emit(
        owner_type=OWNER_TYPE, owner_id=job.organization_id, type=type_, data=data, ordering_key=ordering_key,
        subject_key=applicant_subject_key(applicant_id) if applicant_id else "",
    )


def job_published(job: Job) -> int:
    return _emit(job, "job.published", {"job": job_data(job)}, f"job:{job.pk}")


def job_closed(job: Job) -> int:
    return _emit(job, "job.closed", {"job": job_data(job)}, f"job:{job.pk}")


def application_created(application: Application) -> int:
    job = application.job
    return _emit(job, "application.created", {"application": application_data(application), "job": job_data(job)},
                 f"application:{application.pk}", applicant_id=application.applicant_id)


def application_withdrawn(application: Application) -> int:
    job = application.job
    return _emit(job, "application.withdrawn", {"application": application_data(application), "job": job_data(job)},
                 f"application:{application.pk}", applicant_id=application.applicant_id)


def application_status_changed(application: Application, change: ApplicationStatusChange) -> int:
    job = application.job
    data = {
        "application": application_data(application),
        "job": job_data(job),
        "change": {
            "from_status": change.from_status,
            "to_status": change.to_status,
            "changed_at": _iso(change.created_at),
            "by_api_key": change.api_key_id is not None,
        },
    }
    return _emit(job, "application.status_changed", data, f"application:{application.pk}",
                 applicant_id=application.applicant_id)


def application_erased(application: Application, *, erased_at: datetime) -> int:
    """The applicant erased their account: the ATS is asked to delete what it holds on them. Ids only."""
    job = application.job
    data = {
        "application": {"id": application.pk, "job_id": job.pk, "erased_at": _iso(erased_at)},
        "job": {"id": job.pk, "slug": job.slug, "title": job.title},
        "redacted": True,
    }
    return _emit(job, "application.erased", data, f"application:{application.pk}")


def _redacted(erased_snapshot: dict):
    def redact(event_type: str, data: dict) -> dict:
        if isinstance(data.get("application"), dict):
            data = {**data, "application": {**data["application"], "applicant": dict(erased_snapshot), "answers": []}}
        return data

    return redact


def applicant_deliveries_redact(*, user_id: int, erased_snapshot: dict) -> int:
    """Rewrites every delivery that carries the applicant's profile or answers, in the outbox and the
    delivery log, with `erased_snapshot` in their place; returns how many."""
    return outbound.deliveries_redact(subject_key=applicant_subject_key(user_id), redact=_redacted(erased_snapshot))


# --- who is told when an organization's endpoint is disabled -----------------------------------------


def organization_owner(owner_id: int) -> owners.Owner | None:
    """The organization's name, its owners' emails, and its page (where endpoints are managed)."""
    organization = Organization.objects.filter(pk=owner_id).first()
    if organization is None:
        return None
    emails = list(
        Membership.objects.filter(organization=organization, role=Membership.Role.OWNER, user__is_active=True)
        .order_by("created_at")
        .values_list("user__email", flat=True)
    )
    url = settings.SITE_URL + reverse("accounts:organization_detail", args=[organization.slug]) + "#webhooks"
    return owners.Owner(name=organization.name, emails=emails, manage_url=url)


def register() -> None:
    """From JobsConfig.ready(): organizations own webhook endpoints."""
    owners.register_owner_type(OWNER_TYPE, organization_owner)
