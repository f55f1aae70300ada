"""The story editor's form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from stories.models import Story


class StoryForm(forms.ModelForm):
    categories_text = forms.CharField(
        label=_("Categories"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas, e.g. Meetings, Solr"),
    )

    class Meta:
        model = Story
        fields = ["title", "kind", "excerpt", "body"]
        widgets = {
            "excerpt": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 18}),
        }
        help_texts = {"body": _("Markdown: **bold**, _italic_, [a link](https://…), # Heading.")}

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [c for c in Story.Kind.choices if c[0] in kinds]
        if len(kinds) == 1:
            self.fields["kind"].widget = forms.HiddenInput()
            self.initial.setdefault("kind", kinds[0])
        if self.instance.pk and not self.is_bound:
            names = self.instance.categories.values_list("name", flat=True)
            self.initial["categories_text"] = ", ".join(names)

    def clean_categories_text(self) -> list[str]:
        names = []
        for raw in self.cleaned_data["categories_text"].split(","):
            name = " ".join(raw.split())
            if len(name) > 100:
                raise ValidationError(_("A category name can have at most 100 characters."))
            if name and name.casefold() not in {n.casefold() for n in names}:
                names.append(name)
        if len(names) > 10:
            raise ValidationError(_("At most 10 categories."))
        return names
