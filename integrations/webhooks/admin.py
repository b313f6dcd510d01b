"""Admin of the webhooks app."""

from django.contrib import admin, messages
from django.utils.html import format_html

from integrations.webhooks import inbound_services
from integrations.webhooks.models import InboundEvent

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
