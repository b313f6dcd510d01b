"""Organizations: the list, creating one, and the organization page that gathers its sections, renaming."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from common.errors import ApplicationError
from common.forms import form_add_application_error
from portfolio.accounts import selectors, services
from portfolio.accounts.forms import (
    MemberAddForm,
    OrganizationForm,
    OrganizationRenameForm,
)
from portfolio.accounts.permissions import employer_required, owner_required
from portfolio.accounts.views.organization_page import organization_page


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
    return organization_page(request, membership=membership, form=form)


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
