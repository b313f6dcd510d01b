"""Creators' services: creator profiles, video import, anchors, removal and unlinking."""

import pytest
from django.core.cache import cache
from django.db import IntegrityError, transaction

from common.errors import ApplicationError
from portfolio.creators import selectors, services
from portfolio.creators.anchor_cache import anchors_cache_key, anchors_for_videos
from portfolio.creators.models import CreatorProfile, PortfolioAnchor, Video
from tests.creators.conftest import link_account, make_creator, remote_videos, target_for

pytestmark = pytest.mark.django_db


# --- Profiles and handles ----------------------------------------------------------------------------


def test_signing_up_as_a_creator_gives_a_free_handle_from_the_name(creator):
    assert creator.creator_profile.handle == "casey-creator"
    twin = make_creator("casey2@example.com", "Casey Creator")
    assert twin.creator_profile.handle == "casey-creator-2"


def test_employers_get_no_creator_profile():
    from portfolio.accounts.services import user_sign_up

    employer = user_sign_up(
        email="e@acme.example", name="Eve", password="orchid-lantern-42", role="employer", organization_name="Acme"
    )
    assert not CreatorProfile.objects.filter(user=employer).exists()


def test_changing_the_handle_repoints_links_to_the_reelfolio_page(creator, videos):
    services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    services.creator_profile_update(profile=creator.creator_profile, handle="  @CaseyMakes ")
    anchor = PortfolioAnchor.objects.get()
    assert creator.creator_profile.handle == "caseymakes"
    assert anchor.target_url == "http://127.0.0.1:8000/@caseymakes"


def test_a_taken_or_malformed_handle_is_refused_and_nothing_changes(creator, other_creator):
    with pytest.raises(ApplicationError, match="This handle is taken"):
        services.creator_profile_update(profile=creator.creator_profile, handle="Robin-Other")
    with pytest.raises(ApplicationError, match="3 to 30 characters"):
        services.creator_profile_update(profile=creator.creator_profile, handle="a b")
    creator.creator_profile.refresh_from_db()
    assert creator.creator_profile.handle == "casey-creator"


# --- Videos from the linked account --------------------------------------------------------------------


def test_sync_imports_updates_and_removes_by_the_full_list(creator, video_account):
    result = services.videos_sync(linked_account=video_account, videos=remote_videos(3))
    assert result == {"created": 3, "updated": 0, "removed": 0}
    video = Video.objects.get(platform_video_id="v-1001")
    assert (video.platform, video.owner, video.title, video.duration_seconds) == (
        "sandbox-video",
        creator,
        "Clip 1",
        30,
    )
    assert video.share_url == "https://video.example/watch/v-1001"

    renamed = remote_videos(2)
    renamed[0] = type(renamed[0])(**{**renamed[0].__dict__, "title": "Clip one, recut"})
    result = services.videos_sync(linked_account=video_account, videos=renamed)
    assert result == {"created": 0, "updated": 2, "removed": 1}
    assert Video.objects.get(platform_video_id="v-1001").title == "Clip one, recut"
    gone = Video.objects.get(platform_video_id="v-1003")
    assert (gone.status, gone.removed_reason) == ("removed", "platform")

    services.videos_sync(linked_account=video_account, videos=remote_videos(3))
    assert Video.objects.get(platform_video_id="v-1003").status == "active"


def test_sync_drops_addresses_that_are_not_http(video_account):
    bad = remote_videos(1)[0]
    bad = type(bad)(**{**bad.__dict__, "cover_image_url": "javascript:alert(1)", "share_url": "data:text/html,x"})
    services.videos_sync(linked_account=video_account, videos=[bad])
    video = Video.objects.get()
    assert (video.cover_image_url, video.share_url) == ("", "")


def test_one_odd_video_from_the_platform_does_not_stop_the_others_from_importing(video_account):
    """Regression: an address our URL field refuses (a host without a dot) or an over-long id from the
    platform failed the whole sync, so none of the creator's videos came in, then or later."""
    odd_address, too_long_id, fine = remote_videos(3)
    odd_address = type(odd_address)(**{**odd_address.__dict__, "cover_image_url": "http://cdn/v-1001.jpg"})
    too_long_id = type(too_long_id)(**{**too_long_id.__dict__, "platform_video_id": "x" * 129})
    result = services.videos_sync(linked_account=video_account, videos=[odd_address, too_long_id, fine])
    assert result == {"created": 2, "updated": 0, "removed": 0}
    assert dict(Video.objects.values_list("platform_video_id", "cover_image_url")) == {
        "v-1001": "",
        "v-1003": "https://cdn.video.example/v-1003.jpg",
    }


def test_control_characters_from_the_platform_never_reach_the_database(video_account):
    """Regression: PostgreSQL refuses a NUL in text, so one such title failed the creator's whole sync."""
    odd, odd_id = remote_videos(2)
    odd = type(odd)(**{**odd.__dict__, "title": "Clip\x00 one\x1b[31m\n"})
    odd_id = type(odd_id)(**{**odd_id.__dict__, "platform_video_id": "v-\x00"})
    services.videos_sync(linked_account=video_account, videos=[odd, odd_id])
    assert Video.objects.get().title == "Clip one[31m"


def test_a_video_an_operator_removed_stays_removed_after_a_sync(creator, videos, video_account):
    services.video_remove(video=videos[0], reason=Video.RemovedReason.ADMIN)
    services.videos_sync(linked_account=video_account, videos=remote_videos(3))
    videos[0].refresh_from_db()
    assert (videos[0].status, videos[0].removed_reason) == ("removed", "admin")


def test_video_ids_are_unique_per_platform_in_the_database(videos):
    with pytest.raises(IntegrityError), transaction.atomic():
        Video.objects.create(owner=videos[0].owner, platform="sandbox-video", platform_video_id="v-1001")


# --- Anchors -------------------------------------------------------------------------------------------


def test_attach_to_several_videos_then_change_the_target_keeps_the_codes(creator, videos, freelance_account):
    anchors = services.anchors_attach(creator=creator, videos=videos[:2], target=target_for(creator))
    codes = {a.video_id: a.code for a in anchors}
    assert len(codes) == 2 and all(len(code) == 10 and code.isalnum() for code in codes.values())
    assert {a.target_url for a in anchors} == {"http://127.0.0.1:8000/@casey-creator"}

    project = target_for(creator, f"project:{freelance_account.pk}:p-2")
    services.anchors_attach(creator=creator, videos=videos, target=project)
    after = {a.video_id: a for a in PortfolioAnchor.objects.all()}
    assert len(after) == 3
    assert {vid: after[vid].code for vid in codes} == codes
    assert {a.target_url for a in after.values()} == {"https://freelance.example/casey/p-2"}
    assert {(a.target_kind, a.project_id) for a in after.values()} == {("project", "p-2")}


def test_detach_then_attach_again_brings_back_the_same_code(creator, videos):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    services.anchor_detach(creator=creator, anchor=anchor)
    anchor.refresh_from_db()
    assert anchor.is_active is False
    [again] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    assert (again.code, again.is_active) == (anchor.code, True)


@pytest.mark.parametrize(
    "url, message",
    [
        ("javascript:alert(document.cookie)", "Links can only point to http:// or https:// addresses."),
        ("data:text/html;base64,PHNjcmlwdD4=", "Links can only point to http:// or https:// addresses."),
        ("https://example.com/" + "a" * 2000, "longer than 2000 characters"),
        ("https://exa mple.com/", "contains spaces or control characters"),
        ("", "has no address"),
    ],
)
def test_targets_must_be_bounded_http_urls(creator, videos, url, message):
    target = selectors.AnchorTarget(key="x", kind="project", url=url, label="x")
    with pytest.raises(ApplicationError, match=message):
        services.anchors_attach(creator=creator, videos=[videos[0]], target=target)
    assert not PortfolioAnchor.objects.exists()


def test_the_database_refuses_a_target_that_is_not_http(videos):
    with pytest.raises(IntegrityError), transaction.atomic():
        PortfolioAnchor.objects.create(
            video=videos[0], code="abcdefghij", target_kind="project", target_url="javascript:x"
        )


def test_a_creator_cannot_attach_to_someone_elses_video(creator, videos, other_video):
    with pytest.raises(ApplicationError, match="only attach links to your own videos"):
        services.anchors_attach(creator=creator, videos=[other_video], target=target_for(creator))
    assert not PortfolioAnchor.objects.exists()


def test_a_video_whose_account_is_someone_elses_cannot_carry_a_link(creator, other_creator):
    """Owner and linked account must agree: a video imported through another user's account is refused."""
    foreign_account = link_account(other_creator, provider_id="sandbox-video", role="videos", subject="sbx-v-9")
    video = Video.objects.create(
        owner=creator, linked_account=foreign_account, platform="sandbox-video", platform_video_id="odd-1"
    )
    with pytest.raises(ApplicationError, match="video account you linked"):
        services.anchors_attach(creator=creator, videos=[video], target=target_for(creator))


# --- Removal and cache invalidation --------------------------------------------------------------------


def test_every_change_drops_the_partner_api_cache_after_commit(creator, videos, django_capture_on_commit_callbacks):
    key = anchors_cache_key(platform="sandbox-video", platform_video_id="v-1001")

    def assert_dropped_by(action):
        cache.set(key, ["stale"])
        with django_capture_on_commit_callbacks(execute=True):
            action()
        answer = anchors_for_videos(platform="sandbox-video", video_ids=["v-1001"])
        assert ["stale"] not in [video["anchors"] for video in answer]

    assert_dropped_by(lambda: services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator)))
    assert_dropped_by(lambda: services.anchor_detach(creator=creator, anchor=videos[0].portfolio_anchor))
    assert_dropped_by(lambda: services.video_remove(video=videos[0]))


def test_removal_hides_the_video_from_creator_lists_and_the_public_page(creator, videos):
    services.anchors_attach(creator=creator, videos=videos, target=target_for(creator))
    services.video_remove(video=videos[0], reason=Video.RemovedReason.ADMIN)
    assert videos[0].pk not in {v.pk for v in selectors.videos_for_creator(user=creator)}
    cache.clear()
    titles = [v["title"] for v in selectors.public_page_data(handle="casey-creator")["videos"]]
    assert sorted(titles) == ["Clip 2", "Clip 3"]


# --- Unlinking ----------------------------------------------------------------------------------------


def test_unlinking_the_video_account_removes_its_videos_and_relinking_restores_them(creator, videos, video_account):
    [anchor] = services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    services.linked_account_unlinked(linked_account=video_account)
    assert set(Video.objects.values_list("status", "removed_reason")) == {("removed", "unlinked")}

    services.videos_sync(linked_account=video_account, videos=remote_videos(3))
    assert set(Video.objects.values_list("status", flat=True)) == {"active"}
    anchor.refresh_from_db()
    assert anchor.is_active and anchor.video_id == videos[0].pk


@pytest.mark.parametrize("count", [3, 30])
def test_removing_many_videos_at_once_costs_the_same_queries_for_3_or_30(
    creator, video_account, count, django_assert_num_queries
):
    """Regression: unlinking a video account (and a sync that lists none of the videos) removed the videos
    one at a time, four queries each: a creator with hundreds of videos waited on thousands of queries."""
    services.videos_sync(linked_account=video_account, videos=remote_videos(count))
    services.anchors_attach(creator=creator, videos=list(Video.objects.all()), target=target_for(creator))
    with django_assert_num_queries(6):
        services.linked_account_unlinked(linked_account=video_account)
    assert Video.objects.filter(status="removed", removed_reason="unlinked").count() == count

    services.videos_sync(linked_account=video_account, videos=remote_videos(count))
    with django_assert_num_queries(6):
        assert services.videos_sync(linked_account=video_account, videos=[])["removed"] == count
    assert Video.objects.filter(status="removed", removed_reason="platform").count() == count


def test_unlinking_the_freelance_account_points_its_links_at_the_reelfolio_page(creator, videos, freelance_account):
    services.anchors_attach(
        creator=creator, videos=videos, target=target_for(creator, f"profile:{freelance_account.pk}")
    )
    services.linked_account_unlinked(linked_account=freelance_account)
    assert set(PortfolioAnchor.objects.values_list("target_kind", "target_url", "linked_account")) == {
        ("reelfolio_page", "http://127.0.0.1:8000/@casey-creator", None)
    }


def test_the_unlink_and_sync_hooks_reach_the_services(creator, video_account):
    from integrations.oauth import hooks

    hooks.videos_synced(linked_account=video_account, videos=remote_videos(2))
    assert Video.objects.filter(status="active").count() == 2
    hooks.account_unlinked(linked_account=video_account)
    assert Video.objects.filter(status="active").count() == 0


def test_the_account_moving_to_another_user_takes_the_videos_without_the_old_link(creator, videos, other_creator):
    services.anchors_attach(creator=creator, videos=[videos[0]], target=target_for(creator))
    new_account = link_account(other_creator, provider_id="sandbox-video", role="videos", subject="sbx-v-7")
    services.videos_sync(linked_account=new_account, videos=remote_videos(1))
    videos[0].refresh_from_db()
    assert videos[0].owner == other_creator
    assert not PortfolioAnchor.objects.filter(video=videos[0]).exists()


def test_a_target_on_someone_elses_linked_account_is_refused(creator, videos, other_creator):
    foreign = link_account(other_creator, provider_id="sandbox-freelance", role="portfolio", subject="sbx-u-9")
    target = selectors.AnchorTarget(
        key="x", kind="linked_profile", url="https://freelance.example/robin", label="x", linked_account=foreign
    )
    with pytest.raises(ApplicationError, match="only point to your own linked accounts"):
        services.anchors_attach(creator=creator, videos=[videos[0]], target=target)
    assert not PortfolioAnchor.objects.exists()


def test_seed_demo_gives_the_demo_creator_the_handle_casey_once():
    from portfolio.demo.seeding import demo_seed

    demo_seed()
    demo_seed()
    assert list(CreatorProfile.objects.values_list("handle", "user__email")) == [
        ("casey", "creator@demo.reelfolio.test")
    ]
