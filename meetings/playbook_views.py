"""The meeting-format playbook: every chapter's published meeting reports, browsable by format.

A new chapter learns what others tried: the format, how many came and what worked. Only
published reports appear; drafts stay with their chapter's organizers.
"""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from meetings.models import Format, Report

PER_PAGE = 20


class PlaybookFilter(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[("", gettext_lazy("All formats")), *Format.choices],
    )


def published_reports():
    """Published reports with their meeting and chapter, newest meeting first."""
    return (
        Report.objects.filter(published=True)
        .select_related("meeting__chapter")
        .order_by("-meeting__start", "-pk")
    )


def format_counts() -> list[tuple[str, str, int]]:
    """(format, label, number of published reports) for every format that has any."""
    counts = dict(
        Report.objects.filter(published=True)
        .values_list("meeting__format")
        .annotate(count=Count("pk"))
        .values_list("meeting__format", "count")
    )
    return [(value, label, counts[value]) for value, label in Format.choices if counts.get(value)]


@require_GET
def playbook(request: HttpRequest) -> HttpResponse:
    form = PlaybookFilter(request.GET)
    if not form.is_valid():
        context = {"form": form, "error": _("Choose one of the listed formats."), "counts": []}
        return render(request, "meetings/playbook.html", context, status=400)
    chosen = form.cleaned_data["format"]
    reports = published_reports()
    if chosen:
        reports = reports.filter(meeting__format=chosen)
    page = Paginator(reports, PER_PAGE).get_page(request.GET.get("page"))
    counts = format_counts()
    context = {
        "form": form,
        "chosen": chosen,
        "chosen_label": dict(Format.choices).get(chosen, ""),
        "counts": counts,
        "total": sum(count for _value, _label, count in counts),
        "page": page,
        "error": "",
    }
    return render(request, "meetings/playbook.html", context)
