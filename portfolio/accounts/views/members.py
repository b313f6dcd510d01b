"""Members and invitations: remove, promote, leave; withdraw, open and accept an invitation."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from common.errors import ApplicationError
from common.forms import form_add_application_error
from portfolio.accounts import selectors, services
from portfolio.accounts.forms import (
    InvitationSignUpForm,
)
from portfolio.accounts.models import Membership
from portfolio.accounts.permissions import is_employer, is_owner, member_required, owner_required


@owner_required("remove members")
def membership_remove(request, slug, membership_id, *, membership):
    target = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organization=membership.organization
    )
    if target.pk == membership.pk:  # removing oneself is leaving: that page says whether one can
        return redirect("accounts:organization_leave", slug=slug)
    if request.method == "POST":
        try:
            services.membership_remove(membership=target, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{target.user.name} no longer belongs to {membership.organization.name}.")
        return redirect("accounts:organization_detail", slug=slug)
    return render(
        request, "accounts/membership_confirm_remove.html", {"target": target, "organization": membership.organization}
    )


@owner_required("make members owners")
@require_http_methods(["GET", "POST"])
def membership_promote(request, slug, membership_id, *, membership):
    """An owner makes a member an owner too, after a confirmation page."""
    target = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organization=membership.organization
    )
    if is_owner(target):
        messages.info(request, f"{target.user.name} is an owner already.")
        return redirect("accounts:organization_detail", slug=slug)
    if request.method == "POST":
        try:
            services.membership_promote(membership=target, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"{target.user.name} is now an owner of {membership.organization.name}.")
        return redirect("accounts:organization_detail", slug=slug)
    return render(
        request,
        "accounts/organization_member_promote.html",
        {"target": target, "organization": membership.organization},
    )


@member_required
@require_http_methods(["GET", "POST"])
def organization_leave(request, slug, *, membership):
    """A member leaves the organization, after a confirmation page; the only owner is told why they cannot
    instead of being asked to confirm."""
    organization = membership.organization
    refusal = selectors.leave_refusal(membership=membership)
    if request.method == "POST" and not refusal:
        try:
            services.membership_leave(membership=membership)
        except ApplicationError as error:  # the other owner left at this very moment
            refusal = error.message
        else:
            messages.success(request, f"You left {organization.name}.")
            return redirect("accounts:organization_list")
    return render(
        request,
        "accounts/organization_leave.html",
        {"organization": organization, "membership": membership, "refusal": refusal},
        status=409 if refusal else 200,
    )


@owner_required("withdraw invitations")
@require_http_methods(["GET", "POST"])
def invitation_withdraw(request, slug, invitation_id, *, membership):
    """An owner withdraws a pending invitation, after a confirmation page."""
    organization = membership.organization
    invitation = selectors.pending_invitation_or_404(organization=organization, invitation_id=invitation_id)
    if request.method == "POST":
        try:
            services.organization_invitation_withdraw(invitation=invitation, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, f"The invitation to {invitation.email} is withdrawn: its link no longer lets anyone join."
            )
        return redirect(reverse("accounts:organization_detail", args=[slug]) + "#invitations-heading")
    return render(
        request, "accounts/invitation_confirm_withdraw.html", {"invitation": invitation, "organization": organization}
    )


INVITATION_SESSION_KEY = "accounts:invitation-token"


@never_cache
@require_http_methods(["GET"])
def invitation_open(request, token: str):
    """The link of an invitation email. Its token moves into the session and the browser goes on to a page
    whose address carries none (as Django's password reset does): the token stays out of the history, of
    Referer headers and of the links on the page."""
    request.session[INVITATION_SESSION_KEY] = token
    response = redirect("accounts:invitation_accept")
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request):
    """Accepting an invitation: a new employer makes their account here; an employer with the invited address
    logs in (if not yet) and joins with one press."""
    token = request.session.get(INVITATION_SESSION_KEY, "")
    invitation, reason = selectors.invitation_for_token(token) if token else (None, "")
    if invitation is None:
        return render(
            request,
            "accounts/organization_invitation.html",
            {"reason": reason or "Open the invitation link from your email to accept it."},
            status=400,
        )
    organization = invitation.organization
    context: dict = {"invitation": invitation, "organization": organization}
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.organization_invitation_accept(invitation=invitation, user=request.user)
            except ApplicationError as error:
                context["refusal"] = error.message
            else:
                request.session.pop(INVITATION_SESSION_KEY, None)
                messages.success(request, f"Welcome to {organization.name}.")
                return redirect("accounts:organization_detail", slug=organization.slug)
        elif request.user.email.lower() != invitation.email.lower():
            context["refusal"] = (
                f"This invitation is for {invitation.email}, and you are logged in as {request.user.email}. "
                "Log out, then follow the link from the email again."
            )
        elif not is_employer(request.user):
            context["refusal"] = (
                "This address has a creator account, and only employer accounts belong to organizations."
            )
        return render(
            request, "accounts/organization_invitation.html", context, status=403 if "refusal" in context else 200
        )
    if selectors.email_has_account(invitation.email):
        # Whoever holds the link reads this address's inbox: telling them it has an account tells them nothing new.
        context["login_url"] = f"{reverse('accounts:login')}?next={reverse('accounts:invitation_accept')}"
        return render(request, "accounts/organization_invitation.html", context)
    form = InvitationSignUpForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.organization_invitation_accept_new_account(
                invitation=invitation, name=form.cleaned_data["name"], password=form.cleaned_data["password1"]
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            request.session.pop(INVITATION_SESSION_KEY, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to Reelfolio and to {organization.name}, {user.get_short_name()}.")
            return redirect("accounts:organization_detail", slug=organization.slug)
    context["form"] = form
    return render(request, "accounts/organization_invitation.html", context, status=400 if form.errors else 200)


# --- Organization API keys -------------------------------------------------------------------------
