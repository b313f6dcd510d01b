"""Celery tasks of the jobs app: entry points that call one service each."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="jobs.expire", ignore_result=True)
def jobs_expire_task() -> None:
    """On beat every 5 minutes: closes published jobs past their closing date (their "Apply" goes away).

    Nothing to retry: what a failed sweep leaves is closed by the next one.
    """
    from portfolio.jobs.services.jobs import jobs_expire

    closed = jobs_expire()
    if closed:
        logger.info("jobs expired", extra={"jobs": closed})


@shared_task(name="jobs.social_card_draw", ignore_result=True)
def social_card_draw_task(slug: str) -> None:
    """Once a public job's change commits, or when a visit finds its card not drawn: draws the card with the
    job video's cover (or the monogram) into the cache.

    Nothing to retry: a cover that cannot be had is drawn as the monogram (tried again within the hour), and
    a card the cache could not keep is asked for again by the next visit.
    """
    from common.cache import CacheAway
    from portfolio.jobs.services.jobs import job_card_draw

    try:
        job_card_draw(slug=slug)
    except CacheAway:
        logger.warning("social card not drawn: the cache is away; the next visit asks again")


# --- Review: the applicant's status emails and the organizations' batched emails --------------------

STATUS_EMAIL_MAX_RETRIES = 5


@shared_task(
    name="jobs.application_status_email", bind=True, ignore_result=True, max_retries=STATUS_EMAIL_MAX_RETRIES
)
def application_status_email(self, status_change_id: int) -> None:
    """After a status change commits: emails the applicant. A failure retries with backoff; after the
    last retry the row stays unsent and the sweep tries again every minute."""
    from portfolio.jobs.services.review import application_status_email_send

    try:
        application_status_email_send(status_change_id=status_change_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            logger.error("jobs.status_email_gave_up", extra={"status_change_id": status_change_id, "error": str(error)})
            return
        raise self.retry(countdown=min(30 * 2**self.request.retries, 1800)) from None


@shared_task(name="jobs.application_status_emails_sweep", ignore_result=True)
def application_status_emails_sweep_task() -> None:
    """On beat every minute: sends the status emails whose task was lost (the broker was down)."""
    from portfolio.jobs.services.review import application_status_emails_sweep

    sent = application_status_emails_sweep()
    if sent:
        logger.info("jobs status emails swept", extra={"sent": sent})


@shared_task(name="jobs.applications_notify_employers", ignore_result=True)
def applications_notify_employers_task() -> None:
    """On beat every 5 minutes: one email per organization listing its new applications."""
    from portfolio.jobs.services.notifications import applications_notify_employers

    told = applications_notify_employers()
    if told:
        logger.info("employers told of new applications", extra={"applications": told})
