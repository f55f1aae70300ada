"""The search form: the words, the filters and the page, read from the address."""

from django import forms
from django.utils.translation import gettext_lazy as _

from search.engine import MAX_QUERY_LENGTH

KIND_LABELS = {
    "story": _("Story"),
    "meeting": _("Meeting"),
    "talk": _("Talk"),
    "thread": _("Forum thread"),
    "post": _("Forum post"),
    "project": _("Project"),
    "member": _("Member"),
}
MAX_PAGE = 500
FILTER_NAMES = ("kind", "chapter", "focus_area", "category", "year", "remote")


class SearchForm(forms.Form):
    """Every field is optional: the page shows a hint until there are words to look for.

    The words themselves are not limited here: a search that is too long gets the
    engine's message on an ordinary page, while a broken filter or page is a bad request.
    """

    q = forms.CharField(label=_("Search for"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Everything")), *KIND_LABELS.items()]
    )
    chapter = forms.SlugField(label=_("Chapter"), required=False, max_length=50)
    focus_area = forms.CharField(label=_("Focus area"), required=False, max_length=100)
    category = forms.CharField(label=_("Category"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1000, max_value=2999)
    remote = forms.ChoiceField(
        label=_("From other sites"), required=False, choices=[("", _("Any")), ("1", _("Only"))]
    )
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=MAX_PAGE)

    def query(self) -> str:
        return self.cleaned_data["q"]

    def too_long(self) -> bool:
        return len(self.query()) > MAX_QUERY_LENGTH

    def filters(self) -> dict[str, str]:
        """The chosen filters as the engine takes them (strings, none empty)."""
        data = self.cleaned_data
        chosen = {name: data[name] for name in FILTER_NAMES if data[name] not in ("", None)}
        return {name: str(value) for name, value in chosen.items()}

    def page_number(self) -> int:
        return self.cleaned_data["page"] or 1

    def first_error(self) -> str:
        """One sentence for a bad request: the first field's first error, with its label."""
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else name
            return f"{label}: {errors[0]}"
        return ""
