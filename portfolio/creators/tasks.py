import logging

from celery import shared_task
from django.conf import settings

from common import http, metrics
from common.cache import CacheAway
from portfolio.core.services import worker_heartbeat_record
from portfolio.creators.services import clicks_fold
from portfolio.creators.services.social_card import creator_card_draw

logger = logging.getLogger(__name__)

FOLD_HEARTBEAT = "clicks_fold"


@shared_task(name="creators.clicks_fold", ignore_result=True)
def clicks_fold_task() -> None:
    """On beat every minute: moves click counts from the cache into the daily rows.

    Nothing to retry: a fold that fails leaves the counts in the cache for the next one.
    """
    try:
        moved = clicks_fold()
    except CacheAway:
        logger.warning("clicks fold skipped: the cache is away; the next fold moves the counts")
        return
    metrics.CLICKS_FOLDED.inc(moved)
    worker_heartbeat_record(name=FOLD_HEARTBEAT)  # read by GET /metrics, whichever machine the worker is on
    if moved:
        logger.info("clicks folded", extra={"clicks": moved})


# Fastly takes up to 256 keys per batch purge.
CDN_PURGE_BATCH = 256


@shared_task(
    name="creators.cdn_purge",
    ignore_result=True,
    autoretry_for=(http.RequestException,),
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=8,
)
def cdn_purge_task(surrogate_keys: list[str]) -> None:
    """POSTs {"surrogate_keys": [...]} to CDN_PURGE_URL (in batches); retried with backoff on failure.

    Gave up after the last retry: logged; the answers it meant to drop expire within their max-age.
    """
    headers = {}
    if settings.CDN_PURGE_TOKEN:
        headers[settings.CDN_PURGE_TOKEN_HEADER] = settings.CDN_PURGE_TOKEN
    for start in range(0, len(surrogate_keys), CDN_PURGE_BATCH):
        batch = surrogate_keys[start : start + CDN_PURGE_BATCH]
        try:
            response = http.request("POST", settings.CDN_PURGE_URL, json={"surrogate_keys": batch}, headers=headers)
            response.raise_for_status()
        except http.RequestException as exc:
            if cdn_purge_task.request.retries >= (cdn_purge_task.max_retries or 0):
                logger.error("cdn purge gave up", extra={"count": len(batch), "error": str(exc)[:300]})
                return
            raise
    logger.info("cdn purged", extra={"count": len(surrogate_keys)})


@shared_task(name="creators.social_card_draw", ignore_result=True)
def social_card_draw_task(handle: str) -> None:
    """Once a change to what the creator's card shows commits, or when a visit finds the card not drawn:
    draws it with their avatar (or monogram) into the cache.

    Nothing to retry: a picture that cannot be had is drawn as the monogram (tried again within the hour),
    and a card the cache could not keep is asked for again by the next visit.
    """
    try:
        creator_card_draw(handle=handle)
    except CacheAway:
        logger.warning("social card not drawn: the cache is away; the next visit asks again")
