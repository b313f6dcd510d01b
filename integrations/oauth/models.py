from django.conf import settings
from django.db import models


class LinkedAccount(models.Model):
    """A user's account at a provider (a freelance platform or a video platform)."""

    class Role(models.TextChoices):
        PORTFOLIO = "portfolio", "Freelance account"
        VIDEOS = "videos", "Video-platform account"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        NEEDS_RECONNECT = "needs_reconnect", "Needs reconnect"
        REVOKED = "revoked", "Revoked"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="linked_accounts")
    provider_id = models.CharField(max_length=50)
    role = models.CharField(max_length=20, choices=Role.choices)
    subject = models.CharField(max_length=255, help_text="The provider's id of the user.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # integrations.providers.types.Profile as JSON: display name, headline, bio, skills, rate, location,
    # avatar, profile URL and portfolio items.
    profile = models.JSONField(default=dict, blank=True)
    scopes = models.CharField(max_length=500, blank=True)
    linked_at = models.DateTimeField(auto_now_add=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    last_sync_error = models.CharField(max_length=500, blank=True)
    last_sync_error_at = models.DateTimeField(null=True, blank=True)
    # Set in the transaction that asks for a sync, cleared when one finishes: the periodic sweep
    # re-enqueues requests that a lost broker dropped.
    sync_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider_id", "subject"], name="oauth_linkedaccount_provider_subject"),
            models.UniqueConstraint(fields=["user", "provider_id"], name="oauth_linkedaccount_user_provider"),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "needs_reconnect", "revoked"]),
                name="oauth_linkedaccount_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["portfolio", "videos"]), name="oauth_linkedaccount_role_valid"
            ),
        ]
        # The syncs asked for and not done (the sweep, GET /metrics): few rows, whatever the accounts.
        indexes = [
            models.Index(
                fields=["sync_requested_at"], condition=models.Q(sync_requested_at__isnull=False),
                name="oauth_linkedaccount_sync_asked",
            )
        ]

    def __str__(self):
        return f"{self.provider_id}:{self.subject} ({self.user_id})"


class OAuthToken(models.Model):
    """A linked account's tokens, encrypted at rest with TOKEN_ENCRYPTION_KEYS (MultiFernet)."""

    linked_account = models.OneToOneField(LinkedAccount, on_delete=models.CASCADE, related_name="token")
    access_token_encrypted = models.TextField()
    refresh_token_encrypted = models.TextField(blank=True)
    token_type = models.CharField(max_length=40, default="Bearer")
    scope = models.CharField(max_length=500, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty for tokens that do not expire.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["expires_at"], name="oauth_token_expires_at")]

    def __str__(self):
        return f"token of {self.linked_account}"
