"""The meeting-format playbook: published reports from every chapter, by format."""

import datetime as dt

import pytest
from django.urls import reverse

from meetings.models import Report
from tests.factories import ChapterFactory
from tests.meetings.factories import MeetingFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 11, 23, 0, tzinfo=dt.UTC)


def report_for(chapter, fmt="presentations", published=True, days=0, **fields) -> Report:
    start = START + dt.timedelta(days=days)
    meeting = MeetingFactory(
        chapter=chapter, format=fmt, start=start, end=start + dt.timedelta(hours=2)
    )
    values = {"attendance": 12, "what_worked": "Name tags", "published": published}
    return Report.objects.create(meeting=meeting, **{**values, **fields})


def test_lists_published_reports_from_every_chapter(client, chapter):
    other = ChapterFactory(name="Code4Lib DC", slug="code4lib-dc")
    report_for(chapter, "hack", what_worked="Pairing newcomers with regulars")
    report_for(other, "lightning", attendance=31)
    report_for(chapter, "social", published=False, what_worked="Secret draft")
    response = client.get(reverse("playbook"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pairing newcomers with regulars" in page
    assert "Code4Lib DC" in page and "Code4LibNYC" in page
    assert "31" in page
    assert "Secret draft" not in page


def test_filters_by_format_with_counts(client, chapter):
    report_for(chapter, "hack", what_worked="Hack one")
    report_for(chapter, "hack", what_worked="Hack two", days=30)
    report_for(chapter, "lightning", what_worked="Quick talks")
    report_for(chapter, "social", published=False)
    response = client.get(reverse("playbook"), {"format": "hack"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hack one" in page and "Hack two" in page
    assert "Quick talks" not in page
    assert ">Lightning talks</a> (1)" in page
    assert ">All formats</a> (3)" in page
    assert "Social" not in page
    assert 'aria-current="page">Hack session</a> (2)' in page


def test_unknown_format_is_a_clear_400(client, chapter):
    report_for(chapter)
    response = client.get(reverse("playbook"), {"format": "<script>"})
    assert response.status_code == 400
    assert "Choose one of the listed formats." in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_paginates_newest_first(client, chapter):
    for day in range(25):
        report_for(chapter, "hack", what_worked=f"Idea {day:02d}", days=day)
    first = client.get(reverse("playbook"), {"format": "hack"})
    first_page = first.content.decode()
    assert first_page.index("Idea 24") < first_page.index("Idea 23")
    assert "Idea 04" not in first_page
    assert 'href="?format=hack&amp;page=2"' in first_page
    second = client.get(reverse("playbook"), {"format": "hack", "page": "2"}).content.decode()
    assert "Idea 04" in second and "Idea 00" in second and "Idea 05" not in second


def test_queries_do_not_grow(client, chapter, django_assert_max_num_queries):
    report_for(chapter, "hack")
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("playbook"))
    for day in range(15):
        report_for(ChapterFactory(), "lightning", days=day)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("playbook"))
