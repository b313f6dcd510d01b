"""The registry of what a received event does, filled by the domain apps.

`integrations` never imports `portfolio`: a domain app registers a handler per event type from its
AppConfig.ready() (`register("video.removed", on_video_removed)`). A handler is an entry point that calls
one service with the event's normalized data:

- it returns: the event is done;
- it raises `EventIgnored(reason)`: nothing to do (an account nobody linked, an event older than what we
  hold), recorded as ignored with the reason;
- it raises `common.errors.ApplicationError`: the event cannot be applied (recorded as failed, no retry);
- anything else is unexpected and retried with backoff.

A handler runs in the transaction that records the outcome, so its writes and "done" commit together and
an event is applied exactly once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class WebhookEvent:
    """A received event as handlers see it, the same whichever way the partner signs.

    `provider_id` is the partner's provider (an OAUTH_PROVIDERS id): the platform whose accounts and videos
    the event is about. `data` holds the event's fields; `account_id` (the account's id at the platform, a
    linked account's subject) and, for video events, `video_id` are always there when the event has them.
    `occurred_at` is when the event happened at the partner: never let it overwrite newer state.
    """

    id: int  # the stored event's primary key
    type: str
    occurred_at: datetime
    partner_slug: str
    provider_id: str
    data: dict = field(default_factory=dict)

    @property
    def account_id(self) -> str:
        return str(self.data.get("account_id") or "")

    @property
    def video_id(self) -> str:
        return str(self.data.get("video_id") or "")


class EventIgnored(Exception):
    """A handler has nothing to do for this event; `reason` is recorded with it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


Handler = Callable[[WebhookEvent], None]

_handlers: dict[str, Handler] = {}


def register(event_type: str, handler: Handler) -> Handler:
    """Makes `handler(event)` the one that applies events of this type (a later registration replaces it)."""
    _handlers[event_type] = handler
    return handler


def unregister(event_type: str) -> None:
    """Forgets the handler of this type (tests use it to clean up)."""
    _handlers.pop(event_type, None)


def handler_for(event_type: str) -> Handler | None:
    return _handlers.get(event_type)


def registered_types() -> list[str]:
    return sorted(_handlers)
