"""Sign-up and its confirmation, sign-in and its lockout, sign-out, password change and reset.

Logins are limited by django-axes (settings AXES_*): after LOGIN_FAILURE_LIMIT failures for one account,
or from one client address (common/rate_limits.client_ident_address), logging in is paused for
LOGIN_COOLOFF_MINUTES. Password-reset requests are limited per client address and per email
(PASSWORD_RESET_RATE, common/rate_limits.py), counted whether or not an account uses the email, so that
the limit says nothing about who has one.
"""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from common import rate_limits
from common.errors import ApplicationError
from common.forms import form_add_application_error
from portfolio.accounts import selectors, services
from portfolio.accounts.forms import (
    EmailAuthenticationForm,
    SignUpForm,
)


def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_sign_up_request(
                email=data["email"],
                name=data["name"],
                password=data["password1"],
                role=data["role"],
                organization_name=data["organization_name"],
                organization_website=data["organization_website"],
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            # New or taken, the address got an email (a confirmation link, or a note that an account exists):
            # the page says the same either way.
            return redirect("accounts:signup_check_email")
    return render(request, "accounts/signup.html", {"form": form})


@require_http_methods(["GET"])
def signup_confirm(request, uidb64: str, token: str):
    """The confirmation link of a sign-up: the account may log in from now on, and is logged in."""
    user = selectors.user_for_signup_confirmation(uidb64=uidb64, token=token)
    if user is None:
        messages.error(
            request,
            "This confirmation link is not valid: it was already used, or it expired. If you confirmed your "
            "address, log in; otherwise sign up again to get a new link.",
        )
        return redirect("accounts:login")
    services.user_sign_up_confirm(user=user)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, f"Welcome to Reelfolio, {user.get_short_name()}. Your email address is confirmed.")
    return redirect("home")


def signup_check_email(request):
    """Where a sign-up with an email that already has an account ends: the same words for anyone."""
    return render(request, "accounts/signup_check_email.html")


class LoginView(auth_views.LoginView):
    """Logs in by email. django-axes counts its failures (per account and per client address) and, over
    the limit, answers with login_locked_out instead."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


def login_username(request, credentials: dict | None) -> str:
    """The account django-axes counts failures of (AXES_USERNAME_CALLABLE): the email as typed, trimmed and
    in lower case, so that every spelling of it shares one count."""
    username = (credentials or {}).get("username") or request.POST.get("username") or ""
    return str(username).strip().lower()


def login_locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a login over the limit: 429, with when to try again and the way out."""
    minutes = settings.LOGIN_COOLOFF_MINUTES
    response = render(request, "accounts/login_locked.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    add_never_cache_headers(response)
    return response


class LogoutView(auth_views.LogoutView):
    """Says so on the page it lands on, which otherwise looks the same as before for a visitor."""

    def post(self, request, *args, **kwargs):
        was_logged_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_logged_in:
            messages.success(request, "You are logged out.")
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Sends the reset link, a few times an hour at most per client address and per email
    (PASSWORD_RESET_RATE), whether or not an account uses the email."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        wait = rate_limits.limit_hit(
            "password-reset",
            settings.PASSWORD_RESET_RATE,
            f"address:{rate_limits.client_ident(self.request)}",
            # A digest: no address in cache keys.
            f"email:{hashlib.sha256(email.encode()).hexdigest()[:32]}",
        )
        if wait is not None:
            minutes = max(1, round(wait / 60))
            form.add_error(
                None,
                "Too many password reset requests for this email or from your network. "
                f"Try again in {minutes} minute{'s' if minutes != 1 else ''}; a link already sent still works.",
            )
            response = self.form_invalid(form)
            response.status_code = 429
            response["Retry-After"] = str(wait)
            return response
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
