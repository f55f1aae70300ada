"""Forms for writing in the forum, flagging, moderating and the forum's settings."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.models import Category, ForumSettings, ModerationAction, Preference
from projects.models import Project

BODY_MAX = 20000
BODY_HELP = _(
    "Markdown. Fence code with ``` and a language (```python) for highlighting. "
    "Mention a member with @ and their display name in lower case, words joined by "
    "hyphens: Ana María Ruiz is @ana-maria-ruiz. A link to a meeting, story or project "
    "of this site on a line of its own shows as a card."
)
Kind = ModerationAction.Kind


def body_field(label=None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Message"),
        max_length=BODY_MAX,
        help_text=BODY_HELP,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class ThreadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, strip=True)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        to_field_name="slug",
        error_messages={"invalid_choice": _("Choose one of the forum's categories.")},
    )
    body = body_field()
    project = forms.ModelChoiceField(
        label=_("About a project"),
        queryset=Project.objects.none(),
        to_field_name="slug",
        required=False,
        help_text=_("Optional: the chapter's project this thread discusses."),
    )

    def __init__(self, chapter, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(chapter=chapter)
        self.fields["project"].queryset = Project.objects.filter(chapter=chapter)


class ReplyForm(forms.Form):
    body = body_field(_("Your reply"))


class EditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, strip=True, required=False)
    body = body_field()


class FlagForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this post?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PostActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(kind.value, kind.label) for kind in (Kind.APPROVE, Kind.REJECT, Kind.HIDE,
                                                       Kind.RESTORE, Kind.DISMISS)]
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ThreadActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[(kind.value, kind.label) for kind in (Kind.LOCK, Kind.UNLOCK, Kind.PIN,
                                                       Kind.UNPIN, Kind.HIDE, Kind.RESTORE,
                                                       Kind.MOVE)],
    )  # fmt: skip
    category = forms.ModelChoiceField(
        label=_("Move to"), queryset=Category.objects.none(), to_field_name="slug", required=False
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, chapter, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(chapter=chapter)

    def clean(self):
        data = super().clean()
        if data.get("action") == Kind.MOVE and not data.get("category"):
            self.add_error("category", _("Choose the category to move the thread to."))
        return data


class SuspendForm(forms.Form):
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to ban the member: their posts stay hidden."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def clean_until(self):
        until = self.cleaned_data["until"]
        if until is None:
            return None
        if until <= timezone.localdate():
            raise forms.ValidationError(_("Choose a day after today."))
        return timezone.make_aware(dt.datetime.combine(until, dt.time.min))


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ForumSettings
        fields = ["visibility", "approval_threshold"]


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "description", "position"]

    def __init__(self, chapter, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.chapter = chapter

    def validate_unique(self):
        # The chapter is set on the instance, not a form field: check the slug ourselves.
        super().validate_unique()
        self.instance.chapter_id and self._check_slug()

    def _check_slug(self):
        taken = Category.objects.filter(
            chapter_id=self.instance.chapter_id, slug=self.cleaned_data.get("slug")
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            self.add_error("slug", _("Another category already has this address name."))


class DeliveryForm(forms.Form):
    delivery = forms.ChoiceField(
        label=_("Forum e-mail"), choices=Preference.Delivery.choices, widget=forms.RadioSelect
    )
