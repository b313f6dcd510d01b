"""The creator's own name, bio and avatar on their public page, and the projects it shows in their order."""

import pytest
from django.db import IntegrityError

from common.errors import ApplicationError
from portfolio.creators import services
from portfolio.creators.models import CreatorProfile, ProjectPlacement
from tests.creators.conftest import CASEY_PROFILE, link_account, make_creator

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, creator):
    client.force_login(creator)
    return client


@pytest.fixture
def profile(creator):
    return services.creator_profile_ensure(user=creator)


def _titles(page: str, *titles: str) -> list[str]:
    """The titles in the order the page shows them."""
    return sorted(titles, key=page.index)


# --- Name, bio and avatar ------------------------------------------------------------------------------


def test_the_form_shows_the_freelance_profiles_values_as_the_defaults(logged_in, freelance_account):
    page = logged_in.get("/creator/profile/").content.decode()
    assert "Leave it empty to use “Casey Creator”, your name on Sandbox Freelance." in page
    assert "Leave it empty to use “I animate logos and explainers.”, your bio on Sandbox Freelance." in page


def test_a_name_bio_and_avatar_set_on_reelfolio_replace_the_freelance_profiles_on_the_public_page(
    logged_in, client, profile, freelance_account, django_capture_on_commit_callbacks
):
    assert "<h1>Casey Creator</h1>" in client.get("/@casey-creator").content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(
            "/creator/profile/",
            {"display_name": "  Casey   Rivera ", "bio": "Logos that move.\r\nExplainers that land.",
             "avatar_url": "https://images.example/casey.webp"},
        )
    assert response.status_code == 302
    client.logout()
    page = client.get("/@casey-creator").content.decode()
    assert "<title>Casey Rivera (@casey-creator)" in page
    assert "<h1>Casey Rivera</h1>" in page
    assert "Logos that move.<br>Explainers that land." in page
    assert '<img class="creator-avatar" src="https://images.example/casey.webp" alt=""' in page
    assert 'content="https://images.example/casey.webp"' not in page  # og:image is the PNG card, never an avatar
    assert "I animate logos" not in page


def test_emptied_fields_fall_back_to_the_freelance_profile_again(
    logged_in, profile, freelance_account, django_capture_on_commit_callbacks
):
    services.creator_identity_update(profile=profile, display_name="Casey R", bio="Mine", avatar_url="")
    assert "<h1>Casey R</h1>" in logged_in.get("/@casey-creator").content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/creator/profile/", {"display_name": "", "bio": "", "avatar_url": ""})
    page = logged_in.get("/@casey-creator").content.decode()
    assert "<h1>Casey Creator</h1>" in page and "I animate logos and explainers." in page


def test_without_a_freelance_account_the_page_shows_the_accounts_name_until_the_creator_sets_one(
    logged_in, profile, django_capture_on_commit_callbacks
):
    assert "<h1>Casey Creator</h1>" in logged_in.get("/@casey-creator").content.decode()
    form = logged_in.get("/creator/profile/").content.decode()
    assert "Leave it empty to use “Casey Creator”, your account's name." in form
    with django_capture_on_commit_callbacks(execute=True):
        logged_in.post("/creator/profile/", {"display_name": "Casey the Animator", "bio": "", "avatar_url": ""})
    assert "<h1>Casey the Animator</h1>" in logged_in.get("/@casey-creator").content.decode()


@pytest.mark.parametrize(
    ("avatar_url", "message"),
    [
        ("http://images.example/casey.png", "The avatar must be an https:// address"),
        ("javascript:alert(1)", "The avatar must be an https:// address"),
        ("data:image/png;base64,AAAA", "The avatar must be an https:// address"),
        ("https://user:pw@images.example/a.png", "must not carry a user name or password"),
        ("https://", "The avatar must be an https:// address"),
    ],
)
def test_an_avatar_that_is_not_a_plain_https_address_is_refused_and_nothing_changes(
    logged_in, profile, avatar_url, message
):
    response = logged_in.post("/creator/profile/", {"display_name": "New name", "bio": "", "avatar_url": avatar_url})
    assert response.status_code == 400
    assert message in response.content.decode()
    profile.refresh_from_db()
    assert profile.display_name == "" and profile.avatar_url == ""


def test_too_long_a_name_or_bio_is_refused_with_the_limit(logged_in, profile):
    response = logged_in.post("/creator/profile/", {"display_name": "x" * 81, "bio": "y" * 501, "avatar_url": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert "at most 80 characters" in page and "at most 500 characters" in page
    profile.refresh_from_db()
    assert profile.display_name == "" and profile.bio == ""


def test_the_service_refuses_a_non_https_avatar_and_the_database_does_too(profile):
    with pytest.raises(ApplicationError, match="The avatar must be an https:// address"):
        services.creator_identity_update(profile=profile, display_name="", bio="", avatar_url="ftp://x.example/a")
    with pytest.raises(IntegrityError):
        CreatorProfile.objects.filter(pk=profile.pk).update(avatar_url="http://images.example/a.png")


def test_employers_cannot_open_the_creator_profile_pages(client):
    from portfolio.accounts.services import user_sign_up

    employer = user_sign_up(email="boss@example.com", name="Boss", password="orchid-lantern-42", role="employer",
                            organization_name="Bossco")
    client.force_login(employer)
    assert client.get("/creator/profile/").status_code == 403
    assert client.post("/creator/projects/", {}).status_code == 403


def test_logged_out_visitors_are_sent_to_log_in(client):
    assert client.get("/creator/profile/")["Location"].startswith("/accounts/login/")
    assert client.get("/creator/projects/")["Location"].startswith("/accounts/login/")


# --- Projects shown and their order --------------------------------------------------------------------


def _order(account, *project_ids):
    return [f"{account.pk}:{p}" for p in project_ids]


def test_projects_are_listed_in_the_freelance_platforms_order_until_arranged(logged_in, freelance_account):
    page = logged_in.get("/creator/projects/").content.decode()
    assert _titles(page, "Brand reel", "Explainer") == ["Brand reel", "Explainer"]
    assert page.count('name="shown"') == 2 and page.count(" checked") == 2


def test_moving_a_project_down_changes_the_public_page_order_and_keeps_focus_on_the_button(
    logged_in, client, freelance_account, django_capture_on_commit_callbacks
):
    assert _titles(client.get("/@casey-creator").content.decode(), "Brand reel", "Explainer") == [
        "Brand reel", "Explainer",
    ]  # now cached
    first, second = _order(freelance_account, "p-1", "p-2")
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(
            "/creator/projects/", {"order": [first, second], "shown": [first, second], "move": f"down:{first}"}
        )
    assert response.status_code == 302
    assert response["Location"] == f"/creator/projects/?moved=down:{first}"
    page = logged_in.get(response["Location"]).content.decode()
    assert _titles(page, "Brand reel", "Explainer") == ["Explainer", "Brand reel"]
    # Brand reel is last: its Down button is disabled, so the focus goes to its Up button.
    assert f'value="down:{first}" class="secondary outline" disabled aria-label' in " ".join(page.split())
    assert f'value="up:{first}" class="secondary outline" autofocus' in " ".join(page.split())
    client.logout()
    public = client.get("/@casey-creator").content.decode()
    assert _titles(public, "Brand reel", "Explainer") == ["Explainer", "Brand reel"]


def test_an_unticked_project_leaves_the_public_page_and_stays_in_the_list(
    logged_in, client, freelance_account, django_capture_on_commit_callbacks
):
    first, second = _order(freelance_account, "p-1", "p-2")
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post("/creator/projects/", {"order": [first, second], "shown": [second]})
    assert response.status_code == 302
    assert "Brand reel" not in client.get("/@casey-creator").content.decode()
    listing = logged_in.get("/creator/projects/").content.decode()
    assert "Brand reel" in listing and listing.count(" checked") == 1


def test_a_project_that_a_later_sync_brings_is_shown_after_the_arranged_ones(profile, freelance_account, client):
    first, second = _order(freelance_account, "p-1", "p-2")
    services.creator_projects_arrange(profile=profile, order=[second, first], shown={first, second})
    data = dict(CASEY_PROFILE.as_json())
    data["portfolio_items"] = [
        {"id": "p-0", "title": "Brand new", "url": "https://freelance.example/casey/p-0", "cover_image_url": ""},
        *data["portfolio_items"],
    ]
    freelance_account.profile = data
    freelance_account.save(update_fields=["profile"])
    page = client.get("/@casey-creator").content.decode()
    assert _titles(page, "Brand reel", "Explainer", "Brand new") == ["Explainer", "Brand reel", "Brand new"]


def test_an_order_that_is_not_the_creators_projects_is_refused_and_changes_nothing(
    logged_in, freelance_account, other_creator
):
    """A stale form (a sync changed the projects meanwhile) or another creator's project key."""
    foreign = link_account(other_creator, provider_id="sandbox-freelance", role="portfolio", subject="x",
                           profile=CASEY_PROFILE)
    first, second = _order(freelance_account, "p-1", "p-2")
    for order in ([first], [first, second, f"{foreign.pk}:p-1"], [first, first, second]):
        response = logged_in.post("/creator/projects/", {"order": order, "shown": order})
        assert response.status_code == 409
        assert "Your projects changed since this page was loaded" in response.content.decode()
    response = logged_in.post("/creator/projects/", {"order": [first, second], "shown": [f"{foreign.pk}:p-1"]})
    assert response.status_code == 409 and "Choose projects from the list." in response.content.decode()
    assert not ProjectPlacement.objects.exists()


def test_projects_of_another_creator_never_reach_the_list(logged_in, freelance_account):
    other = make_creator("robin@example.com", "Robin")
    link_account(other, provider_id="sandbox-freelance", role="portfolio", subject="r",
                 profile=CASEY_PROFILE.__class__(portfolio_items=[]))
    page = logged_in.get("/creator/projects/").content.decode()
    assert page.count('name="order"') == 2


def test_without_projects_the_page_says_how_to_get_some(logged_in):
    page = logged_in.get("/creator/projects/").content.decode()
    assert "No portfolio projects yet." in page and "Link your freelance account" in page


def test_a_freelance_profiles_name_shown_as_the_default_is_escaped(logged_in, creator):
    """The defaults come from another platform: they are text, never markup, on the form."""
    link_account(creator, provider_id="sandbox-freelance", role="portfolio", subject="sbx-u-1",
                 profile=CASEY_PROFILE.__class__(display_name="<script>alert(1)</script>"))
    page = logged_in.get("/creator/profile/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_database_keeps_one_placement_per_project(profile, freelance_account):
    ProjectPlacement.objects.create(profile=profile, linked_account=freelance_account, project_id="p-1", position=0)
    with pytest.raises(IntegrityError):
        ProjectPlacement.objects.create(profile=profile, linked_account=freelance_account, project_id="p-1", position=1)
