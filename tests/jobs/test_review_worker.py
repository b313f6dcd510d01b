"""The review emails on a real Celery worker process: a status change committed by the web process is
emailed by the worker, which marks the row; the beat task tells the organization of new applications."""

import pytest
from django.db import transaction

from portfolio.jobs import tasks
from portfolio.jobs.models import Application, ApplicationStatusChange
from portfolio.jobs.services import review as review_services
from tests.conftest import wait_until
from tests.jobs.review_support import application_for, published_job

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_emails_the_applicant_and_the_organization(
    celery_worker_process, organization, employer, member, videos, applicant
):
    job = published_job(organization=organization, actor=employer, video=videos[0])
    application = application_for(job, applicant)
    review_services.application_status_change(application=application, actor=member, status="interview")
    change = ApplicationStatusChange.objects.get(to_status="interview")
    notified = wait_until(
        lambda: ApplicationStatusChange.objects.filter(pk=change.pk, applicant_notified_at__isnull=False).exists(),
        timeout=30,
        message="the worker to email the applicant",
    )
    assert notified

    with transaction.atomic():
        transaction.on_commit(tasks.applications_notify_employers_task.delay)
    wait_until(
        lambda: not Application.objects.filter(employer_notified_at__isnull=True).exists(),
        timeout=30,
        message="the worker to email the organization",
    )
