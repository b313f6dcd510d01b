"""Links a creator controls: any https address as a target, the QR code of each short link, "Attach to all"
that asks before it replaces links set by hand, and My videos with search, filter, sort, pages and clicks."""

import io
import re
from datetime import timedelta

import pytest
import segno
import zxingcpp
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from PIL import Image

from common.errors import ApplicationError
from portfolio.creators import selectors, services
from portfolio.creators.models import LinkClickDaily, PortfolioAnchor, Video
from tests.creators.conftest import BROWSER_UA, remote_videos, target_for

pytestmark = pytest.mark.django_db

SITE = "https://www.casey.example/work"


@pytest.fixture
def logged_in(client, creator):
    client.force_login(creator)
    return client


def custom(url: str = SITE):
    return selectors.custom_target(url=url)


# --- Any https address as a target -------------------------------------------------------------------------


def test_a_creator_points_a_link_at_their_own_site_and_the_short_link_leads_there(logged_in, client, videos):
    response = logged_in.post(
        f"/creator/videos/{videos[0].pk}/link/", {"target": "custom", "custom_url": f"  {SITE}  "}, follow=True
    )
    assert "“View My Portfolio” is on “Clip 1”." in response.content.decode()
    anchor = PortfolioAnchor.objects.get()
    assert (anchor.target_kind, anchor.target_url, anchor.linked_account) == ("custom_url", SITE, None)
    assert Client().get(f"/l/{anchor.code}", HTTP_USER_AGENT=BROWSER_UA)["Location"] == SITE
    page = logged_in.get("/creator/videos/").content.decode()
    assert "An address of my choice" in page
    # The change form shows the address again, chosen.
    form = logged_in.get(f"/creator/videos/{videos[0].pk}/link/").content.decode()
    assert re.search(r'value="custom"[^>]*\bchecked\b', form)
    assert f'value="{SITE}"' in form


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "Enter the address the link leads to, starting with https://."),
        ("http://www.casey.example/", "Only https:// addresses can be link targets"),
        ("javascript:alert(1)", "Only https:// addresses can be link targets"),
        ("https://casey example/", "contains spaces or control characters"),
        ("https://portfolio/p-9", "This target&#x27;s address is not a valid web address."),
        ("https://127.0.0.1:8000/l/AbCdEf1234", "cannot lead to another Reelfolio short link"),
        ("https://127.0.0.1:8000/@casey-creator", "This is your own Reelfolio page, where the link is shown"),
        ("https://127.0.0.1/@Casey-Creator/", "This is your own Reelfolio page, where the link is shown"),
        ("https://127.0.0.1:8000@evil.example/", "has a user name or password in it"),
    ],
)
def test_a_custom_address_that_is_not_a_fit_is_a_form_error_and_changes_nothing(logged_in, videos, url, message):
    response = logged_in.post(f"/creator/videos/{videos[0].pk}/link/", {"target": "custom", "custom_url": url})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    # The message stands under the address field, which keeps what was typed.
    assert re.search(r'id="id_custom_url_errors"', page)
    assert not PortfolioAnchor.objects.exists()


def test_a_handle_the_creator_left_still_counts_as_their_page(creator, videos):
    """/@<old handle> redirects to the creator's page: a link there would go round through the redirect."""
    services.creator_profile_update(profile=creator.creator_profile, handle="casey-makes")
    with pytest.raises(ApplicationError, match="This is your own Reelfolio page"):
        services.anchors_attach(creator=creator, videos=[videos[0]], target=custom("https://127.0.0.1:8000/@casey-creator"))
    assert not PortfolioAnchor.objects.exists()


def test_another_creators_page_is_a_fine_target(creator, videos, other_creator):
    [anchor] = services.anchors_attach(
        creator=creator, videos=[videos[0]], target=custom("https://127.0.0.1:8000/@robin-other")
    )
    assert anchor.target_kind == "custom_url"


def test_the_database_refuses_a_custom_target_that_is_not_https(creator, videos):
    """The https rule holds in the database too, whatever writes the row."""
    with pytest.raises(IntegrityError), transaction.atomic():
        PortfolioAnchor.objects.create(
            video=videos[0], code="AbCdEf1234", target_kind="custom_url", target_url="http://www.casey.example/"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PortfolioAnchor.objects.create(
            video=videos[0], code="AbCdEf1235", target_kind="somewhere", target_url="https://www.casey.example/"
        )


def test_attach_to_selected_videos_with_a_custom_address(logged_in, videos):
    response = logged_in.post(
        "/creator/videos/",
        {"bulk-target": "custom", "bulk-custom_url": SITE, "video": [videos[0].pk, videos[1].pk], "scope": "selected"},
        follow=True,
    )
    assert "“View My Portfolio” is on 2 videos." in response.content.decode()
    assert set(PortfolioAnchor.objects.values_list("target_url", flat=True)) == {SITE}


def test_a_bad_custom_address_on_the_bulk_form_is_shown_under_it(logged_in, videos):
    response = logged_in.post(
        "/creator/videos/", {"bulk-target": "custom", "bulk-custom_url": "http://www.casey.example/", "scope": "all"}
    )
    assert response.status_code == 400
    assert 'id="id_bulk-custom_url_errors"' in response.content.decode()
    assert not PortfolioAnchor.objects.exists()


def test_a_freelance_account_unlinked_leaves_custom_links_alone(creator, videos, freelance_account):
    [mine] = services.anchors_attach(creator=creator, videos=[videos[0]], target=custom())
    services.linked_account_unlinked(linked_account=freelance_account)
    mine.refresh_from_db()
    assert (mine.target_kind, mine.target_url) == ("custom_url", SITE)


# --- QR codes -------------------------------------------------------------------------------------------


@pytest.fixture
def anchor(creator, videos):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=custom())
    return anchor


def test_the_owner_downloads_the_qr_code_as_png_and_it_reads_as_the_full_short_link(logged_in, anchor, settings):
    response = logged_in.get(f"/creator/videos/{anchor.video_id}/link/qr.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="reelfolio-qr-clip-1-{anchor.code}.png"'
    assert response["Cache-Control"] == "private, max-age=86400"
    short_link = f"{settings.SITE_URL}/l/{anchor.code}"
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    # 10 px a module, with the 4-module quiet zone the standard asks for.
    assert image.size == segno.make_qr(short_link, error="m").symbol_size(scale=10, border=4)
    assert [result.text for result in zxingcpp.read_barcodes(image)] == [short_link]


def test_the_owner_downloads_the_qr_code_as_svg(logged_in, anchor, settings):
    response = logged_in.get(f"/creator/videos/{anchor.video_id}/link/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == f'attachment; filename="reelfolio-qr-clip-1-{anchor.code}.svg"'
    svg = response.content.decode()
    assert svg.startswith("<?xml") and "<svg" in svg
    assert f"<title>{settings.SITE_URL}/l/{anchor.code}</title>" in svg


def test_only_the_owner_gets_the_qr_code(client, anchor, other_creator, creator, django_capture_on_commit_callbacks):
    url = f"/creator/videos/{anchor.video_id}/link/qr.png"
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(other_creator)
    assert client.get(url).status_code == 404
    assert client.get(url.replace(".png", ".svg")).status_code == 404
    # A detached link has no code to print.
    client.force_login(creator)
    services.anchor_detach(creator=creator, anchor=anchor)
    assert client.get(url).status_code == 404


def test_my_videos_offers_copy_and_qr_downloads_for_each_link(logged_in, anchor, settings):
    page = logged_in.get("/creator/videos/").content.decode()
    assert f'data-copy="{settings.SITE_URL}/l/{anchor.code}"' in page
    assert f'href="/creator/videos/{anchor.video_id}/link/qr.svg" download' in page
    assert f'href="/creator/videos/{anchor.video_id}/link/qr.png" download' in page
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))  # no inline script: the CSP


# --- Attach to all asks before replacing links set by hand ------------------------------------------------


@pytest.fixture
def hand_set(creator, videos, freelance_account):
    """One video leads to a project, chosen by hand; one has a detached link; one has none."""
    [project] = services.anchors_attach(
        creator=creator, videos=[videos[0]], target=target_for(creator, f"project:{freelance_account.pk}:p-1")
    )
    [detached] = services.anchors_attach(creator=creator, videos=[videos[1]], target=custom())
    services.anchor_detach(creator=creator, anchor=detached)
    return project


def test_attach_to_all_asks_first_and_says_how_many_it_would_replace(logged_in, hand_set, freelance_account):
    before = list(PortfolioAnchor.objects.order_by("pk").values_list("target_url", "is_active"))
    response = logged_in.post(
        "/creator/videos/?q=Clip&sort=title", {"bulk-target": f"profile:{freelance_account.pk}", "scope": "all"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Replace 1 link set by hand?" in page
    assert "would point all 3 at <strong>My profile on Sandbox Freelance (Casey Creator)</strong>" in page
    assert "<strong>2</strong> videos without a link would get one" in page
    assert "1 of them had a link you detached" in page
    assert "Only the 2 without a link" in page
    # Cancel goes back to the list as it was (search and sort kept), and nothing changed.
    assert 'href="/creator/videos/?q=Clip&amp;sort=title">Cancel</a>' in page
    assert list(PortfolioAnchor.objects.order_by("pk").values_list("target_url", "is_active")) == before


def test_confirming_replaces_the_links_set_by_hand(logged_in, hand_set, freelance_account, videos):
    response = logged_in.post(
        "/creator/videos/",
        {"bulk-target": f"profile:{freelance_account.pk}", "scope": "all", "replace": "all", "confirmed_replaced": "1"},
        follow=True,
    )
    assert "“View My Portfolio” is on 3 videos." in response.content.decode()
    assert set(PortfolioAnchor.objects.values_list("target_url", "is_active")) == {
        ("https://freelance.example/casey", True)
    }
    hand_set.refresh_from_db()
    assert hand_set.code == PortfolioAnchor.objects.get(video=videos[0]).code  # the short link stays


def test_keeping_the_links_set_by_hand_attaches_only_to_the_others(logged_in, hand_set, freelance_account):
    response = logged_in.post(
        "/creator/videos/",
        {"bulk-target": f"profile:{freelance_account.pk}", "scope": "all", "replace": "keep",
         "confirmed_replaced": "1"},
        follow=True,
    )
    assert "“View My Portfolio” is on 2 videos. The 1 link you set by hand is unchanged." in response.content.decode()
    hand_set.refresh_from_db()
    assert (hand_set.target_url, hand_set.is_active) == ("https://freelance.example/casey/p-1", True)
    assert PortfolioAnchor.objects.filter(target_url="https://freelance.example/casey", is_active=True).count() == 2


def test_links_set_by_hand_after_the_confirmation_are_not_replaced_unasked(
    logged_in, creator, hand_set, freelance_account, videos
):
    """The creator confirmed replacing 1 link; meanwhile (another tab) a second one was set by hand."""
    services.anchors_attach(creator=creator, videos=[videos[2]], target=custom())
    before = list(PortfolioAnchor.objects.order_by("pk").values_list("target_url", "is_active"))
    response = logged_in.post(
        "/creator/videos/",
        {"bulk-target": f"profile:{freelance_account.pk}", "scope": "all", "replace": "all", "confirmed_replaced": "1"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your links changed since you looked" in page
    assert "Replace 2 links set by hand?" in page
    assert list(PortfolioAnchor.objects.order_by("pk").values_list("target_url", "is_active")) == before


def test_attach_to_selected_asks_first_too_and_replaces_nothing_unasked(
    logged_in, hand_set, freelance_account, videos
):
    """Attaching to selected videos replaced links set by hand without a word; it asks as “Attach to all”
    does, about the selected videos only."""
    before = list(PortfolioAnchor.objects.order_by("pk").values_list("target_url", "is_active"))
    chosen = {
        "bulk-target": f"profile:{freelance_account.pk}", "scope": "selected", "video": [videos[0].pk, videos[1].pk]
    }
    response = logged_in.post("/creator/videos/?sort=title", chosen)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Replace 1 link set by hand?" in page
    assert "“Attach to selected” would point the 2 videos you selected at" in page
    assert "<strong>1</strong> video without a link would get one" in page
    assert "Replace 1 and attach to the 2 selected" in page
    assert "Only the 1 without a link" in page
    assert 'href="/creator/videos/?sort=title">Cancel</a>' in page
    assert page.count('<input type="hidden" name="video"') == 2  # the confirmation carries the selection
    assert list(PortfolioAnchor.objects.order_by("pk").values_list("target_url", "is_active")) == before

    kept = logged_in.post("/creator/videos/", {**chosen, "replace": "keep", "confirmed_replaced": "1"}, follow=True)
    assert "“View My Portfolio” is on 1 video. The 1 link you set by hand is unchanged." in kept.content.decode()
    hand_set.refresh_from_db()
    assert (hand_set.target_url, hand_set.is_active) == ("https://freelance.example/casey/p-1", True)
    replaced = logged_in.post("/creator/videos/", {**chosen, "replace": "all", "confirmed_replaced": "1"}, follow=True)
    assert "“View My Portfolio” is on 2 videos." in replaced.content.decode()
    hand_set.refresh_from_db()
    assert hand_set.target_url == "https://freelance.example/casey"
    assert not PortfolioAnchor.objects.filter(video=videos[2]).exists()  # not selected, not touched


def test_attach_to_selected_answers_409_when_links_changed_since_the_confirmation(
    logged_in, creator, hand_set, freelance_account, videos
):
    services.anchors_attach(creator=creator, videos=[videos[1]], target=custom())  # set by hand meanwhile
    before = list(PortfolioAnchor.objects.order_by("pk").values_list("target_url", "is_active"))
    response = logged_in.post(
        "/creator/videos/",
        {"bulk-target": f"profile:{freelance_account.pk}", "scope": "selected", "video": [videos[0].pk, videos[1].pk],
         "replace": "all", "confirmed_replaced": "1"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Your links changed since you looked" in page
    assert "Replace 2 links set by hand?" in page and "the 2 videos you selected" in page
    assert list(PortfolioAnchor.objects.order_by("pk").values_list("target_url", "is_active")) == before


def test_attach_to_selected_without_links_set_by_hand_needs_no_confirmation(logged_in, videos, freelance_account):
    response = logged_in.post(
        "/creator/videos/",
        {"bulk-target": f"profile:{freelance_account.pk}", "scope": "selected", "video": [videos[0].pk, videos[1].pk]},
    )
    assert (response.status_code, response["Location"]) == (302, "/creator/videos/")
    assert PortfolioAnchor.objects.filter(is_active=True).count() == 2


def test_attach_to_all_without_links_set_by_hand_needs_no_confirmation(logged_in, creator, videos, freelance_account):
    target = f"profile:{freelance_account.pk}"
    services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator, target))
    response = logged_in.post("/creator/videos/", {"bulk-target": target, "scope": "all"})
    assert (response.status_code, response["Location"]) == (302, "/creator/videos/")
    assert PortfolioAnchor.objects.filter(is_active=True).count() == 3


# --- My videos: search, filter, sort, pages, clicks ---------------------------------------------------------


def rows(page: str) -> list[str]:
    """The titles of the videos listed, in order."""
    return re.findall(r'<td class="video-cell">\s*<label[^>]*>.*?<strong>(.*?)</strong>', page, re.S)


@pytest.fixture
def library(creator, video_account, freelance_account):
    """Five videos; Clip 2 and Clip 4 have links, with clicks."""
    services.videos_sync(linked_account=video_account, videos=remote_videos(5))
    videos = {v.title: v for v in Video.objects.filter(owner=creator)}
    Video.objects.filter(pk=videos["Clip 3"].pk).update(title="Behind the scenes")
    target = target_for(creator, f"profile:{freelance_account.pk}")
    two, four = services.anchors_attach(creator=creator, videos=[videos["Clip 2"], videos["Clip 4"]], target=target)
    today = timezone.now().date()
    LinkClickDaily.objects.create(anchor=two, day=today - timedelta(days=2), clicks=3, unique_visitors=2)
    LinkClickDaily.objects.create(anchor=two, day=today - timedelta(days=29), clicks=4, unique_visitors=4)
    LinkClickDaily.objects.create(anchor=two, day=today - timedelta(days=30), clicks=100, unique_visitors=90)
    LinkClickDaily.objects.create(anchor=four, day=today, clicks=9, unique_visitors=9)
    return {"two": two, "four": four}


def test_my_videos_shows_the_clicks_of_the_last_30_days_with_those_not_folded_yet(logged_in, library):
    Client().get(f"/l/{library['two'].code}", HTTP_USER_AGENT=BROWSER_UA)  # waits in the cache for the fold
    page = logged_in.get("/creator/videos/?link=with").content.decode()
    assert rows(page) == ["Clip 4", "Clip 2"]
    assert re.findall(r'<span class="clicks-30d">(\d+)</span>', page) == ["9", "8"]  # 3 + 4 + 1, not the 100
    services.clicks_fold()
    page = logged_in.get("/creator/videos/?link=with").content.decode()
    assert re.findall(r'<span class="clicks-30d">(\d+)</span>', page) == ["9", "8"]


def test_my_videos_names_the_platform_not_its_id(logged_in, library):
    page = logged_in.get("/creator/videos/").content.decode()
    assert "Sandbox Video · " in page
    assert "sandbox-video · " not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Clip 5", "Clip 4", "Behind the scenes", "Clip 2", "Clip 1"]),
        ("?sort=oldest", ["Clip 1", "Clip 2", "Behind the scenes", "Clip 4", "Clip 5"]),
        ("?sort=title", ["Behind the scenes", "Clip 1", "Clip 2", "Clip 4", "Clip 5"]),
        ("?sort=clicks", ["Clip 4", "Clip 2", "Clip 5", "Behind the scenes", "Clip 1"]),
        ("?q=clip", ["Clip 5", "Clip 4", "Clip 2", "Clip 1"]),
        ("?q=SCENES", ["Behind the scenes"]),
        ("?link=with", ["Clip 4", "Clip 2"]),
        ("?link=without&sort=oldest", ["Clip 1", "Behind the scenes", "Clip 5"]),
        ("?q=clip&link=without&sort=title", ["Clip 1", "Clip 5"]),
    ],
)
def test_my_videos_searches_filters_and_sorts(logged_in, library, query, expected):
    assert rows(logged_in.get(f"/creator/videos/{query}").content.decode()) == expected


def test_a_detached_link_counts_as_without_a_link(logged_in, creator, library):
    services.anchor_detach(creator=creator, anchor=library["four"])
    assert rows(logged_in.get("/creator/videos/?link=with").content.decode()) == ["Clip 2"]
    assert "Clip 4" in rows(logged_in.get("/creator/videos/?link=without").content.decode())


def test_a_search_that_matches_nothing_says_so_and_offers_all_videos(logged_in, library):
    page = logged_in.get("/creator/videos/?q=unicorn&link=with").content.decode()
    assert rows(page) == []
    assert "No videos match “unicorn” among those with a link." in page
    assert '<a role="button" class="secondary" href="/creator/videos/">Show all videos</a>' in page
    assert "No videos yet" not in page
    assert 'value="unicorn"' in page  # the search box keeps the word


def test_a_bad_sort_or_filter_value_says_so_and_lists_as_by_default(logged_in, library):
    response = logged_in.get("/creator/videos/?sort=popular&link=maybe")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Select a valid choice. popular is not one of the available choices." in page
    assert rows(page)[0] == "Clip 5"


def test_pages_of_videos_keep_the_search_and_sort(logged_in, creator, video_account, settings):
    services.videos_sync(linked_account=video_account, videos=remote_videos(60))
    page = logged_in.get("/creator/videos/?q=clip&sort=oldest").content.decode()
    assert len(rows(page)) == 48 and rows(page)[0] == "Clip 1"
    assert "60 videos match, · page 1 of 2" not in page
    assert "60 videos match · page 1 of 2" in page
    assert 'href="?q=clip&amp;sort=oldest&amp;page=2" rel="next"' in page
    second = logged_in.get("/creator/videos/?q=clip&sort=oldest&page=2").content.decode()
    assert rows(second)[0] == "Clip 49" and len(rows(second)) == 12
    assert 'href="?q=clip&amp;sort=oldest&amp;page=1" rel="prev"' in second


def test_attaching_from_a_filtered_page_comes_back_to_it(logged_in, library, freelance_account):
    video = Video.objects.get(title="Clip 1")
    response = logged_in.post(
        "/creator/videos/?link=without&sort=oldest",
        {"bulk-target": f"profile:{freelance_account.pk}", "video": [video.pk], "scope": "selected"},
    )
    assert (response.status_code, response["Location"]) == (302, "/creator/videos/?link=without&sort=oldest")


@pytest.mark.parametrize("count", [5, 60])
def test_my_videos_with_search_filter_and_clicks_costs_the_same_queries_for_5_or_60(
    logged_in, creator, video_account, freelance_account, django_assert_num_queries, count
):
    services.videos_sync(linked_account=video_account, videos=remote_videos(count))
    videos = list(Video.objects.filter(owner=creator))
    anchors = services.anchors_attach(creator=creator, videos=videos, target=target_for(creator))
    today = timezone.now().date()
    LinkClickDaily.objects.bulk_create(
        LinkClickDaily(anchor=a, day=today, clicks=2, unique_visitors=1) for a in anchors
    )
    # session, user, creator profile, freelance accounts (targets), count, the page of videos with their links
    # and clicks, and the linked-accounts banner of the layout; the clicks not folded yet come from the cache
    with django_assert_num_queries(7):
        response = logged_in.get("/creator/videos/?q=clip&link=with&sort=clicks")
    assert response.status_code == 200
    assert len(rows(response.content.decode())) == min(count, 48)
