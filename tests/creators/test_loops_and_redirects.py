"""Links that go round in circles, handles that pass for Reelfolio, and the answers browsers must not keep:
short links to short links, a page whose links lead back to itself, reserved handles, cached 410s,
trailing slashes and the old address of a renamed creator."""

import dataclasses
import re

import pytest

from common.errors import ApplicationError
from integrations.providers.types import PortfolioItem
from portfolio.creators import selectors, services
from portfolio.creators.selectors import AnchorTarget
from portfolio.creators.validators import target_url_validate
from tests.creators.conftest import CASEY_PROFILE, link_account, make_creator, target_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, creator):
    client.force_login(creator)
    return client


# --- Short links to short links ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/l/AbCdEf1234",
        "https://127.0.0.1/l/AbCdEf1234/",
        "http://127.0.0.1:8000/%6C/AbCdEf1234",
    ],
)
def test_a_target_on_our_own_short_links_is_refused(settings, url):
    """A short link that leads to another short link counts one visit twice, and a chain inflates counts."""
    settings.SITE_URL = "http://127.0.0.1:8000"
    with pytest.raises(ApplicationError, match="cannot lead to another Reelfolio short link"):
        target_url_validate(url)


def test_other_addresses_on_our_host_and_short_links_elsewhere_are_fine(settings):
    settings.SITE_URL = "https://reelfolio.example"
    assert target_url_validate("https://reelfolio.example/jobs/motion-designer/")
    assert target_url_validate("https://short.example/l/AbCdEf1234")


def test_attaching_a_link_to_a_short_link_changes_nothing(creator, videos, settings):
    settings.SITE_URL = "https://reelfolio.example"
    loop = AnchorTarget(key="x", kind="project", url="https://reelfolio.example/l/AbCdEf1234", label="Loop")
    with pytest.raises(ApplicationError, match="cannot lead to another Reelfolio short link"):
        services.anchors_attach(creator=creator, videos=[videos[0]], target=loop)
    assert not videos[0].__class__.objects.filter(portfolio_anchor__isnull=False).exists()


# --- A page whose links lead back to it ----------------------------------------------------------------


def test_the_creators_own_page_is_not_offered_as_a_target(creator, freelance_account, settings):
    """The links are shown on /@<handle>: one leading there goes round in a circle."""
    own_page = f"{settings.SITE_URL}/@{creator.creator_profile.handle}/"
    profile = dataclasses.replace(
        CASEY_PROFILE,
        portfolio_items=[
            *CASEY_PROFILE.portfolio_items,
            PortfolioItem(id="p-loop", title="My Reelfolio", url=own_page),
            PortfolioItem(id="p-short", title="A short link", url=f"{settings.SITE_URL}/l/AbCdEf1234"),
        ],
    )
    freelance_account.profile = profile.as_json()
    freelance_account.save(update_fields=["profile"])
    targets = selectors.anchor_targets_for_creator(user=creator, handle=creator.creator_profile.handle)
    assert [t.key for t in targets] == [
        f"profile:{freelance_account.pk}",
        f"project:{freelance_account.pk}:p-1",
        f"project:{freelance_account.pk}:p-2",
    ]


def test_the_link_forms_default_to_the_freelance_profile(logged_in, creator, videos, freelance_account):
    key = f"profile:{freelance_account.pk}"
    for url in ("/creator/videos/", f"/creator/videos/{videos[0].pk}/link/"):
        page = logged_in.get(url).content.decode()
        assert "My Reelfolio page" not in page
        assert re.search(rf'value="{key}"[^>]*\b(selected|checked)\b', page), url


def test_the_page_target_posted_anyway_is_refused(logged_in, creator, videos, freelance_account):
    response = logged_in.post(f"/creator/videos/{videos[0].pk}/link/", {"target": "page"})
    assert response.status_code == 400
    assert "Choose one of your targets from the list." in response.content.decode()
    assert not hasattr(videos[0].__class__.objects.get(pk=videos[0].pk), "portfolio_anchor")


def test_without_a_freelance_account_the_pages_say_what_to_link(logged_in, creator, videos):
    for url in ("/creator/videos/", f"/creator/videos/{videos[0].pk}/link/"):
        page = logged_in.get(url).content.decode()
        assert "and you\n    have none linked yet." in page
        assert "Link a freelance account</a> first, or choose\n    “Another address”" in page


def test_a_link_back_to_the_page_is_not_shown_on_it(client, creator, videos, freelance_account):
    """Links made before the page stopped being offered (or fallen back to it after an unlink) stay
    working, but the page shows no short link at all: each video's tile plays the video, so nothing on the
    page leads back to itself."""
    [looping] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    [useful] = services.anchors_attach(
        creator=creator, videos=[videos[1]], target=target_for(creator, f"profile:{freelance_account.pk}")
    )
    page = client.get(f"/@{creator.creator_profile.handle}").content.decode()
    assert f"/l/{useful.code}" not in page and f"/l/{looping.code}" not in page
    assert 'href="https://video.example/watch/v-1001"' in page and 'href="https://video.example/watch/v-1002"' in page


# --- Reserved handles ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "handle", ["admin", "api", "jobs", "accounts", "static", "healthz", "readyz", "sandbox", "creator",
               "applications", "my-data", "integrations", "support"],
)
def test_reserved_handles_are_refused(logged_in, creator, handle):
    response = logged_in.post("/creator/settings/", {"handle": handle})
    assert response.status_code == 400
    assert "is kept for Reelfolio&#x27;s own pages; choose another one." in response.content.decode()
    creator.creator_profile.refresh_from_db()
    assert creator.creator_profile.handle == "casey-creator"


def test_the_reserved_handles_come_from_our_own_addresses():
    reserved = services.profiles.reserved_handles()
    assert {"admin", "api", "jobs", "l", "accounts", "creator", "healthz", "readyz", "integrations"} <= reserved


def test_a_creator_named_like_a_reserved_word_gets_another_handle(db):
    """Sign-up makes the handle from the name: "Admin" must not become /@admin."""
    user = make_creator("admin@example.com", "Admin")
    assert user.creator_profile.handle == "admin-creator"
    assert make_creator("api@example.com", "API").creator_profile.handle == "api-creator"


# --- Answers browsers must not keep --------------------------------------------------------------------


def test_a_detached_link_answers_410_that_no_browser_keeps(
    client, creator, videos, freelance_account, django_capture_on_commit_callbacks
):
    """A browser that kept "no longer active" went on showing it after the link was attached again."""
    target = target_for(creator, f"profile:{freelance_account.pk}")
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target)
    with django_capture_on_commit_callbacks(execute=True):
        services.anchor_detach(creator=creator, anchor=anchor)
    response = client.get(f"/l/{anchor.code}")
    assert response.status_code == 410
    assert response["Cache-Control"] == "no-store"
    with django_capture_on_commit_callbacks(execute=True):
        services.anchors_attach(creator=creator, videos=[videos[0]], target=target)
    assert client.get(f"/l/{anchor.code}").status_code == 302


def test_the_link_of_a_removed_video_answers_410_that_no_browser_keeps(client, creator, videos, freelance_account):
    target = target_for(creator, f"profile:{freelance_account.pk}")
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target)
    services.video_remove(video=videos[0])
    response = client.get(f"/l/{anchor.code}")
    assert response.status_code == 410
    assert "The video it belonged to was removed" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


# --- Trailing slashes ----------------------------------------------------------------------------------


def test_a_trailing_slash_redirects_to_the_canonical_address(client, creator, videos, freelance_account):
    target = target_for(creator, f"profile:{freelance_account.pk}")
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target)
    response = client.get(f"/l/{anchor.code}/?utm_source=reel")
    assert (response.status_code, response["Location"]) == (301, f"/l/{anchor.code}?utm_source=reel")
    response = client.get("/@Casey-Creator/")
    assert (response.status_code, response["Location"]) == (301, "/@casey-creator")
    assert client.get("/@casey-creator/", follow=True).status_code == 200


# --- The old address of a renamed creator --------------------------------------------------------------


def test_the_old_handle_redirects_to_the_new_one(logged_in, client, creator):
    logged_in.post("/creator/settings/", {"handle": "caseymakes"})
    anonymous = client.__class__()
    response = anonymous.get("/@casey-creator?ref=bio")
    assert (response.status_code, response["Location"]) == (302, "/@caseymakes?ref=bio")
    assert anonymous.get("/@casey-creator", follow=True).status_code == 200


def test_after_two_changes_both_old_handles_lead_to_the_current_one(creator):
    profile = creator.creator_profile
    services.creator_profile_update(profile=profile, handle="casey-two")
    services.creator_profile_update(profile=profile, handle="casey-three")
    assert selectors.handle_moved_to(handle="casey-creator") == "casey-three"
    assert selectors.handle_moved_to(handle="casey-two") == "casey-three"
    assert selectors.handle_moved_to(handle="casey-three") is None


def test_the_old_handle_stops_redirecting_once_someone_else_takes_it(
    client, creator, other_creator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.creator_profile_update(profile=creator.creator_profile, handle="caseymakes")
    assert client.get("/@casey-creator").status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        services.creator_profile_update(profile=other_creator.creator_profile, handle="casey-creator")
    response = client.get("/@casey-creator")
    assert response.status_code == 200
    assert "Robin Other" in response.content.decode()
    # Changing back to one's own old handle is no redirect either.
    services.creator_profile_update(profile=creator.creator_profile, handle="casey-again")
    services.creator_profile_update(profile=creator.creator_profile, handle="caseymakes")
    assert selectors.handle_moved_to(handle="caseymakes") is None


def test_a_new_creator_signing_up_with_an_old_handle_takes_it(client, creator, django_capture_on_commit_callbacks):
    services.creator_profile_update(profile=creator.creator_profile, handle="caseymakes")
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = make_creator("casey2@example.com", "Casey Creator")
    assert newcomer.creator_profile.handle == "casey-creator"
    assert selectors.handle_moved_to(handle="casey-creator") is None
    assert client.get("/@casey-creator").status_code == 200


def test_an_unlinked_freelance_account_is_no_target_any_more(creator, freelance_account):
    link_account(creator, provider_id="sandbox-video", role="videos", subject="sbx-v-9")
    freelance_account.status = "revoked"
    freelance_account.save(update_fields=["status"])
    assert selectors.anchor_targets_for_creator(user=creator, handle=creator.creator_profile.handle) == []
