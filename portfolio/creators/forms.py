from django import forms
from django.utils.html import format_html

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
            "An https:// address of a square picture of you (shown 96 pixels wide). {}",
            self.fields["avatar_url"].help_text,
        )
