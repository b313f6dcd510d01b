"""The one check that pages of an organization make: is the person a member of it?"""

from django.http import Http404, HttpRequest

from portfolio.accounts import selectors
from portfolio.accounts.models import Membership


def membership_or_404(request: HttpRequest, slug: str) -> Membership:
    """The user's membership in this organization; a 404 for anyone who is not a member, so that nobody
    learns which organizations exist."""
    if not request.user.is_authenticated:  # an anonymous visitor is a member of nothing
        raise Http404("No such organization.")
    membership = selectors.membership_for_user(user=request.user, slug=slug)
    if membership is None:
        raise Http404("No such organization.")
    return membership
