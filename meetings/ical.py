"""Meetings as iCalendar (RFC 5545): one meeting to download, or a feed to subscribe to.

Pure functions of the meetings they are given: callers select_related("chapter", "venue").
"""

import datetime as dt
import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from chapterhouse.markup import render_markdown, visible_text
from meetings.models import Meeting

PRODID = "-//Chapterhouse//Meetings//EN"
# How often subscribed calendar apps should fetch the feed again.
REFRESH = dt.timedelta(hours=6)
STATUSES = {
    Meeting.Status.SCHEDULED: "CONFIRMED",
    Meeting.Status.CANCELLED: "CANCELLED",
    Meeting.Status.POSTPONED: "TENTATIVE",
}
# Where a block of rendered Markdown ends, so the plain text keeps its paragraphs and items.
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|pre|blockquote|tr|dt|dd)\s*>|<(?:br|hr)\b[^>]*>", re.I)
# Offsets are searched day by day; no zone changes its offset twice within a day.
_SEARCH_STEP = dt.timedelta(days=1)


def meeting_uid(meeting: Meeting) -> str:
    """The event's UID: stable across every change to the meeting, unique to this site."""
    return f"meeting-{meeting.pk}@{urlsplit(settings.SITE_URL).hostname}"


def meeting_url(meeting: Meeting) -> str:
    """The meeting page's absolute address."""
    return settings.SITE_URL + meeting.get_absolute_url()


def plain_text(markdown: str) -> str:
    """The text a reader sees in this Markdown, one line per paragraph or list item."""
    blocks = (visible_text(block) for block in _BLOCK_END.split(render_markdown(markdown)))
    return "\n".join(block for block in blocks if block)


def event_description(meeting: Meeting) -> str:
    """The description as plain text, then the online link and the meeting page."""
    parts = [plain_text(meeting.description)]
    if meeting.online_url:
        parts.append(f"Online: {meeting.online_url}")
    parts.append(meeting_url(meeting))
    return "\n\n".join(part for part in parts if part)


def event_location(meeting: Meeting) -> str:
    """The venue's name and address, or else the online link."""
    venue = meeting.venue
    if venue is None:
        return meeting.online_url
    return ", ".join(part for part in (venue.name, venue.address) if part)


def meeting_event(meeting: Meeting, stamp: dt.datetime | None = None) -> icalendar.Event:
    """A VEVENT for the meeting, its times in the chapter's zone."""
    zone = ZoneInfo(meeting.chapter.time_zone)
    event = icalendar.Event()
    event.add("UID", meeting_uid(meeting))
    event.add("DTSTAMP", (stamp or timezone.now()).astimezone(dt.UTC))
    event.add("DTSTART", meeting.start.astimezone(zone))
    event.add("DTEND", meeting.end.astimezone(zone))
    event.add("SUMMARY", meeting.title)
    event.add("DESCRIPTION", event_description(meeting))
    event.add("URL", meeting_url(meeting))
    if location := event_location(meeting):
        event.add("LOCATION", location)
    add_geo(event, meeting)
    event.add("SEQUENCE", meeting.sequence)
    event.add("STATUS", STATUSES[meeting.status])
    event.add("CREATED", meeting.created.astimezone(dt.UTC))
    event.add("LAST-MODIFIED", meeting.updated.astimezone(dt.UTC))
    return event


def add_geo(event: icalendar.Event, meeting: Meeting) -> None:
    """GEO for a venue with both coordinates."""
    venue = meeting.venue
    if venue is not None and venue.latitude is not None and venue.longitude is not None:
        event.add("GEO", (float(venue.latitude), float(venue.longitude)))


def calendar_for(meetings: Iterable[Meeting], name: str, stamp: dt.datetime | None = None) -> bytes:
    """A VCALENDAR of these meetings, with a VTIMEZONE for each zone their times use."""
    calendar = new_calendar(name)
    stamp = stamp or timezone.now()
    events = [meeting_event(meeting, stamp) for meeting in meetings]
    for event in events:
        calendar.add_component(event)
    if events:
        first_year = min(event.decoded("DTSTART").year for event in events)
        last_year = max(event.decoded("DTEND").year for event in events)
        # get_missing_tzids leaves out UTC, whose times are written with a Z.
        for index, tzid in enumerate(sorted(calendar.get_missing_tzids())):
            calendar.subcomponents.insert(index, vtimezone(tzid, first_year, last_year))
    return calendar.to_ical()


def new_calendar(name: str) -> icalendar.Calendar:
    """An empty published calendar with the properties subscribing apps look for."""
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", name)
    calendar.add("REFRESH-INTERVAL", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH))
    return calendar


def vtimezone(tzid: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """A VTIMEZONE for tzid from January of first_year to the end of last_year.

    One STANDARD or DAYLIGHT observance per change of offset, each with its own DTSTART
    and no RDATE: icalendar's Timezone.from_tzid lists later changes as comma-separated
    RDATE values, and ical.js reads only the first value of an RDATE and ignores the
    DTSTART of an observance that has one, so its times came out an hour off.
    """
    component = icalendar.Timezone()
    component.add("TZID", tzid)
    for is_daylight, onset, offset_from, offset_to, name in observances(
        tzid, first_year, last_year
    ):
        observance = icalendar.TimezoneDaylight() if is_daylight else icalendar.TimezoneStandard()
        observance.add("DTSTART", onset)
        observance.add("TZOFFSETFROM", offset_from)
        observance.add("TZOFFSETTO", offset_to)
        observance.add("TZNAME", name)
        component.add_component(observance)
    return component


@lru_cache(maxsize=256)
def observances(tzid: str, first_year: int, last_year: int) -> tuple:
    """(is_daylight, local onset, offset from, offset to, name) for the zone's periods.

    The first period starts on January 1 of first_year; each later one at a change of
    offset. Onsets are local times in the offset before the change, as RFC 5545 has it.
    """
    zone = ZoneInfo(tzid)
    start = dt.datetime(first_year, 1, 1, tzinfo=zone).astimezone(dt.UTC)
    periods = [_observance(start.astimezone(zone), start.astimezone(zone).utcoffset())]
    for change in offset_changes(zone, start, dt.datetime(last_year + 1, 1, 1, tzinfo=dt.UTC)):
        before = (change - dt.timedelta(seconds=1)).astimezone(zone).utcoffset()
        periods.append(_observance(change.astimezone(zone), before))
    return tuple(periods)


def _observance(local: dt.datetime, offset_from: dt.timedelta) -> tuple:
    """The period that starts at this local time, coming from offset_from."""
    onset = (local.astimezone(dt.UTC) + offset_from).replace(tzinfo=None)
    return (bool(local.dst()), onset, offset_from, local.utcoffset(), local.tzname())


def offset_changes(zone: ZoneInfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The UTC instants between start and end at which the zone's offset or name changes."""
    changes = []
    while start < end:
        step_end = min(start + _SEARCH_STEP, end)
        if _period(zone, start) != _period(zone, step_end):
            changes.append(_first_instant_like(zone, start, step_end))
        start = step_end
    return changes


def _period(zone: ZoneInfo, instant: dt.datetime) -> tuple:
    """What names a period: offset, daylight saving and abbreviation."""
    local = instant.astimezone(zone)
    return (local.utcoffset(), local.dst(), local.tzname())


def _first_instant_like(zone: ZoneInfo, before: dt.datetime, after: dt.datetime) -> dt.datetime:
    """Bisect to the first whole second that is in the same period as `after`."""
    target = _period(zone, after)
    while after - before > dt.timedelta(seconds=1):
        middle = before + (after - before) // 2
        middle = middle.replace(microsecond=0)
        if _period(zone, middle) == target:
            after = middle
        else:
            before = middle
    return after
