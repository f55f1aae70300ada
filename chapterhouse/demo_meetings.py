"""The demo's meetings: the founding meeting of 10 September 2008 and a monthly series."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from chapters.models import Chapter
from meetings import services
from meetings.models import Format, Meeting, Report, Rsvp, Series, Talk, Venue
from members.models import Role

NEW_YORK = ZoneInfo("America/New_York")
DIRECTIONS = "http://www.metro.org/index.php?option=com_content&task=view&id=20&Itemid=228"
SERIES_TITLE = "Code4LibNYC monthly meeting"
TALKS = [
    ("Blacklight on top of Solr: a year in production", "Maria Alvarez", Talk.Kind.LIGHTNING),
    ("Harvesting our repository with OAI-PMH", "Priya Natarajan", Talk.Kind.LIGHTNING),
    ("Koha migration war stories", "David Chen", Talk.Kind.TALK),
]


def local(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def metro(chapter: Chapter) -> Venue:
    venue, _created = Venue.objects.get_or_create(
        chapter=chapter, name="METRO offices",
        defaults={
            "host": "METRO (Metropolitan New York Library Council)",
            "street_address": "57 East 11th Street", "locality": "New York", "region": "NY",
            "postal_code": "10003", "country": "US", "directions_url": DIRECTIONS, "capacity": 12,
            "latitude": "40.732979", "longitude": "-73.991661",
            "access_instructions": "Sign in at the lobby desk; METRO is on the 4th floor.",
            "accessibility_notes": "Elevator from the lobby; accessible restrooms on the floor.",
        },
    )  # fmt: skip
    return venue


def load_meetings(chapter: Chapter) -> int:
    """Create the demo meetings once; return how many records were made."""
    if Meeting.objects.filter(chapter=chapter).exists():
        return 0
    venue = metro(chapter)
    people = list(chapter.memberships.select_related("user").order_by("joined_at", "pk"))
    organizer = next(m.user for m in people if m.role == Role.ORGANIZER)
    founding = founding_meeting(chapter, venue, organizer, people)
    series = monthly_series(chapter, venue, organizer)
    upcoming = series.meetings.order_by("start").first()
    fill(upcoming, [m.user for m in people], organizer)
    return 2 + series.meetings.count() + founding.rsvps.count() + upcoming.rsvps.count()


def founding_meeting(chapter, venue, organizer, people) -> Meeting:
    meeting = Meeting.objects.create(
        chapter=chapter, title="Code4LibNYC first meeting", venue=venue, format=Format.OTHER,
        start=local(2008, 9, 10, 10), end=local(2008, 9, 10, 12), capacity=venue.capacity,
        description="Our first meeting: introductions, what each of us is working on, "
        "and how often and where to meet. Please see the "
        "[announcement](/node/252) for the background.",
    )  # fmt: skip
    for membership in people[:10]:
        Rsvp.objects.create(meeting=meeting, user=membership.user, status="going", attended=True)
    Report.objects.create(
        meeting=meeting, attendance=10, published=True,
        notes="Ten of us met at METRO. Everyone described a current project; "
        "repositories and next generation catalogs came up most.",
        what_worked="A round of five-minute project introductions; agreeing on a monthly rhythm "
        "hosted in turn by member institutions.",
    )  # fmt: skip
    return meeting


def second_wednesday_after(now: dt.datetime) -> dt.datetime:
    """18:00 on the second Wednesday of next month, in New York."""
    first = (now.astimezone(NEW_YORK).replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    first_wednesday = first + dt.timedelta(days=(2 - first.weekday()) % 7)
    day = first_wednesday + dt.timedelta(days=7)
    return local(day.year, day.month, day.day, 18)


def monthly_series(chapter, venue, organizer) -> Series:
    start = second_wednesday_after(timezone.now())
    fields = {
        "title": SERIES_TITLE, "start": start, "end": start + dt.timedelta(hours=2),
        "venue": venue, "format": Format.LIGHTNING, "capacity": venue.capacity, "guests_allowed": 1,
        "description": "Lightning talks (5 minutes) and a show-and-tell of what members are "
        "building. Propose a talk below.",
    }  # fmt: skip
    meeting = services.create_meeting(organizer, chapter, fields, rule="FREQ=MONTHLY;BYDAY=2WE")
    return meeting.series


def fill(meeting: Meeting, users: list, organizer) -> None:
    """Take every seat, put three on the waitlist, and propose and accept talks."""
    for user in users[: (meeting.capacity or 0) + 3]:
        services.rsvp(meeting, user)
    for (title, speakers, kind), user in zip(TALKS, users[3:], strict=False):
        talk = services.propose_talk(
            meeting, user, {"title": title, "speakers": speakers, "kind": kind}
        )
        if kind == Talk.Kind.LIGHTNING:
            services.decide_talk(organizer, talk, accept=True)
