"""The Linked accounts page and the connect / callback / sync / unlink entry points."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from integrations.oauth import flow, registry, selectors, services
from integrations.providers.errors import LinkError


def _linked_or_404(request, provider_id: str):
    linked = selectors.linked_account_for_user(user=request.user, provider_id=provider_id)
    if linked is None:
        raise Http404("You have not linked this provider.")
    return linked


@login_required
@require_GET
def linked_accounts(request):
    cards = selectors.provider_cards(user=request.user)
    return render(request, "oauth/linked_accounts.html", {"cards": cards})


@login_required
@require_POST
def connect(request, provider_id: str):
    provider = registry.provider_or_404(provider_id)
    try:
        return flow.authorization_redirect(request=request, provider=provider)
    except LinkError as error:
        messages.error(request, error.message)
        return redirect("oauth:linked_accounts")


@never_cache
@login_required
@require_GET
def callback(request, provider_id: str):
    provider = registry.provider_or_404(provider_id)
    try:
        services.linked_account_link_from_callback(request=request, provider=provider)
    except LinkError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Your {provider.name} account is linked. Its profile is shown below.")
    return redirect("oauth:linked_accounts")


@login_required
@require_POST
def sync(request, provider_id: str):
    provider = registry.provider_or_404(provider_id)
    linked = _linked_or_404(request, provider_id)
    try:
        services.linked_account_sync_request(linked_account=linked)
    except LinkError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, f"Syncing your {provider.name} account; this page shows the result in a moment.")
    return redirect("oauth:linked_accounts")


@login_required
@require_http_methods(["GET", "POST"])
def unlink(request, provider_id: str):
    provider = registry.provider_or_404(provider_id)
    linked = _linked_or_404(request, provider_id)
    if request.method == "GET":
        return render(request, "oauth/unlink_confirm.html", {"provider": provider, "linked": linked})
    revocation = services.linked_account_unlink(linked_account=linked)
    if revocation == "failed":
        messages.warning(
            request,
            f"Your {provider.name} account is unlinked and Reelfolio deleted its tokens, but {provider.name} "
            "could not be reached to revoke them; you can also remove Reelfolio in your "
            f"{provider.name} settings.",
        )
    else:
        messages.success(request, f"Your {provider.name} account is unlinked and Reelfolio deleted its tokens.")
    return redirect("oauth:linked_accounts")
