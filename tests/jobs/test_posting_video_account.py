"""An organization's video account, linked by a member through the sandbox partner over a live server:
it belongs to the organization (its video holder), not to the member, who takes nothing when they leave."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from integrations.oauth import services as oauth_services
from integrations.oauth.models import LinkedAccount, OAuthToken
from portfolio.accounts.models import Membership, Organization
from portfolio.accounts.services import membership_remove
from portfolio.creators.models import Video
from tests.integrations.conftest import sandbox_partner  # noqa: F401 (the live sandbox partner fixture)
from tests.integrations.oauth.helpers import finish, page_text

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"], transaction=True)


def northwind(partner):
    return next(user for user in partner.users if user.username == "northwind")


def connect_for_organization(client, organization, partner):
    """The member presses Connect on the organization page, logs in at the sandbox as the studio and allows."""
    response = client.post(reverse("accounts:organization_video_connect", args=[organization.slug, "sandbox-video"]))
    assert response.status_code == 302, response.content[:300]
    authorization_url = response["Location"]
    assert authorization_url.startswith(f"{partner.site_url}/sandbox/oauth/authorize?")
    parts = urlsplit(authorization_url)
    local = f"{parts.path}?{parts.query}"
    studio = northwind(partner)
    login = client.post("/sandbox/login", {"username": studio.username, "password": studio.password, "next": local})
    assert login.status_code == 302, login.content[:300]
    answer = client.post(local, {"decision": "allow"})
    assert answer.status_code == 302, answer.content[:300]
    return answer["Location"]


def test_a_member_links_the_organizations_video_account_and_it_stays_when_they_leave(
    client, employer, organization, member, sandbox_partner  # noqa: F811
):
    client.force_login(member)
    page = client.get(reverse("accounts:organization_detail", args=[organization.slug]))
    assert "Connect Sandbox Video" in page_text(page)
    assert "No videos yet." in page_text(page)

    response = finish(client, connect_for_organization(client, organization, sandbox_partner))

    assert response.redirect_chain[-1][0].startswith(reverse("accounts:organization_detail", args=[organization.slug]))
    text = page_text(response)
    assert "The Sandbox Video account is linked; its videos arrive in a moment." in text
    assert "Connected as northwind.studio" in text
    assert "No videos yet. They arrive in a moment after linking" in text
    organization = Organization.objects.get(pk=organization.pk)
    linked = LinkedAccount.objects.get(provider_id="sandbox-video")
    assert linked.user_id == organization.video_holder_id != member.pk
    assert not LinkedAccount.objects.filter(user=member).exists()

    oauth_services.linked_account_sync(linked_account_id=linked.pk)
    videos = Video.objects.filter(owner_id=organization.video_holder_id, status=Video.Status.ACTIVE)
    assert sorted(videos.values_list("platform_video_id", flat=True)) == ["v-4001", "v-4002", "v-4003"]
    page = client.get(reverse("accounts:organization_detail", args=[organization.slug]))
    assert "We're hiring: motion designer" in page_text(page)

    synced = client.post(
        reverse("accounts:organization_video_sync", args=[organization.slug, "sandbox-video"]), follow=True
    )
    assert "Syncing Northwind Studio's Sandbox Video account" in page_text(synced)

    # The member leaves: the account and its videos stay with the organization.
    membership_remove(membership=Membership.objects.get(user=member, organization=organization), actor=employer)
    linked.refresh_from_db()
    assert (linked.user_id, linked.status) == (organization.video_holder_id, LinkedAccount.Status.ACTIVE)
    assert videos.count() == 3
    assert not Video.objects.filter(owner=member).exists()
    for url in (
        reverse("accounts:organization_detail", args=[organization.slug]),
        reverse("accounts:organization_video_unlink", args=[organization.slug, "sandbox-video"]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(
        reverse("accounts:organization_video_sync", args=[organization.slug, "sandbox-video"])
    ).status_code == 404

    # Any member (here the owner) unlinks it after a confirmation.
    client.force_login(employer)
    unlink_url = reverse("accounts:organization_video_unlink", args=[organization.slug, "sandbox-video"])
    confirm = client.get(unlink_url)
    assert "Unlink Northwind Studio's Sandbox Video account?" in page_text(confirm)
    done = client.post(unlink_url, follow=True)
    assert "Northwind Studio's Sandbox Video account is unlinked and Reelfolio deleted its tokens." in page_text(done)
    assert not OAuthToken.objects.exists()
    assert videos.count() == 0


def test_a_member_removed_before_coming_back_from_the_provider_links_nothing(
    client, employer, organization, member, sandbox_partner  # noqa: F811
):
    client.force_login(member)
    callback_url = connect_for_organization(client, organization, sandbox_partner)
    membership_remove(membership=Membership.objects.get(user=member, organization=organization), actor=employer)

    response = finish(client, callback_url)

    assert "You can link accounts only for yourself or for an organization you belong to." in page_text(response)
    assert not LinkedAccount.objects.exists()


def test_employers_cannot_link_a_personal_video_account(client, member, sandbox_partner):  # noqa: F811
    client.force_login(member)
    page = client.get(reverse("oauth:linked_accounts"))
    assert "Connect Sandbox Video" not in page_text(page)
    assert "Employers link their organization's video account from the organization's page" in page_text(page)
    assert "Connect Sandbox Freelance" in page_text(page)

    response = client.post(reverse("oauth:connect", args=["sandbox-video"]), follow=True)

    assert "Employer accounts link a Sandbox Video account for their organization, not for themselves" in page_text(
        response
    )
    assert not LinkedAccount.objects.exists()


def test_people_outside_the_organization_cannot_link_sync_or_unlink_its_account(
    client, organization, member, applicant, sandbox_partner  # noqa: F811
):
    from tests.jobs.conftest import make_employer, org_videos

    org_videos(organization, 1)  # the organization has a linked account
    outsider = make_employer("boss@rival.example", "Rita Rival", "Rival Reels")
    for user in (outsider, applicant):
        client.force_login(user)
        assert client.post(
            reverse("accounts:organization_video_connect", args=[organization.slug, "sandbox-video"])
        ).status_code == 404
        assert client.post(
            reverse("accounts:organization_video_sync", args=[organization.slug, "sandbox-video"])
        ).status_code == 404
        assert client.post(
            reverse("accounts:organization_video_unlink", args=[organization.slug, "sandbox-video"])
        ).status_code == 404
    assert LinkedAccount.objects.get(provider_id="sandbox-video").status == LinkedAccount.Status.ACTIVE


def test_the_organization_status_endpoint_says_whether_its_video_account_is_syncing(
    client, employer, organization, member, applicant, django_assert_num_queries
):
    """What the organization page polls after Connect or Sync now (as the Linked accounts page does): only
    the organization's own accounts, only for its members."""
    from django.utils import timezone

    from portfolio.accounts.services import organization_video_holder, user_sign_up

    url = reverse("accounts:organization_video_status", args=[organization.slug])
    assert client.get(url).status_code == 401
    holder = organization_video_holder(organization=organization)
    LinkedAccount.objects.create(
        user=holder, provider_id="sandbox-video", role=LinkedAccount.Role.VIDEOS, subject="org-1",
        sync_requested_at=timezone.now(),
    )
    # A member's own link elsewhere is not the organization's.
    LinkedAccount.objects.create(
        user=member, provider_id="sandbox-freelance", role=LinkedAccount.Role.PORTFOLIO, subject="mo-1",
        last_synced_at=timezone.now(),
    )
    client.force_login(member)
    client.get(url)
    with django_assert_num_queries(4):  # the session, the user, the membership, the links
        response = client.get(url)
    body = response.json()
    assert response["Cache-Control"].startswith("max-age=0")
    assert body["syncing"] is True and [(a["provider"], a["syncing"]) for a in body["accounts"]] == [
        ("sandbox-video", True)
    ]
    page = page_text(client.get(reverse("accounts:organization_detail", args=[organization.slug])))
    assert "A sync is on its way. This page updates itself when it is done." in page
    assert "reload" not in page.lower()
    LinkedAccount.objects.filter(user=holder).update(sync_requested_at=None)
    assert client.get(url).json()["syncing"] is False
    # Someone outside the organization learns nothing: 404, as for its page.
    outsider = user_sign_up(
        email="x@other.example", name="X", password="orchid-lantern-42", role="employer", organization_name="Other"
    )
    for person in (outsider, applicant):
        client.force_login(person)
        assert client.get(url).status_code == 404
