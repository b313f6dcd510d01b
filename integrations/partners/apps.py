from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "integrations.partners"
    label = "partners"
    verbose_name = "Partners and API keys"

    def ready(self):
        # Registers the OpenAPI description of the bearer API-key scheme with drf-spectacular.
        from integrations.partners import schema  # noqa: F401
