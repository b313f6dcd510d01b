"""What the home page shows a signed-in person, told by the domain apps: `core` imports none of them.

Each app registers, from its AppConfig.ready(), a function of the request that returns the context it
adds to the home page (the creator's onboarding checklist, say); the home view merges them in order.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

HomeContext = Callable[[HttpRequest], dict[str, Any]]

_providers: list[HomeContext] = []


def register_home_context(provider: HomeContext) -> None:
    if provider not in _providers:
        _providers.append(provider)


def unregister_home_context(provider: HomeContext) -> None:
    if provider in _providers:
        _providers.remove(provider)


def home_context(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for provider in _providers:
        context |= provider(request)
    return context
