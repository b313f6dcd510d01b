"""The creator's pages (My videos, link forms, analytics, CSV, handle) and the public page /@<handle>."""

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from integrations.oauth import hooks as oauth_hooks
from integrations.oauth import services as oauth_services
from portfolio.accounts.models import User
from portfolio.creators import services
from portfolio.creators.models import (
    CreatorVisitorsDaily,
    LinkClickBreakdownDaily,
    LinkClickDaily,
    PortfolioAnchor,
    Video,
)
from tests.creators.conftest import PASSWORD, link_account, make_creator, remote_videos, target_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, creator):
    client.force_login(creator)
    return client


# --- My videos -----------------------------------------------------------------------------------------


def test_my_videos_lists_covers_titles_and_link_state(logged_in, creator, videos):
    services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    page = logged_in.get("/creator/videos/").content.decode()
    assert "Clip 1" in page and "Clip 3" in page
    assert "https://cdn.video.example/v-1002.jpg" in page
    assert page.count('<span class="badge ok">On</span>') == 1
    assert page.count('<span class="badge">No link</span>') == 2
    assert f"/l/{videos[0].portfolio_anchor.code}" in page


def test_my_videos_without_a_video_account_explains_what_to_do(logged_in):
    page = logged_in.get("/creator/videos/").content.decode()
    assert "No videos yet. Link your video-platform account" in page


def test_my_videos_after_unlinking_the_video_account_asks_to_link_one_again(logged_in, video_account):
    """Regression: with its only video account unlinked, the page said "Your linked video account has no
    videos we can show yet", as if an account were still linked."""
    video_account.status = "revoked"
    video_account.save(update_fields=["status"])
    page = logged_in.get("/creator/videos/").content.decode()
    assert "No videos yet. Link your video-platform account" in page
    assert "Your linked video account" not in page


def test_attach_to_the_selected_videos(logged_in, creator, videos, freelance_account):
    response = logged_in.post(
        "/creator/videos/",
        {"bulk-target": f"profile:{freelance_account.pk}", "video": [videos[0].pk, videos[2].pk], "scope": "selected"},
        follow=True,
    )
    assert "“View My Portfolio” is on 2 videos." in response.content.decode()
    assert set(PortfolioAnchor.objects.values_list("video_id", flat=True)) == {videos[0].pk, videos[2].pk}


def test_attach_to_all_videos_at_once(logged_in, creator, videos, freelance_account):
    response = logged_in.post(
        "/creator/videos/", {"bulk-target": f"profile:{freelance_account.pk}", "scope": "all"}, follow=True
    )
    assert "“View My Portfolio” is on 3 videos." in response.content.decode()
    assert set(PortfolioAnchor.objects.values_list("target_url", flat=True)) == {"https://freelance.example/casey"}


def test_attaching_without_choosing_videos_is_a_form_error(logged_in, videos):
    response = logged_in.post("/creator/videos/", {"bulk-target": "page", "scope": "selected"})
    assert response.status_code == 400
    assert "Tick at least one video" in response.content.decode()
    assert not PortfolioAnchor.objects.exists()


def test_a_crafted_post_with_someone_elses_video_is_a_404_and_attaches_nothing(logged_in, videos, other_video):
    """A creator cannot attach to someone else's video, even by crafting the POST."""
    response = logged_in.post(
        "/creator/videos/", {"bulk-target": "page", "video": [videos[0].pk, other_video.pk], "scope": "selected"}
    )
    assert response.status_code == 404
    assert logged_in.post(f"/creator/videos/{other_video.pk}/link/", {"target": "page"}).status_code == 404
    assert logged_in.get(f"/creator/videos/{other_video.pk}/link/detach/").status_code == 404
    assert not PortfolioAnchor.objects.exists()


def test_a_target_that_is_not_offered_or_not_http_is_a_form_error(logged_in, creator, videos, freelance_account):
    url = f"/creator/videos/{videos[0].pk}/link/"
    response = logged_in.post(url, {"target": "project:999:p-1"})
    assert response.status_code == 400
    assert "Choose one of your targets from the list." in response.content.decode()

    profile = dict(freelance_account.profile)
    profile["portfolio_items"] = [{"id": "evil", "title": "Evil", "url": "javascript:alert(1)", "cover_image_url": ""}]
    freelance_account.profile = profile
    freelance_account.save(update_fields=["profile"])
    response = logged_in.post(url, {"target": f"project:{freelance_account.pk}:evil"})
    assert response.status_code == 400
    assert "Links can only point to http:// or https:// addresses." in response.content.decode()
    assert not PortfolioAnchor.objects.exists()


def test_a_target_address_the_url_field_refuses_is_a_form_error_not_a_500(logged_in, videos, freelance_account):
    """Regression: an http address without a proper host ("http://portfolio/p-9") passed our scheme check,
    then failed the model's URL check with an error the form could not show: a 500."""
    profile = dict(freelance_account.profile)
    profile["portfolio_items"] = [{"id": "odd", "title": "Odd", "url": "http://portfolio/p-9", "cover_image_url": ""}]
    freelance_account.profile = profile
    freelance_account.save(update_fields=["profile"])
    url = f"/creator/videos/{videos[0].pk}/link/"
    response = logged_in.post(url, {"target": f"project:{freelance_account.pk}:odd"})
    assert response.status_code == 400
    assert "This target&#x27;s address is not a valid web address." in response.content.decode()
    assert not PortfolioAnchor.objects.exists()


def test_a_cache_outage_after_the_save_costs_the_creator_no_error_page(
    logged_in, videos, freelance_account, settings, django_capture_on_commit_callbacks
):
    """Regression: the cache invalidation that runs once the change is committed raised when the cache was
    unreachable: the creator saw a server error for a link that was attached (stale entries expire)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    with django_capture_on_commit_callbacks(execute=True):
        target = {"target": f"profile:{freelance_account.pk}"}
        response = logged_in.post(f"/creator/videos/{videos[0].pk}/link/", target)
    assert (response.status_code, response["Location"]) == (302, "/creator/videos/")
    assert PortfolioAnchor.objects.get().video == videos[0]


def test_change_the_target_of_one_video_keeps_its_short_link(logged_in, creator, videos, freelance_account):
    url = f"/creator/videos/{videos[0].pk}/link/"
    assert "Attach “View My Portfolio”" in logged_in.get(url).content.decode()
    logged_in.post(url, {"target": f"profile:{freelance_account.pk}"})
    code = PortfolioAnchor.objects.get().code
    form = logged_in.get(url).content.decode()
    assert f"The short link <code>/l/{code}</code> stays the same" in form
    response = logged_in.post(url, {"target": f"project:{freelance_account.pk}:p-1"}, follow=True)
    # The message names the video and where its link leads now (it once read as if the video were the target).
    assert (
        "“View My Portfolio” on “Clip 1” now leads to Project: Brand reel (Sandbox Freelance)."
        in response.content.decode()
    )
    anchor = PortfolioAnchor.objects.get()
    assert (anchor.code, anchor.target_url) == (code, "https://freelance.example/casey/p-1")


def test_detach_asks_first_then_detaches(logged_in, creator, videos):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    url = f"/creator/videos/{videos[0].pk}/link/detach/"
    assert "Detach “View My Portfolio”?" in logged_in.get(url).content.decode()
    anchor.refresh_from_db()
    assert anchor.is_active
    response = logged_in.post(url, follow=True)
    assert "“View My Portfolio” is off “Clip 1”." in response.content.decode()
    anchor.refresh_from_db()
    assert not anchor.is_active


def test_my_videos_costs_a_fixed_number_of_queries(logged_in, creator, video_account, django_assert_num_queries):
    services.videos_sync(linked_account=video_account, videos=remote_videos(30))
    services.anchors_attach(creator=creator, videos=list(Video.objects.all()[:20]), target=target_for(creator))
    # session, user, creator profile, freelance accounts (targets), count, page of videos with their links,
    # and the linked-accounts banner of the layout
    with django_assert_num_queries(7):
        assert logged_in.get("/creator/videos/").status_code == 200


def test_employers_have_no_creator_pages(client):
    employer = User.objects.create_user(email="e@acme.example", password=PASSWORD, name="Eve", role="employer")
    client.force_login(employer)
    assert client.get("/creator/videos/").status_code == 403


def test_creator_pages_need_a_login(client):
    response = client.get("/creator/videos/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- Analytics -----------------------------------------------------------------------------------------


@pytest.fixture
def clicked(creator, videos):
    anchors = services.anchors_attach(creator=creator, videos=videos[:2], target=target_for(creator))
    today = timezone.now().date()
    LinkClickDaily.objects.create(anchor=anchors[0], day=today, clicks=7, unique_visitors=5)
    LinkClickDaily.objects.create(
        anchor=anchors[0], day=today - timezone.timedelta(days=3), clicks=2, unique_visitors=2
    )
    LinkClickDaily.objects.create(anchor=anchors[1], day=today, clicks=1, unique_visitors=1)
    LinkClickDaily.objects.create(
        anchor=anchors[1], day=today - timezone.timedelta(days=40), clicks=99, unique_visitors=9
    )
    # Today one of the five visitors of the first video also clicked the second: 5 across both links.
    CreatorVisitorsDaily.objects.create(creator=creator, day=today, unique_visitors=5)
    CreatorVisitorsDaily.objects.create(creator=creator, day=today - timezone.timedelta(days=3), unique_visitors=2)
    CreatorVisitorsDaily.objects.create(creator=creator, day=today - timezone.timedelta(days=40), unique_visitors=9)
    for anchor, day, dimension, value, count in [
        (anchors[0], today, "referrer", "tiktok.com", 5),
        (anchors[0], today, "referrer", "direct", 2),
        (anchors[0], today - timezone.timedelta(days=3), "referrer", "instagram.com", 2),
        (anchors[1], today, "referrer", "tiktok.com", 1),
        (anchors[0], today, "device", "mobile", 6),
        (anchors[0], today, "device", "desktop", 1),
        (anchors[0], today - timezone.timedelta(days=3), "device", "tablet", 2),
        (anchors[1], today, "device", "mobile", 1),
        (anchors[0], today, "country", "GB", 7),
        (anchors[0], today - timezone.timedelta(days=3), "country", "unknown", 2),
        (anchors[1], today, "country", "PT", 1),
        (anchors[1], today - timezone.timedelta(days=40), "referrer", "old.example", 99),
    ]:
        LinkClickBreakdownDaily.objects.create(anchor=anchor, day=day, dimension=dimension, value=value, clicks=count)
    return anchors


def test_analytics_draws_svg_charts_in_total_and_per_video(logged_in, clicked):
    page = logged_in.get("/creator/analytics/").content.decode()
    assert page.count("<svg") == 3
    # The 40-day-old rows are outside the 30 days; the headline's visitors are counted across all links.
    assert "10 clicks and 7 unique visitors in total" in page
    assert "9 clicks, 7 unique visitors" in page
    assert f"{timezone.now():%a %d %b}: 7 clicks, 5 unique visitors" in page


def test_analytics_without_links_shows_an_empty_state(logged_in):
    assert "No links yet, so no clicks to show." in logged_in.get("/creator/analytics/").content.decode()


def test_analytics_csv_has_30_days_per_video(logged_in, clicked, videos):
    response = logged_in.get("/creator/analytics.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 60
    today = [r for r in rows if r["day"] == timezone.now().date().isoformat()]
    assert {(r["title"], r["clicks"], r["unique_visitors"]) for r in today} == {
        ("Clip 1", "7", "5"),
        ("Clip 2", "1", "1"),
    }

    one = list(
        csv.DictReader(io.StringIO(logged_in.get(f"/creator/analytics.csv?video={videos[1].pk}").content.decode()))
    )
    assert len(one) == 30 and sum(int(r["clicks"]) for r in one) == 1


def test_analytics_csv_of_someone_elses_video_is_a_404(logged_in, clicked, other_video):
    assert logged_in.get(f"/creator/analytics.csv?video={other_video.pk}").status_code == 404
    assert logged_in.get("/creator/analytics.csv?video=abc").status_code == 404


@pytest.mark.parametrize(
    "title",
    [
        '=HYPERLINK("https://evil.example","x")', "+1+2", "-2+3", "@SUM(A1)", "\tTAB", "\rCR",
        ' =HYPERLINK("https://evil.example")', "\n+1+2", "  \n @SUM(A1)", "\u3000-2+3",
        "\uff1dHYPERLINK(\"https://evil.example\")", "\uff0b1", "\uff0d1", "\uff20SUM(A1)",
    ],
)
def test_analytics_csv_never_hands_a_spreadsheet_a_formula(logged_in, clicked, videos, title):
    """Titles and ids come from the video platform: a cell starting with = + - @ (or a tab) would be run.
    Spreadsheet programs skip leading spaces and line breaks, and some read fullwidth ＝ as =: before, a
    title such as " =HYPERLINK(...)" or "＝HYPERLINK(...)" reached the file as it was."""
    Video.objects.filter(pk=videos[0].pk).update(title=title, platform_video_id=title)
    rows = list(csv.DictReader(io.StringIO(logged_in.get("/creator/analytics.csv").content.decode())))
    mine = [r for r in rows if r["video_id"] == str(videos[0].pk)]
    assert len(mine) == 30
    assert {(r["title"], r["platform_video_id"]) for r in mine} == {("'" + title, "'" + title)}


@pytest.mark.parametrize("query", ["", "?range=7", "?range=90", "?range=custom&start=2026-01-01&end=2026-01-31"])
def test_analytics_query_count_does_not_grow_with_videos_or_days(
    logged_in, creator, clicked, django_assert_num_queries, query
):
    # session, user, links with their videos, daily rows, the creator's visitors, the breakdowns, and the
    # linked-accounts banner of the layout: the same with more videos, more rows and more days
    with django_assert_num_queries(7):
        assert logged_in.get(f"/creator/analytics/{query}").status_code == 200
    account = link_account(creator, provider_id="other-video", role="videos", subject="sbx-v-9")
    services.videos_sync(linked_account=account, videos=remote_videos(5, prefix="m"))
    more = services.anchors_attach(creator=creator, videos=list(account.videos.all()), target=target_for(creator))
    today = timezone.now().date()
    for n, anchor in enumerate(more):
        day = today - timezone.timedelta(days=n)
        LinkClickDaily.objects.create(anchor=anchor, day=day, clicks=3, unique_visitors=2)
        LinkClickBreakdownDaily.objects.create(
            anchor=anchor, day=today, dimension="referrer", value=f"s{n}.example", clicks=3
        )
    with django_assert_num_queries(7):
        assert logged_in.get(f"/creator/analytics/{query}").status_code == 200


# --- Handle settings -----------------------------------------------------------------------------------


def test_the_creator_changes_their_handle(logged_in, creator):
    response = logged_in.post("/creator/settings/", {"handle": "CaseyMakes"}, follow=True)
    assert "Your public page is now /@caseymakes." in response.content.decode()
    assert logged_in.get("/@caseymakes").status_code == 200


def test_a_taken_handle_is_a_form_error(logged_in, other_creator):
    response = logged_in.post("/creator/settings/", {"handle": "robin-other"})
    assert "This handle is taken; try another one." in response.content.decode()


# --- Public page ---------------------------------------------------------------------------------------


@pytest.fixture
def published(creator, videos, freelance_account):
    return services.anchors_attach(
        creator=creator, videos=videos[:2], target=target_for(creator, f"profile:{freelance_account.pk}")
    )


def test_public_page_shows_profile_projects_and_videos_with_links(client, published):
    response = client.get("/@casey-creator")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Casey Creator</h1>" in page and "Motion designer" in page and "$85/hr" in page
    assert "Brand reel" in page and "Explainer" in page
    assert "Clip 1" in page and "Clip 2" in page and "Clip 3" not in page  # Clip 3 carries no link
    assert 'href="https://video.example/watch/v-1001"' in page  # a video's tile plays it
    assert 'href="https://freelance.example/casey" rel="noopener nofollow">Hire me</a>' in page
    assert '<meta property="og:title" content="Casey Creator on Reelfolio">' in page
    assert '<meta property="og:image" content="http://127.0.0.1:8000/@casey-creator/card.png?v=' in page
    assert '<meta property="og:url" content="http://127.0.0.1:8000/@casey-creator">' in page
    assert response["Cache-Control"] == "public, max-age=60"


def test_public_page_is_private_for_logged_in_visitors(logged_in, published):
    assert logged_in.get("/@casey-creator")["Cache-Control"] == "private, max-age=0"


def test_public_page_is_served_from_the_cache_and_a_removal_shows_at_once(
    client, published, videos, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_assert_num_queries(4):  # creator, freelance accounts, project placements, videos with links
        client.get("/@casey-creator")
    with django_assert_num_queries(0):
        assert "Clip 1" in client.get("/@casey-creator").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.video_remove(video=videos[0])
    assert "Clip 1" not in client.get("/@casey-creator").content.decode()


def test_a_video_moving_to_another_creator_leaves_the_old_owners_page_at_once(
    client, published, other_creator, django_capture_on_commit_callbacks
):
    """Regression: only the new owner's page was dropped from the cache when a video changed hands."""
    assert "Clip 1" in client.get("/@casey-creator").content.decode()  # now cached
    new_account = link_account(other_creator, provider_id="sandbox-video", role="videos", subject="sbx-v-7")
    with django_capture_on_commit_callbacks(execute=True):
        services.videos_sync(linked_account=new_account, videos=remote_videos(1))
    page = client.get("/@casey-creator").content.decode()
    assert "Clip 1" not in page and "Clip 2" in page


def test_unlinking_the_freelance_account_takes_its_profile_off_the_page_at_once(
    client, creator, freelance_account, django_capture_on_commit_callbacks
):
    """Regression: without links on that account, the unlinked profile stayed on the cached page."""
    assert "Motion designer" in client.get("/@casey-creator").content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        oauth_services.linked_account_unlink(linked_account=freelance_account)
    page = client.get("/@casey-creator").content.decode()
    assert "Motion designer" not in page and "Brand reel" not in page


def test_a_profile_change_from_the_freelance_platform_shows_on_the_page_at_once(
    client, creator, freelance_account, django_capture_on_commit_callbacks
):
    """Regression: a synced profile (new headline, projects) waited for the cached page to expire."""
    assert "Motion designer" in client.get("/@casey-creator").content.decode()  # now cached
    freelance_account.profile = {**freelance_account.profile, "headline": "Character animator"}
    with django_capture_on_commit_callbacks(execute=True):
        # What a sync of the account writes, and then tells the domain (tests/integrations/oauth/test_sync.py).
        freelance_account.save(update_fields=["profile"])
        oauth_hooks.account_changed(linked_account=freelance_account)
    page = client.get("/@casey-creator").content.decode()
    assert "Character animator" in page and "Motion designer" not in page


def test_a_handle_visited_before_its_creator_signed_up_shows_their_page_at_once(
    client, db, django_capture_on_commit_callbacks
):
    """Regression: the 404 of an unknown handle was remembered for minutes, also once a creator took it."""
    assert client.get("/@casey-creator").status_code == 404  # remembered as unknown
    with django_capture_on_commit_callbacks(execute=True):
        make_creator("casey@example.com", "Casey Creator")
    response = client.get("/@casey-creator")
    assert response.status_code == 200
    assert "<h1>Casey Creator</h1>" in response.content.decode()


def test_unknown_handles_are_404_and_capitals_redirect(client, creator):
    assert client.get("/@nobody-here").status_code == 404
    response = client.get("/@Casey-Creator")
    assert (response.status_code, response["Location"]) == (301, "/@casey-creator")


def test_public_page_never_renders_an_address_that_is_not_http(client, published, freelance_account):
    profile = dict(freelance_account.profile)
    profile["profile_url"] = "javascript:alert(1)"
    profile["portfolio_items"] = [
        {"id": "p-9", "title": "Sneaky", "url": "javascript:alert(2)", "cover_image_url": "data:image/svg+xml,x"},
        {"id": "p-1", "title": "Brand reel", "url": "https://freelance.example/casey/p-1", "cover_image_url": ""},
    ]
    freelance_account.profile = profile
    freelance_account.save(update_fields=["profile"])
    page = client.get("/@casey-creator").content.decode()
    assert "javascript:" not in page and "data:image" not in page
    assert "Sneaky" not in page and "Brand reel" in page
    assert "Hire me on my freelance profile" not in page


@pytest.mark.parametrize("count", [5, 40])
def test_attaching_to_all_videos_costs_the_same_queries_for_5_or_40(
    logged_in, creator, video_account, freelance_account, django_assert_num_queries, count
):
    services.videos_sync(linked_account=video_account, videos=remote_videos(count))
    # session, user, profile, targets, the videos, then in the service: savepoint, lock the videos and their
    # links, fresh codes, one full_clean (the video and the linked account the link leads to exist, 3 check
    # constraints in savepoints), one INSERT for all, the handle for the cache; whatever the number of videos
    bulk = {"bulk-target": f"profile:{freelance_account.pk}", "scope": "all"}
    with django_assert_num_queries(23):
        response = logged_in.post("/creator/videos/", bulk)
    assert response.status_code == 302
    assert PortfolioAnchor.objects.filter(is_active=True).count() == count


def test_the_public_page_tells_its_owner_how_to_change_it_and_visitors_see_no_such_note(
    logged_in, creator, other_creator
):
    handle = creator.creator_profile.handle
    note = "This is your public page as visitors see it."
    assert note in logged_in.get(f"/@{handle}").content.decode()
    assert note not in Client().get(f"/@{handle}").content.decode()
    someone_else = Client()
    someone_else.force_login(other_creator)
    assert note not in someone_else.get(f"/@{handle}").content.decode()
