from django.utils.functional import SimpleLazyObject

from integrations.oauth import registry, selectors


def reconnect_banner(request):
    """`oauth_reconnect`: the user's links that need reconnecting, queried only when a page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def names():
        providers = registry.providers()
        return [
            providers[account.provider_id].name if account.provider_id in providers else account.provider_id
            for account in selectors.accounts_needing_reconnect(user=user)
        ]

    return {"oauth_reconnect": SimpleLazyObject(names)}
