"""The chapter as the journeys find it: a full meeting, an open poll, members, a past meeting.

Everything is made through the factories and the apps' own services, as the site's
other users would have made it.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from meetings import services as meetings
from meetings.models import Format, Meeting, Rsvp
from members.models import Profile
from polls import services as polls
from polls.models import Poll
from tests.factories import MembershipFactory
from tests.meetings.factories import MeetingFactory, VenueFactory

NEW_YORK = ZoneInfo("America/New_York")
WORKSHOP_TOPICS = ("Linked data", "Python for cataloguers", "Web archiving")


def member_named(chapter, name: str, email: str):
    """A verified member of the chapter, listed under `name`."""
    return MembershipFactory(
        chapter=chapter, user__email=email, user__profile__display_name=name
    ).user


def rename(user, name: str) -> None:
    """Give a member made by the factories a name worth showing in a screenshot."""
    Profile.objects.filter(user=user).update(display_name=name)


def local_evening(days_ahead: int, hour: int = 18) -> dt.datetime:
    """`hour` o'clock in New York, `days_ahead` days from today."""
    day = timezone.now().astimezone(NEW_YORK).date() + dt.timedelta(days=days_ahead)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=NEW_YORK)


def full_meeting(chapter, members) -> Meeting:
    """The chapter's next meeting, every one of its seats taken by `members`."""
    start = local_evening(10)
    venue = VenueFactory(chapter=chapter, host="Brooklyn Public Library", name="Info Commons")
    meeting = MeetingFactory(
        chapter=chapter, title="Linked data lightning talks", capacity=len(members),
        start=start, end=start + dt.timedelta(hours=2), venue=venue,
    )  # fmt: skip
    for member in members:
        assert meetings.rsvp(meeting, member).status == Rsvp.Status.GOING
    return meeting


def open_poll(chapter, organizer) -> Poll:
    """An approval poll on the next workshop, open for a week."""
    fields = {
        "question": "What should our next workshop cover?",
        "description": "Tick every topic you would come for.",
        "kind": Poll.Kind.APPROVAL,
        "results_for": Poll.ResultsFor.MEMBERS,
        "hide_results_until_close": False,
        "opens_at": timezone.now() - dt.timedelta(hours=1),
        "closes_at": timezone.now() + dt.timedelta(days=7),
        "duration_minutes": 120,
    }
    options = [polls.OptionText(topic) for topic in WORKSHOP_TOPICS]
    return polls.create_poll(organizer, chapter, fields, options)


def second_wednesday_after(days: int) -> dt.datetime:
    """18:00 in New York on the first second-Wednesday of a month at least `days` away."""
    start = local_evening(days)
    while start.weekday() != 2 or not 8 <= start.day <= 14:
        start += dt.timedelta(days=1)
    return start


def past_meeting(chapter, members) -> Meeting:
    """Last month's meeting, with `members` going; nobody has marked who came yet."""
    start = local_evening(-30)
    meeting = MeetingFactory(
        chapter=chapter, title="Autumn hack night", format=Format.HACK,
        description="Bring a laptop and a bug you want fixed.", start=start,
        end=start + dt.timedelta(hours=2),
        venue=VenueFactory(chapter=chapter, host="Pratt Institute", name="Pratt Manhattan Center"),
    )  # fmt: skip
    for member in members:
        Rsvp.objects.create(meeting=meeting, user=member, status=Rsvp.Status.GOING)
    return meeting


def propose(meeting, member, title: str, kind: str) -> None:
    """A member offers a talk through the service, as the proposal form does."""
    fields = {"title": title, "kind": kind, "speakers": member.display_name, "abstract": ""}
    meetings.propose_talk(meeting, member, fields)
