"""The public page /@<handle> on a phone (390×844) and a desktop, with a demo-sized creator (23 projects, 25
videos): who the creator is and their button on the first screen, the page within three screens before
"Show more", and every theme readable (axe's colour-contrast check, WCAG AA). Screenshots of each theme go
to test-results/creators-public-<theme>-{phone,desktop}.png."""

from dataclasses import replace

import pytest
from playwright.sync_api import expect

from integrations.providers.types import PortfolioItem
from portfolio.creators import services
from portfolio.creators.models import CreatorProfile
from tests import screenshots
from tests.accessibility import assert_accessible
from tests.creators.conftest import CASEY_PROFILE, PASSWORD, link_account, make_creator, remote_videos, target_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
shoot = screenshots.shooter("creators-public", fits=True, leave_at="phone")


@pytest.fixture
def casey(live_server):
    creator = make_creator("casey@example.com", "Casey Creator")
    cover = f"{live_server.url}/static/sandbox/covers/cover-{{}}.svg"
    profile = replace(
        CASEY_PROFILE,
        location="Lisbon, Portugal",
        rate="$85 per hour",
        avatar_url=f"{live_server.url}/static/sandbox/avatars/casey.svg",
        portfolio_items=[
            PortfolioItem(id=f"p-{n}", title=f"Project {n}: a brand film", url=f"https://freelance.example/p-{n}",
                          cover_image_url=cover.format(n % 6 + 1))
            for n in range(1, 24)
        ],
    )
    link_account(creator, provider_id="sandbox-freelance", role="portfolio", subject="sbx-u-1", profile=profile)
    videos = link_account(creator, provider_id="sandbox-video", role="videos", subject="sbx-v-1")
    remote = [replace(video, cover_image_url=cover.format(n % 6 + 1)) for n, video in enumerate(remote_videos(25))]
    services.videos_sync(linked_account=videos, videos=remote)
    account = creator.linked_accounts.get(provider_id="sandbox-freelance")
    services.anchors_attach(creator=creator, videos=list(videos.videos.all()),
                            target=target_for(creator, f"profile:{account.pk}"))
    return creator


@pytest.mark.parametrize("theme", CreatorProfile.Theme.values)
def test_the_public_page_puts_the_creator_first_and_reads_well_in_every_theme(page, casey, theme):
    """Regression: on a phone the page was 8,200 px tall, with the site's Log in / Sign up above the creator
    and the call to action a text link beside the rate."""
    CreatorProfile.objects.filter(user=casey).update(theme=theme)
    page.set_viewport_size(PHONE)
    page.goto("/@casey-creator")
    cta = page.get_by_role("link", name="Hire me")
    expect(cta).to_be_visible()
    for first_screen in (page.get_by_role("heading", level=1), page.get_by_text("Motion designer"), cta):
        box = first_screen.bounding_box()
        assert box and box["y"] + box["height"] <= PHONE["height"], first_screen
    expect(page.get_by_role("link", name="Log in")).to_have_count(0)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= 3 * PHONE["height"], f"{height} px is more than three screens"
    assert_accessible(page, name=f"public-page-{theme}")
    shoot(page, theme)


def test_show_more_opens_the_rest_without_a_script(page, casey):
    page.set_viewport_size(PHONE)
    page.goto("/@casey-creator")
    expect(page.locator(".creator-videos .video-tile:visible")).to_have_count(6)
    page.get_by_text("Show 19 more videos").click()
    expect(page.locator(".creator-videos .video-tile:visible")).to_have_count(25)
    page.get_by_text("Show 19 more projects").click()
    expect(page.locator(".project-tile:visible")).to_have_count(23)
    assert_accessible(page, name="public-page-opened")
    shoot(page, "opened")


def test_the_creator_picks_a_theme_and_a_button_of_their_own(page, casey):
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(casey.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/creator/page/")
    page.get_by_label("Ocean").check()
    page.get_by_label("Button text").fill("Book a call")
    page.get_by_label("Button address").fill("http://cal.example/casey")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The button's address must be an https:// address.")).to_be_visible()
    assert_accessible(page, name="creator-page-look-error")
    shoot(page, "look-error")
    page.get_by_label("Button address").fill("https://cal.example/casey")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your public page shows its new theme and button.")
    shoot(page, "look")
    page.goto("/@casey-creator")
    expect(page.locator("body")).to_have_class("creator-page-body theme-ocean")
    expect(page.get_by_role("link", name="Book a call")).to_have_attribute("href", "https://cal.example/casey")
