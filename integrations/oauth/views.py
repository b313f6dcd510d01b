"""The Linked accounts page and the connect / sign-in / callback / sync / unlink entry points."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from integrations.oauth import flow, hooks, registry, selectors, services
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


@never_cache
@require_GET
def linked_accounts_status(request):
    """GET: the state of the person's links as JSON, which the Linked accounts page polls while a sync is on
    its way (static/linked_accounts.js), so that it updates itself when the sync is done."""
    if not request.user.is_authenticated:
        return not_authenticated_response()
    return sync_status_response(selectors.sync_statuses(user=request.user))


def not_authenticated_response() -> JsonResponse:
    return JsonResponse({"error": {"code": "not_authenticated", "message": "Log in first."}}, status=401)


def sync_status_response(accounts: list[dict]) -> JsonResponse:
    """The JSON that static/linked_accounts.js polls: whether any of these links is syncing, and each one's
    state (selectors.sync_statuses_of). Any page whose cards follow a sync answers it in this shape."""
    return JsonResponse({"syncing": any(a["syncing"] for a in accounts), "accounts": accounts})


@login_required
@require_POST
def connect(request, provider_id: str):
    """Starts linking an account of the provider to the person's own Reelfolio account; `next` (a path on
    this site) is where they return afterwards."""
    provider = registry.provider_or_404(provider_id)
    next_url = flow.safe_next_url(request=request, url=request.POST.get("next"))
    refusal = hooks.link_refusal(user=request.user, provider=provider, owner_id=request.user.pk)
    if refusal:
        messages.error(request, refusal)
        return redirect(next_url or "oauth:linked_accounts")
    try:
        return flow.authorization_redirect(request=request, provider=provider, next_url=next_url)
    except LinkError as error:
        messages.error(request, error.message)
        return redirect(next_url or "oauth:linked_accounts")


@require_POST
def sign_in(request, provider_id: str):
    """"Continue with <provider>": a person who is not logged in signs in (or up) with the provider
    account and returns to `next`; one who is logged in links it, as with connect."""
    if request.user.is_authenticated:
        return connect(request, provider_id)
    provider = registry.provider_or_404(provider_id)
    next_url = flow.safe_next_url(request=request, url=request.POST.get("next"))
    try:
        return flow.authorization_redirect(request=request, provider=provider, next_url=next_url, sign_in=True)
    except LinkError as error:
        messages.error(request, error.message)
        return redirect(next_url or "accounts:login")


@never_cache
@require_GET
def callback(request, provider_id: str):
    provider = registry.provider_or_404(provider_id)
    if not flow.response_is_awaited(request=request, provider=provider):
        return _answer_not_awaited(request, provider)
    pending = flow.pending_pop(request=request, provider=provider)
    flow.finished_remember(request=request, provider=provider, pending=pending)
    if not request.user.is_authenticated:
        if not pending.sign_in:
            return redirect_to_login(request.get_full_path())
        return _sign_in_callback(request, provider, pending)
    owner_id = pending.link_for_user_id or request.user.pk
    refusal = hooks.link_refusal(user=request.user, provider=provider, owner_id=owner_id)
    if refusal:
        messages.error(request, refusal)
        return redirect(pending.next_url or "oauth:linked_accounts")
    owner = request.user if owner_id == request.user.pk else get_user_model().objects.get(pk=owner_id)
    try:
        services.linked_account_link_from_callback(request=request, provider=provider, user=owner)
    except LinkError as error:
        messages.error(request, error.message)
    else:
        if owner == request.user:
            messages.success(request, f"Your {provider.name} account is linked. Its profile is shown below.")
        else:
            messages.success(request, f"The {provider.name} account is linked; its videos arrive in a moment.")
    return redirect(pending.next_url or "oauth:linked_accounts")


def _answer_not_awaited(request, provider):
    """An answer the session is not waiting for. When it is the answer of a flow that came back already
    (Back to the provider's pages after the round trip, the callback reloaded or replayed), the person
    returns to where that flow started (the job page of an applicant) and is told nothing changed; an
    answer never seen (expired, from another browser) is refused with a message. Nothing is linked."""
    finished = flow.finished_flow(request=request, provider=provider)
    signed_in = request.user.is_authenticated
    linked = selectors.linked_account_for_user(user=request.user, provider_id=provider.id) if signed_in else None
    is_linked = linked is not None and linked.status == linked.Status.ACTIVE
    start = "oauth:linked_accounts" if signed_in else "accounts:login"
    if finished is None:
        if is_linked:
            messages.info(
                request, f"That {provider.name} answer was already used. Your {provider.name} account is linked."
            )
        else:
            messages.error(request, flow.STALE_STATE)
        return redirect(start)
    done = f"You came back to a page of {provider.name} that had already been answered"
    if finished.sign_in and signed_in:
        messages.info(request, f"{done}. You are signed in with your {provider.name} account; nothing changed.")
    elif is_linked:
        messages.info(request, f"{done}. Your {provider.name} account is linked; nothing changed.")
    else:
        messages.info(request, f"{done}, so nothing changed. Start again to connect {provider.name}.")
    return redirect(finished.next_url or start)


def _sign_in_callback(request, provider, pending: flow.Pending):
    try:
        user = services.sign_in_from_callback(request=request, provider=provider)
    except LinkError as error:
        messages.error(request, error.message)
        return redirect(pending.next_url or "accounts:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, f"You are signed in with your {provider.name} account.")
    return redirect(pending.next_url or "home")


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
