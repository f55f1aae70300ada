"""The organizers' waitlist: people in line as a numbered list, an empty line as a sentence."""

import re

import pytest

from meetings import services
from tests.factories import MembershipFactory
from tests.html import text_of
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db


def waitlist_section(page: str) -> str:
    """What follows the Waitlist heading, up to the next heading."""
    found = re.search(r"<h2>Waitlist</h2>(.*?)<h2>", page, re.S)
    assert found, "the page has no waitlist"
    return found.group(1)


def test_an_empty_waitlist_is_a_sentence_not_a_numbered_entry(chapter, organizer_client):
    meeting = MeetingFactory(chapter=chapter, capacity=5)
    section = waitlist_section(organizer_client.get(f"{meeting.get_absolute_url()}attendees/").text)
    assert "<ol" not in section and "<li" not in section
    assert text_of(section) == "Nobody is waiting."


def test_people_waiting_are_numbered_in_the_order_they_came(chapter, organizer_client):
    meeting = MeetingFactory(chapter=chapter, capacity=1)
    names = ["Ada Osei", "Grace Lin", "Lin Wu"]
    for name in names:
        member = MembershipFactory(chapter=chapter, user__profile__display_name=name).user
        services.rsvp(meeting, member)
    section = waitlist_section(organizer_client.get(f"{meeting.get_absolute_url()}attendees/").text)
    entries = [text_of(entry) for entry in re.findall(r"<li>(.*?)</li>", section, re.S)]
    assert section.strip().startswith("<ol>")
    assert entries == names[1:]
