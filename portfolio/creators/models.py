from django.conf import settings
from django.db import models


class CreatorProfile(models.Model):
    """A creator's public identity on Reelfolio: the handle of their page /@<handle>, and the name, bio and
    avatar that page shows (each left blank falls back to the linked freelance profile's), its colours and
    its one call to action (blank: "Hire me", to the linked freelance profile)."""

    class Theme(models.TextChoices):
        # Each theme's colours are in static/app.css (.creator-page.theme-<value>) and pass WCAG AA.
        VIOLET = "violet", "Violet"
        OCEAN = "ocean", "Ocean"
        FOREST = "forest", "Forest"
        EMBER = "ember", "Ember"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="creator_profile")
    handle = models.SlugField(max_length=40, unique=True)
    display_name = models.CharField(max_length=80, blank=True)
    bio = models.CharField(max_length=500, blank=True)
    # An https address only: the page is served over https and never loads a mixed-content image.
    avatar_url = models.URLField(max_length=1000, blank=True)
    theme = models.CharField(max_length=20, choices=Theme.choices, default=Theme.VIOLET)
    cta_label = models.CharField(max_length=40, blank=True)
    cta_url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(theme__in=["violet", "ocean", "forest", "ember"]),
                name="creators_profile_theme_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(cta_url="") | models.Q(cta_url__startswith="https://"),
                name="creators_profile_cta_https",
                violation_error_message="The button's address must be an https:// address.",
            ),
            models.CheckConstraint(
                condition=models.Q(avatar_url="") | models.Q(avatar_url__startswith="https://"),
                name="creators_profile_avatar_https",
                violation_error_message="The avatar must be an https:// address.",
            ),
        ]

    def __str__(self):
        return f"@{self.handle}"


class ProjectPlacement(models.Model):
    """Where one portfolio project of a linked freelance account stands on the creator's public page, and
    whether it is shown. Projects without a placement (new ones from a later sync) are shown after the
    placed ones, in the freelance platform's order."""

    profile = models.ForeignKey(CreatorProfile, on_delete=models.CASCADE, related_name="project_placements")
    linked_account = models.ForeignKey("oauth.LinkedAccount", on_delete=models.CASCADE, related_name="+")
    project_id = models.CharField(max_length=128)
    position = models.PositiveIntegerField()
    is_shown = models.BooleanField(default=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "linked_account", "project_id"], name="creators_projectplacement_unique"
            ),
        ]

    def __str__(self):
        return f"{self.profile} #{self.position}: {self.project_id}{'' if self.is_shown else ' (hidden)'}"


class PreviousHandle(models.Model):
    """A handle a creator has left: /@<handle> redirects to their page until another creator takes it."""

    handle = models.SlugField(max_length=40, unique=True)
    profile = models.ForeignKey(CreatorProfile, on_delete=models.CASCADE, related_name="previous_handles")
    left_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"@{self.handle} → {self.profile}"


class Video(models.Model):
    """A video imported from a creator's linked video-platform account."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REMOVED = "removed", "Removed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="videos")
    linked_account = models.ForeignKey(
        "oauth.LinkedAccount", on_delete=models.SET_NULL, null=True, blank=True, related_name="videos"
    )
    platform = models.CharField(max_length=50, help_text="The video platform, e.g. the videos provider's id.")
    platform_video_id = models.CharField(max_length=128)
    title = models.CharField(max_length=300, blank=True)
    cover_image_url = models.URLField(max_length=1000, blank=True)
    share_url = models.URLField(max_length=1000, blank=True)
    embed_url = models.URLField(max_length=1000, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    class RemovedReason(models.TextChoices):
        NONE = "", "Not removed"
        PLATFORM = "platform", "Gone from the video platform"
        UNLINKED = "unlinked", "Its account was unlinked"
        ADMIN = "admin", "Removed by an operator"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    removed_at = models.DateTimeField(null=True, blank=True)
    # Why it was removed: a sync that lists the video again brings it back, unless an operator removed it.
    removed_reason = models.CharField(max_length=20, choices=RemovedReason.choices, blank=True, default="")
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "platform_video_id"], name="creators_video_platform_id"),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "removed"]), name="creators_video_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self):
        return f"{self.platform}:{self.platform_video_id}"


class PortfolioAnchor(models.Model):
    """The "View My Portfolio" link on one video: at most one per video, its short code kept for good."""

    class TargetKind(models.TextChoices):
        REELFOLIO_PAGE = "reelfolio_page", "My Reelfolio page"
        LINKED_PROFILE = "linked_profile", "My profile on a freelance platform"
        PROJECT = "project", "One portfolio project"
        CUSTOM_URL = "custom_url", "An address of my choice"

    video = models.OneToOneField(Video, on_delete=models.CASCADE, related_name="portfolio_anchor")
    code = models.CharField(max_length=22, unique=True, help_text="The short link is /l/<code>.")
    target_kind = models.CharField(max_length=20, choices=TargetKind.choices)
    target_url = models.URLField(max_length=2000)
    # For linked_profile and project targets: which linked account, and which project of it. A custom_url
    # target is an https address the creator typed (a personal site, a Behance page).
    linked_account = models.ForeignKey(
        "oauth.LinkedAccount", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    project_id = models.CharField(max_length=128, blank=True)
    is_active = models.BooleanField(default=True, help_text="False once the creator detaches it.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_kind__in=["reelfolio_page", "linked_profile", "project", "custom_url"]),
                name="creators_anchor_target_kind_valid",
            ),
            # An address the creator typed is https only: the others come from a provider or from us.
            models.CheckConstraint(
                condition=~models.Q(target_kind="custom_url") | models.Q(target_url__startswith="https://"),
                name="creators_anchor_custom_target_https",
            ),
            models.CheckConstraint(
                condition=models.Q(target_url__startswith="http://") | models.Q(target_url__startswith="https://"),
                name="creators_anchor_target_http",
            ),
        ]

    def __str__(self):
        return f"/l/{self.code} → {self.target_url}"


class LinkClickDaily(models.Model):
    """Clicks on one anchor's short link in one day (UTC): all clicks, and unique visitors."""

    anchor = models.ForeignKey(PortfolioAnchor, on_delete=models.CASCADE, related_name="daily_clicks")
    day = models.DateField()
    clicks = models.PositiveIntegerField(default=0)
    unique_visitors = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["anchor", "day"], name="creators_linkclickdaily_anchor_day")]

    def __str__(self):
        return f"{self.anchor.code} {self.day}: {self.clicks}"


class LinkClickBreakdownDaily(models.Model):
    """Clicks on one anchor's short link in one day (UTC), by referring domain, device class or country.

    Folded by clicks_fold from the same counting step as LinkClickDaily, so each dimension's clicks add up
    to that day's clicks. No address is kept: the country is looked up at the click and only its code stays.
    """

    class Dimension(models.TextChoices):
        REFERRER = "referrer", "Referrer"
        DEVICE = "device", "Device"
        COUNTRY = "country", "Country"

    anchor = models.ForeignKey(PortfolioAnchor, on_delete=models.CASCADE, related_name="daily_breakdowns")
    day = models.DateField()
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    value = models.CharField(max_length=100)
    clicks = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day", "dimension", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["anchor", "day", "dimension", "value"], name="creators_clickbreakdown_anchor_day_value"
            ),
            models.CheckConstraint(
                condition=models.Q(dimension__in=["referrer", "device", "country"]),
                name="creators_clickbreakdown_dimension_valid",
            ),
        ]

    def __str__(self):
        return f"{self.anchor.code} {self.day} {self.dimension}={self.value}: {self.clicks}"


class CreatorVisitorsDaily(models.Model):
    """Unique visitors of all of one creator's short links in one day (UTC): a visitor who clicks two of
    their videos counts once."""

    creator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_visitors")
    day = models.DateField()
    unique_visitors = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["creator", "day"], name="creators_creatorvisitors_creator_day")]

    def __str__(self):
        return f"{self.creator_id} {self.day}: {self.unique_visitors}"
