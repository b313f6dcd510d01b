"""The Content-Security-Policy in a real browser: Swagger UI renders the API's operations, and the creator's
pages (charts, the account menu, the scripts of My videos) work, without a single CSP violation.

Screenshots at phone (390 px) and desktop (1280 px) widths go to test-results/.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from portfolio.creators import services
from portfolio.creators.models import LinkClickDaily
from tests import screenshots
from tests.creators.conftest import CASEY_PROFILE, PASSWORD, link_account, make_creator, remote_videos, target_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


shoot = screenshots.shooter("csp")


@pytest.fixture
def console_errors(page):
    """Every console error and uncaught script error of the page (CSP violations are reported as errors)."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The test videos' covers point at made-up hosts: refuse them here, quietly, rather than try the network.
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.fulfill(status=204))
    return errors


def test_swagger_ui_renders_the_operations_under_the_csp(page, live_server, console_errors):
    response = page.goto("/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_text("Anchors to render on videos (ids in a JSON body)").wait_for()
    page.get_by_text("/api/v1/anchors/lookup", exact=True).click()  # an operation opens, with its body schema
    page.get_by_text("Request body").wait_for()
    assert page.locator(".opblock").count() >= 20
    shoot(page, "api-docs")
    assert console_errors == []


def test_the_creators_pages_work_under_the_csp(page, live_server, console_errors):
    casey = make_creator("casey@example.com", "Casey Creator")
    account = link_account(casey, provider_id="sandbox-video", role="videos", subject="sbx-v-1")
    services.videos_sync(linked_account=account, videos=remote_videos(3))
    videos = list(account.videos.order_by("platform_video_id"))
    anchors = services.anchors_attach(creator=casey, videos=videos[:2], target=target_for(casey))
    today = timezone.now().date()
    for days_ago, clicks in ((0, 7), (3, 2), (9, 4)):
        LinkClickDaily.objects.create(
            anchor=anchors[0], day=today - timedelta(days=days_ago), clicks=clicks, unique_visitors=clicks - 1
        )
    LinkClickDaily.objects.create(anchor=anchors[1], day=today, clicks=3, unique_visitors=2)
    link_account(casey, provider_id="sandbox-freelance", role="portfolio", subject="sbx-u-1", profile=CASEY_PROFILE)

    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(casey.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto("/creator/analytics/")
    assert page.locator("svg").count() == 3  # the charts are drawn, in total and per video
    shoot(page, "analytics")

    page.goto("/creator/videos/")
    page.get_by_label("Select all videos on this page").check()  # video_list.js runs
    assert page.locator('input[name="video"]:checked').count() == 3
    page.get_by_label("Select all videos on this page").uncheck()
    page.get_by_text("Casey", exact=True).click()  # the account menu opens
    page.get_by_role("button", name="Log out").wait_for()
    shoot(page, "videos-menu")
    assert console_errors == []


def test_the_admin_login_works_under_the_csp(page, live_server, console_errors):
    response = page.goto("/admin/login/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["permissions-policy"].startswith("camera=()")
    page.get_by_role("button", name="Log in").wait_for()
    assert console_errors == []
