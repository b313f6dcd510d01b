from datetime import timedelta

from django import forms

from portfolio.creators.selectors import AnchorTarget
from portfolio.creators.services import HANDLE_RULES


class HandleForm(forms.Form):
    handle = forms.CharField(
        label="Your handle",
        max_length=40,
        help_text=f"Your public page is /@handle. {HANDLE_RULES}",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class TargetForm(forms.Form):
    """Where "View My Portfolio" leads: one of the creator's targets (their page, a profile, a project)."""

    target = forms.ChoiceField(label="Where the link leads", widget=forms.RadioSelect)

    def __init__(self, *args, targets: list[AnchorTarget], compact: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if compact:  # the bulk form on the videos page: a drop-down instead of a long list of radios
            self.fields["target"].widget = forms.Select()
        self.targets = {t.key: t for t in targets}
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)
        target.choices = [(t.key, t.label) for t in targets]
        target.error_messages["invalid_choice"] = "Choose one of your targets from the list."

    def chosen_target(self) -> AnchorTarget:
        return self.targets[self.cleaned_data["target"]]


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
