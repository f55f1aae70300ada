"""The monthly digest: a draft story per chapter and month, and the command that drafts them."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from forum.models import ForumSettings, Post
from meetings.digest import draft_monthly_digest
from meetings.models import Report, Rsvp, Talk
from members.models import Membership
from stories.models import Story
from tests.factories import ChapterFactory, MembershipFactory, UserFactory
from tests.forum.factories import CategoryFactory, ThreadFactory
from tests.meetings.factories import MeetingFactory
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

OCT = dt.datetime(2026, 10, 14, 22, 30, tzinfo=dt.UTC)


def meeting_in(chapter, when=OCT, **fields):
    return MeetingFactory(chapter=chapter, start=when, end=when + dt.timedelta(hours=2), **fields)


def thread_with_posts_at(chapter, title, when, count):
    thread = ThreadFactory(category=CategoryFactory(chapter=chapter), title=title)
    for position in range(count):
        Post.objects.create(
            thread=thread, author=thread.author, body="Hi", position=position, created=when
        )
    return thread


@pytest.fixture
def busy_october(chapter, member, organizer):
    held = meeting_in(chapter, title="October hack *night*", format="hack")
    Report.objects.create(meeting=held, attendance=23, published=True)
    checked_in = meeting_in(chapter, OCT + dt.timedelta(days=7), title="Lightning round")
    Rsvp.objects.create(meeting=checked_in, user=member, status="going", attended=True)
    Rsvp.objects.create(meeting=checked_in, user=organizer, status="going", attended=True)
    meeting_in(chapter, OCT + dt.timedelta(days=3), title="Cancelled one", status="cancelled")
    meeting_in(chapter, OCT + dt.timedelta(days=30), title="November meeting")
    Talk.objects.create(meeting=held, title="IIIF at scale", speakers="Ada", status="accepted")
    Talk.objects.create(meeting=held, title="Turned down", speakers="Bob", status="declined")
    ProjectFactory(chapter=chapter, name="Catalog front end", created=OCT)
    ProjectFactory(chapter=chapter, name="Old project", created=OCT - dt.timedelta(days=60))
    Membership.objects.filter(user=member).update(joined_at=OCT)
    thread_with_posts_at(chapter, "Solr tuning", OCT, 4)
    thread_with_posts_at(chapter, "Quiet thread", OCT, 1)
    thread_with_posts_at(chapter, "Last month", OCT - dt.timedelta(days=40), 9)
    return held


def test_digest_summarises_the_month(chapter, busy_october):
    story = draft_monthly_digest(chapter, 2026, 10)
    assert story.status == Story.Status.DRAFT
    assert story.source == "digest:2026-10"
    assert story.title == "Code4LibNYC digest: October 2026"
    body = story.body
    assert "October hack \\*night\\*" in body
    assert "23 came" in body
    assert "Lightning round" in body and "2 came" in body
    assert "2 meetings, 25 attendances in all." in body
    assert "Cancelled one" not in body and "November meeting" not in body
    assert "IIIF at scale" in body and "Turned down" not in body
    assert "Catalog front end" in body and "Old project" not in body
    assert "1 new member joined." in body
    assert body.index("Solr tuning") < body.index("Quiet thread")
    assert "4 new posts" in body and "Last month" not in body
    assert "<em>night</em>" not in str(story.body_html())


def test_digest_is_idempotent_and_leaves_published_ones_alone(chapter, busy_october):
    first = draft_monthly_digest(chapter, 2026, 10)
    again = draft_monthly_digest(chapter, 2026, 10)
    assert again.pk == first.pk
    assert Story.objects.filter(chapter=chapter, source="digest:2026-10").count() == 1
    Story.objects.filter(pk=first.pk).update(status="published", published=OCT, body="Edited")
    third = draft_monthly_digest(chapter, 2026, 10)
    assert third.pk == first.pk and third.body == "Edited"


def test_private_forums_stay_out_of_the_digest(chapter, busy_october):
    ForumSettings.objects.create(chapter=chapter, visibility="members")
    body = draft_monthly_digest(chapter, 2026, 10).body
    assert "Solr tuning" not in body


def test_an_empty_month_still_makes_a_draft(chapter):
    body = draft_monthly_digest(chapter, 2026, 2).body
    assert "No meetings were held this month." in body
    assert "0 new members joined." in body


def test_a_bad_month_writes_nothing(chapter):
    with pytest.raises(ValueError):
        draft_monthly_digest(chapter, 2026, 13)
    assert not Story.objects.exists()


def test_command_drafts_every_chapter(chapter, busy_october):
    ChapterFactory(name="Code4Lib DC", slug="code4lib-dc")
    out = StringIO()
    call_command("draft-digests", "--month", "2026-10", stdout=out)
    assert "code4lib-dc: new" in out.getvalue()
    assert "2026-10: 2 chapters, 2 new drafts, 0 drafts refreshed, 0 already published." in (
        out.getvalue()
    )
    out = StringIO()
    call_command("draft-digests", "--month", "2026-10", stdout=out)
    assert "2 chapters, 0 new drafts, 2 drafts refreshed" in out.getvalue()
    assert Story.objects.filter(source="digest:2026-10").count() == 2


@pytest.mark.parametrize("value", ["2026-13", "October", "2026-1", ""])
def test_command_rejects_a_bad_month(chapter, value):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("draft-digests", "--month", value, stdout=StringIO())
    assert not Story.objects.exists()


def test_organizers_see_the_draft_and_others_do_not(chapter, organizer_client, member_client):
    story = draft_monthly_digest(chapter, 2026, 10)
    assert organizer_client.get(story.get_absolute_url()).status_code == 200
    assert member_client.get(story.get_absolute_url()).status_code == 404


def test_new_members_of_other_chapters_do_not_count(chapter):
    MembershipFactory(chapter=ChapterFactory(), user=UserFactory(), joined_at=OCT)
    assert "0 new members joined." in draft_monthly_digest(chapter, 2026, 10).body
