"""Writes of linked accounts and their tokens.

Calls to a provider are made outside database transactions, except the token refresh: it holds the
token row's lock (select_for_update) during the token request, so that two workers never refresh one
token and a rotated refresh token is saved in the same transaction that read the old one.
"""

import contextvars
import logging
import threading
from datetime import UTC, datetime, timedelta

from celery import signature
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from common import crypto
from integrations.oauth import flow, hooks, registry
from integrations.oauth.models import LinkedAccount, OAuthToken
from integrations.oauth.task_names import REFRESH_TOKEN, SYNC_LINKED_ACCOUNT
from integrations.providers import Account, Provider
from integrations.providers.errors import LinkError, ProviderError, ReconnectRequired, TokenRejected

logger = logging.getLogger(__name__)

Status = LinkedAccount.Status


def _enqueue_on_commit(task_name: str, linked_account_id: int) -> None:
    """After commit; a broker that is down only delays the task (the periodic sweeps enqueue it again)."""
    task = signature(task_name, args=(linked_account_id,))
    transaction.on_commit(task.delay, robust=True)


def _enqueue_sync(linked_account_id: int) -> None:
    _enqueue_on_commit(SYNC_LINKED_ACCOUNT, linked_account_id)


def _enqueue_refresh(linked_account_id: int) -> None:
    _enqueue_on_commit(REFRESH_TOKEN, linked_account_id)


def _token_fields(token: dict, *, previous_refresh_token: str = "") -> dict:
    expires_at = token.get("expires_at")
    return {
        "access_token_encrypted": crypto.encrypt(token["access_token"]),
        # A refresh answer without a refresh token keeps the one we have (RFC 6749 §6).
        "refresh_token_encrypted": crypto.encrypt(token.get("refresh_token") or previous_refresh_token),
        "token_type": str(token.get("token_type") or "Bearer")[:40],
        "scope": str(token.get("scope") or "")[:500],
        "expires_at": datetime.fromtimestamp(int(expires_at), tz=UTC) if expires_at else None,
    }


def _already_linked_message(provider: Provider) -> str:
    return (
        f"This {provider.name} account is already linked to another Reelfolio account. "
        "Nothing was changed; sign in to that Reelfolio account to manage it."
    )


# --- linking ---------------------------------------------------------------------------------------


def linked_account_link_from_callback(*, request: HttpRequest, provider: Provider, user=None) -> LinkedAccount:
    """Completes the authorization response at the callback: checks it, exchanges the code, reads who
    the person is at the provider, then stores the link and its encrypted tokens for `user` (by default
    the person at the callback; the caller has checked they may link for another account)."""
    token = flow.authorization_complete(request=request, provider=provider)
    account = provider.account(token=token)
    return linked_account_link(user=user or request.user, provider=provider, account=account, token=token)


def sign_in_from_callback(*, request: HttpRequest, provider: Provider):
    """Completes the authorization response of a person who is not logged in, and returns the Reelfolio
    account they sign in to, with the provider account linked to it.

    An account already linked to this provider account is the one; otherwise the domain's sign-in
    handler (hooks.register_sign_in) decides, and may refuse with a LinkError. The caller logs them in.
    """
    token = flow.authorization_complete(request=request, provider=provider)
    account = provider.account(token=token)
    linked = (
        LinkedAccount.objects.select_related("user")
        .filter(provider_id=provider.id, subject=account.subject)
        .exclude(status=Status.REVOKED)
        .first()
    )
    with transaction.atomic():  # a new account and its link, or neither
        user = linked.user if linked is not None else hooks.sign_in_user(provider=provider, account=account)
        if user is None or not user.is_active:
            raise LinkError(
                f"Reelfolio cannot sign you in with {provider.name}. Log in or sign up first, then link it."
            )
        linked_account_link(user=user, provider=provider, account=account, token=token)
    logger.info("oauth.signed_in", extra={"provider": provider.id, "user_id": user.pk})
    return user


def linked_account_link(*, user, provider: Provider, account: Account, token: dict) -> LinkedAccount:
    """Links (or reconnects) the provider account to `user`; refuses one already linked to someone else."""
    try:
        with transaction.atomic():
            linked = _link(user=user, provider=provider, account=account, token=token)
    except (IntegrityError, ValidationError):
        if LinkedAccount.objects.filter(provider_id=provider.id, subject=account.subject).exclude(user=user).exists():
            # Another request linked the same provider account in the meantime.
            raise LinkError(_already_linked_message(provider)) from None
        logger.warning("oauth.link_invalid", extra={"provider": provider.id})
        raise ProviderError(f"{provider.name} described the account in a way Reelfolio cannot store.") from None
    return linked


def _link(*, user, provider: Provider, account: Account, token: dict) -> LinkedAccount:
    taken = LinkedAccount.objects.select_for_update().filter(provider_id=provider.id, subject=account.subject).first()
    if taken is not None and taken.user_id != user.pk:
        if taken.status != Status.REVOKED:
            raise LinkError(_already_linked_message(provider))
        taken.delete()  # an unlinked account's leftover row; its tokens are already gone
    linked = LinkedAccount.objects.select_for_update().filter(user=user, provider_id=provider.id).first()
    if linked is not None and linked.subject != account.subject:
        if linked.status != Status.REVOKED:
            name = linked.profile.get("display_name") or "another account"
            raise LinkError(
                f"You already linked a different {provider.name} account ({name}). "
                "Unlink it first to link this one."
            )
        linked.delete()
        linked = None
    now = timezone.now()
    if linked is None:
        linked = LinkedAccount(user=user, provider_id=provider.id, subject=account.subject)
    linked.role = provider.role
    linked.status = Status.ACTIVE
    linked.profile = account.profile.as_json()
    linked.scopes = str(token.get("scope") or provider.scopes)[:500]
    linked.last_synced_at = now
    linked.last_sync_error = ""
    linked.last_sync_error_at = None
    linked.sync_requested_at = now
    linked.full_clean()
    linked.save()
    OAuthToken.objects.update_or_create(linked_account=linked, defaults=_token_fields(token))
    hooks.account_changed(linked_account=linked)
    logger.info("oauth.linked", extra={"provider": provider.id, "linked_account_id": linked.pk})
    _enqueue_sync(linked.pk)
    return linked


# --- tokens -----------------------------------------------------------------------------------------


def _expiring(token: OAuthToken, within_seconds: int) -> bool:
    return token.expires_at is not None and token.expires_at <= timezone.now() + timedelta(seconds=within_seconds)


def token_access(*, linked_account_id: int) -> str:
    """A usable access token: refreshed first (on demand) when it expires within the margin."""
    token = OAuthToken.objects.filter(linked_account_id=linked_account_id).first()
    if token is None:
        raise ReconnectRequired("Reelfolio holds no access for this account any more. Please reconnect.")
    if _expiring(token, settings.OAUTH_REFRESH_MARGIN_SECONDS):
        return token_refresh(linked_account_id=linked_account_id)
    return crypto.decrypt(token.access_token_encrypted)


def token_refresh(*, linked_account_id: int, rejected_access_token: str = "", within_seconds: int | None = None) -> str:
    """Refreshes the access token under the token row's lock and returns the current access token.

    Whoever waited for the lock finds the token already fresh and makes no token request. With
    `rejected_access_token` (the provider answered 401 to it) a refresh happens unless another
    worker already replaced that token. `invalid_grant` marks the link needs_reconnect.
    """
    margin = settings.OAUTH_REFRESH_MARGIN_SECONDS if within_seconds is None else within_seconds
    with transaction.atomic():
        token = OAuthToken.objects.select_for_update().filter(linked_account_id=linked_account_id).first()
        if token is None:
            raise ReconnectRequired("Reelfolio holds no access for this account any more. Please reconnect.")
        current = crypto.decrypt(token.access_token_encrypted)
        if rejected_access_token and current != rejected_access_token:
            return current
        if not rejected_access_token and not _expiring(token, margin):
            return current
        linked = LinkedAccount.objects.get(pk=linked_account_id)
        provider = registry.provider_or_none(linked.provider_id)
        refresh_token = crypto.decrypt(token.refresh_token_encrypted)
        if provider is None or not refresh_token:
            name = provider.name if provider else linked.provider_id
            failure = ReconnectRequired(f"{name} no longer accepts Reelfolio's access. Please reconnect.")
        else:
            try:
                new = provider.refresh(refresh_token=refresh_token)  # the HTTP call, under the lock
            except ReconnectRequired as error:
                failure = error
            else:
                for field, value in _token_fields(new, previous_refresh_token=refresh_token).items():
                    setattr(token, field, value)
                token.save()
                logger.info("oauth.token_refreshed", extra={"linked_account_id": linked_account_id})
                return new["access_token"]
        _mark_needs_reconnect(linked_account_id=linked_account_id, message=failure.message)
    raise failure


def _mark_needs_reconnect(*, linked_account_id: int, message: str) -> None:
    marked = LinkedAccount.objects.filter(pk=linked_account_id, status=Status.ACTIVE).update(
        status=Status.NEEDS_RECONNECT, last_sync_error=message[:500], last_sync_error_at=timezone.now(),
        sync_requested_at=None,
    )
    if marked:
        hooks.account_changed(linked_account=LinkedAccount.objects.get(pk=linked_account_id))
    logger.warning("oauth.needs_reconnect", extra={"linked_account_id": linked_account_id})


def tokens_refresh_expiring() -> int:
    """The beat's refresh ahead of expiry: enqueues a refresh for every active link whose access token
    expires within OAUTH_REFRESH_AHEAD_SECONDS and that has a refresh token; returns how many."""
    soon = timezone.now() + timedelta(seconds=settings.OAUTH_REFRESH_AHEAD_SECONDS)
    ids = list(
        OAuthToken.objects.filter(
            expires_at__lte=soon, linked_account__status=Status.ACTIVE
        ).exclude(refresh_token_encrypted="").values_list("linked_account_id", flat=True)[:1000]
    )
    for linked_account_id in ids:
        _enqueue_refresh(linked_account_id)
    return len(ids)


# --- syncing ---------------------------------------------------------------------------------------


def linked_account_sync_request(*, linked_account: LinkedAccount) -> None:
    """"Sync now": records the request and enqueues the sync after commit."""
    if linked_account.status != Status.ACTIVE:
        raise LinkError("Reconnect this account before syncing it.")
    with transaction.atomic():
        LinkedAccount.objects.filter(pk=linked_account.pk).update(sync_requested_at=timezone.now())
        _enqueue_sync(linked_account.pk)


def linked_accounts_sync_due() -> int:
    """Enqueues the periodic syncs and re-enqueues requests a lost broker dropped; returns how many."""
    now = timezone.now()
    stale = now - timedelta(minutes=settings.OAUTH_SYNC_INTERVAL_MINUTES)
    lost = now - timedelta(minutes=10)
    with transaction.atomic():
        due = LinkedAccount.objects.select_for_update(skip_locked=True).filter(status=Status.ACTIVE).filter(
            (Q(last_synced_at__isnull=True) | Q(last_synced_at__lt=stale)) & Q(sync_requested_at__isnull=True)
            | Q(sync_requested_at__lt=lost)
        )
        ids = list(due.values_list("pk", flat=True)[:500])
        LinkedAccount.objects.filter(pk__in=ids).update(sync_requested_at=now)
        for linked_account_id in ids:
            _enqueue_sync(linked_account_id)
    return len(ids)


def linked_account_sync(*, linked_account_id: int) -> LinkedAccount | None:
    """Fetches the profile, portfolio and (videos providers) the videos, and stores them normalized.

    A failure keeps the last good data and records the error and its time, then raises it.
    """
    linked = LinkedAccount.objects.filter(pk=linked_account_id).first()
    if linked is None or linked.status != Status.ACTIVE:
        LinkedAccount.objects.filter(pk=linked_account_id).update(sync_requested_at=None)
        return None
    provider = registry.provider_or_none(linked.provider_id)
    if provider is None:
        # Nothing a retry can fix: the operator removed the provider from OAUTH_PROVIDERS.
        LinkedAccount.objects.filter(pk=linked.pk).update(
            last_sync_error=f"The provider {linked.provider_id} is no longer configured.",
            last_sync_error_at=timezone.now(), sync_requested_at=None,
        )
        return None
    try:
        access_token = token_access(linked_account_id=linked.pk)
        try:
            account, videos = _fetch(provider, linked, access_token)
        except TokenRejected:
            access_token = token_refresh(linked_account_id=linked.pk, rejected_access_token=access_token)
            account, videos = _fetch(provider, linked, access_token)
    except TokenRejected as error:
        # Rejected even right after a refresh (or not refreshable at all): the access was revoked.
        _mark_needs_reconnect(linked_account_id=linked.pk, message=error.message)
        raise ReconnectRequired(error.message) from None
    except ProviderError as error:
        LinkedAccount.objects.filter(pk=linked.pk).update(
            last_sync_error=error.message[:500], last_sync_error_at=timezone.now(), sync_requested_at=None
        )
        raise
    with transaction.atomic():
        linked = LinkedAccount.objects.select_for_update().filter(pk=linked_account_id).first()
        if linked is None or linked.status != Status.ACTIVE:
            return None  # unlinked while we were fetching
        linked.profile = account.profile.as_json()
        linked.last_synced_at = timezone.now()
        linked.last_sync_error = ""
        linked.last_sync_error_at = None
        linked.sync_requested_at = None
        linked.save(update_fields=["profile", "last_synced_at", "last_sync_error", "last_sync_error_at",
                                   "sync_requested_at"])
        if linked.role == LinkedAccount.Role.VIDEOS:
            hooks.videos_synced(linked_account=linked, videos=videos)
        hooks.account_changed(linked_account=linked)
    logger.info("oauth.synced", extra={"linked_account_id": linked.pk, "videos": len(videos)})
    return linked


def _fetch(provider: Provider, linked: LinkedAccount, access_token: str):
    account = provider.profile(access_token=access_token)
    videos = provider.videos(access_token=access_token) if linked.role == LinkedAccount.Role.VIDEOS else []
    return account, videos


# --- reading a profile on demand -------------------------------------------------------------------


def linked_account_profile_fetch(*, linked_account: LinkedAccount, timeout: float | None = None) -> Account:
    """The account's profile as the provider describes it right now, for whoever needs it fresh (an
    application's snapshot); nothing is stored. The access token is refreshed first when it expires soon,
    and once more when the provider rejects it.

    `timeout` bounds the provider's answer as a whole (a portfolio may take several pages); past it, or
    when the provider fails, ProviderError. ReconnectRequired when the provider no longer honours the grant.
    """
    provider = registry.provider_or_none(linked_account.provider_id)
    if provider is None:
        raise ProviderError(f"The provider {linked_account.provider_id} is no longer configured.")
    if linked_account.status != Status.ACTIVE:
        raise ReconnectRequired(f"{provider.name} no longer accepts Reelfolio's access. Please reconnect.")
    access_token = token_access(linked_account_id=linked_account.pk)
    try:
        return _within(timeout, provider, lambda: provider.profile(access_token=access_token))
    except TokenRejected:
        access_token = token_refresh(linked_account_id=linked_account.pk, rejected_access_token=access_token)
    try:
        return _within(timeout, provider, lambda: provider.profile(access_token=access_token))
    except TokenRejected as error:
        _mark_needs_reconnect(linked_account_id=linked_account.pk, message=error.message)
        raise ReconnectRequired(error.message) from None


def _within(seconds: float | None, provider: Provider, call):
    """`call()` (HTTP calls only, no database) in a thread of its own, in the caller's context variables, waited
    for at most `seconds`. A call past its time goes on in the background until settings.HTTP_TIMEOUT ends it;
    its answer is dropped."""
    if seconds is None:
        return call()
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = call()
        except BaseException as error:  # handed to the caller below
            outcome["error"] = error

    # In the caller's context: its log lines keep the request id, and its HTTP call is a span of the request's trace.
    thread = threading.Thread(
        target=contextvars.copy_context().run, args=(run,), name=f"profile-fetch-{provider.id}", daemon=True
    )
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        logger.warning("oauth.profile_fetch_slow", extra={"provider": provider.id, "seconds": seconds})
        raise ProviderError(f"{provider.name} did not answer in time. Please try again later.")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


# --- the provider revoked our access ---------------------------------------------------------------


def linked_account_deauthorized(*, provider_id: str, subject: str, occurred_at: datetime) -> LinkedAccount | None:
    """The provider says the person revoked Reelfolio's access (a webhook): the tokens are deleted and the
    link marked needs-reconnect, so the creator sees the reconnect banner. Nothing is sent to the
    provider's revocation endpoint: it already revoked them.

    Returns None, changing nothing, when no such link is active or its tokens were issued after the
    revocation happened (the person reconnected since: the event is older than the link's state).
    """
    with transaction.atomic():
        linked = (
            LinkedAccount.objects.select_for_update()
            .filter(provider_id=provider_id, subject=subject, status=Status.ACTIVE)
            .first()
        )
        if linked is None:
            return None
        token = OAuthToken.objects.select_for_update().filter(linked_account=linked).first()
        if token is not None and token.updated_at > occurred_at:
            return None
        OAuthToken.objects.filter(linked_account=linked).delete()
        provider = registry.provider_or_none(provider_id)
        name = provider.name if provider else provider_id
        linked.status = Status.NEEDS_RECONNECT
        linked.last_sync_error = f"Access was revoked at {name}. Reconnect to keep your videos and profile in step."
        linked.last_sync_error_at = timezone.now()
        linked.sync_requested_at = None
        linked.save(update_fields=["status", "last_sync_error", "last_sync_error_at", "sync_requested_at"])
        hooks.account_changed(linked_account=linked)
    logger.info("oauth.deauthorized", extra={"provider": provider_id, "linked_account_id": linked.pk})
    return linked


# --- unlinking -------------------------------------------------------------------------------------


def linked_account_unlink(*, linked_account: LinkedAccount) -> str:
    """Revokes the tokens at the provider where it can (RFC 7009), then deletes them and marks the link
    revoked. A failing revocation is logged and does not stop the unlink.

    Returns "revoked" (the provider confirmed), "unsupported" (it offers no revocation) or "failed".
    """
    provider = registry.provider_or_none(linked_account.provider_id)
    first = OAuthToken.objects.filter(linked_account=linked_account).first()
    seen: set[str] = set()
    revocation = _revoke_tokens(provider=provider, token=first, linked_account=linked_account, seen=seen)
    with transaction.atomic():
        linked = LinkedAccount.objects.select_for_update().get(pk=linked_account.pk)
        hooks.account_unlinked(linked_account=linked)
        # Locked: a refresh in progress finishes first, and what it stored is what gets deleted.
        token = OAuthToken.objects.select_for_update().filter(linked_account=linked).first()
        OAuthToken.objects.filter(linked_account=linked).delete()
        linked.status = Status.REVOKED
        linked.profile = {}
        linked.sync_requested_at = None
        linked.last_sync_error = ""
        linked.last_sync_error_at = None
        linked.save(update_fields=["status", "profile", "sync_requested_at", "last_sync_error", "last_sync_error_at"])
        hooks.account_changed(linked_account=linked)
    if token is not None and (first is None or _ciphertexts(token) != _ciphertexts(first)):
        # A refresh that ran during the revocation above rotated the tokens: revoke the ones it stored too.
        again = _revoke_tokens(provider=provider, token=token, linked_account=linked_account, seen=seen)
        if "failed" in (revocation, again):
            revocation = "failed"
    logger.info("oauth.unlinked", extra={"provider": linked_account.provider_id, "linked_account_id": linked.pk})
    return revocation


def _ciphertexts(token: OAuthToken) -> tuple[str, str]:
    return token.refresh_token_encrypted, token.access_token_encrypted


def _revoke_tokens(*, provider: Provider | None, token: OAuthToken | None, linked_account: LinkedAccount,
                   seen: set[str]) -> str:
    """Revokes the token row's refresh and access tokens but those in `seen`, which it adds them to;
    "revoked", "unsupported" or "failed" (logged). Makes HTTP calls: never inside a transaction."""
    revocation = "unsupported"
    if provider is None or token is None:
        return revocation
    try:
        values = [
            (crypto.decrypt(token.refresh_token_encrypted), "refresh_token"),
            (crypto.decrypt(token.access_token_encrypted), "access_token"),
        ]
        values = [(value, hint) for value, hint in values if value and value not in seen]
        seen.update(value for value, _ in values)
        for value, hint in values:
            if provider.revoke(token=value, token_type_hint=hint):
                revocation = "revoked"
    except (ProviderError, ImproperlyConfigured) as error:
        # ImproperlyConfigured: the tokens cannot be decrypted (a key was removed too early); they are
        # deleted all the same.
        revocation = "failed"
        logger.warning(
            "oauth.revocation_failed",
            extra={"provider": provider.id, "linked_account_id": linked_account.pk,
                   "error": getattr(error, "message", str(error))},
        )
    return revocation
