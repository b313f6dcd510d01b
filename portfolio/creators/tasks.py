import logging

from celery import shared_task

from portfolio.creators.services import clicks_fold

logger = logging.getLogger(__name__)


@shared_task(name="creators.clicks_fold", ignore_result=True)
def clicks_fold_task() -> None:
    """On beat every minute: moves click counts from the cache into the daily rows.

    Nothing to retry: a fold that fails leaves the counts in the cache for the next one.
    """
    moved = clicks_fold()
    if moved:
        logger.info("clicks folded", extra={"clicks": moved})
