"""An organization's owners rename it and make members owners; members leave it (its only owner is told why
they cannot before any confirmation page); an owner invites a colleague without an account by email.
Each new page is walked with every wrong role."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from common.errors import Conflict
from portfolio.accounts import services
from portfolio.accounts.models import Membership, Organization, OrganizationInvitation, User

pytestmark = pytest.mark.django_db

PASSWORD = "orchid-lantern-42"
NEW_PASSWORD = "quartz-meadow-1987"


@pytest.fixture
def owner():
    return services.user_sign_up(
        email="owner@acme.example", name="Olivia", password=PASSWORD, role="employer", organization_name="Acme Films"
    )


@pytest.fixture
def organization(owner):
    return owner.organizations.get()


@pytest.fixture
def colleague(organization):
    user = User.objects.create_user(email="sam@acme.example", password=PASSWORD, name="Sam", role="employer")
    Membership.objects.create(organization=organization, user=user, role="member")
    return user


def _membership(user) -> Membership:
    return Membership.objects.get(user=user)


def _org_url(name: str = "organization_detail", *args) -> str:
    return reverse(f"accounts:{name}", args=["acme-films", *args])


# --- Rename --------------------------------------------------------------------------------------------


def test_an_owner_renames_the_organization_and_its_address_stays(client, owner, organization):
    client.force_login(owner)
    form = client.get(_org_url("organization_rename"))
    assert 'value="Acme Films"' in form.content.decode()
    response = client.post(_org_url("organization_rename"), {"name": "  Acme   Pictures "}, follow=True)
    assert response.redirect_chain[-1][0] == _org_url()
    assert "Acme Films is now called Acme Pictures." in response.content.decode()
    organization.refresh_from_db()
    assert (organization.name, organization.slug) == ("Acme Pictures", "acme-films")


def test_a_name_another_organization_has_is_refused_whatever_its_case_and_nothing_changes(client, owner, organization):
    other = User.objects.create_user(email="b@b.example", password=PASSWORD, name="B", role="employer")
    services.organization_create(owner=other, name="Northwind Studio")
    client.force_login(owner)
    for name, message in (
        ("northwind STUDIO", "An organization with this name is already on Reelfolio."),
        ("   ", "This field is required."),
        ("x" * 121, "at most 120 characters"),
    ):
        response = client.post(_org_url("organization_rename"), {"name": name})
        assert response.status_code == 400
        assert message in response.content.decode()
    organization.refresh_from_db()
    assert organization.name == "Acme Films"


def test_the_database_refuses_a_second_organization_of_the_same_name(organization):
    with pytest.raises(IntegrityError):
        Organization.objects.create(name="ACME films", slug="acme-two")


def test_the_service_refuses_a_taken_name_and_a_member(organization, colleague):
    services.organization_create(owner=User.objects.get(email="owner@acme.example"), name="Second")
    with pytest.raises(Conflict, match="An organization with this name is already on Reelfolio"):
        services.organization_rename(organization=organization, actor=organization.members.first(), name="second")
    with pytest.raises(Exception, match="Only owners of Acme Films can rename the organization."):
        services.organization_rename(organization=organization, actor=colleague, name="Sam's Films")


# --- Make owner ----------------------------------------------------------------------------------------


def test_an_owner_makes_a_member_an_owner_after_a_confirmation_page(client, owner, colleague):
    client.force_login(owner)
    page = client.get(_org_url()).content.decode()
    url = _org_url("membership_promote", _membership(colleague).pk)
    assert f'href="{url}"' in page
    confirm = client.get(url)
    assert "Make Sam an owner?" in confirm.content.decode()
    assert _membership(colleague).role == "member"
    response = client.post(url, follow=True)
    assert "Sam is now an owner of Acme Films." in response.content.decode()
    assert _membership(colleague).role == "owner"
    # An owner already: nothing to confirm.
    again = client.get(url, follow=True)
    assert "Sam is an owner already." in again.content.decode()


# --- Leave ---------------------------------------------------------------------------------------------


def test_a_member_leaves_after_a_confirmation_page(client, colleague):
    client.force_login(colleague)
    page = client.get(_org_url()).content.decode()
    assert f'href="{_org_url("organization_leave")}">Leave</a>' in page
    confirm = client.get(_org_url("organization_leave"))
    assert confirm.status_code == 200 and "Leave Acme Films?" in confirm.content.decode()
    assert Membership.objects.filter(user=colleague).exists()
    response = client.post(_org_url("organization_leave"), follow=True)
    assert "You left Acme Films." in response.content.decode()
    assert not Membership.objects.filter(user=colleague).exists()
    assert client.get(_org_url()).status_code == 404


def test_the_only_owner_is_told_on_the_page_why_they_cannot_leave_before_any_confirmation(client, owner, colleague):
    client.force_login(owner)
    page = client.get(_org_url()).content.decode()
    reason = (
        "You are the only owner of Acme Films, and an organization keeps at least one owner: make another "
        "member an owner first, then leave."
    )
    assert reason in page
    assert f'href="{_org_url("organization_leave")}"' not in page
    assert f'href="{_org_url("membership_remove", _membership(owner).pk)}"' not in page
    # Reached anyway (a bookmark, a typed address): the reason again, and no button to confirm.
    for response in (client.get(_org_url("organization_leave")), client.post(_org_url("organization_leave"))):
        text = response.content.decode()
        assert response.status_code == 409
        assert reason in text and "Leave Acme Films</button>" not in text
    assert _membership(owner).role == "owner"


def test_an_owner_with_a_co_owner_may_leave(client, owner, colleague):
    services.membership_promote(membership=_membership(colleague), actor=owner)
    client.force_login(owner)
    assert f'href="{_org_url("organization_leave")}">Leave</a>' in client.get(_org_url()).content.decode()
    client.post(_org_url("organization_leave"))
    assert list(Membership.objects.values_list("user__email", "role")) == [("sam@acme.example", "owner")]


def test_the_only_owner_leaving_is_refused_by_the_service_too(owner):
    with pytest.raises(Conflict, match="You are the only owner of Acme Films"):
        services.membership_leave(membership=_membership(owner))


# --- Invitations ---------------------------------------------------------------------------------------


def _invite(client, owner, email: str, django_capture_on_commit_callbacks) -> str:
    """The owner invites `email`; returns the path of the link in the email it got."""
    client.force_login(owner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_org_url(), {"email": email})
    [message] = mail.outbox
    assert message.to == [email]
    return urlsplit(re.search(r"https?://\S+/accounts/invitations/\S+", message.body).group(0)).path


def test_a_new_employer_accepts_an_invitation_makes_an_account_and_joins(
    client, owner, organization, django_capture_on_commit_callbacks
):
    path = _invite(client, owner, "nia@example.com", django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.subject == "Olivia invites you to Acme Films on Reelfolio"
    assert "It works once, for\n7 days" in message.body
    visitor = Client()
    opened = visitor.get(path)
    assert opened.status_code == 302 and opened["Location"] == "/accounts/invitations/accept/"
    assert opened["Referrer-Policy"] == "no-referrer"
    form = visitor.get("/accounts/invitations/accept/")
    text = form.content.decode()
    assert "Olivia invited <strong>nia@example.com</strong> to Acme Films" in text
    assert path.split("/")[-2] not in text  # the token is not on the page
    mismatch = visitor.post(
        "/accounts/invitations/accept/", {"name": "Nia", "password1": NEW_PASSWORD, "password2": "other"}
    )
    assert mismatch.status_code == 400 and "The two passwords differ." in mismatch.content.decode()
    assert not User.objects.filter(email="nia@example.com").exists()
    response = visitor.post(
        "/accounts/invitations/accept/",
        {"name": "Nia New", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == _org_url()
    assert "Welcome to Reelfolio and to Acme Films, Nia." in response.content.decode()
    nia = User.objects.get(email="nia@example.com")
    assert nia.is_employer and nia.is_active and nia.check_password(NEW_PASSWORD)
    assert _membership(nia).role == "member"
    assert list(nia.organizations.all()) == [organization]  # no organization of her own
    # The link works once.
    used = Client().get(path, follow=True)
    assert used.status_code == 400 and "This invitation was already accepted." in used.content.decode()


def test_inviting_again_replaces_the_older_link_and_a_tampered_link_is_refused(
    client, owner, django_capture_on_commit_callbacks
):
    first = _invite(client, owner, "nia@example.com", django_capture_on_commit_callbacks)
    second = _invite(client, owner, "nia@example.com", django_capture_on_commit_callbacks)
    assert first != second and OrganizationInvitation.objects.count() == 1
    for path in (first, second[:-3] + "xx/"):
        response = Client().get(path, follow=True)
        assert response.status_code == 400
        assert "This invitation link is not valid any more" in response.content.decode()
    assert Client().get(second, follow=True).status_code == 200


def test_an_invitation_expires_after_seven_days(client, owner, django_capture_on_commit_callbacks):
    path = _invite(client, owner, "nia@example.com", django_capture_on_commit_callbacks)
    visitor = Client()
    with freeze_time(timedelta(days=7, minutes=1)):
        response = visitor.get(path, follow=True)
    assert response.status_code == 400
    assert "This invitation expired (7 days after it was sent)." in response.content.decode()
    assert not User.objects.filter(email="nia@example.com").exists()


def test_without_a_link_the_accept_page_says_to_open_it_from_the_email(client):
    response = client.get("/accounts/invitations/accept/")
    assert response.status_code == 400
    assert "Open the invitation link from your email to accept it." in response.content.decode()


def test_an_employer_who_signed_up_meanwhile_logs_in_and_joins_with_one_press(
    client, owner, organization, django_capture_on_commit_callbacks
):
    path = _invite(client, owner, "nia@example.com", django_capture_on_commit_callbacks)
    nia = services.user_sign_up(
        email="nia@example.com", name="Nia", password=PASSWORD, role="employer", organization_name="Nia Films"
    )
    visitor = Client()
    page = visitor.get(path, follow=True).content.decode()
    assert "This address has a Reelfolio account." in page
    assert 'href="/accounts/login/?next=/accounts/invitations/accept/"' in page
    visitor.post(
        "/accounts/login/?next=/accounts/invitations/accept/", {"username": "nia@example.com", "password": PASSWORD}
    )
    confirm = visitor.get("/accounts/invitations/accept/").content.decode()
    assert "Join Acme Films</button>" in confirm
    response = visitor.post("/accounts/invitations/accept/", follow=True)
    assert "Welcome to Acme Films." in response.content.decode()
    assert organization in nia.organizations.all()


def test_someone_logged_in_with_another_address_or_as_a_creator_cannot_accept(
    client, owner, django_capture_on_commit_callbacks
):
    path = _invite(client, owner, "nia@example.com", django_capture_on_commit_callbacks)
    outsider = User.objects.create_user(email="eve@example.com", password=PASSWORD, name="Eve", role="employer")
    visitor = Client()
    visitor.force_login(outsider)
    visitor.get(path)
    page = visitor.get("/accounts/invitations/accept/")
    assert page.status_code == 403
    assert "This invitation is for nia@example.com, and you are logged in as eve@example.com." in page.content.decode()
    assert visitor.post("/accounts/invitations/accept/").status_code == 403
    assert not Membership.objects.filter(user=outsider).exists()
    invitation = OrganizationInvitation.objects.get()
    assert invitation.accepted_at is None


def test_every_address_gets_an_invitation_and_the_same_words_whatever_its_account(
    client, owner, colleague, django_capture_on_commit_callbacks
):
    """An existing employer, a new address and a creator's are each invited and listed alike, and nobody
    joins without accepting (before, an existing employer was made a member at once, and only a new address
    was listed as invited); a member already in is told so, as the members list shows anyway."""
    User.objects.create_user(email="em@example.com", password=PASSWORD, name="Em", role="employer")
    User.objects.create_user(email="cy@example.com", password=PASSWORD, name="Cy", role="creator")
    client.force_login(owner)
    answers, rows = {}, {}
    for email in ("em@example.com", "nobody@example.com", "cy@example.com"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_org_url(), {"email": email}, follow=True)
        answers[email] = [str(m) for m in response.context["messages"]][0].replace(email, "<email>")
        page = response.content.decode()
        row = re.search(rf"<tr>\s*<td>{re.escape(email)}</td>.*?</tr>", page, re.S).group(0)
        row = re.sub(r"<time[^>]*>.*?</time>", "<time>", row.replace(email, "<email>"))  # sent a moment apart
        rows[email] = re.sub(r"/invitations/\d+/", "/invitations/<id>/", row)
    assert len(set(answers.values())) == 1, answers
    assert len(set(rows.values())) == 1, rows
    assert sorted(OrganizationInvitation.objects.values_list("email", flat=True)) == [
        "cy@example.com", "em@example.com", "nobody@example.com"]
    assert Membership.objects.filter(organization__slug="acme-films").count() == 2  # the owner and Sam
    already = client.post(_org_url(), {"email": "sam@acme.example"})
    assert already.status_code == 200 and "This person is already a member." in already.content.decode()


def test_a_member_cannot_invite(client, colleague):
    client.force_login(colleague)
    assert client.post(_org_url(), {"email": "nia@example.com"}).status_code == 403
    assert not OrganizationInvitation.objects.exists() and not mail.outbox


# --- Pending invitations and their withdrawal ------------------------------------------------------------


def test_an_owner_sees_the_pending_invitations_and_an_empty_state_without_any(
    client, owner, colleague, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    empty = client.get(_org_url()).content.decode()
    assert "Pending invitations" in empty and "No pending invitations." in empty
    with freeze_time("2026-03-02 09:30:00"):
        _invite(client, owner, "nia@example.com", django_capture_on_commit_callbacks)
    with freeze_time("2026-03-04 10:00:00"):
        _invite(client, owner, "lee@example.com", django_capture_on_commit_callbacks)
        page = client.get(_org_url()).content.decode().split("Pending invitations", 1)[1]
    assert "No pending invitations." not in page
    # Newest first, with who invited and when the link stops working.
    assert page.index("lee@example.com") < page.index("nia@example.com")
    assert "Invited by Olivia on 2 Mar 2026" in page
    assert "Expires 9 Mar 2026, 09:30" in page and "Expires 11 Mar 2026, 10:00" in page
    # An expired or accepted invitation is pending no more.
    with freeze_time("2026-03-09 09:31:00"):
        later = client.get(_org_url()).content.decode()
    assert "nia@example.com" not in later and "lee@example.com" in later
    # A member does not see the invitations.
    member = Client()
    member.force_login(colleague)
    assert "Pending invitations" not in member.get(_org_url()).content.decode()


def test_an_owner_withdraws_an_invitation_after_a_confirmation_and_its_link_says_so(
    client, owner, organization, django_capture_on_commit_callbacks
):
    path = _invite(client, owner, "nia@example.com", django_capture_on_commit_callbacks)
    invitation = OrganizationInvitation.objects.get()
    # The invitee opened the link before the withdrawal: the form they have must not work afterwards.
    invitee = Client()
    assert invitee.get(path, follow=True).status_code == 200
    confirm = client.get(_org_url("invitation_withdraw", invitation.pk))
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "Withdraw the invitation to nia@example.com?" in text
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None  # asking changes nothing
    response = client.post(_org_url("invitation_withdraw", invitation.pk), follow=True)
    page = response.content.decode()
    assert "The invitation to nia@example.com is withdrawn" in page
    assert "No pending invitations." in page
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    # The link tells the invitee plainly, and joining changes nothing.
    withdrawn = "This invitation was withdrawn by the organization, so it can no longer be accepted."
    for visitor in (invitee, Client()):
        opened = visitor.get(path, follow=True)
        assert opened.status_code == 400 and withdrawn in opened.content.decode()
    refused = invitee.post(
        "/accounts/invitations/accept/", {"name": "Nia", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert refused.status_code == 400 and withdrawn in refused.content.decode()
    assert not User.objects.filter(email="nia@example.com").exists()
    assert list(Membership.objects.filter(organization=organization).values_list("user__email", flat=True)) == [
        "owner@acme.example"
    ]
    # Withdrawn already: its page is gone; inviting the address again sends a new link that works.
    assert client.get(_org_url("invitation_withdraw", invitation.pk)).status_code == 404
    again = _invite(client, owner, "nia@example.com", django_capture_on_commit_callbacks)
    assert Client().get(again, follow=True).status_code == 200
    assert Client().get(path, follow=True).status_code == 400  # the withdrawn link stays dead


def test_withdrawing_is_refused_once_accepted_and_accepting_is_refused_once_withdrawn(owner, organization):
    """Both at the same moment: whichever comes second is told what happened and changes nothing."""
    nia = services.organization_invitation_send(organization=organization, actor=owner, email="nia@example.com")
    services.organization_invitation_accept_new_account(invitation=nia, name="Nia", password=NEW_PASSWORD)
    with pytest.raises(Conflict, match="nia@example.com accepted the invitation already: they are a member now."):
        services.organization_invitation_withdraw(invitation=nia, actor=owner)
    nia.refresh_from_db()
    assert nia.withdrawn_at is None
    lee = services.organization_invitation_send(organization=organization, actor=owner, email="lee@example.com")
    stale = OrganizationInvitation.objects.get(pk=lee.pk)  # as the invitee's request loaded it
    services.organization_invitation_withdraw(invitation=lee, actor=owner)
    with pytest.raises(Conflict, match="This invitation was withdrawn by the organization"):
        services.organization_invitation_accept_new_account(invitation=stale, name="Lee", password=NEW_PASSWORD)
    assert not User.objects.filter(email="lee@example.com").exists()


def test_an_owner_cannot_withdraw_another_organizations_invitation(client, owner):
    outsider = User.objects.create_user(email="x@other.example", password=PASSWORD, name="X", role="employer")
    other = services.organization_create(owner=outsider, name="Other Co")
    theirs = services.organization_invitation_send(organization=other, actor=outsider, email="nia@example.com")
    client.force_login(owner)
    assert client.post(_org_url("invitation_withdraw", theirs.pk)).status_code == 404
    assert client.post(reverse("accounts:invitation_withdraw", args=[other.slug, theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.withdrawn_at is None


def test_the_organization_page_reads_its_invitations_in_one_query(
    client, owner, organization, django_assert_max_num_queries
):
    client.force_login(owner)
    client.get(_org_url())
    with django_assert_max_num_queries(100) as one:
        client.get(_org_url())
    for n in range(5):
        services.organization_invitation_send(organization=organization, actor=owner, email=f"p{n}@example.com")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(_org_url()).content.decode()
    assert page.count("Invited by Olivia") == 5


# --- Every wrong role, on every new operation ----------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_new_operation_turns_away_every_wrong_role_and_changes_nothing(method, owner, organization, colleague):
    """A visitor (sent to log in), a creator and an employer of another organization (404: they learn
    nothing), and a plain member (403 for what only owners may do)."""
    outsider = User.objects.create_user(email="x@other.example", password=PASSWORD, name="X", role="employer")
    services.organization_create(owner=outsider, name="Other Co")
    creator = User.objects.create_user(email="c@example.com", password=PASSWORD, name="C", role="creator")
    target = _membership(colleague)
    invitation = services.organization_invitation_send(organization=organization, actor=owner, email="n@example.com")
    owner_only = {
        "rename": _org_url("organization_rename"),
        "promote": _org_url("membership_promote", target.pk),
        "withdraw": _org_url("invitation_withdraw", invitation.pk),
    }
    everyone = {"leave": _org_url("organization_leave"), **owner_only}
    data = {"name": "Hijacked"}
    anonymous = Client()
    for url in everyone.values():
        response = getattr(anonymous, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for user in (outsider, creator):
        caller = Client()
        caller.force_login(user)
        for url in everyone.values():
            assert getattr(caller, method)(url, data).status_code == 404, (user, url)
    member = Client()
    member.force_login(colleague)
    for url in owner_only.values():
        assert getattr(member, method)(url, data).status_code == 403, url
    # Nothing changed.
    organization.refresh_from_db()
    assert organization.name == "Acme Films"
    assert sorted(Membership.objects.filter(organization=organization).values_list("user__email", "role")) == [
        ("owner@acme.example", "owner"),
        ("sam@acme.example", "member"),
    ]
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None


def test_an_owner_cannot_promote_a_member_of_another_organization(client, owner):
    outsider = User.objects.create_user(email="x@other.example", password=PASSWORD, name="X", role="employer")
    other = services.organization_create(owner=outsider, name="Other Co")
    other_member = Membership.objects.get(organization=other)
    client.force_login(owner)
    assert client.post(_org_url("membership_promote", other_member.pk)).status_code == 404
    assert client.get(reverse("accounts:organization_leave", args=[other.slug])).status_code == 404
    assert Membership.objects.get(pk=other_member.pk).role == "owner"


def test_an_invitations_token_never_reaches_the_logs(client, owner, caplog, django_capture_on_commit_callbacks):
    import logging

    from tests.integrations.oauth.test_secrets_in_logs import console_lines, every_log_text

    caplog.set_level(logging.INFO)
    with console_lines() as lines:
        path = _invite(client, owner, "nia@example.com", django_capture_on_commit_callbacks)
        token = path.rstrip("/").split("/")[-1]
        visitor = Client()
        assert visitor.get(path).status_code == 302
        assert visitor.get(f"{path}more/").status_code == 404
        assert visitor.post(path).status_code == 405
        visitor.post(
            "/accounts/invitations/accept/", {"name": "Nia", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
    text = every_log_text(caplog, lines)
    assert "/accounts/invitations/" in text  # the requests were logged, the token was not
    assert len(token) >= 20 and token not in text
    assert token.split(":")[-1] not in text  # not even its signature alone


def test_the_database_keeps_one_invitation_per_address_and_organization(organization, owner):
    OrganizationInvitation.objects.create(organization=organization, email="nia@example.com", nonce="a")
    with pytest.raises(IntegrityError):
        OrganizationInvitation.objects.create(organization=organization, email="NIA@example.com", nonce="b")
