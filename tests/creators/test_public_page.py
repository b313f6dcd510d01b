"""The public page /@<handle> as visitors and link previews see it: the creator first, one button, what is
empty left out, "Show more", the creator's theme and button, and the 1200×630 PNG card that social sites
show, read back with an outside Open Graph parser and opened with Pillow."""

import pytest

from portfolio.creators import services
from portfolio.creators.models import CreatorProfile
from tests.creators.conftest import link_account, make_creator, remote_videos, target_for
from tests.social import card_image, og_images, social_tags

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(creator, video_account, freelance_account):
    services.videos_sync(linked_account=video_account, videos=remote_videos(9))
    return services.anchors_attach(
        creator=creator, videos=list(video_account.videos.all()),
        target=target_for(creator, f"profile:{freelance_account.pk}"),
    )


def test_the_creator_comes_first_with_one_button_and_empty_sections_are_left_out(client, creator):
    """Regression: a new creator's page showed visitors "No portfolio projects yet." boxes."""
    page = client.get("/@casey-creator").content.decode()
    assert "<h1>Casey Creator</h1>" in page
    assert "Projects" not in page and "Videos</h2>" not in page
    assert "No portfolio projects yet" not in page and "No videos with a portfolio link yet" not in page
    assert "Hire me" not in page  # nothing to hire through yet
    assert "Log in" not in page and "Sign up" not in page  # the creator's page, not the site's menu


def test_a_long_page_shows_six_videos_and_keeps_the_rest_behind_show_more(client, published):
    page = client.get("/@casey-creator").content.decode()
    before, _, after = page.partition('<details class="show-more">')
    assert before.count('class="video-tile"') == 6
    assert "Show 3 more videos" in after and after.count('class="video-tile"') == 3


def test_the_creator_chooses_a_theme_and_their_own_button(
    client, creator, freelance_account, django_capture_on_commit_callbacks
):
    client.force_login(creator)
    client.get("/@casey-creator")  # cached with the default theme and button
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/creator/page/",
            {"theme": "forest", "cta_label": " Book  a call ", "cta_url": "https://cal.example/casey"}, follow=True,
        )
    assert "Your public page shows its new theme and button." in response.content.decode()
    client.logout()
    page = client.get("/@casey-creator").content.decode()
    assert 'class="creator-page-body theme-forest"' in page
    assert 'href="https://cal.example/casey" rel="noopener nofollow">Book a call</a>' in page
    assert "freelance.example/casey\" rel=\"noopener nofollow\">Hire me" not in page


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"theme": "neon", "cta_label": "", "cta_url": ""}, "Select a valid choice."),
        ({"theme": "ocean", "cta_label": "Shop", "cta_url": "http://shop.example/"},
         "The button&#x27;s address must be an https:// address."),
        ({"theme": "ocean", "cta_label": "", "cta_url": "https://shop.example/"}, "Give the button its words"),
    ],
)
def test_a_bad_theme_or_button_is_a_form_error_and_changes_nothing(client, creator, values, error):
    client.force_login(creator)
    response = client.post("/creator/page/", values)
    assert response.status_code == 400 and error in response.content.decode()
    profile = CreatorProfile.objects.get(user=creator)
    assert (profile.theme, profile.cta_label, profile.cta_url) == ("violet", "", "")


def test_the_database_refuses_an_unknown_theme_and_a_plain_http_button(creator):
    from django.db import IntegrityError, transaction

    profile = CreatorProfile.objects.get(user=creator)
    for field, value in (("theme", "neon"), ("cta_url", "http://shop.example/")):
        with pytest.raises(IntegrityError), transaction.atomic():
            CreatorProfile.objects.filter(pk=profile.pk).update(**{field: value})


def test_link_previews_get_a_wide_png_card_and_never_an_svg(client, published):
    """Regression: the first og:image was the avatar (an SVG in the demo) and twitter:card was "summary",
    so X, Facebook and LinkedIn showed no wide card."""
    html = client.get("/@casey-creator").content.decode()
    tags = social_tags(html)
    assert tags["og:image"].startswith("http://127.0.0.1:8000/@casey-creator/card.png?v=")
    assert (tags["og:image:width"], tags["og:image:height"], tags["og:image:type"]) == ("1200", "630", "image/png")
    assert og_images(html) == [tags["og:image"]]  # one image, the PNG
    assert tags["twitter:card"] == "summary_large_image" and tags["twitter:image"] == tags["og:image"]
    card = card_image(client, tags["og:image"])
    assert (card.format, card.size) == ("PNG", (1200, 630))


def test_the_card_is_drawn_once_and_again_after_a_change(
    client, creator, published, django_assert_num_queries, django_capture_on_commit_callbacks
):
    url = social_tags(client.get("/@casey-creator").content.decode())["og:image"]
    first = client.get(url.removeprefix("http://127.0.0.1:8000"))
    with django_assert_num_queries(0):  # the page's data and the drawing both come from the cache
        again = client.get(url.removeprefix("http://127.0.0.1:8000"))
    assert again.content == first.content and again["ETag"] == first["ETag"]
    # The monogram version while the avatar is fetched (test_public_page_card_picture.py): kept a minute.
    assert first["Cache-Control"] == "public, max-age=60"
    client.force_login(creator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/creator/profile/", {"display_name": "Casey Makes", "bio": "", "avatar_url": ""})
    client.logout()
    new_url = social_tags(client.get("/@casey-creator").content.decode())["og:image"]
    assert new_url != url
    assert client.get(new_url.removeprefix("http://127.0.0.1:8000")).content != first.content


def test_the_card_of_an_unknown_handle_is_404(client, db):
    assert client.get("/@nobody-here/card.png").status_code == 404


def test_another_creators_card_is_their_own(client, published):
    other = make_creator("robin@example.com", "Robin Other")
    link_account(other, provider_id="sandbox-video", role="videos", subject="sbx-v-9")
    mine = client.get("/@casey-creator/card.png")
    theirs = client.get(f"/@{other.creator_profile.handle}/card.png")
    assert mine["ETag"] != theirs["ETag"]
