from django.http import Http404

from portfolio.accounts.models import Membership, Organization, User


def organizations_for_user(*, user: User):
    return Organization.objects.filter(memberships__user=user).order_by("name")


def membership_for_user_or_404(*, user: User, slug: str) -> Membership:
    """The user's membership in the organization with this slug; 404 for anyone who is not a member."""
    membership = Membership.objects.select_related("organization").filter(user=user, organization__slug=slug).first()
    if membership is None:
        raise Http404("No such organization.")
    return membership
