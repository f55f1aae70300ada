"""Forms for organizers: the chapter's settings and managing its members."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from chapters.models import Chapter
from chapters.validators import time_zone_names
from members.models import Membership

MAX_FOCUS_AREAS = 30
MAX_LINKS = 20


def parse_focus_areas(text: str) -> list[str]:
    """One focus area a line; blank lines are skipped and repeats dropped."""
    names: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        name = " ".join(line.split())
        if len(name) > 100:
            raise ValidationError(
                _("Line %(line)d is longer than 100 characters."), params={"line": number}
            )
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    if len(names) > MAX_FOCUS_AREAS:
        raise ValidationError(_("At most %(max)d focus areas."), params={"max": MAX_FOCUS_AREAS})
    return names


def parse_links(text: str) -> list[tuple[str, str]]:
    """One link a line: a label, then the address, e.g. `Mailing list https://lists.example.org`."""
    links = []
    validate_url = URLValidator(schemes=["http", "https"])
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label, _sep, url = line.strip().rpartition(" ")
        label = label.strip()
        try:
            validate_url(url)
        except ValidationError:
            raise ValidationError(
                _("Line %(line)d: end the line with an address starting with https://."),
                params={"line": number},
            ) from None
        if not label or len(label) > 100 or len(url) > 500:
            raise ValidationError(
                _("Line %(line)d: give a label of up to 100 characters before the address."),
                params={"line": number},
            )
        links.append((label, url))
    if len(links) > MAX_LINKS:
        raise ValidationError(_("At most %(max)d links."), params={"max": MAX_LINKS})
    return links


class ChapterForm(forms.ModelForm):
    focus_areas = forms.CharField(
        label=_("Focus areas"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One a line. Members choose theirs as interests."),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: a label, then the address, e.g. Host page https://example.org/"),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=())

    class Meta:
        model = Chapter
        fields = [
            "name",
            "tagline",
            "description",
            "region",
            "latitude",
            "longitude",
            "time_zone",
            "members_can_blog",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 12})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(name, name) for name in time_zone_names()]
        if self.instance.pk and not self.is_bound:
            areas = self.instance.focus_areas.values_list("name", flat=True)
            self.initial["focus_areas"] = "\n".join(areas)
            self.initial["links"] = "\n".join(
                f"{link.label} {link.url}" for link in self.instance.links.all()
            )

    def clean_focus_areas(self) -> list[str]:
        return parse_focus_areas(self.cleaned_data["focus_areas"])

    def clean_links(self) -> list[tuple[str, str]]:
        return parse_links(self.cleaned_data["links"])


class MemberActionForm(forms.Form):
    ACTIONS = [
        ("promote", _("Make organizer")),
        ("demote", _("Make member")),
        ("remove", _("Remove")),
    ]

    membership = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        error_messages={"invalid_choice": _("That person is not a member of this chapter.")},
    )
    action = forms.ChoiceField(choices=ACTIONS)

    def __init__(self, chapter: Chapter, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = chapter.memberships.select_related("user", "chapter")
