from datetime import timedelta

from django import forms
from django.utils.html import format_html

from portfolio.creators.models import CreatorProfile
from portfolio.creators.selectors import CUSTOM_TARGET_KEY, AnchorTarget, custom_target
from portfolio.creators.services import HANDLE_RULES
from portfolio.creators.validators import TARGET_URL_MAX_LENGTH


class HandleForm(forms.Form):
    handle = forms.CharField(
        label="Your handle",
        max_length=40,
        help_text=f"Your public page is /@handle. {HANDLE_RULES}",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


CUSTOM_TARGET_LABEL = "Another address: a site of my own (https://…)"


class TargetForm(forms.Form):
    """Where "View My Portfolio" leads: one of the creator's targets (a profile, a project), or an https
    address they type (a personal site, a Behance page)."""

    target = forms.ChoiceField(label="Where the link leads", widget=forms.RadioSelect)
    custom_url = forms.CharField(
        label="The other address",
        required=False,
        max_length=TARGET_URL_MAX_LENGTH,
        help_text="For “Another address”: your site, or a page such as Behance. https:// only.",
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url", "spellcheck": "false"}),
    )

    def __init__(self, *args, targets: list[AnchorTarget], compact: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if compact:  # the bulk form on the videos page: a drop-down instead of a long list of radios
            self.fields["target"].widget = forms.Select()
        self.fields["custom_url"].show_optional = False  # type: ignore[attr-defined]  # needed for "Another address"
        self.targets = {t.key: t for t in targets}  # the creator's linked profiles and projects
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)
        target.choices = [(t.key, t.label) for t in targets] + [(CUSTOM_TARGET_KEY, CUSTOM_TARGET_LABEL)]
        target.error_messages["invalid_choice"] = "Choose one of your targets from the list."

    def chosen_target(self) -> AnchorTarget:
        key = self.cleaned_data["target"]
        if key == CUSTOM_TARGET_KEY:
            return custom_target(url=self.cleaned_data.get("custom_url") or "")
        return self.targets[key]


class VideoFilterForm(forms.Form):
    """Search, filter and sort on My videos (a GET form: a bad value is shown and the default used)."""

    LINK_CHOICES = [("", "All videos"), ("with", "With a link"), ("without", "Without a link")]
    SORT_CHOICES = [
        ("newest", "Newest first"),
        ("oldest", "Oldest first"),
        ("clicks", "Most clicks in 30 days"),
        ("title", "Title, A to Z"),
    ]

    q = forms.CharField(
        label="Search titles", required=False, max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Search titles"}),
    )
    link = forms.ChoiceField(label="Show", choices=LINK_CHOICES, required=False)
    sort = forms.ChoiceField(label="Sort", choices=SORT_CHOICES, required=False)

    def values(self) -> dict:
        """The valid values, with the defaults in place of missing or bad ones."""
        self.is_valid()  # fields that fail are left out of cleaned_data
        data = self.cleaned_data
        return {
            "q": (data.get("q") or "").strip(),
            "link": data.get("link") or "",
            "sort": data.get("sort") or "newest",
        }


ANALYTICS_PRESETS = {"7": 7, "30": 30, "90": 90}
ANALYTICS_MAX_DAYS = 366


class AnalyticsRangeForm(forms.Form):
    """The days the analytics show: the last 7, 30 or 90 days (today included), or from one date to
    another, at most ANALYTICS_MAX_DAYS days and none in the future (dates are UTC, like the counts)."""

    range = forms.ChoiceField(
        choices=[("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days"), ("custom", "Custom")],
        required=False,
        error_messages={"invalid_choice": "Choose 7, 30 or 90 days, or custom dates."},
    )
    start = forms.DateField(
        label="First day", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the first day as a date, like 2026-01-31."},
    )
    end = forms.DateField(
        label="Last day", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the last day as a date, like 2026-01-31."},
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["start"].widget.attrs["max"] = today.isoformat()
        self.fields["end"].widget.attrs["max"] = today.isoformat()

    def clean(self):
        data = super().clean() or self.cleaned_data
        choice = data.get("range") or ("custom" if data.get("start") or data.get("end") else "30")
        data["range"] = choice
        if choice in ANALYTICS_PRESETS:
            data["end"] = self.today
            data["start"] = self.today - timedelta(days=ANALYTICS_PRESETS[choice] - 1)
            return data
        start, end = data.get("start"), data.get("end")
        if self.errors:
            return data
        if start is None:
            self.add_error("start", "Choose the first day to show.")
        if end is None:
            self.add_error("end", "Choose the last day to show.")
        if start is None or end is None:
            return data
        if end > self.today:
            self.add_error("end", f"The last day cannot be in the future (today is {self.today:%d %b %Y}, UTC).")
        elif start > end:
            self.add_error("start", "The first day must come before the last day, or be the same day.")
        elif (end - start).days + 1 > ANALYTICS_MAX_DAYS:
            self.add_error(None, f"Choose at most {ANALYTICS_MAX_DAYS} days at a time.")
        return data

    def days(self) -> list:
        """The chosen days, oldest first (call after is_valid())."""
        start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        return [start + timedelta(days=n) for n in range((end - start).days + 1)]


class IdentityForm(forms.Form):
    """The name, bio and avatar of the public page; blank ones fall back to the freelance profile's."""

    display_name = forms.CharField(label="Display name", max_length=80, required=False)
    bio = forms.CharField(
        label="Short bio", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    avatar_url = forms.CharField(
        label="Avatar image address",
        max_length=1000,
        required=False,
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false", "placeholder": "https://"}),
    )

    def __init__(self, *args, defaults: dict, **kwargs):
        super().__init__(*args, **kwargs)
        source = defaults.get("source")
        for name, what in (("display_name", "name"), ("bio", "bio"), ("avatar_url", "avatar")):
            value = defaults.get(name)
            help_text: str
            if value and source:
                shown = value if len(value) <= 60 else value[:59] + "…"
                help_text = format_html("Leave it empty to use “{}”, your {} on {}.", shown, what, source)
            elif name == "display_name":
                help_text = format_html("Leave it empty to use “{}”, your account's name.", defaults["account_name"])
            else:
                help_text = "Leave it empty to show none."
            self.fields[name].help_text = help_text  # escaped here: the template shows help texts as HTML
        self.fields["avatar_url"].help_text = format_html(
            "An https:// address of a square picture of you (shown in a circle at the top of your page). {}",
            self.fields["avatar_url"].help_text,
        )


class PageLookForm(forms.Form):
    """The public page's theme and its one button."""

    theme = forms.ChoiceField(
        label="Theme", choices=CreatorProfile.Theme.choices, widget=forms.RadioSelect,
        help_text="The colour of your page's button, links and background. Every theme is easy to read.",
    )
    cta_label = forms.CharField(
        label="Button text", max_length=40, required=False,
        help_text="Leave it empty for “Hire me”, leading to your freelance profile.",
    )
    cta_url = forms.CharField(
        label="Button address", max_length=1000, required=False,
        widget=forms.URLInput(attrs={"inputmode": "url", "spellcheck": "false", "placeholder": "https://"}),
        help_text="An https:// address of yours (a booking page, a shop); empty: your freelance profile.",
    )
