"""The demo's polls: topics for the next meeting (open), a t-shirt (ranked, closed) and a
hack day's date (closed, and made a meeting on a Saturday, clear of the monthly Wednesdays)."""

import datetime as dt
from itertools import cycle

from django.db import transaction
from django.utils import timezone

from chapterhouse.demo_meetings import local, second_wednesday_after
from chapters.models import Chapter
from members.models import User
from polls import services
from polls.counting import MAYBE, NO, YES
from polls.models import Poll
from polls.services import OptionText

TOPICS = [
    "IIIF image servers in practice",
    "Wikidata and linked data for local collections",
    "Accessibility audits of discovery layers",
    "Retiring the Perl scripts that run our catalog",
    "Machine-generated metadata: what works",
]
TOPIC_TICKS = [(0, 1), (1,), (0, 2, 3), (1, 4), (0, 1, 2), (3,), (0, 4), (1, 2)]
SHIRTS = ["Catalog card", "Punch card", "MARC 245 field", "Robot librarian"]
# Rankings as positions in SHIRTS: no first-round majority, so the runoff shows its rounds.
SHIRT_RANKINGS = [(0, 2), (0, 1), (0,), (1, 0), (1, 2), (2, 1, 0), (2, 1), (3, 1), (3,), (1,)]
HACK_DAY_ANSWERS = [(YES, YES, NO), (MAYBE, YES, YES), (NO, YES, MAYBE), (YES, MAYBE, NO)]


@transaction.atomic
def load_polls(chapter: Chapter, organizer: User, people: list) -> int:
    """Create the demo polls once; return how many records were made."""
    if Poll.objects.filter(chapter=chapter).exists():
        return 0
    people = [getattr(person, "user", person) for person in people]
    voters = [person for person in people if services.is_member(person, chapter)] or [organizer]
    created = topics_poll(chapter, organizer, voters)
    created += shirt_poll(chapter, organizer, voters)
    created += hack_day_poll(chapter, organizer, voters)
    return created


def topics_poll(chapter, organizer, voters) -> int:
    next_meeting = second_wednesday_after(timezone.now())
    poll = services.create_poll(
        organizer, chapter,
        {"question": "Which topics for the next monthly meeting?", "kind": Poll.Kind.APPROVAL,
         "description": "Tick every topic you would come for; the two most popular get a "
         "slot. Have another idea? Propose a lightning talk on the meeting page.",
         "results_for": Poll.ResultsFor.PUBLIC, "opens_at": timezone.now() - dt.timedelta(days=3),
         "closes_at": next_meeting - dt.timedelta(days=2)},
        [OptionText(topic) for topic in TOPICS],
    )  # fmt: skip
    ids = option_ids(poll)
    for voter, ticks in zip(voters, TOPIC_TICKS, strict=False):
        services.cast_ballot(poll, voter, {ids[i]: 1 for i in ticks})
    return 1 + poll.ballots.count()


def shirt_poll(chapter, organizer, voters) -> int:
    now = timezone.now()
    poll = services.create_poll(
        organizer, chapter,
        {"question": "Which design for the chapter t-shirt?", "kind": Poll.Kind.RANKED,
         "description": "The Code4Lib way: rank the designs, and instant-runoff picks one.",
         "results_for": Poll.ResultsFor.PUBLIC, "opens_at": now - dt.timedelta(days=40),
         "closes_at": now + dt.timedelta(days=1)},
        [OptionText(shirt) for shirt in SHIRTS],
    )  # fmt: skip
    ids = option_ids(poll)
    for voter, ranking in zip(voters, SHIRT_RANKINGS, strict=False):
        services.cast_ballot(poll, voter, {ids[i]: rank for rank, i in enumerate(ranking, 1)})
    close_in_the_past(poll, now - dt.timedelta(days=26))
    return 1 + poll.ballots.count()


def hack_day_poll(chapter, organizer, voters) -> int:
    """Saturdays, so no date meets the monthly series of second Wednesdays."""
    now = timezone.now()
    saturdays = saturdays_of_month_after_next(now)
    poll = services.create_poll(
        organizer, chapter,
        {"question": "Spring hack day", "kind": Poll.Kind.DATE, "duration_minutes": 360,
         "description": "A Saturday of hacking on member projects, lunch included. "
         "Which Saturday works for you?",
         "results_for": Poll.ResultsFor.MEMBERS, "opens_at": now - dt.timedelta(days=21),
         "closes_at": now + dt.timedelta(days=1)},
        [OptionText(day.strftime("%a %b %d, 10:00"), day) for day in saturdays],
    )  # fmt: skip
    ids = option_ids(poll)
    for voter, answers in zip(voters, cycle(HACK_DAY_ANSWERS), strict=False):
        services.cast_ballot(poll, voter, dict(zip(ids, answers, strict=True)))
    close_in_the_past(poll, now - dt.timedelta(days=2))
    poll.refresh_from_db()
    services.schedule_meeting(organizer, poll)
    return 2 + poll.ballots.count()


def saturdays_of_month_after_next(now: dt.datetime) -> list[dt.datetime]:
    """10:00 on the first three Saturdays of the month after next, in the chapter's zone."""
    first = (now.replace(day=1) + dt.timedelta(days=63)).replace(day=1)
    saturday = first + dt.timedelta(days=(5 - first.weekday()) % 7)
    days = [saturday + dt.timedelta(weeks=week) for week in range(3)]
    return [local(day.year, day.month, day.day, 10) for day in days]


def option_ids(poll: Poll) -> list[int]:
    return list(poll.options.order_by("position").values_list("pk", flat=True))


def close_in_the_past(poll: Poll, when: dt.datetime) -> None:
    """Demo history: a poll that closed some days ago, its ballots already in."""
    Poll.objects.filter(pk=poll.pk).update(closes_at=when, updated=when)
