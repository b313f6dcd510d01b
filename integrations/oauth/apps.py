from django.apps import AppConfig
from django.core import checks


class OAuthConfig(AppConfig):
    name = "integrations.oauth"
    label = "oauth"
    verbose_name = "Linked accounts (OAuth)"

    def ready(self):
        from common import crypto
        from integrations.oauth import registry  # noqa: F401  (connects its setting_changed receiver)
        from integrations.oauth.models import OAuthToken

        crypto.register_rotation("OAuth token(s)", OAuthToken, ["access_token_encrypted", "refresh_token_encrypted"])

        checks.register(check_providers, checks.Tags.security)

        from common import metrics
        from integrations.oauth.selectors import sync_backlog

        metrics.register_queue("oauth_syncs", sync_backlog)


def check_providers(app_configs=None, **kwargs):
    """`manage.py check` (and runserver, migrate) refuse a broken OAUTH_PROVIDERS or TOKEN_ENCRYPTION_KEYS."""
    from django.core.exceptions import ImproperlyConfigured

    from common import crypto
    from integrations.oauth import registry

    errors = []
    try:
        registry.providers()
    except ImproperlyConfigured as error:
        errors.append(checks.Error(str(error), id="oauth.E001"))
    try:
        crypto.cipher()
    except ImproperlyConfigured as error:
        errors.append(checks.Error(str(error), id="oauth.E002"))
    return errors
