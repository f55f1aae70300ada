"""The hub: every chapter this instance knows, local and followed, and their meetings together.

The directory (/hub/), the combined calendar page (/hub/calendar/) and its Atom and
iCalendar feeds. It lives in federation because it reads the remote Groups our chapters
follow; the content apps never import federation. Included at /hub/ with namespace "hub".
"""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chapters.hub import MAP_HEIGHT, MAP_WIDTH, directory_chapters, map_points, osm_url
from federation.models import Following, RemoteActor, RemoteObject
from meetings.calendar_views import ics_response
from meetings.ical import meeting_event, meeting_url, new_calendar, vtimezone
from meetings.models import Meeting

CALENDAR_LIMIT = 200
# A remote meeting without an end that started this long ago may still be going on.
STILL_ON = dt.timedelta(hours=6)


def followed_actors() -> QuerySet:
    """Remote Groups at least one local chapter follows and that accepted."""
    accepted = Following.objects.filter(state=Following.State.ACCEPTED)
    return RemoteActor.objects.filter(pk__in=accepted.values("actor"))


def upcoming_remote_meetings() -> QuerySet:
    """Remote meetings of followed Groups that have not ended, soonest first."""
    now = timezone.now()
    not_over = Q(end__gte=now) | Q(end__isnull=True, start__gte=now - STILL_ON)
    return (
        RemoteObject.objects.filter(
            kind=RemoteObject.Kind.MEETING, start__isnull=False, actor__in=followed_actors()
        )
        .filter(not_over)
        .order_by("start", "pk")
    )


def remote_groups() -> list[RemoteActor]:
    """Followed Groups by name, each with `next_meeting` (or None), in two queries."""
    next_meetings = upcoming_remote_meetings().filter(cancelled=False)[:1]
    actors = list(
        followed_actors()
        .order_by("name", "uri")
        .prefetch_related(
            Prefetch("remote_objects", queryset=next_meetings, to_attr="next_meetings")
        )
    )
    for actor in actors:
        actor.next_meeting = actor.next_meetings[0] if actor.next_meetings else None
    return actors


def zone_or_utc(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class Entry:
    """One meeting in the combined calendar, local or remote, with where it comes from."""

    uid: str
    title: str
    start: dt.datetime
    end: dt.datetime | None
    url: str
    location: str
    source: str
    source_url: str
    remote: bool
    cancelled: bool
    zone: ZoneInfo
    meeting: Meeting | None = None

    @property
    def when(self) -> str:
        """The start in the meeting's own time zone, with the zone's abbreviation."""
        local = self.start.astimezone(self.zone)
        return f"{formats.date_format(local, 'DATETIME_FORMAT')} {local.tzname()}"


def local_entry(meeting: Meeting) -> Entry:
    venue = meeting.venue
    location = ", ".join(p for p in (venue.name, venue.address) if p) if venue else ""
    return Entry(
        uid=f"meeting-{meeting.pk}@{urlsplit(settings.SITE_URL).hostname}",
        title=meeting.title,
        start=meeting.start,
        end=meeting.end,
        url=meeting_url(meeting),
        location=location or (_("Online") if meeting.online_url else ""),
        source=meeting.chapter.name,
        source_url=settings.SITE_URL + meeting.chapter.get_absolute_url(),
        remote=False,
        cancelled=meeting.is_cancelled,
        zone=zone_or_utc(meeting.chapter.time_zone),
        meeting=meeting,
    )


def remote_entry(item: RemoteObject) -> Entry:
    actor = item.actor
    location = item.location or (_("Online") if item.is_online else "")
    return Entry(
        uid=item.uri,
        title=item.name,
        start=item.start,
        end=item.end,
        url=item.url or item.uri,
        location=location,
        source=actor.name or actor.handle or actor.uri,
        source_url=actor.url or actor.uri,
        remote=True,
        cancelled=item.cancelled,
        zone=zone_or_utc(item.time_zone),
    )


def upcoming_entries(limit: int = CALENDAR_LIMIT) -> list[Entry]:
    """The next meetings of local chapters and followed Groups, soonest first, in two queries."""
    local = Meeting.objects.upcoming().select_related("chapter", "venue")[:limit]
    remote = upcoming_remote_meetings().select_related("actor")[:limit]
    entries = [local_entry(m) for m in local] + [remote_entry(r) for r in remote]
    entries.sort(key=lambda entry: (entry.start, entry.remote, entry.uid))
    return entries[:limit]


def remote_event(entry: Entry, stamp: dt.datetime) -> icalendar.Event:
    """A VEVENT for a remote meeting, times in UTC, pointing at its origin."""
    event = icalendar.Event()
    event.add("UID", entry.uid)
    event.add("DTSTAMP", stamp.astimezone(dt.UTC))
    event.add("DTSTART", entry.start.astimezone(dt.UTC))
    if entry.end and entry.end > entry.start:
        event.add("DTEND", entry.end.astimezone(dt.UTC))
    event.add("SUMMARY", entry.title)
    event.add("DESCRIPTION", f"{_('From')} {entry.source}\n\n{entry.url}")
    event.add("URL", entry.url)
    if entry.location:
        event.add("LOCATION", entry.location)
    event.add("STATUS", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("CATEGORIES", ["remote"])
    return event


def hub_calendar(entries: list[Entry], name: str) -> bytes:
    """A VCALENDAR of local and remote meetings, with VTIMEZONEs for the local ones' zones."""
    calendar = new_calendar(name)
    stamp = timezone.now()
    events = []
    for entry in entries:
        if entry.remote:
            events.append(remote_event(entry, stamp))
        else:
            event = meeting_event(entry.meeting, stamp)
            event.add("CATEGORIES", ["local"])
            events.append(event)
    for event in events:
        calendar.add_component(event)
    if events:
        first_year = min(event.decoded("DTSTART").year for event in events)
        last_year = max(event.decoded("DTSTART").year for event in events) + 1
        for index, tzid in enumerate(sorted(calendar.get_missing_tzids())):
            calendar.subcomponents.insert(index, vtimezone(tzid, first_year, last_year))
    return calendar.to_ical()


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    """Every chapter the hub knows: local ones with their activity, then followed Groups."""
    chapters = directory_chapters()
    places = [(c.name, c.get_absolute_url(), c.latitude, c.longitude) for c in chapters]
    context = {
        "chapters": chapters,
        "groups": remote_groups(),
        "points": map_points(places),
        "map_width": MAP_WIDTH,
        "map_height": MAP_HEIGHT,
        "osm_url": osm_url,
    }
    return render(request, "chapters/hub.html", context)


@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    """The combined calendar: upcoming meetings of every chapter, local and remote marked."""
    return render(request, "federation/hub_calendar.html", {"entries": upcoming_entries()})


@require_GET
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """The combined calendar as an iCalendar feed to subscribe to."""
    name = _("%(site)s: all chapters") % {"site": settings.SITE_NAME}
    return ics_response(hub_calendar(upcoming_entries(), name), "hub.ics", False)


class CalendarFeed(Feed):
    """The combined calendar as Atom: one entry per upcoming meeting, soonest first."""

    feed_type = Atom1Feed

    def title(self) -> str:
        return _("%(site)s: upcoming meetings of all chapters") % {"site": settings.SITE_NAME}

    def link(self) -> str:
        return reverse("hub:calendar")

    def subtitle(self) -> str:
        return _("Meetings of local chapters and of the chapters they follow.")

    def items(self) -> list[Entry]:
        return upcoming_entries()

    def item_title(self, entry: Entry) -> str:
        prefix = _("Cancelled: ") if entry.cancelled else ""
        return f"{prefix}{entry.title}"

    def item_description(self, entry: Entry) -> str:
        parts = [entry.when, entry.location, f"{_('From')} {entry.source}"]
        return " · ".join(part for part in parts if part)

    def item_link(self, entry: Entry) -> str:
        return entry.url

    def item_guid(self, entry: Entry) -> str:
        return entry.uid

    def item_guid_is_permalink(self, entry: Entry) -> bool:
        return False

    def item_pubdate(self, entry: Entry) -> dt.datetime:
        return entry.start

    def item_author_name(self, entry: Entry) -> str:
        return entry.source

    def item_author_link(self, entry: Entry) -> str:
        return entry.source_url

    def item_categories(self, entry: Entry) -> list[str]:
        return ["remote" if entry.remote else "local"]


app_name = "hub"
urlpatterns = [
    path("", directory, name="directory"),
    path("calendar/", calendar_page, name="calendar"),
    path("calendar.atom", require_GET(CalendarFeed()), name="calendar_atom"),
    path("calendar.ics", calendar_ics, name="calendar_ics"),
]
