from django.contrib import admin, messages

from portfolio.creators import services
from portfolio.creators.models import (
    CreatorProfile,
    CreatorVisitorsDaily,
    LinkClickBreakdownDaily,
    LinkClickDaily,
    PortfolioAnchor,
    Video,
)


@admin.register(CreatorProfile)
class CreatorProfileAdmin(admin.ModelAdmin):
    list_display = ("handle", "user", "created_at")
    search_fields = ("handle", "user__email", "user__name")
    readonly_fields = ("user", "handle", "display_name", "bio", "avatar_url", "created_at")


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    list_display = ("__str__", "title", "owner", "status", "removed_reason", "published_at")
    list_filter = ("status", "platform", "removed_reason")
    search_fields = ("platform_video_id", "title", "owner__email")
    list_select_related = ("owner",)
    readonly_fields = [f.name for f in Video._meta.fields]
    actions = ["remove_videos"]

    def has_add_permission(self, request):
        return False  # videos come from linked accounts only

    def has_delete_permission(self, request, obj=None):
        return False  # a delete here would skip video_remove and its cache invalidation: use the remove action

    @admin.action(description="Remove the selected videos (hidden everywhere, links answer 410)")
    def remove_videos(self, request, queryset):
        count = 0
        for video in queryset:
            services.video_remove(video=video, reason=Video.RemovedReason.ADMIN)
            count += 1
        self.message_user(request, f"{count} video(s) removed.", messages.SUCCESS)


@admin.register(PortfolioAnchor)
class PortfolioAnchorAdmin(admin.ModelAdmin):
    list_display = ("code", "video", "target_kind", "target_url", "is_active", "updated_at")
    list_filter = ("is_active", "target_kind")
    search_fields = ("code", "video__platform_video_id", "video__owner__email")
    list_select_related = ("video",)
    readonly_fields = [f.name for f in PortfolioAnchor._meta.fields]

    def has_add_permission(self, request):
        return False  # creators attach links from their videos page

    def has_delete_permission(self, request, obj=None):
        return False  # a deleted link would keep redirecting from the cache; removing its video stops it


@admin.register(LinkClickDaily)
class LinkClickDailyAdmin(admin.ModelAdmin):
    list_display = ("anchor", "day", "clicks", "unique_visitors")
    list_filter = ("day",)
    list_select_related = ("anchor",)
    readonly_fields = ("anchor", "day", "clicks", "unique_visitors")

    def has_add_permission(self, request):
        return False


@admin.register(LinkClickBreakdownDaily)
class LinkClickBreakdownDailyAdmin(admin.ModelAdmin):
    list_display = ("anchor", "day", "dimension", "value", "clicks")
    list_filter = ("dimension", "day")
    list_select_related = ("anchor",)
    readonly_fields = ("anchor", "day", "dimension", "value", "clicks")

    def has_add_permission(self, request):
        return False


@admin.register(CreatorVisitorsDaily)
class CreatorVisitorsDailyAdmin(admin.ModelAdmin):
    list_display = ("creator", "day", "unique_visitors")
    list_filter = ("day",)
    list_select_related = ("creator",)
    readonly_fields = ("creator", "day", "unique_visitors")

    def has_add_permission(self, request):
        return False
