"""The creator's link-preview card shows their avatar, round beside the name, once a task has fetched it from a
server of its own (a local one here, on loopback, which the SSRF guard lets through as in the demo); the page
and the card themselves never fetch anything. An avatar that cannot be shown safely (an SVG, too large, not
an image, a server that is not there, an address the guard refuses) leaves the monogram."""

import struct
import zlib
from dataclasses import replace

import pytest

from portfolio.celery import app as celery_app
from portfolio.creators.tasks import social_card_draw_task
from tests.creators.conftest import CASEY_PROFILE, link_account, make_creator
from tests.social import card_image, closed_port_url, near, pixel, social_tags, solid_png

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
AVATAR = (12, 200, 140)
VIOLET = (0x5B, 0x3F, 0xC4)  # the default theme's accent: the monogram's disc
# In the round beside the name, above the monogram's letters; and just outside the round.
IN_THE_ROUND, OUTSIDE_THE_ROUND = (190, 130), (84, 114)
PAPER = (250, 250, 252)
PNG = {"Content-Type": "image/png"}


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height pixels (a decompression bomb's), with no pixels after it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def with_avatar(email: str, name: str, url: str, subject: str):
    creator = make_creator(email, name)
    link_account(
        creator, provider_id="sandbox-freelance", role="portfolio", subject=subject,
        profile=replace(CASEY_PROFILE, display_name=name, avatar_url=url),
    )
    return creator


def card_address(client, handle: str) -> str:
    return social_tags(client.get(f"/@{handle}").content.decode())["og:image"].removeprefix(SITE)


def test_the_card_shows_the_avatar_once_the_task_fetched_it_and_the_page_fetches_nothing(client, picture_server):
    picture_server.answers["/casey.png"] = (200, PNG, solid_png(AVATAR))
    with_avatar("casey@example.com", "Casey Creator", picture_server.url("/casey.png"), "sbx-u-1")

    address = card_address(client, "casey-creator")
    first = client.get(address)
    monogram = card_image(client, address)
    assert picture_server.seen == []  # neither the page nor its card fetched the avatar
    assert near(pixel(monogram, IN_THE_ROUND), VIOLET)  # the monogram, in the meantime
    assert first["Cache-Control"] == "public, max-age=60"  # ...kept a minute only by previews

    social_card_draw_task.apply(args=["casey-creator"])
    assert picture_server.seen == ["/casey.png"]
    response = client.get(address)
    assert response["Cache-Control"] == "public, max-age=86400" and response["ETag"] != first["ETag"]
    assert response.content != first.content
    card = card_image(client, address)
    assert near(pixel(card, IN_THE_ROUND), AVATAR)  # the avatar, where the monogram was
    assert near(pixel(card, OUTSIDE_THE_ROUND), PAPER)  # ...in a round
    assert card_address(client, "casey-creator") == address  # the same address: the digest covers the avatar's
    assert picture_server.seen == ["/casey.png"]


def test_two_cards_with_one_avatar_fetch_it_once(client, picture_server):
    picture_server.answers["/shared.png"] = (200, PNG, solid_png(AVATAR))
    with_avatar("casey@example.com", "Casey Creator", picture_server.url("/shared.png"), "sbx-u-1")
    robin = with_avatar("robin@example.com", "Robin Other", picture_server.url("/shared.png"), "sbx-u-2")
    handle = robin.creator_profile.handle
    social_card_draw_task.apply(args=["casey-creator"])
    social_card_draw_task.apply(args=[handle])
    assert picture_server.seen == ["/shared.png"]
    assert near(pixel(card_image(client, card_address(client, handle)), IN_THE_ROUND), AVATAR)


@pytest.mark.parametrize(
    ("case", "answer"),
    [
        ("an SVG", (200, {"Content-Type": "image/svg+xml"}, b'<svg xmlns="http://www.w3.org/2000/svg"/>')),
        ("an SVG called a PNG", (200, PNG, b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')),
        ("a body past 5 MB", (200, PNG, solid_png(AVATAR) + b"\0" * (5 * 1024 * 1024))),
        ("a length past 5 MB", (200, {**PNG, "Content-Length": str(6 * 1024 * 1024)}, b"")),
        ("a page", (200, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>")),
        ("a broken PNG", (200, PNG, solid_png(AVATAR)[:40])),
        ("a decompression bomb", (200, PNG, png_claiming(30_000, 30_000))),
        ("past Pillow's warning", (200, PNG, png_claiming(10_000, 10_000))),
        ("a redirect", (302, {"Location": "/elsewhere.png"}, b"")),
        ("an error", (500, PNG, solid_png(AVATAR))),
    ],
)
def test_an_avatar_that_cannot_be_shown_leaves_the_monogram(client, picture_server, case, answer):
    picture_server.answers["/avatar"] = answer
    picture_server.answers["/elsewhere.png"] = (200, PNG, solid_png(AVATAR))
    with_avatar("casey@example.com", "Casey Creator", picture_server.url("/avatar"), "sbx-u-1")
    address = card_address(client, "casey-creator")
    provisional = client.get(address)

    social_card_draw_task.apply(args=["casey-creator"])
    assert picture_server.seen == ["/avatar"], case  # asked once, no redirect followed
    response = client.get(address)
    assert response["Cache-Control"] == "public, max-age=86400", case
    assert response.content == provisional.content, case  # the monogram card
    assert near(pixel(card_image(client, address), IN_THE_ROUND), VIOLET), case


def test_an_avatar_on_a_server_that_is_not_there_or_on_a_refused_address_leaves_the_monogram(
    client, picture_server, settings
):
    with_avatar("casey@example.com", "Casey Creator", closed_port_url("/casey.png"), "sbx-u-1")
    social_card_draw_task.apply(args=["casey-creator"])
    assert near(pixel(card_image(client, card_address(client, "casey-creator")), IN_THE_ROUND), VIOLET)

    settings.WEBHOOK_ALLOWED_NETWORKS = []  # loopback is no public address: the guard refuses it
    picture_server.answers["/robin.png"] = (200, PNG, solid_png(AVATAR))
    robin = with_avatar("robin@example.com", "Robin Other", picture_server.url("/robin.png"), "sbx-u-2")
    handle = robin.creator_profile.handle
    social_card_draw_task.apply(args=[handle])
    assert picture_server.seen == []
    assert near(pixel(card_image(client, card_address(client, handle)), IN_THE_ROUND), VIOLET)


@pytest.fixture
def eager_celery():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_a_change_to_the_card_draws_it_with_the_avatar_once_it_commits(
    client, picture_server, eager_celery, django_capture_on_commit_callbacks
):
    """A task enqueued when the change commits draws the new card, so its first visitor sees the avatar."""
    picture_server.answers["/casey.png"] = (200, PNG, solid_png(AVATAR))
    creator = with_avatar("casey@example.com", "Casey Creator", picture_server.url("/casey.png"), "sbx-u-1")
    client.force_login(creator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/creator/page/", {"theme": "forest", "cta_label": "", "cta_url": ""})
    client.logout()
    assert picture_server.seen == ["/casey.png"]
    address = card_address(client, "casey-creator")
    assert client.get(address)["Cache-Control"] == "public, max-age=86400"
    card = card_image(client, address)
    assert near(pixel(card, IN_THE_ROUND), AVATAR)
    assert near(pixel(card, (600, 6)), (0x2A, 0x6B, 0x3C))  # the forest theme's stripe
