"""Test data for the review tests: published jobs and applications as apply writes them.

Jobs are posted through the posting services; applications are written directly (as test data), with
the snapshot apply stores, so that these tests do not depend on a provider answering.
"""

from datetime import timedelta

from django.utils import timezone

from portfolio.jobs.models import Application, ApplicationStatusChange
from portfolio.jobs.services import jobs as job_services
from tests.jobs.conftest import APPLICANT_PROFILE, job_fields


def published_job(*, organization, actor, video, questions=(), **fields):
    job = job_services.job_create(
        organization=organization, actor=actor, video=video, fields=job_fields(**fields), questions=list(questions)
    )
    return job_services.job_publish(job=job, actor=actor)


def snapshot_of(user, profile=APPLICANT_PROFILE) -> dict:
    return {"name": user.name, "email": user.email, **profile.as_json()}


def application_for(job, applicant, *, source="live", age=timedelta(0), answers=(), **snapshot_overrides):
    """An application of `applicant` to `job`, with the first line of its history (as apply writes it)."""
    snapshot = {**snapshot_of(applicant), **snapshot_overrides}
    application = Application.objects.create(
        job=job,
        applicant=applicant,
        provider_id="sandbox-freelance",
        snapshot=snapshot,
        snapshot_source=source,
        snapshot_taken_at=timezone.now() - age,
        answers=list(answers),
    )
    ApplicationStatusChange.objects.create(
        application=application, to_status="new", changed_by=applicant, applicant_notified_at=timezone.now()
    )
    return application
