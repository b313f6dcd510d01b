"""What people see of Reelfolio outside its pages: the icon in a browser tab or on a phone's home screen,
and the preview a shared link of a public page shows."""

import struct

import pytest
from django.contrib.staticfiles import finders

from portfolio.demo.seeding import demo_seed
from portfolio.jobs.models import Job
from tests.creators.conftest import make_creator
from tests.social import card_image, og_images, social_tags

pytestmark = pytest.mark.django_db


def png_size(path: str) -> tuple[int, int]:
    with open(path, "rb") as image:
        header = image.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_every_page_names_its_icons_and_the_files_are_there(client):
    page = client.get("/").content.decode()
    for name in ("favicon.ico", "favicon.svg", "apple-touch-icon.png"):
        assert f"/static/{name}" in page
        assert finders.find(name), name
    assert png_size(finders.find("apple-touch-icon.png")) == (180, 180)
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_a_shared_job_page_or_creator_page_previews_with_its_own_wide_png_card(client):
    """Regression: the demo's /@casey named its SVG avatar as the first og:image, and the job page its SVG
    cover, with twitter:card "summary": X, Facebook and LinkedIn showed no wide card."""
    demo_seed()
    job = Job.objects.get()
    make_creator("robin@example.com", "Robin Pictureless")  # a creator page without an avatar of its own
    for address in (f"/jobs/{job.slug}/", "/@casey", "/@robin-pictureless"):
        page = client.get(address).content.decode()
        tags = social_tags(page)
        assert og_images(page) == [tags["og:image"]], address  # one image: the page's card
        assert tags["og:image"].startswith(f"http://127.0.0.1:8000{address.rstrip('/')}/card.png?v="), address
        assert not tags["og:image"].endswith(".svg") and tags["og:image:type"] == "image/png"
        assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
        assert tags["twitter:card"] == "summary_large_image" and tags["twitter:image"] == tags["og:image"]
        card = card_image(client, tags["og:image"])
        assert (card.format, card.size) == ("PNG", (1200, 630)), address
    # Pages without a card of their own (none today among the public ones) fall back to Reelfolio's.
    assert png_size(finders.find("social-card.png")) == (1200, 630)
