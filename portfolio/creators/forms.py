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
