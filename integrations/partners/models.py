from django.db import models

from common.api_keys.models import AbstractApiKey
from integrations.partners.keys import API_KEY_KIND


class Partner(models.Model):
    """A partner platform: it sends us signed webhooks and reads the partner API with its API keys."""

    class SignatureScheme(models.TextChoices):
        STANDARD_WEBHOOKS = "standard_webhooks", "Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)"
        TIMESTAMP_HEX = "timestamp_hex", "t=<unix>,s=<hex HMAC-SHA256> (video platforms)"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(
        max_length=50,
        unique=True,
        help_text="Names the partner in URLs, e.g. /integrations/webhooks/acme-video/ for acme-video.",
    )
    signature_scheme = models.CharField(
        max_length=30, choices=SignatureScheme.choices, default=SignatureScheme.STANDARD_WEBHOOKS
    )
    provider_id = models.CharField(
        max_length=50,
        blank=True,
        help_text="The provider (an OAUTH_PROVIDERS id, e.g. sandbox-video) whose accounts and videos its webhook "
        "events are about. Events about any other platform are refused; empty: its events are recorded only.",
    )
    # whsec_<base64>, encrypted with TOKEN_ENCRYPTION_KEYS (MultiFernet); shown once, at creation or rotation.
    webhook_secret_encrypted = models.TextField(editable=False)
    # After a rotation the previous secret verifies too, until it expires (a 24-hour overlap).
    previous_webhook_secret_encrypted = models.TextField(editable=False, blank=True, default="")
    previous_webhook_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(default=True, help_text="A disabled partner's API keys and webhooks stop working.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(signature_scheme__in=["standard_webhooks", "timestamp_hex"]),
                name="partners_partner_scheme_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(webhook_secret_encrypted=""), name="partners_partner_has_secret"
            ),
        ]

    def __str__(self):
        return self.name


class ApiKey(AbstractApiKey):
    """One API key of a partner: `rfk_<prefix>_<secret>` (common.api_keys)."""

    KIND = API_KEY_KIND

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True, help_text="What the key is for, e.g. “production CDN”.")
    scopes = models.JSONField(default=list, help_text="What the key may do, e.g. [\"anchors:read\"].")
    last_used_at = models.DateTimeField(
        null=True, blank=True, editable=False,
        help_text="Updated at most once per PARTNER_API_KEY_CACHE_SECONDS: the key lookup is cached.",
    )

    class Meta(AbstractApiKey.Meta):
        verbose_name = "API key"
        constraints = AbstractApiKey.constraints_named("partners_apikey")

    def holder(self):
        return self.partner
