"""Click counts: a click counted in the cache (or in its daily row while the cache is away), and
folding the counters in the cache into daily rows."""

import logging
import secrets
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from common.cache_guard import CacheAway
from portfolio.creators import clicks, selectors
from portfolio.creators.models import LinkClickDaily

logger = logging.getLogger(__name__)

FOLD_LOCK_KEY = "creators:clicks-fold-lock"
FOLD_LOCK_SECONDS = 300
FOLD_BATCH = 500


def click_count(*, anchor_id: int, day: date, address: str, user_agent: str) -> None:
    """Counts one click on a link: in the cache, or while the cache is away in the day's row at once, so
    that no click made during an outage is lost (clicks.py explains how the count stays exact)."""
    try:
        clicks.click_record(anchor_id=anchor_id, day=day, address=address, user_agent=user_agent)
        return
    except CacheAway as away:
        if away.maybe_applied:
            logger.warning("click sent to a cache that did not answer in time: it counts when the cache runs it")
            return
    first = clicks.outage_first_visit(anchor_id=anchor_id, day=day, address=address, user_agent=user_agent)
    _click_in_database(anchor_id=anchor_id, day=day, first_visit=first)


@transaction.atomic
def _click_in_database(*, anchor_id: int, day: date, first_visit: bool) -> None:
    uniques = 1 if first_visit else 0
    rows = LinkClickDaily.objects.filter(anchor_id=anchor_id, day=day)
    if rows.update(clicks=F("clicks") + 1, unique_visitors=F("unique_visitors") + uniques):
        return
    try:
        with transaction.atomic():
            LinkClickDaily.objects.create(anchor_id=anchor_id, day=day, clicks=1, unique_visitors=uniques)
    except IntegrityError:  # another click created the day's row meanwhile
        rows.update(clicks=F("clicks") + 1, unique_visitors=F("unique_visitors") + uniques)


def clicks_fold(*, now=None) -> int:
    """Moves the click counts from the cache into LinkClickDaily; returns how many clicks it moved.

    For each link and day it adds the counter's value to the row and subtracts the same value from the
    counter, in one database transaction; clicks that arrive meanwhile stay in the counter. One fold
    runs at a time.
    """
    now = now or timezone.now()
    token = secrets.token_hex(8)
    # The lock lives with the counters: an entry of `default` can be culled by a flood of made-up URLs.
    counters = clicks.counter_cache()
    if not counters.add(FOLD_LOCK_KEY, token, FOLD_LOCK_SECONDS):
        logger.info("clicks_fold skipped: another fold is running")
        return 0
    try:
        days = [(now.date() - timedelta(days=n)).isoformat() for n in range(clicks.FOLD_DAYS)]
        anchor_ids = clicks.clicked_anchor_ids(days=days)
        if anchor_ids is None:
            since = now - timedelta(days=clicks.FOLD_DAYS + 1)
            anchor_ids = list(selectors.anchors_to_fold(since=since).values_list("id", flat=True))
        moved = 0
        for start in range(0, len(anchor_ids), FOLD_BATCH):
            pending = clicks.pending_counts(anchor_ids=anchor_ids[start : start + FOLD_BATCH], days=days)
            for (anchor_id, day), (total, uniques) in pending.items():
                try:
                    _fold_one(anchor_id=anchor_id, day=day, total=total, uniques=uniques)
                except IntegrityError:  # the link was deleted meanwhile: its counts go with it
                    logger.warning("clicks_fold dropped the counts of a deleted link", extra={"anchor_id": anchor_id})
                    counters.delete_many([clicks.total_key(anchor_id, day), clicks.unique_key(anchor_id, day)])
                    continue
                moved += total
        return moved
    finally:
        if counters.get(FOLD_LOCK_KEY) == token:
            counters.delete(FOLD_LOCK_KEY)


@transaction.atomic
def _fold_one(*, anchor_id: int, day: str, total: int, uniques: int) -> None:
    rows = LinkClickDaily.objects.filter(anchor_id=anchor_id, day=day)
    if not rows.update(clicks=F("clicks") + total, unique_visitors=F("unique_visitors") + uniques):
        LinkClickDaily.objects.create(anchor_id=anchor_id, day=day, clicks=total, unique_visitors=uniques)
    if total:
        clicks.counter_incr(clicks.total_key(anchor_id, day), -total)
    if uniques:
        clicks.counter_incr(clicks.unique_key(anchor_id, day), -uniques)
