"""The combined calendar: page, Atom and iCalendar, local and remote meetings marked."""

import datetime as dt

import feedparser
import icalendar
import pytest
from django.utils import timezone

from federation.models import Following, RemoteObject
from meetings.models import Meeting
from tests.factories import ChapterFactory
from tests.federation.test_network import follow, remote_group, remote_meeting
from tests.meetings.factories import MeetingFactory
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

PAGE, ATOM, ICS = "/hub/calendar/", "/hub/calendar.atom", "/hub/calendar.ics"


def at(days: int) -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0) + dt.timedelta(days=days)


@pytest.fixture
def calendar_data(chapter):
    """Two local chapters and a followed Group, each with meetings past and upcoming."""
    dc = ChapterFactory(name="Code4Lib DC", slug="code4lib-dc", time_zone="America/New_York")
    MeetingFactory(
        chapter=chapter, title="NYC lightning talks", start=at(3), end=at(3) + dt.timedelta(hours=2)
    )
    MeetingFactory(
        chapter=dc, title="DC unconference", start=at(10), end=at(10) + dt.timedelta(hours=3)
    )
    MeetingFactory(
        chapter=dc, title="DC last month", start=at(-30), end=at(-30) + dt.timedelta(hours=2)
    )
    MeetingFactory(
        chapter=chapter,
        title="NYC called off",
        start=at(6),
        end=at(6) + dt.timedelta(hours=2),
        status=Meeting.Status.CANCELLED,
    )
    boston = remote_group("Boston", "boston.example")
    follow(chapter, boston)
    hack_night = remote_meeting(boston, "Boston hack night", days=5)
    hack_night.start, hack_night.end = at(5), at(5) + dt.timedelta(hours=2)
    hack_night.save()
    remote_meeting(boston, "Boston long ago", days=-20)
    chicago = remote_group("Chicago", "chicago.example")
    follow(chapter, chicago, state=Following.State.PENDING)
    remote_meeting(chicago, "Chicago not followed yet", days=4)
    return boston


def test_calendar_page_lists_local_and_remote_meetings_soonest_first(client, calendar_data):
    response = client.get(PAGE)

    assert response.status_code == 200
    html = response.content.decode()
    titles = ["NYC lightning talks", "Boston hack night", "NYC called off", "DC unconference"]
    positions = [html.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "DC last month" not in html and "Boston long ago" not in html
    assert "Chicago not followed yet" not in html
    assert html.count(">Remote<") == 1 and html.count(">Local<") == 3
    assert "Cancelled" in html
    assert "https://boston.example/chapters/boston/meetings/" in html
    assert "EST" in html or "EDT" in html


def test_calendar_page_without_meetings(client, db):
    assert "No meetings are scheduled." in client.get(PAGE).content.decode()


def test_atom_feed_parses_and_marks_local_and_remote(client, calendar_data):
    response = client.get(ATOM)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    titles = [entry.title for entry in feed.entries]
    assert titles == [
        "NYC lightning talks",
        "Boston hack night",
        "Cancelled: NYC called off",
        "DC unconference",
    ]
    by_title = {entry.title: entry for entry in feed.entries}
    boston = by_title["Boston hack night"]
    assert boston.link.startswith("https://boston.example/chapters/boston/meetings/")
    assert [tag.term for tag in boston.tags] == ["remote"]
    assert boston.author == "Code4Lib Boston"
    nyc = by_title["NYC lightning talks"]
    assert nyc.link.startswith("http://testserver/chapters/code4libnyc/meetings/")
    assert [tag.term for tag in nyc.tags] == ["local"]
    assert nyc.author == "Code4LibNYC"


def test_ical_feed_parses_with_local_and_remote_events(client, calendar_data):
    response = client.get(ICS)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}
    assert set(events) == {
        "NYC lightning talks",
        "Boston hack night",
        "NYC called off",
        "DC unconference",
    }
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    local = events["NYC lightning talks"]
    assert local.decoded("DTSTART") == at(3)
    assert str(local["URL"]).startswith("http://testserver/chapters/code4libnyc/meetings/")
    assert local["CATEGORIES"].cats == ["local"]
    assert str(events["NYC called off"]["STATUS"]) == "CANCELLED"
    remote = events["Boston hack night"]
    assert remote.decoded("DTSTART") == at(5)
    assert remote.decoded("DTEND") == at(5) + dt.timedelta(hours=2)
    assert str(remote["LOCATION"]) == "Boston Public Library"
    assert str(remote["URL"]).startswith("https://boston.example/chapters/boston/meetings/")
    assert str(remote["UID"]) == str(remote["URL"])
    assert remote["CATEGORIES"].cats == ["remote"]


def test_remote_meeting_without_an_end_or_a_known_zone_still_makes_a_valid_event(client, chapter):
    boston = remote_group()
    follow(chapter, boston)
    remote_meeting(boston, "Open-ended", days=1, time_zone="Not/AZone", is_online=True)
    RemoteObject.objects.filter(name="Open-ended").update(location="")
    calendar = icalendar.Calendar.from_ical(client.get(ICS).content)
    [event] = calendar.walk("VEVENT")
    assert "DTEND" not in event and str(event["LOCATION"]) == "Online"
    assert "Open-ended" in client.get(PAGE).content.decode()


@pytest.mark.parametrize("url", [PAGE, ATOM, ICS])
def test_calendar_is_public_and_its_queries_do_not_grow(client, calendar_data, url):
    def add_rows():
        for number in range(4):
            other = ChapterFactory()
            MeetingFactory(
                chapter=other, start=at(number + 1), end=at(number + 1) + dt.timedelta(hours=1)
            )
            group = remote_group(f"Group{number}", f"g{number}.example")
            follow(other, group)
            remote_meeting(group, days=number + 2)

    assert_queries_do_not_grow(client, url, add_rows)


@pytest.mark.parametrize("url", [PAGE, ATOM, ICS, "/hub/"])
def test_hub_pages_answer_only_reads(client, db, url):
    assert client.post(url).status_code == 405
