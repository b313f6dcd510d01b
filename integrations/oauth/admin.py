"""Operators see links and their state; tokens are never shown (OAuthToken is not registered), and links are
not deleted here."""

from django.contrib import admin

from integrations.oauth.models import LinkedAccount


@admin.register(LinkedAccount)
class LinkedAccountAdmin(admin.ModelAdmin):
    list_display = ("provider_id", "subject", "user", "role", "status", "last_synced_at", "last_sync_error_at")
    list_filter = ("provider_id", "role", "status")
    search_fields = ("subject", "user__email")
    fields = ("user", "provider_id", "role", "subject", "status", "scopes", "profile", "linked_at", "last_synced_at",
              "last_sync_error", "last_sync_error_at", "sync_requested_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A deleted row's tokens would never be revoked, and the domain's unlink handlers would not run:
        # links end through Unlink (integrations.oauth.services.linked_account_unlink).
        return False
