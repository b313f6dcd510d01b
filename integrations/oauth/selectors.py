"""Reads of linked accounts."""

from dataclasses import dataclass

from integrations.oauth import registry
from integrations.oauth.models import LinkedAccount
from integrations.providers import Provider
from integrations.providers.types import Profile


@dataclass(frozen=True)
class ProviderCard:
    """One configured provider on the Linked accounts page, with the user's link to it (if any)."""

    provider: Provider
    linked: LinkedAccount | None

    @property
    def is_linked(self) -> bool:
        return self.linked is not None and self.linked.status != LinkedAccount.Status.REVOKED

    @property
    def profile(self) -> Profile:
        return Profile.from_json(self.linked.profile if self.linked else None)


def provider_cards(*, user) -> list[ProviderCard]:
    """Every configured provider in configuration order; one query for the user's links."""
    linked = {account.provider_id: account for account in LinkedAccount.objects.filter(user=user)}
    return [ProviderCard(provider=p, linked=linked.get(p.id)) for p in registry.providers().values()]


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
