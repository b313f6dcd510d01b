from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from portfolio.accounts.models import User
from portfolio.accounts.scopes import DEFAULT_SCOPES, SCOPES


class SignUpForm(forms.Form):
    role = forms.ChoiceField(
        label="I am",
        choices=[
            (User.Role.CREATOR, "A creator: I link my videos to my portfolio"),
            (User.Role.EMPLOYER, "An employer: my company posts job videos"),
        ],
        widget=forms.RadioSelect,
        initial=User.Role.CREATOR,
    )
    name = forms.CharField(label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    organization_name = forms.CharField(
        label="Organization name", max_length=120, required=False
    )
    organization_website = forms.URLField(
        label="Organization website", max_length=300, required=False, assume_scheme="https"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Required for employers only: the form says so in clean(), the label does not say "optional".
        self.fields["organization_name"].show_optional = False  # type: ignore[attr-defined]  # read by the form template

    def clean_email(self):
        # A taken email is not refused here: the page would tell anyone which addresses have an account.
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords differ.")
        elif password1:
            candidate = User(email=cleaned.get("email", ""), name=cleaned.get("name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        if cleaned.get("role") == User.Role.EMPLOYER and not (cleaned.get("organization_name") or "").strip():
            self.add_error("organization_name", "Employers sign up with the name of their organization.")
        return cleaned


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": "That email and password do not match an account.",
        "inactive": "This account is inactive.",
    }


class OrganizationForm(forms.Form):
    name = forms.CharField(label="Organization name", max_length=120)
    website = forms.URLField(label="Website", max_length=300, required=False, assume_scheme="https")


class MemberAddForm(forms.Form):
    email = forms.EmailField(label="Email of a colleague", widget=forms.EmailInput(attrs={"autocomplete": "off"}))


class OrganizationRenameForm(forms.Form):
    name = forms.CharField(label="New name", max_length=120)


class InvitationSignUpForm(forms.Form):
    """The account of an invited employer: the address is the invited one, so only a name and a password."""

    name = forms.CharField(label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords differ.")
        elif password1:
            try:
                password_validation.validate_password(password1, User(email=self.email, name=cleaned.get("name", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="What it is for", max_length=100, required=False, help_text="e.g. “ATS sync”, to tell keys apart."
    )
    scopes = forms.MultipleChoiceField(
        label="What it may do",
        choices=list(SCOPES.items()),
        initial=list(DEFAULT_SCOPES),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one thing the key may do."},
    )
