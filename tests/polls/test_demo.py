"""The demo's polls: one open, two closed, one of which became a meeting."""

from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from chapterhouse.demo_polls import load_polls
from meetings.models import Meeting
from polls.models import Poll
from polls.results import count_poll
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_demo_polls_load_once(chapter, organizer):
    people = [organizer] + [MembershipFactory(chapter=chapter).user for _ in range(11)]
    assert load_polls(chapter, organizer, people) > 3
    topics, shirt, hack_day = Poll.objects.order_by("pk")
    assert topics.kind == "approval" and topics.is_open() and topics.ballots.count() == 8
    assert shirt.is_closed() and hack_day.is_closed()
    rounds = count_poll(shirt).rounds
    assert len(rounds) > 1 and count_poll(shirt).winner is not None
    meeting = Meeting.objects.get()
    assert hack_day.meeting == meeting and meeting.start > timezone.now()
    assert meeting.start.astimezone(ZoneInfo(chapter.time_zone)).weekday() == 5
    assert meeting.start == count_poll(hack_day).winner.starts_at
    assert load_polls(chapter, organizer, people) == 0
    assert Poll.objects.count() == 3 and Meeting.objects.count() == 1
