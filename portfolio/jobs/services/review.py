"""Reviewing applications: members of the job's organization (or its API keys) move an application through
its statuses and keep private notes on it.

Every move is a row of the application's history (who, when, from, to, a note) written in the same
transaction as the move. That row is also the outbox of the applicant's email: it is sent after commit by
a task and marked `applicant_notified_at`; a beat sweep sends what a lost task left behind.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from common.errors import ApplicationError, Conflict, NotFound
from portfolio.accounts.models import OrganizationApiKey
from portfolio.accounts.permissions import acts_for
from portfolio.jobs import events
from portfolio.jobs.models import Application, ApplicationNote, ApplicationStatusChange

logger = logging.getLogger(__name__)

Status = Application.Status
# What members may move an application to; only the applicant withdraws (application_withdraw).
MEMBER_STATUSES = [status for status in Status if status != Status.WITHDRAWN]
NOTE_MAX_LENGTH = 5000
STATUS_NOTE_MAX_LENGTH = 1000
# The sweep leaves a change this long to its own task before it sends the email itself.
STATUS_EMAIL_SWEEP_AFTER_SECONDS = 60
STATUS_EMAIL_SWEEP_BATCH = 200


def _check_reviewer(*, application: Application, actor, api_key: OrganizationApiKey | None) -> None:
    """Members of the job's organization, or one of its live API keys; to anyone else it does not exist."""
    if not acts_for(organization_id=application.job.organization_id, actor=actor, api_key=api_key):
        raise NotFound("This application does not exist.")


def _enqueue_status_email(status_change_id: int) -> None:
    """After commit; a broker that is down only delays the email (the sweep sends it)."""
    from portfolio.jobs import tasks

    transaction.on_commit(lambda: tasks.application_status_email.delay(status_change_id), robust=True)


def application_status_change(
    *,
    application: Application,
    actor,
    status: str,
    note: str = "",
    api_key: OrganizationApiKey | None = None,
) -> Application:
    """Moves the application to `status`, records who did it and why, and emails the applicant after commit.

    `actor` is the member who does it; through the API with an organization's key, `api_key` is that key
    (and `actor` None). Refused, changing nothing: an unknown status or `withdrawn` (only the applicant
    withdraws), an application the applicant withdrew or erased, and the status it already has (a clear
    409 rather than a silent success, so that a stale page or a replayed call notices).
    """
    note = (note or "").strip()
    if status not in Status.values:
        message = f"Unknown status {status!r}; the statuses are: {', '.join(s.value for s in MEMBER_STATUSES)}."
        raise ApplicationError(message, extra={"fields": {"status": [message]}})
    if status == Status.WITHDRAWN:
        message = "Only the applicant can withdraw an application."
        raise ApplicationError(message, extra={"fields": {"status": [message]}})
    if len(note) > STATUS_NOTE_MAX_LENGTH:
        message = f"A note on a status change is at most {STATUS_NOTE_MAX_LENGTH} characters."
        raise ApplicationError(message, extra={"fields": {"note": [message]}})

    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("job")
            .filter(pk=application.pk)
            .first()
        )
        if locked is None:
            raise NotFound("This application does not exist.")
        _check_reviewer(application=locked, actor=actor, api_key=api_key)
        if locked.anonymized_at is not None or locked.applicant_id is None:
            raise Conflict("The applicant erased their account: this application is kept anonymized and cannot move.")
        if locked.status == Status.WITHDRAWN:
            raise Conflict("The applicant withdrew this application: it cannot move any more.")
        if locked.status == status:
            raise Conflict(f"This application is already at “{Status(status).label}”; nothing changed.")
        previous = locked.status
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        change = ApplicationStatusChange.objects.create(
            application=locked,
            from_status=previous,
            to_status=status,
            changed_by=actor if api_key is None else None,
            api_key=api_key,
            note=note,
        )
        _enqueue_status_email(change.pk)
        events.application_status_changed(locked, change)
    logger.info(
        "jobs.status_changed", extra={"application_id": locked.pk, "from": previous, "to": status}
    )
    return locked


@transaction.atomic
def application_note_add(*, application: Application, author, body: str) -> ApplicationNote:
    """A private note of a member on an application; the applicant never sees it."""
    fresh = Application.objects.select_related("job").filter(pk=application.pk).first()
    if fresh is None:
        raise NotFound("This application does not exist.")
    _check_reviewer(application=fresh, actor=author, api_key=None)
    body = (body or "").strip()
    if not body:
        message = "Write something in the note."
        raise ApplicationError(message, extra={"fields": {"body": [message]}})
    if len(body) > NOTE_MAX_LENGTH:
        message = f"A note is at most {NOTE_MAX_LENGTH} characters; this one has {len(body)}."
        raise ApplicationError(message, extra={"fields": {"body": [message]}})
    return ApplicationNote.objects.create(application=fresh, author=author, body=body)


# --- the applicant's email ---------------------------------------------------------------------------


def _status_email(change: ApplicationStatusChange) -> bool:
    """Sends the email of one change; False when there is nobody to tell (the applicant erased their
    account, or deactivated it)."""
    application = change.application
    applicant = application.applicant
    if applicant is None or not applicant.is_active or application.anonymized_at is not None:
        return False
    job = application.job
    context = {
        "applicant": applicant,
        "job": job,
        "organization": job.organization,
        "status": Status(change.to_status),
        "applications_url": settings.SITE_URL + reverse("jobs:applicant_applications"),
        "job_url": settings.SITE_URL + reverse("jobs:job_page", args=[job.slug]),
    }
    subject = render_to_string("jobs/email/status_changed_subject.txt", context).strip()
    body = render_to_string("jobs/email/status_changed.txt", context)
    send_mail(subject, body, None, [applicant.email])
    return True


def application_status_email_send(*, status_change_id: int) -> bool:
    """Emails the applicant about one status change, once, and in the order of the application's history:
    the application's row is locked while its unsent changes up to this one are sent oldest first and marked,
    so two workers that take the tasks of two quick moves (interview, then reviewing) neither send one twice
    nor send them the wrong way round. Returns whether it sent an email.

    A change with nobody to tell is marked without an email. An email that fails to send leaves its row and
    the later ones unmarked, for a retry or the sweep; those sent before it stay marked.
    """
    failure: Exception | None = None
    sent = 0
    with transaction.atomic():
        application_id = (
            ApplicationStatusChange.objects.filter(pk=status_change_id, applicant_notified_at__isnull=True)
            .values_list("application_id", flat=True)
            .first()
        )
        if application_id is None:
            return False  # already sent (or gone)
        # One sender per application at a time: the application's row is the lock.
        Application.objects.select_for_update().filter(pk=application_id).values_list("pk", flat=True).first()
        changes = (
            ApplicationStatusChange.objects.select_related("application__job__organization", "application__applicant")
            .filter(application_id=application_id, pk__lte=status_change_id, applicant_notified_at__isnull=True)
            .order_by("created_at", "id")
        )
        for change in changes:
            try:
                sent += _status_email(change)
            except Exception as error:  # the later ones wait for this one: order before speed
                failure = error
                break
            change.applicant_notified_at = timezone.now()
            change.save(update_fields=["applicant_notified_at"])
    if failure is not None:
        raise failure
    return sent > 0


def application_status_emails_sweep() -> int:
    """Sends the status emails a lost task left behind (changes still unsent after a minute); how many."""
    cutoff = timezone.now() - timedelta(seconds=STATUS_EMAIL_SWEEP_AFTER_SECONDS)
    ids = list(
        ApplicationStatusChange.objects.filter(applicant_notified_at__isnull=True, created_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:STATUS_EMAIL_SWEEP_BATCH]
    )
    sent = 0
    for status_change_id in ids:
        try:
            sent += application_status_email_send(status_change_id=status_change_id)
        except Exception:
            # One address the mail server refuses must not hold up the others; the next sweep retries.
            logger.exception("jobs.status_email_failed", extra={"status_change_id": status_change_id})
    return sent
