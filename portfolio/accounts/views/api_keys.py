"""The organization's API keys: create (shown once) and revoke."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from common.errors import ApplicationError
from common.forms import form_add_application_error
from portfolio.accounts import selectors, services
from portfolio.accounts.forms import (
    ApiKeyForm,
)
from portfolio.accounts.permissions import owner_required
from portfolio.accounts.views.organization_page import NEW_API_KEY_SESSION_PREFIX, organization_page


@owner_required("create API keys")
@require_http_methods(["POST"])
def api_key_create(request, slug, *, membership):
    """An owner creates a key: the key goes into the server-side session, and the organization page shows
    it once after the redirect (Post/Redirect/Get). It never travels in a URL or a message cookie."""
    organization = membership.organization
    key_form = ApiKeyForm(request.POST)
    if key_form.is_valid():
        try:
            api_key, key = services.organization_api_key_create(
                organization=organization,
                actor=request.user,
                scopes=key_form.cleaned_data["scopes"],
                name=key_form.cleaned_data["name"],
            )
        except ApplicationError as error:
            form_add_application_error(key_form, error)
        else:
            request.session[NEW_API_KEY_SESSION_PREFIX + str(organization.pk)] = {
                "key": key, "name": api_key.name, "scopes": api_key.scopes,
            }
            return redirect(reverse("accounts:organization_detail", args=[slug]) + "#api-keys")
    return organization_page(request, membership=membership, key_form=key_form, status=400)


@owner_required("revoke API keys")
@require_http_methods(["GET", "POST"])
def api_key_revoke(request, slug, api_key_id, *, membership):
    organization = membership.organization
    api_key = get_object_or_404(selectors.api_keys_for_organization(organization=organization), pk=api_key_id)
    if request.method == "POST":
        try:
            services.organization_api_key_revoke(api_key=api_key, actor=request.user)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"The key {api_key.name or api_key.prefix} is revoked: it no longer works.")
        return redirect(reverse("accounts:organization_detail", args=[slug]) + "#api-keys")
    return render(request, "accounts/api_key_confirm_revoke.html", {"organization": organization, "api_key": api_key})


# --- The organization's video account ----------------------------------------------------------------
