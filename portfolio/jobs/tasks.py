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
