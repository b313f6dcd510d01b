"""The organization page, drawn from its sections (members and invitations, video account, API keys,
webhooks): one place, so a form sent back with errors shows the whole page as a plain visit does."""

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from portfolio.accounts import selectors
from portfolio.accounts.forms import ApiKeyForm, MemberAddForm
from portfolio.accounts.permissions import is_owner, owner_count
from portfolio.accounts.views import webhooks as webhook_views
from portfolio.accounts.views.video_account import video_account_context

NEW_API_KEY_SESSION_PREFIX = "accounts:new-api-key:"


def api_keys_context(request, *, organization, membership, key_form=None) -> dict:
    """The API keys section. A key made just before is taken out of the session as it is shown: it appears
    once, and reloading the page shows it no more."""
    new_key = request.session.pop(NEW_API_KEY_SESSION_PREFIX + str(organization.pk), None)
    return {
        "api_keys": selectors.api_keys_for_organization(organization=organization),
        "new_api_key": new_key,
        "key_form": key_form or (ApiKeyForm() if is_owner(membership) else None),
    }


def organization_page(request, *, membership, form=None, key_form=None, status: int = 200):
    """The whole page; `form` (invite a member) or `key_form` (a new API key) carries what was sent back."""
    organization = membership.organization
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
                selectors.pending_invitations(organization=organization) if is_owner(membership) else None
            ),
            "form": form or MemberAddForm(),
            **api_keys_context(request, organization=organization, membership=membership, key_form=key_form),
            **video_account_context(request, organization=organization),
            **webhook_views.section_context(organization=organization),
        },
        status=status,
    )
    add_never_cache_headers(response)  # a new API key may be on it, shown this once
    return response
