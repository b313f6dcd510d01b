from datetime import timedelta

from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.db.models import DateTimeField, ExpressionWrapper, F
from django.http import Http404
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.http import urlsafe_base64_decode

from portfolio.accounts.models import Membership, Organization, OrganizationApiKey, OrganizationInvitation, User


def organizations_for_user(*, user: User):
    return Organization.objects.filter(memberships__user=user).order_by("name")


def organization_named(*, name_or_slug: str) -> Organization | None:
    """The organization an operator names on the command line: by its slug, or by its name in any case."""
    text = name_or_slug.strip()
    return Organization.objects.filter(slug=text).first() or Organization.objects.filter(name__iexact=text).first()


def membership_for_user(*, user: User, slug: str) -> Membership | None:
    """The user's membership in the organization with this slug; None for anyone who is not a member."""
    return Membership.objects.select_related("organization").filter(user=user, organization__slug=slug).first()


def api_keys_for_organization(*, organization: Organization):
    """The organization's API keys, the live ones first, with who made them."""
    return (
        OrganizationApiKey.objects.filter(organization=organization)
        .select_related("created_by")
        .order_by(F("revoked_at").desc(nulls_first=True), "-created_at", "-id")
    )


# --- The organization's video account ----------------------------------------------------------------


def organization_video_accounts(*, organization: Organization) -> list:
    """The video-platform accounts linked for the organization (held by its video holder), not unlinked."""
    from integrations.oauth.models import LinkedAccount

    return list(
        LinkedAccount.objects.filter(user__held_organization=organization, role=LinkedAccount.Role.VIDEOS)
        .exclude(status=LinkedAccount.Status.REVOKED)
        .order_by("provider_id")
    )


def organization_video_sync_statuses(*, organization: Organization) -> list[dict]:
    """The state of the organization's video-platform accounts, which its page polls while a sync is on its
    way (the same shape as the Linked accounts page's)."""
    from integrations.oauth.models import LinkedAccount
    from integrations.oauth.selectors import sync_statuses_of

    return sync_statuses_of(
        LinkedAccount.objects.filter(user__held_organization=organization, role=LinkedAccount.Role.VIDEOS)
    )


def organization_video_account(*, organization: Organization, provider_id: str):
    """The organization's linked account at this video provider, or None."""
    accounts = organization_video_accounts(organization=organization)
    return next((linked for linked in accounts if linked.provider_id == provider_id), None)


def organization_videos(*, organization: Organization):
    """The organization's active videos, newest first."""
    from portfolio.creators.models import Video

    return Video.objects.filter(owner__held_organization=organization, status=Video.Status.ACTIVE).order_by(
        "-published_at", "-id"
    )


def user_for_signup_confirmation(*, uidb64: str, token: str) -> User | None:
    """The account waiting for confirmation that this link names, or None for a link that is not valid
    (tampered with, expired after PASSWORD_RESET_TIMEOUT, or already used: logging in spends it)."""
    try:
        user = User.objects.filter(pk=int(urlsafe_base64_decode(uidb64).decode())).first()
    except (ValueError, UnicodeDecodeError):
        return None
    if user is None or user.is_active or not default_token_generator.check_token(user, token):
        return None
    return user


# --- Members and invitations ---------------------------------------------------------------------------


def last_owner_message(*, membership: Membership, actor_id: int) -> str:
    """Why the organization's only owner cannot leave it (or be removed), in words for the actor."""
    name = membership.organization.name
    if membership.user_id == actor_id:
        return (
            f"You are the only owner of {name}, and an organization keeps at least one owner: make another "
            "member an owner first, then leave."
        )
    return f"{membership.user.name} is the only owner of {name}, and an organization keeps at least one owner."


def leave_refusal(*, membership: Membership, owner_count: int | None = None) -> str:
    """Why this member cannot leave the organization now ("" when they can). `owner_count` saves a query
    when the caller has the members at hand."""
    if membership.role != Membership.Role.OWNER:
        return ""
    if owner_count is None:
        owner_count = Membership.objects.filter(
            organization=membership.organization_id, role=Membership.Role.OWNER
        ).count()
    return last_owner_message(membership=membership, actor_id=membership.user_id) if owner_count <= 1 else ""


INVITATION_DAYS = 7
INVITATION_SALT = "reelfolio.accounts.invitation"
INVITATION_NOT_VALID = (
    "This invitation link is not valid any more: a newer invitation may have replaced it. Ask the "
    "organization's owner to invite you again."
)
INVITATION_EXPIRED = (
    f"This invitation expired ({INVITATION_DAYS} days after it was sent). Ask the organization's owner to "
    "invite you again."
)
INVITATION_USED = "This invitation was already accepted. Log in to see the organization."
INVITATION_WITHDRAWN = (
    "This invitation was withdrawn by the organization, so it can no longer be accepted. Ask the "
    "organization's owner if you think this is a mistake."
)


def invitation_sent_message(*, invitation: OrganizationInvitation) -> str:
    """What the owner is told once an invitation is sent: the same words whatever the address, so the page
    never tells whether it has an account."""
    return (
        f"Reelfolio emailed an invitation to {invitation.email}. They join {invitation.organization.name} once "
        "they accept it; until then it is listed under Pending invitations."
    )


def pending_invitations(*, organization: Organization):
    """The organization's invitations whose link still works (neither accepted, withdrawn nor expired),
    newest first, each with who sent it and `expires_at`, when its link stops working."""
    return (
        OrganizationInvitation.objects.filter(
            organization=organization,
            accepted_at__isnull=True,
            withdrawn_at__isnull=True,
            sent_at__gt=timezone.now() - timedelta(days=INVITATION_DAYS),
        )
        .select_related("invited_by")
        .annotate(
            expires_at=ExpressionWrapper(F("sent_at") + timedelta(days=INVITATION_DAYS), output_field=DateTimeField())
        )
        .order_by("-sent_at", "-id")
    )


def pending_invitation_or_404(*, organization: Organization, invitation_id: int) -> OrganizationInvitation:
    """One of the organization's pending invitations; 404 for another organization's, or one no longer pending."""
    invitation = pending_invitations(organization=organization).filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such pending invitation.")
    return invitation


def invitation_for_token(token: str) -> tuple[OrganizationInvitation | None, str]:
    """The pending invitation a link names, or None and why not, in words for the person who followed it."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=timedelta(days=INVITATION_DAYS))
    except signing.SignatureExpired:
        return None, INVITATION_EXPIRED
    except signing.BadSignature:
        return None, INVITATION_NOT_VALID
    if not isinstance(data, dict) or not isinstance(data.get("i"), int) or not isinstance(data.get("n"), str):
        return None, INVITATION_NOT_VALID
    invitation = (
        OrganizationInvitation.objects.select_related("organization", "invited_by").filter(pk=data["i"]).first()
    )
    if invitation is None or not constant_time_compare(invitation.nonce, data["n"]):
        return None, INVITATION_NOT_VALID  # withdrawn, or replaced by a newer invitation to the same address
    if invitation.accepted_at is not None:
        return None, INVITATION_USED
    if invitation.withdrawn_at is not None:
        return None, INVITATION_WITHDRAWN
    return invitation, ""



def email_has_account(email: str) -> bool:
    return User.objects.filter(email__iexact=email).exists()
