"""Where the domain listens to linked accounts without `integrations` importing it.

`portfolio` apps register handlers from their `AppConfig.ready()`; the sync and unlink services call
them inside their transaction, so a failing handler rolls the whole step back.
"""

from collections.abc import Callable

_videos_synced: list[Callable] = []
_account_unlinked: list[Callable] = []
_account_changed: list[Callable] = []


def register_videos_synced(handler: Callable) -> Callable:
    """handler(*, linked_account, videos: list[RemoteVideo]) gets the full current list of videos."""
    if handler not in _videos_synced:
        _videos_synced.append(handler)
    return handler


def register_account_unlinked(handler: Callable) -> Callable:
    """handler(*, linked_account) runs before the link's tokens are deleted and its status set."""
    if handler not in _account_unlinked:
        _account_unlinked.append(handler)
    return handler


def register_account_changed(handler: Callable) -> Callable:
    """handler(*, linked_account) runs after what a link shows changed: linked, synced (its profile),
    marked needs-reconnect, or unlinked."""
    if handler not in _account_changed:
        _account_changed.append(handler)
    return handler


_imported_counters: list[Callable] = []


def register_imported_counter(counter: Callable) -> Callable:
    """counter(*, linked_accounts) -> {linked account id: how many of its items the domain imported} (the
    videos of video-platform accounts, say), in one query; the Linked accounts page shows the counts."""
    if counter not in _imported_counters:
        _imported_counters.append(counter)
    return counter


def unregister_imported_counter(counter: Callable) -> None:
    _unregister(_imported_counters, counter)


def imported_counts(*, linked_accounts) -> dict[int, int]:
    counts: dict[int, int] = {}
    for counter in _imported_counters:
        for linked_account_id, count in counter(linked_accounts=linked_accounts).items():
            counts[linked_account_id] = counts.get(linked_account_id, 0) + count
    return counts


def unregister_videos_synced(handler: Callable) -> None:
    """Disconnects a handler registered with register_videos_synced (no error if it was not)."""
    _unregister(_videos_synced, handler)


def unregister_account_unlinked(handler: Callable) -> None:
    """Disconnects a handler registered with register_account_unlinked (no error if it was not)."""
    _unregister(_account_unlinked, handler)


def unregister_account_changed(handler: Callable) -> None:
    """Disconnects a handler registered with register_account_changed (no error if it was not)."""
    _unregister(_account_changed, handler)


def _unregister(handlers: list[Callable], handler: Callable) -> None:
    if handler in handlers:
        handlers.remove(handler)


def videos_synced(*, linked_account, videos) -> None:
    for handler in _videos_synced:
        handler(linked_account=linked_account, videos=videos)


def account_unlinked(*, linked_account) -> None:
    for handler in _account_unlinked:
        handler(linked_account=linked_account)


def account_changed(*, linked_account) -> None:
    for handler in _account_changed:
        handler(linked_account=linked_account)


# --- who may link what, and signing in with a provider ------------------------------------------------

_link_policies: list[Callable] = []
_sign_in_handlers: list[Callable] = []


def register_link_policy(policy: Callable) -> Callable:
    """policy(*, user, provider, owner_id) -> str | None: a message refusing that `user` links an account of
    `provider` for the account `owner_id` (their own id, or an account they act for), or None to allow.
    Every registered policy is asked; the first refusal wins. Asked when linking starts and again when
    the provider sends the person back."""
    if policy not in _link_policies:
        _link_policies.append(policy)
    return policy


def link_refusal(*, user, provider, owner_id: int) -> str | None:
    if owner_id != user.pk and not _link_policies:
        return "Accounts can only be linked for yourself."
    for policy in _link_policies:
        message = policy(user=user, provider=provider, owner_id=owner_id)
        if message:
            return message
    return None


def register_sign_in(handler: Callable) -> Callable:
    """handler(*, provider, account) -> user: the Reelfolio account a person who is not logged in signs in
    to with this provider account, when no account is linked to it yet (made if need be). It raises
    LinkError with a message to refuse (e.g. an unverified email, or an email of an existing account)."""
    if handler not in _sign_in_handlers:
        _sign_in_handlers.append(handler)
    return handler


def sign_in_user(*, provider, account):
    if not _sign_in_handlers:
        return None
    return _sign_in_handlers[-1](provider=provider, account=account)



def unregister_link_policy(policy: Callable) -> None:
    _unregister(_link_policies, policy)


def unregister_sign_in(handler: Callable) -> None:
    _unregister(_sign_in_handlers, handler)
