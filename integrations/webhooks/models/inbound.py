from django.db import models
from django.utils import timezone


class InboundEvent(models.Model):
    """One verified event a partner sent us, stored before we answer so nothing is lost if processing
    fails. Unique per (partner, event id): a partner's retry of the same event is acknowledged and not
    processed again."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        IGNORED = "ignored", "Ignored (no handler for its type)"

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="inbound_events")
    event_id = models.CharField(
        max_length=255, help_text="The partner's id (webhook-id), or the SHA-256 of the raw body when it sends none."
    )
    event_type = models.CharField(max_length=100, db_index=True)
    occurred_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the event happened at the partner: older events never overwrite newer state.",
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    body = models.TextField(help_text="The raw body, exactly as signed.")
    headers = models.JSONField(default=dict, help_text="The headers needed to audit the event (never the signature).")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # When processing is due (received, or a retry's backoff): drains take pending events that are due, oldest
    # first; the beat's sweep runs one when an event's time is well past (its wake was lost with the broker).
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "received webhook event"
        constraints = [
            models.UniqueConstraint(fields=["partner", "event_id"], name="webhooks_inboundevent_unique_per_partner"),
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "done", "failed", "ignored"]),
                name="webhooks_inboundevent_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} {self.event_id} ({self.partner})"
