"""The demo's hub: Code4Lib DC next to Code4LibNYC, on the map and in the calendar."""

import pytest

from chapterhouse.demo_hub import load_hub
from chapters.hub import directory_chapters
from chapters.models import Chapter
from meetings.models import Report

pytestmark = pytest.mark.django_db


def test_load_hub_makes_a_second_chapter_once(client, chapter):
    created = load_hub()

    assert created > 0
    assert load_hub() == 0
    dc = Chapter.objects.get(slug="code4lib-dc")
    assert dc.region == "Washington, DC" and dc.latitude is not None
    assert dc.focus_areas.count() == 3
    assert dc.memberships.filter(role="organizer").count() == 2
    assert dc.memberships.count() == 4
    reports = Report.objects.filter(meeting__chapter=dc, published=True)
    assert len({report.meeting.format for report in reports}) == 2
    rows = {row.slug: row for row in directory_chapters()}
    assert rows["code4lib-dc"].meetings_last_year == 2
    assert rows["code4lib-dc"].next_meeting.title == "Lightning talks at the Folger"
    chapter.refresh_from_db()
    assert chapter.latitude is not None  # so Code4LibNYC is on the map too

    html = client.get("/hub/").content.decode()
    assert html.count("<circle") == 2
    assert "Lightning talks at the Folger" in client.get("/hub/calendar/").content.decode()


def test_each_chapters_next_meeting_shows_in_that_chapters_time(client, chapter):
    load_hub()  # the DC meeting starts at 18:00 in Washington (23:00 UTC in winter)
    page = client.get("/hub/").text
    start = page.split("Lightning talks at the Folger", 1)[1][:200]
    assert "6 p.m." in start and "11 p.m." not in start
