"""The configured providers: the sandbox's (when SANDBOX_ENABLED) plus the entries of OAUTH_PROVIDERS."""

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import Http404

from integrations.providers import PROVIDER_CLASSES, Provider
from integrations.providers.sandbox import sandbox_configs

_lock = threading.Lock()
_providers: dict[str, Provider] | None = None


def _build() -> dict[str, Provider]:
    kinds = {cls.kind: cls for cls in PROVIDER_CLASSES}
    entries = list(sandbox_configs() if settings.SANDBOX_ENABLED else []) + list(settings.OAUTH_PROVIDERS or [])
    providers: dict[str, Provider] = {}
    for entry in entries:
        if not isinstance(entry, dict):
            raise ImproperlyConfigured("OAUTH_PROVIDERS must be a JSON list of objects.")
        kind = entry.get("kind")
        if kind not in kinds:
            raise ImproperlyConfigured(
                f"OAUTH_PROVIDERS entry {entry.get('id')!r}: unknown kind {kind!r} "
                f"(known: {', '.join(sorted(kinds))})."
            )
        provider = kinds[kind].from_config(entry)
        if provider.id in providers:
            raise ImproperlyConfigured(f"OAUTH_PROVIDERS: the id {provider.id!r} is used twice.")
        providers[provider.id] = provider
    return providers


def providers() -> dict[str, Provider]:
    """Every configured provider by id, in configuration order."""
    global _providers
    with _lock:
        if _providers is None:
            _providers = _build()
        return _providers


def provider_or_none(provider_id: str) -> Provider | None:
    return providers().get(provider_id)


def provider_or_404(provider_id: str) -> Provider:
    provider = provider_or_none(provider_id)
    if provider is None:
        raise Http404("No such provider.")
    return provider


@receiver(setting_changed)
def _forget_providers(*, setting, **kwargs):
    global _providers
    if setting in ("OAUTH_PROVIDERS", "SANDBOX_ENABLED", "SITE_URL", "HTTP_TIMEOUT", "SANDBOX_CLIENT_SECRET"):
        with _lock:
            _providers = None
