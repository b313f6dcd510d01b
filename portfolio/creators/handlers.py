"""Handlers that `integrations.oauth` calls when a linked account syncs its videos or is unlinked, and
what the creators app adds to the home page.

They are registered from CreatorsConfig.ready(); each is an entry point that calls one service.

The public page /@<handle> shows the creator's freelance profiles: when one is linked, synced, marked
needs-reconnect or unlinked, `account_changed` drops the cached page.
"""

from integrations.oauth.hooks import (
    register_account_changed,
    register_account_unlinked,
    register_imported_counter,
    register_videos_synced,
)
from integrations.oauth.models import LinkedAccount
from portfolio.core.home import register_home_context
from portfolio.creators import permissions, selectors, services


def on_videos_synced(*, linked_account, videos) -> None:
    services.videos_sync(linked_account=linked_account, videos=videos)


def on_account_unlinked(*, linked_account) -> None:
    services.linked_account_unlinked(linked_account=linked_account)


def on_account_changed(*, linked_account) -> None:
    if linked_account.role == LinkedAccount.Role.PORTFOLIO:
        services.creator_page_invalidate(user_id=linked_account.user_id)


def imported_videos(*, linked_accounts) -> dict[int, int]:
    return selectors.videos_imported_counts(linked_accounts=linked_accounts)


def home_onboarding(request) -> dict:
    """A new creator's checklist on the home page; None (not shown) once every step is done."""
    if permissions.is_creator(request.user):
        return {"onboarding": selectors.creator_onboarding(user=request.user)}
    return {}


def register() -> None:
    register_home_context(home_onboarding)
    register_videos_synced(on_videos_synced)
    register_account_unlinked(on_account_unlinked)
    register_account_changed(on_account_changed)
    register_imported_counter(imported_videos)
