from django.contrib.auth.tokens import default_token_generator
from django.db.models import F
from django.utils.http import urlsafe_base64_decode

from portfolio.accounts.models import Membership, Organization, OrganizationApiKey, User


def organizations_for_user(*, user: User):
    return Organization.objects.filter(memberships__user=user).order_by("name")


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
