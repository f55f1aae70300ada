"""Meetings as iCalendar, read back with icalendar and with ical.js (as web calendar apps do)."""

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from meetings.ical import calendar_for, observances, plain_text
from meetings.models import Meeting
from meetings.services import cancel_meeting, update_meeting
from tests.factories import ChapterFactory
from tests.meetings.factories import MeetingFactory, VenueFactory
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
PARSE_ICS = ROOT / "tests" / "js" / "parse_ics.mjs"
UTC = dt.UTC
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def task_queue(settings):
    """The real queue: a new start schedules a reminder, which runs later, not at once."""
    settings.TASKS = DATABASE_TASKS


def read(body: bytes) -> icalendar.Calendar:
    """Parse with icalendar, checking every TZID used has its VTIMEZONE."""
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar.get_missing_tzids() == set()
    return calendar


def events_by_uid(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.events}


def read_with_ical_js(body: bytes, tmp_path: Path) -> dict:
    """Parse with ical.js through tests/js/parse_ics.mjs: {"timezones": [...], "events": [...]}."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed: the calendar tests read .ics files with ical.js.")
    if not (ROOT / "node_modules" / "ical.js").is_dir():
        pytest.fail("ical.js is not installed: run `npm ci` (`make test` does it for you).")
    path = tmp_path / "calendar.ics"
    path.write_bytes(body)
    # A time ical.js failed to place in its zone would float; in UTC that shows as a wrong hour.
    result = subprocess.run(  # noqa: S603 - our own script, on a file this test wrote
        [node, str(PARSE_ICS), str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "TZ": "UTC"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def ical_js_events(body: bytes, tmp_path: Path) -> dict[str, dict]:
    """The events as ical.js reads them, keyed by UID."""
    return {event["uid"]: event for event in read_with_ical_js(body, tmp_path)["events"]}


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


def uid(meeting: Meeting) -> str:
    return f"meeting-{meeting.pk}@testserver"


def meeting_ics(client, meeting: Meeting):
    url = reverse("meetings:ics", args=[meeting.chapter.slug, meeting.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response


def chapter_feed(client, chapter) -> bytes:
    response = client.get(reverse("meetings:chapter_calendar", args=[chapter.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'inline; filename="{chapter.slug}.ics"'
    return response.content


def test_an_event_has_everything_a_calendar_app_shows(client, chapter, tmp_path):
    venue = VenueFactory(
        chapter=chapter, name="METRO offices", latitude="40.752900", longitude="-73.981100"
    )
    meeting = MeetingFactory(
        chapter=chapter,
        venue=venue,
        title="Solr & Blacklight",
        description="We try **Blacklight**.\n\n- Search\n- Facets\n\n<script>alert(1)</script>",
        online_url="https://meet.example.org/c4l",
        start=dt.datetime(2027, 2, 10, 23, 30, tzinfo=UTC),
        end=dt.datetime(2027, 2, 11, 1, 30, tzinfo=UTC),
    )
    body = meeting_ics(client, meeting).content
    calendar = read(body)
    assert str(calendar["PRODID"]) == "-//Chapterhouse//Meetings//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Solr & Blacklight"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in body
    assert b"\r\nX-PUBLISHED-TTL:PT6H\r\n" in body
    assert b"\r\nCALSCALE:GREGORIAN\r\n" in body

    (event,) = calendar.events
    page = f"http://testserver/chapters/code4libnyc/meetings/{meeting.pk}/"
    assert str(event["UID"]) == uid(meeting)
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART") == meeting.start
    assert event.decoded("DTSTART").replace(tzinfo=None) == dt.datetime(2027, 2, 10, 18, 30)
    assert event.decoded("DTEND") == meeting.end
    assert str(event["SUMMARY"]) == "Solr & Blacklight"
    assert str(event["DESCRIPTION"]) == (
        f"We try Blacklight.\nSearch\nFacets\n\nOnline: https://meet.example.org/c4l\n\n{page}"
    )
    assert str(event["URL"]) == page
    assert str(event["LOCATION"]) == "METRO offices, 476 Fifth Avenue, New York, NY 10018"
    assert event.decoded("GEO") == (40.7529, -73.9811)
    assert event.decoded("SEQUENCE") == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    # iCalendar times are whole seconds.
    assert event.decoded("CREATED") == meeting.created.replace(microsecond=0)
    assert event.decoded("LAST-MODIFIED") == meeting.updated.replace(microsecond=0)
    assert event.decoded("DTSTAMP").tzinfo is not None

    js = ical_js_events(body, tmp_path)[uid(meeting)]
    assert (js["status"], js["sequence"], js["start_tzid"]) == ("CONFIRMED", 0, "America/New_York")
    assert (utc(js["start"]), utc(js["end"])) == (meeting.start, meeting.end)


def test_an_online_meeting_is_located_at_its_link(chapter):
    meeting = MeetingFactory(chapter=chapter, venue=None, online_url="https://meet.example.org/x")
    (event,) = read(calendar_for([meeting], "Online")).events
    assert str(event["LOCATION"]) == "https://meet.example.org/x"
    assert "GEO" not in event


def test_the_one_meeting_file_downloads_with_its_name(client, chapter):
    meeting = MeetingFactory(chapter=chapter)
    response = meeting_ics(client, meeting)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="code4libnyc-{meeting.pk}.ics"'
    )


def test_a_meeting_is_found_only_under_its_own_chapter(client, chapter):
    elsewhere = MeetingFactory(chapter=ChapterFactory(slug="elsewhere"))
    url = reverse("meetings:ics", args=[chapter.slug, elsewhere.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("meetings:ics", args=["nowhere", elsewhere.pk])).status_code == 404
    assert client.get(reverse("meetings:chapter_calendar", args=["nowhere"])).status_code == 404


def test_the_calendar_views_only_answer_get(client, chapter):
    meeting = MeetingFactory(chapter=chapter)
    assert client.post(reverse("meetings:ics", args=[chapter.slug, meeting.pk])).status_code == 405
    assert client.post(reverse("all_meetings_calendar")).status_code == 405


def test_a_new_start_raises_the_sequence_under_the_same_uid(client, chapter, tmp_path, task_queue):
    meeting = MeetingFactory(chapter=chapter)
    before = events_by_uid(read(meeting_ics(client, meeting).content))[uid(meeting)]
    later = meeting.start + dt.timedelta(days=7)
    update_meeting(meeting, {"start": later, "end": later + dt.timedelta(hours=2)})

    body = meeting_ics(client, meeting).content
    after = events_by_uid(read(body))[uid(meeting)]
    assert (before.decoded("SEQUENCE"), after.decoded("SEQUENCE")) == (0, 1)
    assert after.decoded("DTSTART") == later
    js = ical_js_events(body, tmp_path)[uid(meeting)]
    assert (js["sequence"], utc(js["start"])) == (1, later)


def test_a_new_title_keeps_the_sequence(client, chapter):
    meeting = MeetingFactory(chapter=chapter)
    update_meeting(meeting, {"title": "Renamed"})
    event = events_by_uid(read(meeting_ics(client, meeting).content))[uid(meeting)]
    assert (str(event["SUMMARY"]), event.decoded("SEQUENCE")) == ("Renamed", 0)


def test_a_cancelled_meeting_stays_in_the_feed_marked_cancelled(client, chapter, tmp_path):
    kept, cancelled = MeetingFactory.create_batch(2, chapter=chapter)
    cancel_meeting(cancelled)
    postponed = update_meeting(MeetingFactory(chapter=chapter), {"status": "postponed"})

    body = chapter_feed(client, chapter)
    events = events_by_uid(read(body))
    statuses = [str(events[uid(m)]["STATUS"]) for m in (kept, cancelled, postponed)]
    assert statuses == ["CONFIRMED", "CANCELLED", "TENTATIVE"]
    assert events[uid(cancelled)].decoded("SEQUENCE") == 1
    js = ical_js_events(body, tmp_path)
    assert (js[uid(cancelled)]["status"], js[uid(cancelled)]["sequence"]) == ("CANCELLED", 1)
    assert js[uid(postponed)]["status"] == "TENTATIVE"


def test_the_chapter_feed_has_its_recent_and_coming_meetings(client, chapter):
    now = timezone.now()
    recent = MeetingFactory(chapter=chapter, start=now - dt.timedelta(days=80))
    coming = MeetingFactory(chapter=chapter, start=now + dt.timedelta(days=300))
    MeetingFactory(chapter=chapter, start=now - dt.timedelta(days=100))
    MeetingFactory(chapter=ChapterFactory(), start=now + dt.timedelta(days=3))
    calendar = read(chapter_feed(client, chapter))
    assert set(events_by_uid(calendar)) == {uid(recent), uid(coming)}
    assert str(calendar["X-WR-CALNAME"]) == "Code4LibNYC"


def test_the_instance_feed_has_every_chapter_in_its_own_zone(client, chapter, tmp_path):
    berlin = ChapterFactory(slug="berlin", time_zone="Europe/Berlin")
    start = dt.datetime(2027, 6, 2, 17, tzinfo=UTC)
    here = MeetingFactory(chapter=chapter, start=start)
    there = MeetingFactory(chapter=berlin, start=start)
    response = client.get(reverse("all_meetings_calendar"))
    assert response["Content-Disposition"] == 'inline; filename="meetings.ics"'

    calendar = read(response.content)
    assert sorted(zone.tz_name for zone in calendar.timezones) == [
        "America/New_York",
        "Europe/Berlin",
    ]
    events = events_by_uid(calendar)
    assert events[uid(here)].decoded("DTSTART").replace(tzinfo=None) == dt.datetime(2027, 6, 2, 13)
    assert events[uid(there)].decoded("DTSTART").replace(tzinfo=None) == dt.datetime(2027, 6, 2, 19)
    js = ical_js_events(response.content, tmp_path)
    zones = {js[uid(m)]["start_tzid"] for m in (here, there)}
    assert zones == {"America/New_York", "Europe/Berlin"}
    assert {utc(js[uid(m)]["start"]) for m in (here, there)} == {start}


def local_meetings(zone: str, local_starts: list[dt.datetime]) -> list[Meeting]:
    chapter = ChapterFactory(slug="dst", time_zone=zone)
    return [
        MeetingFactory(chapter=chapter, start=local.replace(tzinfo=ZoneInfo(zone)))
        for local in local_starts
    ]


DST_CASES = {
    # The brief's case: January, after the March change, after the November change.
    "new-york-2027": (
        "America/New_York",
        [dt.datetime(2027, 1, 13, 18), dt.datetime(2027, 3, 17, 18), dt.datetime(2027, 11, 10, 18)],
        [dt.datetime(2027, 1, 13, 23), dt.datetime(2027, 3, 17, 22), dt.datetime(2027, 11, 10, 23)],
    ),
    # Over three years, where comma-separated RDATEs put ical.js an hour off.
    "new-york-2026-2028": (
        "America/New_York",
        [dt.datetime(2026, 3, 18, 18), dt.datetime(2028, 3, 15, 18), dt.datetime(2028, 11, 8, 18)],
        [dt.datetime(2026, 3, 18, 22), dt.datetime(2028, 3, 15, 22), dt.datetime(2028, 11, 8, 23)],
    ),
    # Southern summer time, half an hour of it.
    "lord-howe-2027": (
        "Australia/Lord_Howe",
        [dt.datetime(2027, 1, 13, 18), dt.datetime(2027, 6, 16, 18), dt.datetime(2027, 10, 6, 18)],
        [dt.datetime(2027, 1, 13, 7), dt.datetime(2027, 6, 16, 7, 30), dt.datetime(2027, 10, 6, 7)],
    ),
}


@pytest.mark.parametrize("case", DST_CASES.values(), ids=DST_CASES.keys())
def test_both_parsers_place_meetings_on_either_side_of_a_dst_change(case, tmp_path):
    zone, local_starts, utc_starts = case
    expected = [moment.replace(tzinfo=UTC) for moment in utc_starts]
    meetings = local_meetings(zone, local_starts)
    assert [meeting.start for meeting in meetings] == expected  # the test's own arithmetic
    body = calendar_for(meetings, "DST")

    events = events_by_uid(read(body))
    assert [events[uid(m)].decoded("DTSTART").astimezone(UTC) for m in meetings] == expected
    js = read_with_ical_js(body, tmp_path)
    assert js["timezones"] == [zone]
    js_events = {event["uid"]: event for event in js["events"]}
    assert [utc(js_events[uid(m)]["start"]) for m in meetings] == expected


def test_the_vtimezone_alone_gives_the_right_offsets():
    """icalendar reads a known TZID from zoneinfo, so read our VTIMEZONE on its own too."""
    zone, local_starts, utc_starts = DST_CASES["new-york-2026-2028"]
    body = calendar_for(local_meetings(zone, local_starts), "DST")
    (vtimezone,) = read(body).timezones
    own_zone = vtimezone.to_tz(lookup_tzid=False)
    found = [local.replace(tzinfo=own_zone).astimezone(UTC) for local in local_starts]
    assert found == [moment.replace(tzinfo=UTC) for moment in utc_starts]
    assert b"RDATE" not in body


def test_observances_start_at_local_time_before_each_change():
    periods = observances("America/New_York", 2027, 2027)
    assert [(daylight, onset, name) for daylight, onset, _from, _to, name in periods] == [
        (False, dt.datetime(2027, 1, 1), "EST"),
        (True, dt.datetime(2027, 3, 14, 2), "EDT"),
        (False, dt.datetime(2027, 11, 7, 2), "EST"),
    ]
    assert [(offset_from, offset_to) for _d, _o, offset_from, offset_to, _n in periods][1] == (
        dt.timedelta(hours=-5),
        dt.timedelta(hours=-4),
    )


def test_a_zone_without_daylight_time_has_one_observance():
    ((daylight, onset, offset_from, offset_to, name),) = observances("Asia/Kolkata", 2027, 2028)
    assert (daylight, onset, name) == (False, dt.datetime(2027, 1, 1), "IST")
    assert offset_from == offset_to == dt.timedelta(hours=5, minutes=30)


def test_a_utc_chapter_needs_no_vtimezone():
    meeting = MeetingFactory(chapter=ChapterFactory(slug="utc", time_zone="UTC"))
    body = calendar_for([meeting], "UTC")
    assert not read(body).timezones
    assert read(body).events[0].decoded("DTSTART") == meeting.start


def test_an_empty_feed_is_still_a_calendar(client, chapter):
    calendar = read(chapter_feed(client, chapter))
    assert calendar.events == []
    assert str(calendar["X-WR-CALNAME"]) == "Code4LibNYC"


def test_plain_text_keeps_paragraphs_and_drops_markup():
    text = plain_text("# Agenda\n\nTalks by [Ada](https://example.org).<br>Then pizza.\n\n1. One")
    assert text == "Agenda\nTalks by Ada.\nThen pizza.\nOne"


@pytest.mark.parametrize("url_name", ["meetings:chapter_calendar", "all_meetings_calendar"])
def test_feed_queries_do_not_grow_with_meetings(client, chapter, url_name):
    url = reverse(url_name, args=[chapter.slug] if url_name.startswith("meetings:") else [])
    MeetingFactory(chapter=chapter)

    def add_rows():
        MeetingFactory.create_batch(4, chapter=chapter)
        MeetingFactory.create_batch(2, chapter=ChapterFactory(), venue=None)

    assert_queries_do_not_grow(client, url, add_rows)
