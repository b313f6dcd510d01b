"""Who may do what, in the domain's words: an employer, a member and an owner of an organization. A
creator and an applicant are portfolio/creators/permissions.py's (the creators app is below this one).

- Pages: `employer_required`, `member_required`, `owner_required(doing)`. A visitor who is not logged in is
  sent to log in; someone who is not a member of the organization in the URL gets a 404 (nobody learns
  which organizations exist); a member who is not an owner gets a 403 whose page says why.
- API operations: `IsMember` (the employer API's keys and scopes are accounts.authentication.EmployerAccess,
  which lets members' sessions in through `IsMember`).
- Services: `require_owner` and `require_member` refuse with common.errors.PermissionDenied.
"""

from collections.abc import Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as PagePermissionDenied
from django.http import Http404

from common.errors import PermissionDenied
from common.permissions import UserPasses, requires_role, user_passes
from portfolio.accounts import selectors
from portfolio.accounts.models import Membership, Organization, OrganizationApiKey, User


def is_employer(user) -> bool:
    return bool(getattr(user, "is_employer", False))


def is_owner(membership: Membership) -> bool:
    return membership.role == Membership.Role.OWNER


def owner_count(memberships: Iterable[Membership]) -> int:
    return sum(1 for membership in memberships if is_owner(membership))


# --- Pages -----------------------------------------------------------------------------------------------

employer_required = user_passes(is_employer, "Only employer accounts can create organizations.", role="employer")


def membership_or_404(request, slug: str) -> Membership:
    """The user's membership in this organization; a 404 for anyone who is not a member, so that nobody
    learns which organizations exist."""
    if not request.user.is_authenticated:  # an anonymous visitor is a member of nothing
        raise Http404("No such organization.")
    membership = selectors.membership_for_user(user=request.user, slug=slug)
    if membership is None:
        raise Http404("No such organization.")
    return membership


def member_required(view):
    """Members of the organization whose slug is in the URL only; the view gets their `membership`."""

    @wraps(view)
    def wrapper(request, *args, slug, **kwargs):
        return view(request, *args, slug=slug, membership=membership_or_404(request, slug), **kwargs)

    return requires_role(login_required(wrapper), "member")


def owner_required(doing: str, *, methods: Iterable[str] = ()):
    """Owners of the organization whose slug is in the URL only (the view gets their `membership`); a
    member gets a 403 saying "Only owners can <doing>.". With `methods`, only requests of those methods
    are for owners (on a page any member reads, a form only owners send)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, membership, **kwargs):
            if (not methods or request.method in methods) and not is_owner(membership):
                raise PagePermissionDenied(f"Only owners can {doing}.")
            return view(request, *args, membership=membership, **kwargs)

        return requires_role(member_required(wrapper), "owner", methods=methods)

    return decorator


# --- API operations ----------------------------------------------------------------------------------------


class IsMember(UserPasses):
    """Logged-in members of at least one organization; the view limits them to their organizations' objects."""

    message = "Only members of an organization use the employer API."

    @staticmethod
    def test(user) -> bool:
        return Membership.objects.filter(user=user).exists()


# --- Services ----------------------------------------------------------------------------------------------


def require_owner(*, organization: Organization, actor: User | None, doing: str) -> None:
    """A person must own the organization; None stands for an operator at the command line."""
    if actor is None:
        return
    if not Membership.objects.filter(organization=organization, user=actor, role=Membership.Role.OWNER).exists():
        raise PermissionDenied(f"Only owners of {organization.name} can {doing}.")


def acts_for(*, organization_id: int, actor: User | None, api_key: OrganizationApiKey | None = None) -> bool:
    """Whether a member of the organization acts, or the organization's own API key (not revoked) does."""
    if api_key is not None:
        return api_key.organization_id == organization_id and not api_key.is_revoked
    return actor is not None and Membership.objects.filter(organization_id=organization_id, user_id=actor.pk).exists()


def require_member(
    *, organization: Organization, actor: User | None, doing: str, api_key: OrganizationApiKey | None = None
) -> None:
    """A member acts, or the organization's own API key (not revoked) does."""
    if not acts_for(organization_id=organization.pk, actor=actor, api_key=api_key):
        raise PermissionDenied(f"Only members of {organization.name} can {doing}.")
