"""The generic pieces of permission checks; the roles themselves belong to the domain
(portfolio/accounts/permissions.py).

- `user_passes(test, message, role=...)`: a page decorator. A visitor who is not logged in goes to the
  login page; a logged-in user who fails `test` gets a 403 whose page says `message`. The view it makes
  names the role in `required_role`, so that a test can walk every page a role guards.
- `UserPasses`: the same check for a DRF operation (401 without credentials, 403 with `message`).
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework import permissions


def user_passes(test: Callable[..., bool], message: str, *, role: str):
    """Logged-in users that pass `test` only; the others get a 403 that says why (`message`)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return requires_role(login_required(wrapper), role)

    return decorator


def requires_role(view, role: str, *, methods: Iterable[str] = ()):
    """Names on a guarded view the role it requires (for the requests of `methods`; all when empty)."""
    view.required_role = role
    view.required_role_methods = tuple(methods)
    return view


class UserPasses(permissions.BasePermission):
    """Lets in logged-in users for whom `test` holds. DRF answers 401 to a request without credentials and
    403 with `message` to the others."""

    message = "You cannot do this."

    @staticmethod
    def test(user) -> bool:
        raise NotImplementedError

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and self.test(user))
