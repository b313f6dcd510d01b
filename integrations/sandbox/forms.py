from django import forms

from integrations.sandbox.selectors import sandbox_user_authenticate


class SandboxLoginForm(forms.Form):
    username = forms.CharField(
        label="Sandbox username", max_length=40, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        label="Sandbox password", strip=False, max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if self.errors:
            return cleaned
        user = sandbox_user_authenticate(username=cleaned["username"], password=cleaned["password"])
        if user is None:
            raise forms.ValidationError("Wrong sandbox username or password.", code="invalid_login")
        self.user = user
        return cleaned


class ConsentForm(forms.Form):
    decision = forms.ChoiceField(choices=[("allow", "Allow"), ("deny", "Deny")])
