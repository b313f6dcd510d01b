"""Click counts: a click counted in the cache (or in its daily row while the cache is away), and
folding the counters in the cache into daily rows."""

import logging
import secrets
from contextlib import suppress
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from common import cache
from common.cache import CacheAway
from portfolio.creators import click_details, clicks, selectors
from portfolio.creators.models import CreatorVisitorsDaily, LinkClickBreakdownDaily, LinkClickDaily

logger = logging.getLogger(__name__)

FOLD_LOCK_KEY = "creators:clicks-fold-lock"
FOLD_LOCK_SECONDS = 300
FOLD_BATCH = 500


def click_count(
    *, anchor_id: int, creator_id: int, day: date, address: str, user_agent: str, referer: str = ""
) -> None:
    """Counts one click on a link, with its breakdowns (referring domain, device class, country) and the
    creator's unique visitors: in the cache, or while the cache is away in the day's rows at once, so that
    no click made during an outage is lost (clicks.py explains how the counts stay exact). The address
    serves the unique-visitor hashes and the country lookup only; it is stored nowhere."""
    details = clicks.ClickDetails(
        referrer=click_details.referrer_domain(referer),
        device=click_details.device_class(user_agent),
        country=click_details.country_code(address),
    )
    try:
        clicks.click_record(
            anchor_id=anchor_id, creator_id=creator_id, day=day, address=address, user_agent=user_agent,
            details=details,
        )
        return
    except CacheAway as away:
        if away.maybe_applied:
            logger.warning("click sent to a cache that did not answer in time: it counts when the cache runs it")
            return
    first = clicks.outage_first_visit(anchor_id=anchor_id, day=day, address=address, user_agent=user_agent)
    first_of_creator = clicks.outage_first_creator_visit(
        creator_id=creator_id, day=day, address=address, user_agent=user_agent
    )
    _click_in_database(
        anchor_id=anchor_id, creator_id=creator_id, day=day, first_visit=first,
        first_creator_visit=first_of_creator, details=details,
    )


def _add_to_row(model, *, where: dict, add: dict) -> None:
    """Adds the counts to the row (created at zero when there is none), safe against a concurrent create."""
    rows = model.objects.filter(**where)
    changes = {name: F(name) + value for name, value in add.items()}
    if rows.update(**changes):
        return
    try:
        with transaction.atomic():
            model.objects.create(**where, **add)
    except IntegrityError:  # another click (or fold) created the row meanwhile
        rows.update(**changes)


def _breakdown_rows_add(*, anchor_id: int, day, members: dict[str, int]) -> None:
    for member, count in sorted(members.items()):
        dimension, value = member.split("|", 1)
        _add_to_row(
            LinkClickBreakdownDaily,
            where={"anchor_id": anchor_id, "day": day, "dimension": dimension, "value": value[:100]},
            add={"clicks": count},
        )


@transaction.atomic
def _click_in_database(
    *, anchor_id: int, creator_id: int, day: date, first_visit: bool, first_creator_visit: bool,
    details: clicks.ClickDetails,
) -> None:
    _add_to_row(
        LinkClickDaily, where={"anchor_id": anchor_id, "day": day},
        add={"clicks": 1, "unique_visitors": 1 if first_visit else 0},
    )
    _breakdown_rows_add(anchor_id=anchor_id, day=day, members=dict.fromkeys(details.members(), 1))
    if first_creator_visit:
        _add_to_row(CreatorVisitorsDaily, where={"creator_id": creator_id, "day": day}, add={"unique_visitors": 1})


def clicks_fold(*, now=None) -> int:
    """Moves the click counts from the cache into LinkClickDaily, LinkClickBreakdownDaily and
    CreatorVisitorsDaily; returns how many clicks it moved.

    For each link and day it adds the counters' values to the rows and subtracts the same values from the
    counters, in one database transaction; clicks that arrive meanwhile stay in the counters. The same
    for each creator's unique visitors. One fold runs at a time; while the cache is away it raises CacheAway
    and the next fold moves what this one could not.
    """
    now = now or timezone.now()
    token = secrets.token_hex(8)
    # The lock lives with the counters: an entry of `default` can be culled by a flood of made-up URLs.
    counters = clicks.CACHE_ALIAS
    if not cache.add(FOLD_LOCK_KEY, token, timeout=FOLD_LOCK_SECONDS, alias=counters):
        logger.info("clicks_fold skipped: another fold is running")
        return 0
    try:
        days = [(now.date() - timedelta(days=n)).isoformat() for n in range(clicks.FOLD_DAYS)]
        since = now - timedelta(days=clicks.FOLD_DAYS + 1)
        anchor_ids = clicks.clicked_anchor_ids(days=days)
        if anchor_ids is None:
            anchor_ids = list(selectors.anchors_to_fold(since=since).values_list("id", flat=True))
        moved = 0
        for start in range(0, len(anchor_ids), FOLD_BATCH):
            batch = anchor_ids[start : start + FOLD_BATCH]
            pending = clicks.pending_counts(anchor_ids=batch, days=days)
            breakdowns = clicks.pending_breakdowns(anchor_ids=batch, days=days)
            for anchor_id, day in sorted(set(pending) | set(breakdowns)):
                total, uniques = pending.get((anchor_id, day), (0, 0))
                members = breakdowns.get((anchor_id, day), {})
                try:
                    _fold_one(anchor_id=anchor_id, day=day, total=total, uniques=uniques, members=members)
                except IntegrityError:  # the link was deleted meanwhile: its counts go with it
                    logger.warning("clicks_fold dropped the counts of a deleted link", extra={"anchor_id": anchor_id})
                    cache.delete_many(
                        [clicks.total_key(anchor_id, day), clicks.unique_key(anchor_id, day)]
                        + [clicks.breakdown_key(anchor_id, day, member) for member in members],
                        alias=counters,
                    )
                    continue
                moved += total
        creator_ids = clicks.clicked_creator_ids(days=days)
        if creator_ids is None:
            creator_ids = selectors.creators_to_fold(since=since)
        for start in range(0, len(creator_ids), FOLD_BATCH):
            visitors = clicks.pending_creator_uniques(creator_ids=creator_ids[start : start + FOLD_BATCH], days=days)
            for (creator_id, day), uniques in sorted(visitors.items()):
                try:
                    _fold_creator(creator_id=creator_id, day=day, uniques=uniques)
                except IntegrityError:  # the creator's account was deleted meanwhile
                    cache.delete_many([clicks.creator_unique_key(creator_id, day)], alias=counters)
        return moved
    finally:
        with suppress(CacheAway):  # the lock then expires by itself
            if cache.get(FOLD_LOCK_KEY, alias=counters) == token:
                cache.delete_many([FOLD_LOCK_KEY], alias=counters)


@transaction.atomic
def _fold_one(*, anchor_id: int, day: str, total: int, uniques: int, members: dict[str, int]) -> None:
    if total or uniques:
        rows = LinkClickDaily.objects.filter(anchor_id=anchor_id, day=day)
        if not rows.update(clicks=F("clicks") + total, unique_visitors=F("unique_visitors") + uniques):
            LinkClickDaily.objects.create(anchor_id=anchor_id, day=day, clicks=total, unique_visitors=uniques)
    _breakdown_rows_add(anchor_id=anchor_id, day=day, members=members)
    if total:
        clicks.counter_add(clicks.total_key(anchor_id, day), -total)
    if uniques:
        clicks.counter_add(clicks.unique_key(anchor_id, day), -uniques)
    for member, count in members.items():
        clicks.counter_add(clicks.breakdown_key(anchor_id, day, member), -count)


@transaction.atomic
def _fold_creator(*, creator_id: int, day: str, uniques: int) -> None:
    _add_to_row(CreatorVisitorsDaily, where={"creator_id": creator_id, "day": day}, add={"unique_visitors": uniques})
    clicks.counter_add(clicks.creator_unique_key(creator_id, day), -uniques)
