"""Admin of the webhooks app."""

from django.contrib import admin, messages
from django.utils.html import format_html

from common.errors import ApplicationError
from integrations.webhooks.inbound import services as inbound_services
from integrations.webhooks.models import Delivery, DeliveryAttempt, Endpoint, InboundEvent
from integrations.webhooks.outbound import services as outbound

# --- inbound: events partners sent us --------------------------------------------------------------


@admin.register(InboundEvent)
class InboundEventAdmin(admin.ModelAdmin):
    """Received events, read-only: filter them, read the raw body, and process chosen ones again."""

    list_display = ("event_type", "partner", "status", "event_id_short", "occurred_at", "received_at", "attempts")
    list_filter = ("partner", "event_type", "status")
    list_select_related = ("partner",)
    search_fields = ("event_id", "event_type")
    date_hierarchy = "received_at"
    fields = (
        "partner", "event_type", "event_id", "status", "error", "attempts", "occurred_at", "received_at",
        "next_attempt_at", "processed_at", "headers", "body_pre",
    )
    readonly_fields = fields
    actions = ["reprocess_selected"]

    @admin.display(description="Event id", ordering="event_id")
    def event_id_short(self, obj):
        return obj.event_id if len(obj.event_id) <= 32 else f"{obj.event_id[:29]}…"

    @admin.display(description="Raw body")
    def body_pre(self, obj):
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', obj.body)

    @admin.action(description="Process the selected events again", permissions=["change"])
    def reprocess_selected(self, request, queryset):
        events = list(queryset)
        for event in events:
            inbound_services.inbound_event_reprocess(event=event)
            self.log_change(request, event, "Queued for processing again.")
        self.message_user(request, f"Queued {len(events)} event(s) for processing again.", messages.SUCCESS)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Received events are the record of what partners told us.
        return False

    def has_change_permission(self, request, obj=None):
        # Read-only pages; the reprocess action needs the change permission, checked on the action itself.
        return request.user.has_perm("webhooks.change_inboundevent") if obj is None else False


# --- outbound: deliveries to employers' ATS endpoints ----------------------------------------------


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ("attempted_at", "status_code", "latency_ms", "error", "response_body", "succeeded")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-attempted_at", "-id")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    """Employers' ATS endpoints; their secrets are never shown here."""

    list_display = ("url", "owner_type", "owner_id", "is_enabled", "disabled_reason", "failing_since", "created_at")
    list_filter = ("is_enabled", "owner_type")
    search_fields = ("url", "owner_id")
    readonly_fields = ("owner_type", "owner_id", "disabled_at", "disabled_reason", "failing_since",
                       "previous_secret_expires_at", "created_at")
    fields = ("url", "description", "event_types", "is_enabled", *readonly_fields)

    def has_add_permission(self, request):
        return False  # registered by the organization, which alone receives the secret


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every event per endpoint with its attempts; redeliver chosen ones."""

    list_display = ("event_type", "endpoint", "status", "attempt_count", "created_at", "next_attempt_at",
                    "delivered_at", "last_error")
    list_filter = ("status", "event_type")
    list_select_related = ("endpoint",)
    search_fields = ("msg_id", "endpoint__url")
    date_hierarchy = "created_at"
    readonly_fields = ("endpoint", "msg_id", "event_type", "body", "ordering_key", "status", "attempt_count",
                       "next_attempt_at", "created_at", "last_attempt_at", "delivered_at", "last_error")
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Redeliver the selected events (delivered or failed ones)")
    def redeliver(self, request, queryset):
        sent, refused = 0, []
        for delivery in queryset:
            try:
                outbound.delivery_redeliver(delivery=delivery)
                sent += 1
            except ApplicationError as error:
                refused.append(f"{delivery.msg_id}: {error.message}")
        if sent:
            self.message_user(request, f"{sent} event(s) are on their way again.", messages.SUCCESS)
        for message in refused[:10]:
            self.message_user(request, message, messages.WARNING)
