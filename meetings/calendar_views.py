"""Meetings as .ics: one meeting to add to a calendar, and feeds to subscribe to."""

import datetime as dt

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from chapters.models import Chapter
from meetings.ical import calendar_for
from meetings.models import Meeting, MeetingQuerySet

# Subscribers keep a few months of past meetings, so last month's still shows in their app.
FEED_HISTORY = dt.timedelta(days=90)


def ics_response(body: bytes, filename: str, as_attachment: bool) -> HttpResponse:
    """An iCalendar response: an attachment to open once, or inline for subscribing."""
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response


def feed_meetings() -> MeetingQuerySet:
    """Meetings from FEED_HISTORY ago onward, cancelled ones too so subscribers see them go."""
    since = timezone.now() - FEED_HISTORY
    return Meeting.objects.filter(start__gte=since).select_related("chapter", "venue")


@require_GET
def meeting_ics(request, slug: str, pk: int) -> HttpResponse:
    """One meeting as a file to open in a calendar app."""
    meeting = get_object_or_404(
        Meeting.objects.select_related("chapter", "venue"), chapter__slug=slug, pk=pk
    )
    return ics_response(calendar_for([meeting], meeting.title), f"{slug}-{pk}.ics", True)


@require_GET
def chapter_calendar(request, slug: str) -> HttpResponse:
    """The chapter's meetings as a feed to subscribe to."""
    chapter = get_object_or_404(Chapter, slug=slug)
    body = calendar_for(feed_meetings().filter(chapter=chapter), chapter.name)
    return ics_response(body, f"{slug}.ics", False)


@require_GET
def instance_calendar(request) -> HttpResponse:
    """Every chapter's meetings as one feed to subscribe to."""
    body = calendar_for(feed_meetings(), settings.SITE_NAME)
    return ics_response(body, "meetings.ics", False)
