from portfolio.accounts.models import Membership, Organization, User


def organizations_for_user(*, user: User):
    return Organization.objects.filter(memberships__user=user).order_by("name")


def membership_for_user(*, user: User, slug: str) -> Membership | None:
    """The user's membership in the organization with this slug; None for anyone who is not a member."""
    return Membership.objects.select_related("organization").filter(user=user, organization__slug=slug).first()
