from django.db import models
from django.db.models import Q
from django.utils import timezone


class Endpoint(models.Model):
    """An address where an owner (an organization) receives the events it chose, signed with its secret.

    `integrations` knows owners by a plain id: `owner_type` ("organization") and `owner_id`.
    """

    owner_type = models.CharField(max_length=30)
    owner_id = models.BigIntegerField()
    url = models.CharField(max_length=2000, help_text="Checked by the SSRF guard when saved and at every attempt.")
    description = models.CharField(max_length=200, blank=True)
    event_types = models.JSONField(default=list, help_text="The event types it receives.")
    # whsec_<base64>, encrypted with TOKEN_ENCRYPTION_KEYS; shown once, when made or rotated.
    secret_encrypted = models.TextField(editable=False)
    # The secret before the last rotation: requests carry its signature too until it expires.
    previous_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_enabled = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=500, blank=True)
    # Null while the owner still has to be told that their endpoint was disabled (by a 410 or 5 days of
    # failures); the sweep sends what a lost task did not.
    disabled_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The first failed attempt since the last success: failing every attempt for 5 days disables it.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "ATS webhook endpoint"
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="webhooks_endpoint_owner")]
        constraints = [
            models.CheckConstraint(condition=~Q(secret_encrypted=""), name="webhooks_endpoint_has_secret"),
        ]

    def __str__(self):
        return self.url


class Delivery(models.Model):
    """One event for one endpoint: the outbox row, written in the transaction of the change that caused it.

    `pending` rows are due at `next_attempt_at`; a `sending` row is claimed by a worker until
    `next_attempt_at`, after which the sweep counts the attempt as lost and sends it again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    # The webhook-id: one per event, the same for every endpoint, every retry and every redelivery.
    msg_id = models.CharField(max_length=64)
    event_type = models.CharField(max_length=100)
    body = models.TextField(help_text="The JSON body, exactly as signed.")
    # Deliveries of one endpoint with the same key are sent oldest first (e.g. "application:42").
    ordering_key = models.CharField(max_length=100, blank=True)
    # Whose personal data the body carries, as the owner names them (e.g. "applicant:42"); blank for none.
    # Erasing that person rewrites these bodies (outbound.deliveries_redact).
    subject_key = models.CharField(max_length=100, blank=True)
    # When the body was rewritten without the personal data it carried.
    redacted_at = models.DateTimeField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveIntegerField(default=0, help_text="Attempts since it was last (re)queued.")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "ATS webhook delivery"
        verbose_name_plural = "ATS webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "msg_id"], name="webhooks_delivery_once_per_endpoint"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "delivered", "failed"]),
                name="webhooks_delivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], condition=Q(status__in=["pending", "sending"]), name="webhooks_delivery_due"
            ),
            models.Index(fields=["endpoint", "ordering_key", "id"], name="webhooks_delivery_order"),
            models.Index(fields=["subject_key"], condition=~Q(subject_key=""), name="webhooks_delivery_subject"),
        ]

    def __str__(self):
        return f"{self.event_type} {self.msg_id} → endpoint {self.endpoint_id}"


class DeliveryAttempt(models.Model):
    """One HTTP attempt of a delivery: the delivery log."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField(default=timezone.now)
    url = models.CharField(max_length=2000)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty when no answer came.")
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True, help_text="The first 2 KB of the answer.")
    error = models.CharField(max_length=500, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-attempted_at", "-id"]
        verbose_name = "ATS webhook delivery attempt"

    def __str__(self):
        return f"attempt {self.pk} of {self.delivery_id}: {self.status_code or self.error}"
