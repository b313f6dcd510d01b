from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "integrations.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from common import crypto
        from integrations.webhooks.models import Endpoint

        crypto.register_rotation("ATS endpoint secret(s)", Endpoint, ["secret_encrypted", "previous_secret_encrypted"])

        from common import metrics
        from integrations.webhooks.inbound.selectors import inbound_backlog
        from integrations.webhooks.outbound.selectors import failing_endpoints_backlog, outbound_backlog

        metrics.register_queue("webhooks_inbox", inbound_backlog)
        metrics.register_queue("webhooks_outbox_due", outbound_backlog)
        metrics.register_queue("webhook_endpoints_failing", failing_endpoints_backlog)
