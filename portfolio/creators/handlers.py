"""Handlers that `integrations.oauth` calls when a linked account syncs its videos or is unlinked.

They are registered from CreatorsConfig.ready(); each is an entry point that calls one service.
"""

from integrations.oauth.hooks import register_account_unlinked, register_videos_synced
from portfolio.creators import services


def on_videos_synced(*, linked_account, videos) -> None:
    services.videos_sync(linked_account=linked_account, videos=videos)


def on_account_unlinked(*, linked_account) -> None:
    services.linked_account_unlinked(linked_account=linked_account)


def register() -> None:
    register_videos_synced(on_videos_synced)
    register_account_unlinked(on_account_unlinked)
