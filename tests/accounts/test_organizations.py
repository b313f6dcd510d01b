import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from portfolio.accounts import services
from portfolio.accounts.models import Membership, User

pytestmark = pytest.mark.django_db

PASSWORD = "orchid-lantern-42"


@pytest.fixture
def owner():
    return services.user_sign_up(
        email="owner@acme.example", name="Olivia", password=PASSWORD, role="employer", organization_name="Acme Films"
    )


@pytest.fixture
def colleague():
    return User.objects.create_user(email="sam@acme.example", password=PASSWORD, name="Sam", role="employer")


def test_an_invited_employer_joins_only_once_they_accept_then_sees_the_organization(
    client, owner, colleague, django_capture_on_commit_callbacks
):
    """Before, adding an existing employer's address made them a member at once, without their agreement."""
    client.force_login(owner)
    url = reverse("accounts:organization_detail", args=["acme-films"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "SAM@acme.example"}, follow=True)
    assert "Reelfolio emailed an invitation to sam@acme.example." in response.content.decode()
    assert not Membership.objects.filter(user=colleague).exists()
    [message] = mail.outbox
    assert message.to == ["sam@acme.example"]
    assert "log in with your employer account and join Acme Films" in message.body
    link = urlsplit(re.search(r"https?://\S+/accounts/invitations/\S+", message.body).group(0)).path

    client.force_login(colleague)
    client.get(link)
    assert "Join Acme Films" in client.get(reverse("accounts:invitation_accept")).content.decode()
    joined = client.post(reverse("accounts:invitation_accept"), follow=True)
    assert "Welcome to Acme Films." in joined.content.decode()
    assert Membership.objects.get(user=colleague).role == "member"
    page = client.get(url)
    assert page.status_code == 200
    assert "You are a member of this organization." in page.content.decode()


def test_member_cannot_add_members(client, owner, colleague):
    organization = owner.organizations.get()
    Membership.objects.create(organization=organization, user=colleague, role="member")
    other = User.objects.create_user(email="x@acme.example", password=PASSWORD, name="X", role="employer")
    client.force_login(colleague)
    response = client.post(reverse("accounts:organization_detail", args=["acme-films"]), {"email": other.email})
    assert response.status_code == 403
    assert not Membership.objects.filter(user=other).exists()


def test_outsider_gets_404_for_an_organization(client, owner, colleague):
    client.force_login(colleague)
    assert client.get(reverse("accounts:organization_detail", args=["acme-films"])).status_code == 404


def test_inviting_an_unknown_email_or_a_creator_adds_nobody_and_tells_the_page_nothing(client, owner):
    """The page does not say which emails have an account (the address gets an email instead)."""
    User.objects.create_user(email="creator@example.com", password=PASSWORD, name="C", role="creator")
    client.force_login(owner)
    url = reverse("accounts:organization_detail", args=["acme-films"])
    for email in ("nobody@example.com", "creator@example.com"):
        response = client.post(url, {"email": email})
        assert response.status_code == 302
        page = client.get(url).content.decode()
        assert f"Reelfolio emailed an invitation to {email}. They join Acme Films once they accept it" in page
        assert "creator account" not in page and "No Reelfolio account" not in page
    assert Membership.objects.count() == 1


def test_removing_a_member_asks_first_then_removes(client, owner, colleague):
    organization = owner.organizations.get()
    membership = Membership.objects.create(organization=organization, user=colleague, role="member")
    client.force_login(owner)
    url = reverse("accounts:membership_remove", args=["acme-films", membership.pk])
    confirm = client.get(url)
    assert "Remove Sam?" in confirm.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    client.post(url)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_owner_cannot_be_removed(client, owner):
    """Removing oneself is leaving: the leave page says why the only owner cannot, and asks nothing."""
    membership = Membership.objects.get(user=owner)
    client.force_login(owner)
    response = client.post(reverse("accounts:membership_remove", args=["acme-films", membership.pk]), follow=True)
    assert response.status_code == 409
    page = response.content.decode()
    assert "an organization keeps at least one owner" in page
    assert "Leave Acme Films?" not in page and "Leave Acme Films</button>" not in page
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_employer_creates_a_second_organization_with_a_unique_slug(client, owner):
    client.force_login(owner)
    response = client.post(reverse("accounts:organization_create"), {"name": "Acme-Films", "website": ""})
    assert response.status_code == 302
    assert sorted(owner.organizations.values_list("slug", flat=True)) == ["acme-films", "acme-films-2"]


def test_creator_cannot_create_an_organization(client):
    creator = User.objects.create_user(email="c@example.com", password=PASSWORD, name="C", role="creator")
    client.force_login(creator)
    assert client.post(reverse("accounts:organization_create"), {"name": "Mine"}).status_code == 403


def test_organization_list_empty_state(client, colleague):
    client.force_login(colleague)
    assert (
        "You do not belong to an organization yet."
        in client.get(reverse("accounts:organization_list")).content.decode()
    )


def _employer(n: int) -> User:
    return User.objects.create_user(email=f"e{n}@acme.example", password=PASSWORD, name=f"E{n}", role="employer")


def test_the_organization_list_costs_the_same_queries_for_one_organization_or_many(
    client, owner, django_assert_num_queries
):
    """An organization's card reads nothing more from the database: ten organizations cost no more queries
    than one (the page's queries: session, user, the linked-accounts banner, the organizations)."""
    client.force_login(owner)
    url = reverse("accounts:organization_list")
    with django_assert_num_queries(4):
        assert "Acme Films" in client.get(url).content.decode()
    for n in range(9):
        services.organization_create(owner=owner, name=f"Studio {n}", website="https://studio.example")
    with django_assert_num_queries(4):
        page = client.get(url).content.decode()
    assert "Studio 8" in page


def test_the_organization_page_costs_the_same_queries_for_one_member_or_many(client, owner, django_assert_num_queries):
    """Members are listed with their user in one query: a big team does not make the page slower
    (session, user, the membership with its organization, the linked-accounts banner, the organization's
    video account and the count of its videos, the members, the pending invitations with who sent them, the
    API keys, the ATS endpoints)."""
    client.force_login(owner)
    url = reverse("accounts:organization_detail", args=["acme-films"])
    with django_assert_num_queries(10):
        assert "Olivia" in client.get(url).content.decode()
    organization = owner.organizations.get()
    for n in range(9):
        Membership.objects.create(organization=organization, user=_employer(n), role="member")
        services.organization_invitation_send(organization=organization, actor=owner, email=f"invitee{n}@example.com")
    with django_assert_num_queries(10):
        page = client.get(url).content.decode()
    assert "E8" in page and "invitee8@example.com" in page
