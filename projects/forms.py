"""Forms for describing a project, crediting contributors, linking talks and filtering lists."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from chapters.models import Chapter
from meetings.models import Talk
from members.models import User
from projects.licences import normalize_licence
from projects.models import Project, Technology
from projects.services import split_technologies


class ProjectForm(forms.ModelForm):
    description = forms.CharField(
        label=_("Description"), max_length=20000, required=False,
        widget=forms.Textarea(attrs={"rows": 10}), help_text=_("Markdown."),
    )  # fmt: skip
    technologies = forms.CharField(
        label=_("Technologies"), max_length=1000, required=False,
        help_text=_("Separate them with commas, e.g. Solr, Blacklight, Django."),
    )  # fmt: skip

    class Meta:
        model = Project
        fields = [
            "name", "summary", "description", "status", "institution", "repository_url",
            "homepage", "licence", "focus_areas",
        ]  # fmt: skip
        widgets = {"focus_areas": forms.CheckboxSelectMultiple}

    def __init__(self, *args, chapter: Chapter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_areas"].queryset = chapter.focus_areas.all()
        self.fields["focus_areas"].help_text = ""
        if not chapter.focus_areas.exists():
            del self.fields["focus_areas"]
        if self.instance.pk and not self.is_bound:
            names = self.instance.technologies.values_list("name", flat=True)
            self.initial["technologies"] = ", ".join(names)

    def clean_licence(self) -> str:
        return normalize_licence(self.cleaned_data["licence"])

    def clean_technologies(self) -> list[str]:
        return split_technologies(self.cleaned_data["technologies"])

    def project_fields(self) -> dict:
        """What the services take: the model's fields, focus areas and technology names."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self._meta.fields if name in data}
        fields.setdefault("focus_areas", [])
        fields["technologies"] = data["technologies"]
        return fields


class ContributorForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Member"), queryset=User.objects.none())
    role = forms.CharField(
        label=_("Role"), max_length=100, required=False, help_text=_("Maintainer, developer, …")
    )

    def __init__(self, *args, chapter: Chapter, **kwargs):
        super().__init__(*args, **kwargs)
        members = User.objects.filter(memberships__chapter=chapter, is_active=True)
        self.fields["user"].queryset = members.select_related("profile").order_by(
            "profile__display_name", "pk"
        )
        self.fields["user"].label_from_instance = lambda user: user.display_name


class TalkLinkForm(forms.Form):
    talk = forms.ModelChoiceField(label=_("Talk"), queryset=Talk.objects.none())

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        talks = Talk.objects.filter(meeting__chapter=project.chapter_id).exclude(
            status=Talk.Status.DECLINED
        )
        self.fields["talk"].queryset = (
            talks.exclude(projects=project).select_related("meeting").order_by("-meeting__start")
        )
        self.fields["talk"].label_from_instance = talk_label


def talk_label(talk: Talk) -> str:
    return f"{talk.title} ({talk.meeting.title}, {talk.meeting.start:%Y-%m-%d})"


class ProjectFilterForm(forms.Form):
    """The list's filters, read from the query string so that a filtered list can be shared."""

    area = forms.IntegerField(required=False, min_value=1)
    technology = forms.SlugField(required=False, max_length=60)
    institution = forms.CharField(required=False, max_length=200)
    status = forms.ChoiceField(required=False, choices=[("", ""), *Project.Status.choices])
    page = forms.CharField(required=False, max_length=10)

    def __init__(self, *args, chapter: Chapter, **kwargs):
        super().__init__(*args, **kwargs)
        self.chapter = chapter

    def clean_area(self):
        area = self.cleaned_data["area"]
        if area is None:
            return None
        found = self.chapter.focus_areas.filter(pk=area).first()
        if found is None:
            raise ValidationError(_("This chapter has no such focus area."), code="area")
        return found

    def clean_technology(self):
        slug = self.cleaned_data["technology"]
        if not slug:
            return None
        found = Technology.objects.filter(slug=slug).first()
        if found is None:
            raise ValidationError(_("No technology has this name."), code="technology")
        return found

    def filters(self) -> dict:
        """The chosen filters, without the empty ones."""
        names = ("area", "technology", "institution", "status")
        return {name: self.cleaned_data[name] for name in names if self.cleaned_data.get(name)}
