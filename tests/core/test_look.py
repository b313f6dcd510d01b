"""What people see of Reelfolio outside its pages: the icon in a browser tab or on a phone's home screen,
and the preview a shared link of a public page shows."""

import struct

import pytest
from django.contrib.staticfiles import finders

from portfolio.demo.seeding import demo_seed
from portfolio.jobs.models import Job
from tests.creators.conftest import CASEY_PROFILE, link_account, make_creator

pytestmark = pytest.mark.django_db

SOCIAL_CARD = "http://127.0.0.1:8000/static/social-card.png"


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


def test_a_shared_job_page_or_creator_page_previews_with_a_wide_card(client):
    demo_seed()
    job = Job.objects.get()
    make_creator("robin@example.com", "Robin Pictureless")  # a creator page without an avatar of its own
    for address in (f"/jobs/{job.slug}/", "/@robin-pictureless"):
        page = client.get(address).content.decode()
        assert f'<meta property="og:image" content="{SOCIAL_CARD}">' in page, address
        assert '<meta property="og:image:width" content="1200">' in page
        assert '<meta name="twitter:card" content="summary_large_image">' in page
        assert f'<meta name="twitter:image" content="{SOCIAL_CARD}">' in page
    assert png_size(finders.find("social-card.png")) == (1200, 630)


def test_a_creator_page_with_an_avatar_previews_the_avatar_first(client):
    creator = make_creator("casey@example.com", "Casey Creator")
    link_account(creator, provider_id="sandbox-freelance", role="portfolio", subject="sbx-u-1", profile=CASEY_PROFILE)
    page = client.get("/@casey-creator").content.decode()
    avatar = '<meta property="og:image" content="https://cdn.freelance.example/casey.png">'
    assert avatar in page and page.index(avatar) < page.index(SOCIAL_CARD)
    assert '<meta name="twitter:card" content="summary">' in page
