"""The organizations' "new applications" email, batched: one email per organization and run of the beat,
listing every application it has not heard of yet, so a busy job never sends one mail per application.

`Application.employer_notified_at` is the outbox: null until an email told the organization of it. The
organization's row is locked, its pending applications emailed and marked in one transaction; an email that
fails leaves them for the next run.
"""

import logging
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portfolio.accounts.models import Membership, Organization
from portfolio.jobs.models import Application

logger = logging.getLogger(__name__)


def _organization_notify(*, organization_id: int) -> int:
    """Emails one organization's members about its applications not yet told of; returns how many."""
    with transaction.atomic():
        # One run at a time per organization: the organization's row is the lock. A run that finds it taken
        # leaves the organization to the run holding it, which emails every pending application at once;
        # locking the applications alone would let two runs each take part of them and send two emails.
        organization = Organization.objects.select_for_update(skip_locked=True).filter(pk=organization_id).first()
        if organization is None:
            return 0
        pending = list(
            Application.objects.select_for_update(of=("self",))
            .select_related("job")
            .filter(job__organization_id=organization_id, employer_notified_at__isnull=True)
            .order_by("job_id", "created_at", "id")
        )
        if not pending:
            return 0
        recipients = list(
            Membership.objects.filter(organization_id=organization_id, user__is_active=True)
            .order_by("created_at")
            .values_list("user__email", flat=True)
        )
        # Withdrawn or erased before the email went: marked, not listed.
        listed = [a for a in pending if a.status != Application.Status.WITHDRAWN and a.anonymized_at is None]
        if recipients and listed:
            jobs = [
                {
                    "job": job,
                    "applications": list(applications),
                    "url": settings.SITE_URL + reverse("jobs:review_dashboard", args=[job.pk]),
                }
                for job, applications in groupby(listed, key=lambda application: application.job)
            ]
            context = {"organization": organization, "count": len(listed), "jobs": jobs}
            message = EmailMessage(
                subject=render_to_string("jobs/email/new_applications_subject.txt", context).strip(),
                body=render_to_string("jobs/email/new_applications.txt", context),
                to=recipients,
            )
            message.send()
        Application.objects.filter(pk__in=[a.pk for a in pending]).update(employer_notified_at=timezone.now())
    return len(listed) if recipients else 0


def applications_notify_employers() -> int:
    """On beat: one email per organization with new applications since its last one; returns how many
    applications were told of. An organization whose email fails is retried on the next run."""
    organization_ids = list(
        Application.objects.filter(employer_notified_at__isnull=True)
        .values_list("job__organization_id", flat=True)
        .distinct()
        .order_by("job__organization_id")
    )
    told = 0
    for organization_id in organization_ids:
        try:
            told += _organization_notify(organization_id=organization_id)
        except Exception:
            logger.exception("jobs.employer_email_failed", extra={"organization_id": organization_id})
    return told
