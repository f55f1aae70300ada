"""The meeting-format playbook: the published meeting reports of every chapter the hub knows.

A new chapter learns what others tried: the format, how many came and what worked.
Reports of local chapters and of the remote Groups our chapters follow are listed
together, newest meeting first, and counted by format. It lives in federation because
it reads remote meetings; the content apps never import federation. Routed at
/playbook/ with the name "playbook". Only published reports appear: drafts stay with
their chapter's organizers, and a remote Group sends only published ones.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from markupsafe import Markup

from chapterhouse.markup import render_markdown
from federation.hub import followed_actors
from federation.models import RemoteObject
from meetings.models import Format, Report

PER_PAGE = 20
# Formats this site names; any other a remote Group sends is shown and counted as "Other".
NAMED_FORMATS = [value for value in Format.values if value != Format.OTHER]


class PlaybookFilter(forms.Form):
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[("", gettext_lazy("All formats")), *Format.choices],
    )


def local_reports(chosen: str = "") -> QuerySet:
    """Published reports of local meetings, of one format if chosen."""
    reports = Report.objects.filter(published=True)
    return reports.filter(meeting__format=chosen) if chosen else reports


def remote_reports(chosen: str = "") -> QuerySet:
    """Remote meetings with a report from Groups our chapters follow, of one format if chosen."""
    reports = RemoteObject.objects.filter(
        kind=RemoteObject.Kind.MEETING,
        report_updated__isnull=False,
        start__isnull=False,
        actor__in=followed_actors(),
    )
    if chosen == Format.OTHER:
        return reports.exclude(meeting_format__in=NAMED_FORMATS)
    return reports.filter(meeting_format=chosen) if chosen else reports


def shown_format() -> Case:
    """A remote meeting's format as the playbook counts it: one of ours, else "other"."""
    named = When(meeting_format__in=NAMED_FORMATS, then=F("meeting_format"))
    return Case(named, default=Value(Format.OTHER))


def playbook_rows(chosen: str = "") -> QuerySet:
    """(is remote, pk, meeting start) of every listed report, newest meeting first.

    One UNION query, so the database sorts and pages local and remote reports together.
    """
    local = local_reports(chosen).annotate(
        remote=Value(False), row=F("pk"), meeting_start=F("meeting__start")
    )
    remote = remote_reports(chosen).annotate(
        remote=Value(True), row=F("pk"), meeting_start=F("start")
    )
    columns = ("remote", "row", "meeting_start")
    # Parts of a UNION may not be ordered themselves: RemoteObject's default order goes.
    local, remote = local.order_by().values_list(*columns), remote.order_by().values_list(*columns)
    combined = local.union(remote, all=True)
    return combined.order_by("-meeting_start", "remote", "-row")


def format_counts() -> list[tuple[str, str, int]]:
    """(format, label, number of reports) for every format that has any, local and remote."""
    local = local_reports().values("meeting__format").annotate(count=Count("pk"))
    remote = remote_reports().annotate(shown=shown_format()).values("shown")
    remote = remote.annotate(count=Count("pk")).order_by()
    counts = Counter()
    for value, count in local.values_list("meeting__format", "count").union(
        remote.values_list("shown", "count"), all=True
    ):
        counts[value] += count
    return [(value, label, counts[value]) for value, label in Format.choices if counts[value]]


@dataclass(frozen=True)
class Entry:
    """One report in the playbook, local or remote, with the chapter it comes from."""

    title: str
    url: str
    chapter: str
    chapter_url: str
    handle: str
    start: dt.datetime
    zone: str
    format_label: str
    attendance: int | None
    what_worked: str
    notes: Markup
    remote: bool


def local_entry(report: Report) -> Entry:
    meeting = report.meeting
    return Entry(
        title=meeting.title,
        url=meeting.get_absolute_url() + "#report",
        chapter=meeting.chapter.name,
        chapter_url=meeting.chapter.get_absolute_url(),
        handle="",
        start=meeting.start,
        zone=meeting.chapter.time_zone,
        format_label=meeting.get_format_display(),
        attendance=report.attendance,
        what_worked=report.what_worked,
        notes=render_markdown(report.notes) if report.notes.strip() else Markup(""),
        remote=False,
    )


def remote_entry(item: RemoteObject) -> Entry:
    actor = item.actor
    labels = dict(Format.choices)
    return Entry(
        title=item.name,
        url=item.url or item.uri,
        chapter=actor.name or actor.handle or actor.uri,
        chapter_url=actor.url or actor.uri,
        handle=actor.handle,
        start=item.start,
        zone=item.time_zone,
        format_label=labels.get(item.meeting_format, labels[Format.OTHER]),
        attendance=item.report_attendance,
        what_worked=item.report_what_worked,
        notes=Markup(item.report_html),  # noqa: S704 - sanitized when it was received
        remote=True,
    )


def entries(rows) -> list[Entry]:
    """The page's rows as entries, in their order: one query for local, one for remote."""
    local_ids = [pk for remote, pk, _start in rows if not remote]
    remote_ids = [pk for remote, pk, _start in rows if remote]
    local = Report.objects.select_related("meeting__chapter").in_bulk(local_ids)
    remote = RemoteObject.objects.select_related("actor").defer("data", "content")
    remote = remote.in_bulk(remote_ids)
    found = [(remote if is_remote else local).get(pk) for is_remote, pk, _start in rows]
    return [
        remote_entry(row) if isinstance(row, RemoteObject) else local_entry(row)
        for row in found
        if row is not None
    ]


@require_GET
def playbook(request: HttpRequest) -> HttpResponse:
    form = PlaybookFilter(request.GET)
    if not form.is_valid():
        context = {"form": form, "error": _("Choose one of the listed formats."), "counts": []}
        return render(request, "meetings/playbook.html", context, status=400)
    chosen = form.cleaned_data["format"]
    page = Paginator(playbook_rows(chosen), PER_PAGE).get_page(request.GET.get("page"))
    counts = format_counts()
    context = {
        "form": form,
        "chosen": chosen,
        "chosen_label": dict(Format.choices).get(chosen, ""),
        "counts": counts,
        "total": sum(count for _value, _label, count in counts),
        "page": page,
        "entries": entries(page.object_list),
        "error": "",
    }
    return render(request, "meetings/playbook.html", context)
