"""Reads of linked accounts."""

from dataclasses import dataclass

from django.db.models import QuerySet

from common.metrics import Backlog, backlog
from integrations.oauth import hooks, registry
from integrations.oauth.models import LinkedAccount
from integrations.providers import Provider
from integrations.providers.types import Profile


@dataclass(frozen=True)
class ProviderCard:
    """One configured provider on the Linked accounts page, with the user's link to it (if any)."""

    provider: Provider
    linked: LinkedAccount | None
    # How many videos the domain imported from a video-platform account (None for other accounts).
    videos_imported: int | None = None

    @property
    def is_syncing(self) -> bool:
        return self.linked is not None and self.linked.status == LinkedAccount.Status.ACTIVE and bool(
            self.linked.sync_requested_at
        )

    @property
    def is_linked(self) -> bool:
        return self.linked is not None and self.linked.status != LinkedAccount.Status.REVOKED

    @property
    def profile(self) -> Profile:
        return Profile.from_json(self.linked.profile if self.linked else None)


def provider_cards(*, user) -> list[ProviderCard]:
    """Every configured provider in configuration order; one query for the user's links, and one for what
    was imported from their video-platform accounts (when they have one)."""
    linked = {account.provider_id: account for account in LinkedAccount.objects.filter(user=user)}
    video_accounts = [
        account for account in linked.values()
        if account.role == LinkedAccount.Role.VIDEOS and account.status != LinkedAccount.Status.REVOKED
    ]
    counts = hooks.imported_counts(linked_accounts=video_accounts) if video_accounts else {}
    cards = []
    for provider in registry.providers().values():
        account = linked.get(provider.id)
        imported = counts.get(account.pk, 0) if account is not None and account in video_accounts else None
        cards.append(ProviderCard(provider=provider, linked=account, videos_imported=imported))
    return cards


def sync_statuses(*, user) -> list[dict]:
    """What the Linked accounts page polls while a sync is on its way: each link's state, in one query."""
    return sync_statuses_of(LinkedAccount.objects.filter(user=user))


def sync_statuses_of(accounts: QuerySet[LinkedAccount]) -> list[dict]:
    """The state of these links (those not unlinked), in one query: what a page that shows them polls
    while a sync is on its way (static/linked_accounts.js)."""
    accounts = accounts.exclude(status=LinkedAccount.Status.REVOKED).order_by("pk")
    return [
        {
            "provider": account.provider_id,
            "status": account.status,
            "syncing": account.status == LinkedAccount.Status.ACTIVE and account.sync_requested_at is not None,
            "last_synced_at": account.last_synced_at.isoformat() if account.last_synced_at else None,
            "has_error": bool(account.last_sync_error),
        }
        for account in accounts.only("provider_id", "status", "sync_requested_at", "last_synced_at", "last_sync_error")
    ]


def linked_account_for_user(*, user, provider_id: str) -> LinkedAccount | None:
    """The ownership check: a user reaches only their own, not yet unlinked, link; None otherwise."""
    return (
        LinkedAccount.objects.filter(user=user, provider_id=provider_id)
        .exclude(status=LinkedAccount.Status.REVOKED)
        .first()
    )


def linked_account_by_subject(*, provider_id: str, subject: str) -> LinkedAccount | None:
    """The link (not unlinked) of this provider account, e.g. the one a partner's webhook event names."""
    if not provider_id or not subject:
        return None
    return (
        LinkedAccount.objects.select_related("user")
        .filter(provider_id=provider_id, subject=subject)
        .exclude(status=LinkedAccount.Status.REVOKED)
        .first()
    )


def accounts_needing_reconnect(*, user) -> list[LinkedAccount]:
    return list(LinkedAccount.objects.filter(user=user, status=LinkedAccount.Status.NEEDS_RECONNECT))


def sync_backlog() -> list[Backlog]:
    """The linked accounts with a sync asked for and not yet finished, the oldest by when it was asked."""
    return [backlog(LinkedAccount.objects.filter(sync_requested_at__isnull=False), since="sync_requested_at")]
