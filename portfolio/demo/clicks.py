"""The click history of the demo: 30 days of clicks on Casey's links, so the analytics page shows its worth at
first sight (a curve, top videos, referring sites, devices, countries) rather than a flat zero.

The days before today are written as the fold writes them (daily totals and unique visitors, the day's
breakdowns adding up to its clicks, the creator's unique visitors); today is left to real clicks. The numbers
come from a fixed seed, so every demo looks the same. Written once: a creator with any click history is left
as they are, so running it again adds nothing.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portfolio.accounts.models import User
from portfolio.creators.models import CreatorVisitorsDaily, LinkClickBreakdownDaily, LinkClickDaily, PortfolioAnchor

DAYS = 30
# Where the demo's visitors come from, and how often (weights).
REFERRERS = {"direct": 30, "tiktok.com": 26, "instagram.com": 14, "linkedin.com": 12, "google.com": 8, "t.co": 5}
DEVICES = {"mobile": 62, "desktop": 28, "tablet": 8, "other": 2}
COUNTRIES = {"DE": 24, "US": 20, "PT": 14, "GB": 12, "BR": 10, "IN": 8, "unknown": 5}


def _split(rng: random.Random, total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` clicks shared out over the values by weight, at random; the parts add up to `total`."""
    values = rng.choices(list(weights), weights=list(weights.values()), k=total)
    return {value: values.count(value) for value in weights if values.count(value)}


@transaction.atomic
def seed_click_history(*, creator_email: str) -> int:
    """Writes DAYS days of clicks on the creator's active links; returns how many days it wrote (0 when the
    creator is missing, has no link, or already has click history)."""
    creator = User.objects.filter(email=creator_email).first()
    if creator is None:
        return 0
    anchors = list(
        PortfolioAnchor.objects.filter(video__owner=creator, is_active=True).order_by("-video__published_at", "id")
    )
    if not anchors or LinkClickDaily.objects.filter(anchor__video__owner=creator).exists():
        return 0
    rng = random.Random(2026)
    today = timezone.now().date()
    daily, breakdowns, visitors = [], [], []
    for age in range(DAYS, 0, -1):
        day = today - timedelta(days=age)
        # A slow start that grows, with weekends busier than weekdays.
        base = 6 + (DAYS - age) // 2 + (5 if day.weekday() >= 5 else 0)
        day_uniques = 0
        for rank, anchor in enumerate(anchors):
            clicks = max(0, round(base / (rank + 1) + rng.randint(-3, 4)))
            if not clicks:
                continue
            uniques = max(1, clicks - rng.randint(0, clicks // 3))
            day_uniques += uniques
            daily.append(LinkClickDaily(anchor=anchor, day=day, clicks=clicks, unique_visitors=uniques))
            for dimension, weights in (
                (LinkClickBreakdownDaily.Dimension.REFERRER, REFERRERS),
                (LinkClickBreakdownDaily.Dimension.DEVICE, DEVICES),
                (LinkClickBreakdownDaily.Dimension.COUNTRY, COUNTRIES),
            ):
                breakdowns += [
                    LinkClickBreakdownDaily(anchor=anchor, day=day, dimension=dimension, value=value, clicks=count)
                    for value, count in _split(rng, clicks, weights).items()
                ]
        if day_uniques:
            # A visitor who clicked two of the creator's links counts once across them.
            visitors.append(CreatorVisitorsDaily(creator=creator, day=day, unique_visitors=day_uniques))
    LinkClickDaily.objects.bulk_create(daily)
    LinkClickBreakdownDaily.objects.bulk_create(breakdowns)
    CreatorVisitorsDaily.objects.bulk_create(visitors, ignore_conflicts=True)
    return DAYS
