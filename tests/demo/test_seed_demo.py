"""The demo shows its worth at first sight: 30 days of varied clicks on Casey's link (analytics is not a flat
zero chart) and applicants at every step of the review (the Applicants page is not empty until you apply
yourself); running seed_demo again adds nothing twice."""

import pytest
from django.core import mail
from django.db.models import Sum
from django.urls import reverse

from portfolio.accounts.models import User
from portfolio.creators.models import CreatorVisitorsDaily, LinkClickBreakdownDaily, LinkClickDaily
from portfolio.demo.seeding import demo_seed
from portfolio.jobs.models import Application, ApplicationNote, ApplicationStatusChange, Job

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (LinkClickDaily, LinkClickBreakdownDaily, CreatorVisitorsDaily, Application,
                      ApplicationStatusChange, ApplicationNote, User)
    )


def test_analytics_shows_thirty_days_of_varied_clicks_at_first_sight(client):
    demo_seed()
    casey = User.objects.get(email="creator@demo.reelfolio.test")
    days = LinkClickDaily.objects.filter(anchor__video__owner=casey)
    assert days.count() == 30 and days.aggregate(total=Sum("clicks"))["total"] > 300
    assert len(set(days.values_list("clicks", flat=True))) > 5  # a curve, not a flat line
    breakdowns = LinkClickBreakdownDaily.objects.filter(anchor__video__owner=casey)
    for dimension, at_least in (("referrer", 4), ("device", 3), ("country", 5)):
        assert breakdowns.filter(dimension=dimension).values("value").distinct().count() >= at_least
    for day in days:  # each dimension adds up to the day's clicks, as the fold writes them
        for dimension in ("referrer", "device", "country"):
            parts = breakdowns.filter(day=day.day, dimension=dimension).values_list("clicks", flat=True)
            assert sum(parts) == day.clicks

    client.force_login(casey)
    page = client.get(reverse("creators:analytics")).content.decode()
    assert "tiktok.com" in page and "Mobile" in page.title() and "Germany" in page


def test_the_applicants_page_is_full_at_first_sight(client):
    demo_seed()
    job = Job.objects.get(organization__slug="northwind-studio", status="published")
    statuses = sorted(Application.objects.filter(job=job).values_list("status", flat=True))
    assert statuses == ["interview", "new", "not_selected", "offer", "reviewing"]
    assert ApplicationNote.objects.filter(application__job=job).count() == 4
    # The demo's past is not mailed: nothing waits to be sent to the applicants or the organization.
    assert not ApplicationStatusChange.objects.filter(applicant_notified_at__isnull=True).exists()
    assert not Application.objects.filter(employer_notified_at__isnull=True).exists()
    assert mail.outbox == []
    offer = Application.objects.get(job=job, status="offer")
    assert [c.to_status for c in offer.status_changes.all()] == ["new", "reviewing", "interview", "offer"]

    client.force_login(User.objects.get(email="owner@demo.reelfolio.test"))
    page = client.get(reverse("jobs:review_dashboard", args=[job.pk])).content.decode()
    for name in ("Alex Rivera", "Priya Nair", "Tomás Silva", "Mei Chen", "Noah Becker"):
        assert name in page
    assert "Interview on Thursday with the director." in page


def test_seed_demo_twice_adds_nothing_twice():
    demo_seed()
    first = _counts()
    demo_seed()
    assert _counts() == first


def test_the_tour_applicants_stay_free_to_apply():
    """jordan and sam, the sandbox's applicants in the tour, have not applied: the tour's step 8 works."""
    demo_seed()
    assert not Application.objects.filter(applicant__email__contains="jordan").exists()
