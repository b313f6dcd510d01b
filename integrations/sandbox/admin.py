"""The sandbox partner in the admin. Clients, codes, tokens and the signing key are read-only; secrets
are stored as digests and only a short prefix of a digest is ever shown."""

from django.contrib import admin, messages

from integrations.sandbox import services, webhooks
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


def _send(model_admin, request, event_type: str, items, *, video: bool) -> None:
    """Sends one signed event per selected row to Reelfolio and says what it answered."""
    for item in items:
        try:
            sent = webhooks.sandbox_event_send(
                event_type=event_type, user=item.user if video else item, video=item if video else None
            )
        except webhooks.SandboxSendError as error:
            model_admin.message_user(request, error.message, messages.ERROR)
            continue
        level = messages.SUCCESS if 200 <= sent.status < 300 else messages.WARNING
        model_admin.message_user(
            request, f"Sent {event_type} about {item} to {sent.partner}: Reelfolio answered {sent.status}.", level
        )


def _action(event_type: str, *, video: bool):
    def action(model_admin, request, queryset):
        _send(model_admin, request, event_type, queryset.select_related("user") if video else queryset, video=video)

    action.__name__ = "send_" + event_type.replace(".", "_")
    return admin.action(description=f"Send {event_type} to Reelfolio (signed webhook)")(action)


@admin.register(SandboxUser)
class SandboxUserAdmin(admin.ModelAdmin):
    list_display = ["username", "name", "freelance_id", "video_open_id", "headline"]
    search_fields = ["username", "name", "email"]
    # The password hash is not shown; seed_demo resets sandbox passwords to the documented one.
    exclude = ["password"]
    inlines = [SandboxProjectInline, SandboxVideoInline]
    actions = [
        _action(event_type, video=False)
        for event_type in ("account.deauthorized", "profile.updated", "authorization.removed")
    ]

    def save_formset(self, request, form, formset, change):
        """Videos deleted here leave the platform: Reelfolio is told with a video.removed event."""
        if formset.model is not SandboxVideo:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for video in formset.deleted_objects:
            services.sandbox_video_delete(video=video)
        for video in instances:
            video.save()
        formset.save_m2m()


@admin.register(SandboxVideo)
class SandboxVideoAdmin(admin.ModelAdmin):
    """The platform's videos; deleting one sends video.removed to Reelfolio by itself."""

    list_display = ["public_id", "title", "user", "published_at"]
    list_filter = ["user"]
    list_select_related = ["user"]
    search_fields = ["public_id", "title"]
    actions = [_action(event_type, video=True) for event_type in webhooks.VIDEO_EVENTS]

    def delete_model(self, request, obj):
        services.sandbox_video_delete(video=obj)

    def delete_queryset(self, request, queryset):
        for video in queryset.select_related("user"):
            services.sandbox_video_delete(video=video)


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
