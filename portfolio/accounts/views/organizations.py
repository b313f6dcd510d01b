"""Organizations: the list, creating one, and the organization page that gathers its sections, renaming."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from common.errors import ApplicationError
from common.forms import form_add_application_error
from portfolio.accounts import selectors, services
from portfolio.accounts.forms import (
    MemberAddForm,
    OrganizationForm,
    OrganizationRenameForm,
)
from portfolio.accounts.permissions import employer_required, is_owner, owner_count, owner_required
from portfolio.accounts.views import webhooks as webhook_views
from portfolio.accounts.views.api_keys import api_keys_context
from portfolio.accounts.views.video_account import video_account_context


@login_required
def organization_list(request):
    organizations = selectors.organizations_for_user(user=request.user)
    return render(request, "accounts/organization_list.html", {"organizations": organizations})


@employer_required
def organization_create(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(
                owner=request.user, name=form.cleaned_data["name"], website=form.cleaned_data["website"]
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, f"{organization.name} is ready. You are its owner.")
            return redirect("accounts:organization_detail", slug=organization.slug)
    return render(request, "accounts/organization_form.html", {"form": form})


@owner_required("invite members", methods=["POST"])
def organization_detail(request, slug, *, membership):
    organization = membership.organization
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.organization_member_invite(
                organization=organization, actor=request.user, email=form.cleaned_data["email"]
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, selectors.invitation_sent_message(invitation=invitation))
            return redirect("accounts:organization_detail", slug=slug)
    members = list(organization.memberships.select_related("user").order_by("created_at"))
    response = render(
        request,
        "accounts/organization_detail.html",
        {
            "organization": organization,
            "membership": membership,
            "members": members,
            # Told on the page itself, before any confirmation page: why the only owner cannot leave.
            "leave_refusal": selectors.leave_refusal(membership=membership, owner_count=owner_count(members)),
            "invitation_days": selectors.INVITATION_DAYS,
            "invitations": (
                selectors.pending_invitations(organization=organization)
                if is_owner(membership)
                else None
            ),
            "form": form,
            **api_keys_context(request, organization=organization, membership=membership),
            **video_account_context(request, organization=organization),
            **webhook_views.section_context(organization=organization),
        },
    )
    add_never_cache_headers(response)  # a new API key may be on it, shown this once
    return response


@owner_required("rename the organization")
@require_http_methods(["GET", "POST"])
def organization_rename(request, slug, *, membership):
    organization = membership.organization
    form = OrganizationRenameForm(request.POST or None, initial={"name": organization.name})
    old_name = organization.name
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_rename(organization=organization, actor=request.user, name=form.cleaned_data["name"])
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            if organization.name != old_name:
                messages.success(request, f"{old_name} is now called {organization.name}.")
            return redirect("accounts:organization_detail", slug=slug)
    return render(
        request,
        "accounts/organization_rename.html",
        {"form": form, "organization": organization, "old_name": old_name},
        status=400 if form.errors else 200,
    )


# --- Invitations by email ------------------------------------------------------------------------------
