"""The demo's second chapter, Code4Lib DC, so the hub has more than one chapter to show."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from chapters.models import Chapter, FocusArea
from meetings.models import Format, Meeting, Report, Venue
from members.models import Membership, Profile, Role, RoleChange, User

WASHINGTON = ZoneInfo("America/New_York")
DEMO_PASSWORD = "code4lib-nyc-demo"  # noqa: S105 - the same password as the main demo
SLUG = "code4lib-dc"
FOCUS_AREAS = ["Digital preservation", "Government information", "Linked open data"]
PEOPLE = [
    ("keisha.dc@example.org", "Keisha Brown", "Folger Shakespeare Library", Role.ORGANIZER),
    ("tomas.dc@example.org", "Tomás Ortega", "Georgetown University Library", Role.ORGANIZER),
    ("wen.dc@example.org", "Wen Li", "DC Public Library", Role.MEMBER),
    ("sam.dc@example.org", "Sam Okafor", "Smithsonian Libraries and Archives", Role.MEMBER),
]
# Code4LibNYC meets at METRO; its point on the hub map, set only if the chapter has none.
NEW_YORK_POINT = (Decimal("40.732979"), Decimal("-73.991661"))


@transaction.atomic
def load_hub() -> int:
    """Create Code4Lib DC with people, two reported meetings and one upcoming; run twice, no change.

    Returns how many records were created.
    """
    chapter, created = Chapter.objects.get_or_create(
        slug=SLUG,
        defaults={
            "name": "Code4Lib DC",
            "tagline": "Library and archives technologists in the Washington, DC area.",
            "description": "We meet every other month, hosted in turn by member institutions.",
            "region": "Washington, DC",
            "time_zone": "America/New_York",
            "latitude": Decimal("38.907200"),
            "longitude": Decimal("-77.036900"),
        },
    )
    count = int(created)
    if created:
        for position, name in enumerate(FOCUS_AREAS):
            FocusArea.objects.create(chapter=chapter, name=name, position=position)
        count += len(FOCUS_AREAS)
    password = make_password(DEMO_PASSWORD)
    for email, name, institution, role in PEOPLE:
        count += add_person(chapter, email, name, institution, role, password)
    count += load_meetings(chapter)
    Chapter.objects.filter(slug="code4libnyc", latitude__isnull=True).update(
        latitude=NEW_YORK_POINT[0], longitude=NEW_YORK_POINT[1]
    )
    return count


def add_person(chapter, email: str, name: str, institution: str, role: str, password) -> int:
    """One demo account with its profile and membership, unless it exists."""
    user, created = User.objects.get_or_create(
        email=email, defaults={"password": password, "email_verified_at": timezone.now()}
    )
    if not created:
        return 0
    Profile.objects.create(user=user, display_name=name, institution=institution)
    Membership.objects.create(chapter=chapter, user=user, role=role)
    RoleChange.objects.create(
        chapter=chapter, member=user, actor=user, action=RoleChange.Action.JOINED
    )
    return 1


def at(days: int, hour: int) -> dt.datetime:
    """`hour` o'clock in Washington, `days` from today."""
    day = timezone.now().astimezone(WASHINGTON).date() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=WASHINGTON)


def load_meetings(chapter: Chapter) -> int:
    """Two past meetings of different formats with published reports, and one upcoming."""
    if chapter.meetings.exists():
        return 0
    venue = Venue.objects.create(
        chapter=chapter, host="Folger Shakespeare Library", name="Folger board room",
        street_address="201 East Capitol Street SE", locality="Washington", region="DC",
        postal_code="20003", country="US", capacity=30,
        latitude=Decimal("38.889100"), longitude=Decimal("-77.002900"),
    )  # fmt: skip
    unconference = Meeting.objects.create(
        chapter=chapter, title="Code4Lib DC unconference", venue=venue, format=Format.BREAKOUTS,
        start=at(-120, 10), end=at(-120, 16),
        description="A day of sessions proposed on the morning, in three rooms.",
    )  # fmt: skip
    Report.objects.create(
        meeting=unconference, attendance=34, published=True,
        notes="Three rooms, eleven sessions; the web archiving session ran long.",
        what_worked="Voting on session topics with sticky dots at 9:30; a shared notes "
        "document per room, linked from the schedule.",
    )  # fmt: skip
    hack = Meeting.objects.create(
        chapter=chapter, title="Metadata hack evening", venue=venue, format=Format.HACK,
        start=at(-45, 18), end=at(-45, 21),
        description="Bring a messy spreadsheet of metadata; leave with a cleanup script.",
    )  # fmt: skip
    Report.objects.create(
        meeting=hack, attendance=14, published=True,
        notes="Pairs worked on OpenRefine recipes for MARC and EAD exports.",
        what_worked="Pairing a cataloguer with a programmer; a five-minute demo round at 20:30.",
    )  # fmt: skip
    Meeting.objects.create(
        chapter=chapter, title="Lightning talks at the Folger", venue=venue,
        format=Format.LIGHTNING, start=at(21, 18), end=at(21, 20),
        description="Five-minute talks on what you built this year. Sign up on the meeting page.",
    )  # fmt: skip
    return 6
