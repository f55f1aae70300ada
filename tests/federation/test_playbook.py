"""The meeting playbook: published reports of local chapters and followed Groups, by format."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chapterhouse.demo_hub import load_hub
from federation.models import Following, RemoteActor, RemoteObject
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


def remote_group(name="Boston", host="boston.example", chapter=None, state="accepted"):
    """A remote Group, followed by `chapter` (when given) in the given state."""
    actor = RemoteActor.objects.create(
        uri=f"https://{host}/chapters/{name.lower()}/",
        preferred_username=name.lower(),
        name=f"Code4Lib {name}",
        url=f"https://{host}/chapters/{name.lower()}/",
        inbox=f"https://{host}/chapters/{name.lower()}/inbox",
    )
    if chapter is not None:
        Following.objects.create(
            chapter=chapter, actor=actor, follow_id=f"{actor.uri}follow", state=state
        )
    return actor


def remote_report(actor, fmt="hack", days=0, reported=True, **fields) -> RemoteObject:
    number = RemoteObject.objects.count() + 1
    start = START + dt.timedelta(days=days)
    values = {
        "uri": f"{actor.uri}meetings/{number}/",
        "url": f"{actor.uri}meetings/{number}/",
        "actor": actor,
        "kind": RemoteObject.Kind.MEETING,
        "name": f"Remote meeting {number}",
        "start": start,
        "end": start + dt.timedelta(hours=2),
        "time_zone": "America/New_York",
        "meeting_format": fmt,
        "report_attendance": 40,
        "report_what_worked": "Remote idea",
        "report_html": "<p>Remote <strong>notes</strong></p>",
        "report_updated": timezone.now() if reported else None,
    }
    return RemoteObject.objects.create(**{**values, **fields})


def playbook(client, **params) -> str:
    response = client.get(reverse("playbook"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_lists_published_reports_from_every_chapter(client, chapter):
    other = ChapterFactory(name="Code4Lib DC", slug="code4lib-dc")
    report_for(chapter, "hack", what_worked="Pairing newcomers with regulars")
    report_for(other, "lightning", attendance=31)
    report_for(chapter, "social", published=False, what_worked="Secret draft")
    page = playbook(client)
    assert "Pairing newcomers with regulars" in page
    assert "Code4Lib DC" in page and "Code4LibNYC" in page
    assert "31" in page
    assert "Secret draft" not in page


def test_remote_reports_are_listed_with_local_ones_marked_with_their_chapter(client, chapter):
    boston = remote_group(chapter=chapter)
    report_for(chapter, "hack", days=0, what_worked="Local idea")
    remote = remote_report(boston, "lightning", days=1, report_what_worked="Boston idea")
    remote_report(boston, days=2, reported=False, name="Meeting without a report")
    pending = remote_group("Denver", "denver.example", chapter=chapter, state="pending")
    remote_report(pending, days=3, report_what_worked="Not followed yet")
    remote_report(remote_group("Paris", "paris.example"), days=4, report_what_worked="Nobody")

    page = playbook(client)

    assert page.index("Boston idea") < page.index("Local idea")
    for absent in ("Meeting without a report", "Not followed yet", "Nobody"):
        assert absent not in page
    item = page[page.index(remote.name) - 200 : page.index("Local idea")]
    assert f'href="{remote.url}" rel="noopener nofollow"' in item
    assert ">Remote</span>" in item
    assert ">Code4Lib Boston</a> (@boston@boston.example)" in item
    assert "<dd>40</dd>" in item and "<dd>Lightning talks</dd>" in item
    assert "<p>Remote <strong>notes</strong></p>" in item
    assert ">All formats</a> (2)" in page


def test_filters_by_format_with_counts(client, chapter):
    report_for(chapter, "hack", what_worked="Hack one")
    report_for(chapter, "hack", what_worked="Hack two", days=30)
    report_for(chapter, "lightning", what_worked="Quick talks")
    report_for(chapter, "social", published=False)
    page = playbook(client, format="hack")
    assert "Hack one" in page and "Hack two" in page
    assert "Quick talks" not in page
    assert ">Lightning talks</a> (1)" in page
    assert ">All formats</a> (3)" in page
    assert "Social" not in page
    assert 'aria-current="page">Hack session</a> (2)' in page


def test_filters_and_counts_include_remote_reports(client, chapter):
    boston = remote_group(chapter=chapter)
    report_for(chapter, "hack", what_worked="Local hack")
    remote_report(boston, "hack", report_what_worked="Boston hack")
    remote_report(boston, "lightning", report_what_worked="Boston lightning")
    remote_report(boston, "fishbowl", report_what_worked="Boston fishbowl")
    remote_report(boston, "", report_what_worked="Boston without a format")

    hack = playbook(client, format="hack")
    other = playbook(client, format="other")

    assert "Local hack" in hack and "Boston hack" in hack and "Boston lightning" not in hack
    assert 'aria-current="page">Hack session</a> (2)' in hack
    assert ">Lightning talks</a> (1)" in hack and ">Other</a> (2)" in hack
    assert ">All formats</a> (5)" in hack
    assert "Boston fishbowl" in other and "Boston without a format" in other
    assert "Boston hack" not in other and "Local hack" not in other
    assert other.count("<dd>Other</dd>") == 2 and "fishbowl</dd>" not in other


def test_unknown_format_is_a_clear_400(client, chapter):
    report_for(chapter)
    response = client.get(reverse("playbook"), {"format": "<script>"})
    assert response.status_code == 400
    assert "Choose one of the listed formats." in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_paginates_newest_first(client, chapter):
    for day in range(25):
        report_for(chapter, "hack", what_worked=f"Idea {day:02d}", days=day)
    first_page = playbook(client, format="hack")
    assert first_page.index("Idea 24") < first_page.index("Idea 23")
    assert "Idea 04" not in first_page
    assert 'href="?format=hack&amp;page=2"' in first_page
    second = playbook(client, format="hack", page="2")
    assert "Idea 04" in second and "Idea 00" in second and "Idea 05" not in second


def test_paginates_local_and_remote_together(client, chapter):
    boston = remote_group(chapter=chapter)
    for day in range(25):
        if day % 2:
            remote_report(boston, days=day, report_what_worked=f"Idea {day:02d}")
        else:
            report_for(chapter, "hack", what_worked=f"Idea {day:02d}", days=day)

    first = playbook(client)
    second = playbook(client, page="2")

    assert [f"Idea {day:02d}" in first for day in (24, 23, 5, 4)] == [True, True, True, False]
    assert first.index("Idea 24") < first.index("Idea 23") < first.index("Idea 05")
    assert "Page 1 of 2" in first and 'href="?page=2"' in first
    assert all(f"Idea {day:02d}" in second for day in range(5))
    assert "Idea 05" not in second and second.index("Idea 04") < second.index("Idea 03")


def test_queries_do_not_grow(client, chapter, django_assert_max_num_queries):
    report_for(chapter, "hack")
    remote_report(remote_group(chapter=chapter), "fishbowl")
    with django_assert_max_num_queries(8) as few:
        playbook(client)
    for day in range(15):
        report_for(ChapterFactory(), "lightning", days=day)
        group = remote_group(f"Group{day}", f"g{day}.example", chapter=chapter)
        remote_report(group, "breakouts", days=day)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = playbook(client)
    assert ">All formats</a> (32)" in page


def test_the_demo_playbook_shows_another_chapters_reports(client, chapter):
    load_hub()

    page = playbook(client)

    assert "Code4Lib DC" in page and "Metadata hack evening" in page
    assert "Voting on session topics" in page
