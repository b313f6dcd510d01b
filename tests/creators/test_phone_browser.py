"""The creator's pages on a phone (390 px wide, like an iPhone 14): nothing wider than the screen, and
"Select all" on My videos ticks every video of the page."""

import re

import pytest

from portfolio.creators import services
from tests.creators.conftest import CASEY_PROFILE, PASSWORD, link_account, make_creator, remote_videos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def casey(live_server):
    creator = make_creator("casey@example.com", "Casey Creator")
    account = link_account(creator, provider_id="sandbox-video", role="videos", subject="sbx-v-1")
    services.videos_sync(linked_account=account, videos=remote_videos(3))
    link_account(creator, provider_id="sandbox-freelance", role="portfolio", subject="sbx-u-1", profile=CASEY_PROFILE)
    return creator


@pytest.fixture
def phone(page, live_server, casey):
    # The test videos' covers point at made-up hosts: answer them locally instead of trying the network.
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.abort())
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(casey.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_every_creator_page_fits_a_phone_screen(phone, casey):
    handle = casey.creator_profile.handle
    for path in ("/", "/integrations/oauth/", "/creator/videos/", "/creator/analytics/", "/creator/settings/",
                 f"/@{handle}"):
        phone.goto(path)
        assert page_width(phone) <= PHONE["width"], f"{path} is wider than the phone"
    phone.get_by_text("Casey", exact=True).click()  # the account menu stays on screen, top right
    logout = phone.get_by_role("button", name="Log out").bounding_box()
    assert logout["x"] >= 0 and logout["x"] + logout["width"] <= PHONE["width"]


def test_select_all_on_a_phone_attaches_the_link_to_every_video_of_the_page(phone):
    phone.goto("/creator/videos/")
    phone.get_by_label("Select all videos on this page").check()
    assert phone.locator('input[name="video"]:checked').count() == 3
    phone.get_by_role("button", name="Attach to selected").click()
    assert "“View My Portfolio” is on 3 videos." in phone.locator(".messages").inner_text()
    assert phone.get_by_role("link", name=re.compile("^Detach")).count() == 3
