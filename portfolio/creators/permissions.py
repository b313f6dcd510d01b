"""Who may do what, for the roles of people who are not employers: a creator, and the applicant a creator is
when applying to jobs (employers do not apply). Organizations' members and owners:
portfolio/accounts/permissions.py, which builds on these and on common/permissions.py.

Pages: `creator_required`, `applicant_required` (login first; a 403 that says why for an employer). API
operations: `IsApplicant`. Views ask `is_applicant(user)` where a page answers otherwise than with a 403.
"""

from common.permissions import UserPasses, user_passes

NOT_AN_APPLICANT = "Employer accounts do not apply to jobs; log in with your creator account."


def is_creator(user) -> bool:
    return bool(getattr(user, "is_creator", False))


# An applicant is a creator: employers do not apply.
is_applicant = is_creator

creator_required = user_passes(is_creator, "Only creator accounts have videos and portfolio links.", role="creator")
applicant_required = user_passes(
    is_applicant, "Only creator accounts apply to jobs and have these pages.", role="applicant"
)


class IsApplicant(UserPasses):
    """Logged-in creators: employers do not apply."""

    message = NOT_AN_APPLICANT
    test = staticmethod(is_applicant)
