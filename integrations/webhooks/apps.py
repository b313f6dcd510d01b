from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "integrations.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from common import crypto
        from integrations.webhooks.outbound.services import endpoint_secrets_rotate_keys

        crypto.register_rotation("ATS endpoint secret(s)", endpoint_secrets_rotate_keys)
