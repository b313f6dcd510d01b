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
