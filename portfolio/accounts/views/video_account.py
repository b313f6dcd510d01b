"""The organization's video account: connect, sync, status and unlink."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from integrations.oauth import flow as oauth_flow
from integrations.oauth import hooks as oauth_hooks
from integrations.oauth import registry
from integrations.oauth import services as oauth_services
from integrations.oauth import views as oauth_views
from integrations.providers.errors import LinkError
from portfolio.accounts import selectors, services
from portfolio.accounts.permissions import member_required, membership_or_404

ORGANIZATION_VIDEOS_PER_PAGE = 12


def _video_providers() -> list:
    return [provider for provider in registry.providers().values() if provider.role == "videos"]


def video_account_context(request, *, organization) -> dict:
    """The video account section of the organization page: each video provider with the organization's
    link to it (if any), and the organization's videos, a page at a time."""
    accounts = selectors.organization_video_accounts(organization=organization)
    linked = {account.provider_id: account for account in accounts}
    videos = Paginator(selectors.organization_videos(organization=organization), ORGANIZATION_VIDEOS_PER_PAGE)
    return {
        "video_cards": [{"provider": provider, "linked": linked.get(provider.id)} for provider in _video_providers()],
        "videos_page": videos.get_page(request.GET.get("videos")),
        "has_video_account": bool(linked),
    }


@never_cache
@require_http_methods(["GET"])
def organization_video_status(request, slug):
    """GET: the state of the organization's video accounts as JSON, which its page polls while a sync is on
    its way (static/linked_accounts.js, as on the Linked accounts page), so that it updates itself when the
    sync is done. Any member may read it; others get 404, as for the page."""
    if not request.user.is_authenticated:
        return oauth_views.not_authenticated_response()
    membership = membership_or_404(request, slug)
    return oauth_views.sync_status_response(
        selectors.organization_video_sync_statuses(organization=membership.organization)
    )


def _organization_page(slug) -> str:
    return reverse("accounts:organization_detail", kwargs={"slug": slug}) + "#video-account"


@member_required
@require_POST
def organization_video_connect(request, slug, provider_id, *, membership):
    """A member starts linking the organization's account at a video platform: the link is made for the
    organization's video holder, and the provider sends them back to the organization page."""
    provider = registry.provider_or_404(provider_id)
    if provider.role != "videos":
        raise Http404("No such video provider.")
    holder = services.organization_video_holder(organization=membership.organization)
    refusal = oauth_hooks.link_refusal(user=request.user, provider=provider, owner_id=holder.pk)
    if refusal:
        messages.error(request, refusal)
        return redirect(_organization_page(slug))
    try:
        return oauth_flow.authorization_redirect(
            request=request, provider=provider, link_for_user_id=holder.pk, next_url=_organization_page(slug)
        )
    except LinkError as error:
        messages.error(request, error.message)
        return redirect(_organization_page(slug))


def _organization_link_or_404(membership, provider_id):
    provider = registry.provider_or_404(provider_id)
    linked = selectors.organization_video_account(organization=membership.organization, provider_id=provider_id)
    if linked is None:
        raise Http404("The organization has no such linked account.")
    return membership.organization, provider, linked


@member_required
@require_POST
def organization_video_sync(request, slug, provider_id, *, membership):
    organization, provider, linked = _organization_link_or_404(membership, provider_id)
    try:
        oauth_services.linked_account_sync_request(linked_account=linked)
    except LinkError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, f"Syncing {organization.name}'s {provider.name} account; its videos update in a moment.")
    return redirect(_organization_page(slug))


@member_required
@require_http_methods(["GET", "POST"])
def organization_video_unlink(request, slug, provider_id, *, membership):
    organization, provider, linked = _organization_link_or_404(membership, provider_id)
    if request.method == "GET":
        return render(
            request,
            "accounts/organization_video_unlink.html",
            {"organization": organization, "provider": provider, "linked": linked},
        )
    revocation = oauth_services.linked_account_unlink(linked_account=linked)
    if revocation == "failed":
        messages.warning(
            request,
            f"{organization.name}'s {provider.name} account is unlinked and Reelfolio deleted its tokens, but "
            f"{provider.name} could not be reached to revoke them; you can also remove Reelfolio in the "
            f"account's {provider.name} settings.",
        )
    else:
        messages.success(
            request, f"{organization.name}'s {provider.name} account is unlinked and Reelfolio deleted its tokens."
        )
    return redirect(_organization_page(slug))
