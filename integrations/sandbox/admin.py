"""The sandbox partner in the admin. Clients, codes, tokens and the signing key are read-only; secrets
are stored as digests and only a short prefix of a digest is ever shown."""

from django.contrib import admin

from integrations.sandbox.models import (
    SandboxAuthorizationCode,
    SandboxClient,
    SandboxProject,
    SandboxSigningKey,
    SandboxToken,
    SandboxUser,
    SandboxVideo,
)


def digest_prefix(value: str | None) -> str:
    return f"sha256:{value[:8]}…" if value else "—"


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SandboxProjectInline(admin.TabularInline):
    model = SandboxProject
    extra = 0
    fields = ["public_id", "position", "title", "cover_image"]


class SandboxVideoInline(admin.TabularInline):
    model = SandboxVideo
    extra = 0
    fields = ["public_id", "title", "duration", "published_at", "cover_image"]


@admin.register(SandboxUser)
class SandboxUserAdmin(admin.ModelAdmin):
    list_display = ["username", "name", "freelance_id", "video_open_id", "headline"]
    search_fields = ["username", "name", "email"]
    # The password hash is not shown; seed_demo resets sandbox passwords to the documented one.
    exclude = ["password"]
    inlines = [SandboxProjectInline, SandboxVideoInline]


@admin.register(SandboxClient)
class SandboxClientAdmin(ReadOnlyAdmin):
    list_display = ["client_id", "name", "scope", "updated_at"]
    readonly_fields = (
        "client_id", "name", "secret", "redirect_uris", "scope", "grant_types", "response_types",
        "token_endpoint_auth_methods", "updated_at",
    )
    fields = readonly_fields

    @admin.display(description="Client secret")
    def secret(self, obj):
        return f"{digest_prefix(obj.client_secret_digest)} (set from SANDBOX_CLIENT_SECRET)"


@admin.register(SandboxToken)
class SandboxTokenAdmin(ReadOnlyAdmin):
    list_display = ["access_token", "client", "user", "scope", "issued_at", "expires_in", "revoked"]
    list_filter = ["client"]
    list_select_related = ["client", "user"]
    readonly_fields = (
        "access_token", "refresh_token", "client", "user", "token_type", "scope", "issued_at", "expires_in",
        "access_token_revoked_at", "refresh_token_revoked_at",
    )
    fields = readonly_fields

    @admin.display(description="Access token")
    def access_token(self, obj):
        return digest_prefix(obj.access_token_digest)

    @admin.display(description="Refresh token")
    def refresh_token(self, obj):
        return digest_prefix(obj.refresh_token_digest)

    @admin.display(boolean=True)
    def revoked(self, obj):
        return obj.access_token_revoked_at is not None


@admin.register(SandboxAuthorizationCode)
class SandboxAuthorizationCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "client", "user", "scope", "expires_at"]
    list_select_related = ["client", "user"]
    readonly_fields = (
        "code", "client", "user", "redirect_uri", "scope", "code_challenge_method", "created_at", "expires_at"
    )
    fields = readonly_fields

    @admin.display(description="Code")
    def code(self, obj):
        return digest_prefix(obj.code_digest)


@admin.register(SandboxSigningKey)
class SandboxSigningKeyAdmin(ReadOnlyAdmin):
    list_display = ["kid", "slot", "created_at"]
    # The private key is never shown.
    readonly_fields = ("kid", "slot", "created_at")
    fields = readonly_fields
