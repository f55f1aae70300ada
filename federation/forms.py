"""The form organizers use to follow a remote chapter."""

from django import forms
from django.utils.translation import gettext_lazy as _


class FollowForm(forms.Form):
    handle = forms.CharField(
        label=_("Handle or address of the chapter to follow"),
        max_length=500,
        help_text=_("A handle such as @code4lib@chapters.example, or the chapter's web address."),
    )

    def clean_handle(self) -> str:
        return self.cleaned_data["handle"].strip()
