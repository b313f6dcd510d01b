"""Links a creator controls, in Chromium: search, filter and pages of My videos, the Copy button, the QR code
downloads, "Another address" as a target, and the confirmation of "Attach to all my videos".

Screenshots at phone (390 px) and desktop (1280 px) widths go to test-results/.
"""

import io
import re

import pytest
import segno
import zxingcpp
from PIL import Image

from portfolio.creators import services
from portfolio.creators.models import PortfolioAnchor, Video
from tests import screenshots
from tests.creators.conftest import CASEY_PROFILE, PASSWORD, link_account, make_creator, remote_videos, target_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


shoot = screenshots.shooter("links", fits=True, leave_at="desktop")


@pytest.fixture
def casey(live_server, settings):
    settings.SITE_URL = live_server.url
    creator = make_creator("casey@example.com", "Casey Creator")
    account = link_account(creator, provider_id="sandbox-video", role="videos", subject="sbx-v-1")
    services.videos_sync(linked_account=account, videos=remote_videos(50))
    freelance = link_account(
        creator, provider_id="sandbox-freelance", role="portfolio", subject="sbx-u-1", profile=CASEY_PROFILE
    )
    # Covers the live server serves (the sandbox partner's), so the screenshots show real images.
    for number, video in enumerate(Video.objects.filter(owner=creator).order_by("pk"), start=1):
        Video.objects.filter(pk=video.pk).update(
            cover_image_url=f"{live_server.url}/static/sandbox/covers/cover-{number % 6 + 1}.svg"
        )
    clip = Video.objects.get(owner=creator, title="Clip 50")
    services.anchors_attach(creator=creator, videos=[clip], target=target_for(creator, f"project:{freelance.pk}:p-1"))
    creator.freelance = freelance
    return creator


@pytest.fixture
def console_errors(page):
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"), lambda route: route.fulfill(status=204))
    return errors


@pytest.fixture
def signed_in(page, casey, console_errors):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.set_viewport_size({"width": screenshots.WIDTHS["desktop"], "height": 900})
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(casey.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def titles(page) -> list[str]:
    return page.locator(".video-table .video-cell strong").all_inner_texts()


def test_search_filter_sort_and_pages_of_my_videos(signed_in, casey, console_errors):
    page = signed_in
    page.goto("/creator/videos/")
    assert page.get_by_role("status").filter(has_text="50 videos").inner_text() == "50 videos · page 1 of 2"
    assert len(titles(page)) == 48
    assert "Sandbox Video · " in page.locator(".video-table tbody tr").first.inner_text()
    shoot(page, "my-videos")

    page.get_by_role("link", name="Next").click()
    assert titles(page) == ["Clip 2", "Clip 1"]

    page.get_by_label("Search titles").fill("clip 4")
    page.get_by_label("Sort").select_option(label="Title, A to Z")
    page.get_by_role("button", name="Apply").click()
    assert titles(page) == ["Clip 4", *(f"Clip {n}" for n in range(40, 50))]
    assert page.get_by_label("Search titles").input_value() == "clip 4"  # the form keeps what was chosen

    page.get_by_label("Show").select_option(label="With a link")
    page.get_by_role("button", name="Apply").click()
    assert titles(page) == []
    assert "No videos match “clip 4” among those with a link." in page.locator(".empty-state").inner_text()
    shoot(page, "no-match")
    page.get_by_role("button", name="Show all videos").click()
    assert len(titles(page)) == 48

    page.get_by_label("Show").select_option(label="With a link")
    page.get_by_role("button", name="Apply").click()
    assert titles(page) == ["Clip 50"]
    assert page.locator(".clicks-30d").all_inner_texts() == ["0"]
    assert console_errors == []


def test_copy_the_short_link_and_download_its_qr_code(signed_in, casey, live_server, tmp_path, console_errors):
    page = signed_in
    anchor = PortfolioAnchor.objects.get(video__owner=casey)
    short_link = f"{live_server.url}/l/{anchor.code}"
    page.goto("/creator/videos/?link=with")

    page.get_by_role("button", name="Copy the short link of “Clip 50”").click()
    assert page.get_by_role("status").filter(has_text="Copied").inner_text() == "Copied"
    assert page.evaluate("navigator.clipboard.readText()") == short_link

    with page.expect_download() as svg_download:
        page.get_by_role("link", name="SVG of “Clip 50”").click()
    svg = svg_download.value
    assert svg.suggested_filename == f"reelfolio-qr-clip-50-{anchor.code}.svg"
    svg.save_as(tmp_path / "qr.svg")
    assert f"<title>{short_link}</title>" in (tmp_path / "qr.svg").read_text()

    with page.expect_download() as png_download:
        page.get_by_role("link", name="PNG of “Clip 50”").click()
    png = png_download.value
    assert png.suggested_filename == f"reelfolio-qr-clip-50-{anchor.code}.png"
    png.save_as(tmp_path / "qr.png")
    image = Image.open(io.BytesIO((tmp_path / "qr.png").read_bytes()))
    assert image.format == "PNG"
    assert image.size == segno.make_qr(short_link, error="m").symbol_size(scale=10, border=4)
    assert [result.text for result in zxingcpp.read_barcodes(image)] == [short_link]

    # The link's own page shows the code too, and copies the same address.
    page.get_by_role("link", name="Change the link of “Clip 50”").click()
    # A function, not a string: the page's CSP forbids evaluating strings.
    assert page.locator("img.qr-preview").evaluate(
        """img => img.complete ? img.naturalWidth > 0 : new Promise((done) => {
             img.addEventListener("load", () => done(img.naturalWidth > 0));
             img.addEventListener("error", () => done(false));
           })"""
    )
    page.get_by_role("button", name="Copy the short link").click()
    page.get_by_role("status").filter(has_text="Copied").wait_for()
    shoot(page, "link-form")
    assert console_errors == []


def test_another_address_as_the_target_of_selected_videos(signed_in, casey, console_errors):
    page = signed_in
    page.goto("/creator/videos/?q=Clip 1&sort=oldest")
    address = page.get_by_label("The other address")
    assert not address.is_visible()  # shown only for "Another address"
    page.get_by_label("Where the link leads").select_option(label="Another address: a site of my own (https://…)")
    assert address.is_visible()
    address.fill("http://www.casey.example/")
    page.get_by_label("Select “Clip 1”", exact=True).check()
    page.get_by_role("button", name="Attach to selected").click()
    assert "Only https:// addresses can be link targets" in page.locator(".custom-url .field-error").inner_text()
    assert address.is_visible()
    shoot(page, "custom-error")

    address.fill("https://www.casey.example/work")
    page.get_by_label("Select “Clip 1”", exact=True).check()
    page.get_by_role("button", name="Attach to selected").click()
    assert "“View My Portfolio” is on 1 video." in page.locator(".messages").inner_text()
    assert page.url.endswith("/creator/videos/?q=Clip%201&sort=oldest")  # back to the same search
    clip = PortfolioAnchor.objects.get(video__title="Clip 1")
    assert (clip.target_kind, clip.target_url) == ("custom_url", "https://www.casey.example/work")
    # The refused address was answered 400, as every form error is; nothing else went wrong.
    assert console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]


def test_attach_to_all_asks_before_replacing_the_link_set_by_hand(signed_in, casey, console_errors):
    page = signed_in
    hand_set = PortfolioAnchor.objects.get(video__owner=casey)
    page.goto("/creator/videos/")
    page.get_by_label("Where the link leads").select_option(label="My profile on Sandbox Freelance (Casey Creator)")
    page.get_by_role("button", name="Attach to all my videos").click()
    page.get_by_role("heading", name="Replace 1 link set by hand?").wait_for()
    assert "49 videos without a link would get one" in page.locator("main").inner_text()
    shoot(page, "attach-all-confirm")

    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(re.compile(r"/creator/videos/$"))
    assert PortfolioAnchor.objects.count() == 1
    hand_set.refresh_from_db()
    assert hand_set.target_url == "https://freelance.example/casey/p-1"

    page.get_by_label("Where the link leads").select_option(label="My profile on Sandbox Freelance (Casey Creator)")
    page.get_by_role("button", name="Attach to all my videos").click()
    page.get_by_role("button", name="Only the 49 without a link").click()
    assert (
        "“View My Portfolio” is on 49 videos. The 1 link you set by hand is unchanged."
        in page.locator(".messages").inner_text()
    )
    hand_set.refresh_from_db()
    assert hand_set.target_url == "https://freelance.example/casey/p-1"
    assert PortfolioAnchor.objects.filter(target_url="https://freelance.example/casey").count() == 49
    assert console_errors == []


def test_attach_to_selected_asks_before_replacing_a_link_set_by_hand(signed_in, casey, console_errors):
    page = signed_in
    hand_set = PortfolioAnchor.objects.get(video__owner=casey)
    page.goto("/creator/videos/?q=Clip 5&sort=title")
    page.get_by_label("Where the link leads").select_option(label="My profile on Sandbox Freelance (Casey Creator)")
    page.get_by_label("Select “Clip 5”", exact=True).check()
    page.get_by_label("Select “Clip 50”", exact=True).check()
    page.get_by_role("button", name="Attach to selected").click()
    page.get_by_role("heading", name="Replace 1 link set by hand?").wait_for()
    assert "would point the 2 videos you selected at" in page.locator("main").inner_text()
    assert "1 video without a link would get one" in page.locator("main").inner_text()
    shoot(page, "attach-selected-confirm")
    hand_set.refresh_from_db()
    assert hand_set.target_url == "https://freelance.example/casey/p-1"  # asking changed nothing
    assert PortfolioAnchor.objects.count() == 1

    page.get_by_role("button", name="Replace 1 and attach to the 2 selected").click()
    assert "“View My Portfolio” is on 2 videos." in page.locator(".messages").inner_text()
    assert page.url.endswith("/creator/videos/?q=Clip%205&sort=title")
    hand_set.refresh_from_db()
    assert hand_set.target_url == "https://freelance.example/casey"
    assert PortfolioAnchor.objects.filter(target_url="https://freelance.example/casey").count() == 2
    assert console_errors == []


CUT_SHORT = """() => {
  const ruler = document.createElement("canvas").getContext("2d");
  return Array.from(document.querySelectorAll(".video-filters select, .video-filters input")).flatMap((el) => {
    const style = getComputedStyle(el);
    ruler.font = style.font;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const texts = el.tagName === "SELECT" ? Array.from(el.options).map((o) => o.text) : [el.placeholder];
    const box = el.getBoundingClientRect();
    const outside = box.left < 0 || box.right > document.documentElement.clientWidth ? [`${el.name}: off screen`] : [];
    return outside.concat(
      texts.filter((t) => ruler.measureText(t).width > room).map((t) => `${el.name}: “${t}” in ${room}px`)
    );
  });
}"""


def test_the_search_filter_and_sort_controls_show_their_whole_text_on_a_phone(signed_in, casey, console_errors):
    """On a 390-px phone the sort select showed “Most clicks in 3”: every choice of every control now fits,
    at phone, tablet and desktop widths."""
    page = signed_in
    page.goto("/creator/videos/?q=Clip&link=with&sort=clicks")
    for width in (390, 360, 768, 1024, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(CUT_SHORT) == [], width
    page.set_viewport_size({"width": 390, "height": 900})
    sort = page.get_by_label("Sort")
    assert sort.evaluate("el => el.options[el.selectedIndex].text") == "Most clicks in 30 days"
    shoot(page, "filters")
    assert console_errors == []
