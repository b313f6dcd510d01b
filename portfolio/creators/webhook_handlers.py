"""What partners' webhook events do to creators' videos and linked accounts.

Registered from CreatorsConfig.ready() with integrations.webhooks.inbound.handlers; each handler reads what the
event names, then calls one service. An event about something Reelfolio does not hold, or older than what
it holds, is ignored with the reason (recorded on the event).
"""

from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime

from integrations.oauth import selectors as oauth_selectors
from integrations.oauth import services as oauth_services
from integrations.oauth.models import LinkedAccount
from integrations.providers.errors import LinkError
from integrations.providers.types import RemoteVideo
from integrations.webhooks.inbound.handlers import EventIgnored, WebhookEvent, register
from portfolio.creators import selectors, services


def _datetime(value) -> datetime | None:
    if isinstance(value, str):
        parsed = parse_datetime(value.replace("Z", "+00:00"))
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**11:
        return datetime.fromtimestamp(value, tz=UTC)
    return None


def _linked_account(event: WebhookEvent) -> LinkedAccount:
    linked = oauth_selectors.linked_account_by_subject(provider_id=event.provider_id, subject=event.account_id)
    if linked is None:
        raise EventIgnored(f"No Reelfolio account has linked the {event.provider_id} account {event.account_id!r}.")
    return linked


def on_video_published(event: WebhookEvent) -> None:
    """video.published, post.publish.publicly_available: import or update the video."""
    linked = _linked_account(event)
    if linked.role != LinkedAccount.Role.VIDEOS:
        raise EventIgnored(f"The {event.provider_id} account {event.account_id!r} is not linked for its videos.")
    data = event.data
    remote = RemoteVideo(
        platform_video_id=event.video_id,
        title=str(data.get("title") or ""),
        cover_image_url=str(data.get("thumbnail_url") or ""),
        share_url=str(data.get("url") or ""),
        published_at=_datetime(data.get("published_at")),
    )
    video = services.video_import_one(linked_account=linked, remote=remote, occurred_at=event.occurred_at)
    if video is None:
        raise EventIgnored("The event is older than what Reelfolio holds of this video (removed or updated since).")


def on_video_removed(event: WebhookEvent) -> None:
    """video.removed, post.publish.no_longer_publicaly_available: remove the video, so the anchor API drops it."""
    video = selectors.video_on_platform(platform=event.provider_id, platform_video_id=event.video_id)
    if video is None:
        raise EventIgnored(f"Reelfolio holds no {event.provider_id} video {event.video_id!r}.")
    if services.video_removed_at_platform(video=video, occurred_at=event.occurred_at) is None:
        raise EventIgnored("The event is older than what Reelfolio holds of this video (it was published since).")


def on_account_deauthorized(event: WebhookEvent) -> None:
    """account.deauthorized, authorization.removed: the link needs reconnecting and its tokens are deleted."""
    linked = oauth_services.linked_account_deauthorized(
        provider_id=event.provider_id, subject=event.account_id, occurred_at=event.occurred_at
    )
    if linked is None:
        raise EventIgnored(
            f"No active link of the {event.provider_id} account {event.account_id!r} older than the event."
        )


def on_profile_updated(event: WebhookEvent) -> None:
    """profile.updated: sync the linked account, unless it was synced after the change."""
    linked = _linked_account(event)
    updated_at = _datetime(event.data.get("updated_at")) or event.occurred_at
    if linked.last_synced_at and linked.last_synced_at >= updated_at:
        raise EventIgnored("The account was synced after this change.")
    try:
        oauth_services.linked_account_sync_request(linked_account=linked)
    except LinkError as error:
        raise EventIgnored(error.message) from None


def register_all() -> None:
    register("video.published", on_video_published)
    register("post.publish.publicly_available", on_video_published)
    register("video.removed", on_video_removed)
    register("post.publish.no_longer_publicaly_available", on_video_removed)
    register("account.deauthorized", on_account_deauthorized)
    register("authorization.removed", on_account_deauthorized)
    register("profile.updated", on_profile_updated)
