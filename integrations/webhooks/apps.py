from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "integrations.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from common import crypto
        from integrations.webhooks.models import Endpoint

        crypto.register_rotation("ATS endpoint secret(s)", Endpoint, ["secret_encrypted", "previous_secret_encrypted"])
