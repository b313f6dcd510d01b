from django.apps import AppConfig
from django.core import checks


class PartnersConfig(AppConfig):
    name = "integrations.partners"
    label = "partners"
    verbose_name = "Partners and API keys"

    def ready(self):
        # Registers the OpenAPI description of the bearer API-key scheme with drf-spectacular.
        from common import crypto
        from integrations.partners import schema  # noqa: F401
        from integrations.partners.models import Partner

        crypto.register_rotation(
            "partner webhook secret(s)", Partner, ["webhook_secret_encrypted", "previous_webhook_secret_encrypted"]
        )

        checks.register(check_session_engine, checks.Tags.security)


def check_session_engine(app_configs=None, **kwargs):
    """The admin keeps a new partner's secrets in the session until the page that shows them once: the
    session must live on the server, never in the signed (readable, not encrypted) cookie."""
    from django.conf import settings

    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.signed_cookies":
        return [
            checks.Error(
                "SESSION_ENGINE is the signed-cookie engine: the admin would put new API keys and webhook "
                "secrets into a cookie. Use a server-side engine (django.contrib.sessions.backends.db).",
                id="partners.E001",
            )
        ]
    return []
