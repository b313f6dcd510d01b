"""The stored half of an API key, shared by every kind of key."""

from typing import ClassVar

from django.db import models


class AbstractApiKey(models.Model):
    """One API key: its prefix finds the row, only a SHA-256 of its secret is kept. A concrete key model
    adds its holder (a foreign key), sets KIND (the `<kind>_` its keys start with) and, in its Meta,
    `constraints = AbstractApiKey.constraints_named("<app>_<model>")`."""

    KIND: ClassVar[str]

    name = models.CharField(max_length=100, blank=True, help_text="What the key is for.")
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the secret part, hex.")
    scopes = models.JSONField(default=list, help_text="What the key may do: a list of scopes.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.KIND}_{self.prefix}_… ({self.holder()})"

    def holder(self) -> object:
        """Who holds the key, for its name in lists and logs."""
        raise NotImplementedError

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @staticmethod
    def constraints_named(stem: str) -> list[models.BaseConstraint]:
        """The database's own checks of a key's prefix and hash, named `<stem>_prefix_hex` and
        `<stem>_hash_sha256`."""
        return [
            models.CheckConstraint(condition=models.Q(prefix__regex=r"^[0-9a-f]{12}$"), name=f"{stem}_prefix_hex"),
            models.CheckConstraint(
                condition=models.Q(secret_hash__regex=r"^[0-9a-f]{64}$"), name=f"{stem}_hash_sha256"
            ),
        ]
