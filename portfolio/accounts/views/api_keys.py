"""The organization's API keys: create (shown once) and revoke."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from common.errors import ApplicationError
from portfolio.accounts import selectors, services
from portfolio.accounts.forms import (
    ApiKeyForm,
    MemberAddForm,
)
from portfolio.accounts.permissions import is_owner, owner_count, owner_required

NEW_API_KEY_SESSION_PREFIX = "accounts:new-api-key:"


def api_keys_context(request, *, organization, membership, key_form=None) -> dict:
    """The API keys section of the organization page. A key made just before is taken out of the session
    as it is shown: it appears once, and reloading the page shows it no more."""
    new_key = request.session.pop(NEW_API_KEY_SESSION_PREFIX + str(organization.pk), None)
    return {
        "api_keys": selectors.api_keys_for_organization(organization=organization),
        "new_api_key": new_key,
        "key_form": key_form or (ApiKeyForm() if is_owner(membership) else None),
    }


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
            for field, field_messages in error.field_errors.items():
                key_form.add_error(field if field in key_form.fields else None, field_messages)
            if not error.field_errors:
                key_form.add_error(None, error.message)
        else:
            request.session[NEW_API_KEY_SESSION_PREFIX + str(organization.pk)] = {
                "key": key, "name": api_key.name, "scopes": api_key.scopes,
            }
            return redirect(reverse("accounts:organization_detail", args=[slug]) + "#api-keys")
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
            "form": MemberAddForm(),
            **api_keys_context(request, organization=organization, membership=membership, key_form=key_form),
        },
        status=400,
    )
    add_never_cache_headers(response)
    return response


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
