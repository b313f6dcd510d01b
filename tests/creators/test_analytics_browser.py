"""The analytics page in Chromium: choosing 7, 30 or 90 days or custom dates, the top videos and the
tables of sites, devices and countries, on a phone (390 px) and a desktop (1280 px).

Screenshots go to test-results/analytics-*.png.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from portfolio.creators import services
from portfolio.creators.models import CreatorVisitorsDaily, LinkClickBreakdownDaily, LinkClickDaily
from tests import screenshots
from tests.creators.conftest import PASSWORD, link_account, make_creator, remote_videos, target_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


shoot = screenshots.shooter("analytics", fits=True)


@pytest.fixture
def casey(live_server):
    """A creator with three linked videos and 90 days of clicks, with their breakdowns."""
    casey = make_creator("casey@example.com", "Casey Creator")
    account = link_account(casey, provider_id="sandbox-video", role="videos", subject="sbx-v-1")
    services.videos_sync(linked_account=account, videos=remote_videos(3))
    videos = list(account.videos.order_by("platform_video_id"))
    anchors = services.anchors_attach(creator=casey, videos=videos, target=target_for(casey))
    today = timezone.now().date()
    referrers = ["tiktok.com", "direct", "instagram.com", "youtube.com"]
    devices = ["mobile", "mobile", "desktop", "tablet"]
    countries = ["GB", "PT", "US", "unknown"]
    for days_ago in range(90):
        day = today - timedelta(days=days_ago)
        for n, anchor in enumerate(anchors):
            count = (days_ago * 7 + n * 5) % 11 + (12 if n == 1 else 0)
            if not count:
                continue
            LinkClickDaily.objects.create(anchor=anchor, day=day, clicks=count, unique_visitors=max(1, count - 2))
            k = (days_ago + n) % 4
            for dimension, value in (("referrer", referrers[k]), ("device", devices[k]), ("country", countries[k])):
                LinkClickBreakdownDaily.objects.create(
                    anchor=anchor, day=day, dimension=dimension, value=value, clicks=count
                )
        CreatorVisitorsDaily.objects.create(creator=casey, day=day, unique_visitors=10 + days_ago % 6)
    return casey


def log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def headline(page) -> str:
    return page.locator("article header .grid").first.inner_text()


def test_the_creator_chooses_the_days_and_reads_the_breakdowns(page, casey):
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.fulfill(status=204))
    log_in(page, casey)
    page.get_by_role("link", name="Analytics").first.click()
    page.wait_for_url(re.compile(r"/creator/analytics/$"))
    assert "last 30 days" in page.locator("hgroup").inner_text()
    thirty = headline(page)
    breakdowns = page.get_by_role("region", name="Sites, devices and countries")
    assert breakdowns.get_by_role("heading", name="Referring sites").is_visible()
    assert breakdowns.locator("#breakdown-referrer").get_by_text("tiktok.com").is_visible()
    assert breakdowns.locator("#breakdown-referrer").get_by_text("Direct (no referring site)").is_visible()
    assert breakdowns.locator("#breakdown-device").get_by_text("Mobile").is_visible()
    countries = breakdowns.locator("#breakdown-country")
    for name in ("Portugal", "United Kingdom", "United States", "Unknown"):  # names, not ISO codes
        assert countries.get_by_text(name, exact=True).is_visible(), name
    assert countries.get_by_text("PT", exact=True).count() == 0
    top = page.locator("table.top-videos tbody tr")
    assert top.first.locator("td").nth(1).inner_text() == "Clip 2"  # the most clicked video leads
    shoot(page, "30-days")

    page.get_by_role("navigation", name="Days shown").get_by_role("link", name="7 days").click()
    page.wait_for_url(re.compile(r"range=7$"))
    assert "last 7 days" in page.locator("hgroup").inner_text()
    assert page.get_by_role("link", name="7 days").get_attribute("aria-current") == "page"
    assert headline(page) != thirty
    shoot(page, "7-days")

    page.get_by_role("link", name="90 days").click()
    page.wait_for_url(re.compile(r"range=90$"))
    assert "last 90 days" in page.locator("hgroup").inner_text()
    shoot(page, "90-days")

    today = timezone.now().date()
    start, end = today - timedelta(days=59), today - timedelta(days=45)
    page.get_by_label("First day").fill(start.isoformat())
    page.get_by_label("Last day").fill(end.isoformat())
    page.get_by_role("button", name="Show these days").click()
    page.wait_for_url(re.compile(r"range=custom"))
    assert f"{start:%d %b %Y} to {end:%d %b %Y}" in page.locator("hgroup").inner_text()
    assert page.get_by_label("First day").input_value() == start.isoformat()
    csv_link = page.get_by_role("button", name="Sites, devices and countries (CSV)")
    assert f"start={start.isoformat()}" in csv_link.get_attribute("href")
    shoot(page, "custom")

    page.get_by_label("First day").fill(end.isoformat())
    page.get_by_label("Last day").fill(start.isoformat())
    page.get_by_role("button", name="Show these days").click()
    alert = page.get_by_role("alert")
    assert "The first day must come before the last day" in alert.inner_text()
    assert "Showing the last 30 days instead." in alert.inner_text()
    assert headline(page) == thirty
    shoot(page, "wrong-range")
