"""Forms for accounts, profiles and contacting organizers. They validate; services write."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from chapterhouse.ratelimit import client_address
from chapters.models import Chapter, FocusArea
from members import lockout
from members.models import ContactMessage, Profile, User
from members.services import email_taken
from members.validators import normalize_orcid


def single_line(value: str) -> str:
    """Reject line breaks in a value that ends up in a mail header."""
    if "\n" in value or "\r" in value:
        raise ValidationError(_("Use a single line."), code="multiline")
    return value


class SignUpForm(forms.Form):
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        help_text=_("As other members will see it."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We send a link to confirm it. It is never shown to other members."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 10 characters; not a common password, not only digits."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    chapter = forms.ModelChoiceField(
        label=_("Join a chapter"),
        queryset=Chapter.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("Not now"),
        error_messages={"invalid_choice": _("There is no such chapter; pick one from the list.")},
    )
    in_directory = forms.BooleanField(
        label=_("List me in the member directory of my chapters"),
        required=False,
        initial=True,
        help_text=_("Members will see your name, institution, role and bio; never your e-mail."),
    )

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if email_taken(email):
            raise ValidationError(
                _("An account with this e-mail address already exists."), code="duplicate"
            )
        return email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords differ."))
        elif password1:
            candidate = User(email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    """Log in with an e-mail address; unverified accounts are told how to verify."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address and password do not match an account."),
    }
    refusal: lockout.LoginRefused | None = None

    def clean(self):
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if email and password:
            address = client_address(self.request) if self.request is not None else None
            self.refusal = lockout.refusal(email, address)
            if self.refusal is not None:
                raise ValidationError(self.refusal.message, code="locked")
        return super().clean()

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        if not user.is_verified:
            raise ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("Confirm your e-mail address first: follow the link we sent you."),
                    reverse("members:resend_verification"),
                    _("Send the link again"),
                ),
                code="unverified",
            )


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("New e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        if not self.user.check_password(self.cleaned_data["password"]):
            raise ValidationError(_("That is not your current password."), code="password")
        return self.cleaned_data["password"]


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account cannot be restored."), required=True
    )

    def __init__(self, user: User, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        if not self.user.check_password(self.cleaned_data["password"]):
            raise ValidationError(_("That is not your current password."), code="password")
        return self.cleaned_data["password"]


class ProfileForm(forms.ModelForm):
    # Longer than the stored iD: people paste the https://orcid.org/ form.
    orcid = forms.CharField(
        label=_("ORCID iD"),
        max_length=60,
        required=False,
        help_text=_("Optional, e.g. 0000-0002-1825-0097."),
    )

    class Meta:
        model = Profile
        fields = [
            "display_name", "institution", "job_role", "interests", "bio", "website", "orcid",
            "in_directory",
        ]  # fmt: skip
        widgets = {
            "interests": forms.CheckboxSelectMultiple,
            "bio": forms.Textarea(attrs={"rows": 4}),
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "institution": forms.TextInput(attrs={"autocomplete": "organization"}),
            "website": forms.URLInput(attrs={"autocomplete": "url"}),
        }
        help_texts = {
            "interests": _("The focus areas of your chapters."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chapters = self.instance.user.memberships.values("chapter")
        self.fields["interests"].queryset = FocusArea.objects.filter(
            chapter__in=chapters
        ).select_related("chapter")
        self.fields["interests"].label_from_instance = lambda area: (
            f"{area.name} ({area.chapter.name})"
        )

    def clean_orcid(self) -> str:
        return normalize_orcid(self.cleaned_data["orcid"])


class ContactForm(forms.ModelForm):
    class Meta:
        model = ContactMessage
        fields = ["name", "email", "subject", "body"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "body": forms.Textarea(attrs={"rows": 8}),
        }
        help_texts = {
            "email": _("The organizers see it so that they can reply to you."),
        }

    def clean_name(self) -> str:
        return single_line(self.cleaned_data["name"])

    def clean_subject(self) -> str:
        return single_line(self.cleaned_data["subject"])
