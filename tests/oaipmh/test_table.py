"""The record table follows the content: own changes, related changes, scheduling, rebuilds."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from oaipmh import records
from oaipmh.apps import build_records
from oaipmh.models import Record
from projects.models import Contributor, Project
from stories.models import Story
from tests.factories import MembershipFactory
from tests.meetings.factories import MeetingFactory
from tests.oaipmh.helpers import (
    NS,
    error_codes,
    identifier,
    identifiers,
    make_report,
    make_talk,
    oai,
)
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


def metadata_of(client, kind: str, obj) -> dict[str, list[str]]:
    root = oai(client, verb="GetRecord", identifier=identifier(kind, obj), metadataPrefix="oai_dc")
    assert error_codes(root) == []
    dc = root.find(".//oai_dc:dc", NS)
    found: dict[str, list[str]] = {}
    for element in dc:
        found.setdefault(element.tag.rpartition("}")[2], []).append(element.text)
    return found


def row(kind: str, obj) -> Record:
    return Record.objects.get(kind=kind, object_id=obj.pk)


def age(record: Record) -> dt.timedelta:
    return timezone.now() - record.datestamp


def test_a_story_scheduled_for_later_waits_for_its_time(client, chapter):
    later = timezone.now() + dt.timedelta(days=2)
    story = StoryFactory(chapter=chapter, published=later)
    assert row("story", story).datestamp == later
    listed = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert identifier("story", story) not in listed
    root = oai(client, verb="GetRecord", identifier=identifier("story", story),
               metadataPrefix="oai_dc")  # fmt: skip
    assert error_codes(root) == ["idDoesNotExist"]
    story.published = timezone.now() - dt.timedelta(minutes=1)
    story.save()
    listed = identifiers(oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc"))
    assert identifier("story", story) in listed


def test_a_scheduled_story_withdrawn_before_its_time_leaves_no_deleted_record(chapter):
    story = StoryFactory(chapter=chapter, published=timezone.now() + dt.timedelta(days=2))
    story.status = Story.Status.DRAFT
    story.save()
    assert not Record.objects.filter(kind="story").exists()


def test_renaming_an_author_redescribes_their_records_and_dates_them_now(
    chapter, django_capture_on_commit_callbacks
):
    author = MembershipFactory(chapter=chapter, user__profile__display_name="Ada L.").user
    story = StoryFactory(chapter=chapter, author=author)
    project = Project.objects.create(chapter=chapter, name="Shelf", slug="shelf", summary="A tool")
    Contributor.objects.create(project=project, user=author)
    Record.objects.update(datestamp=timezone.now() - dt.timedelta(days=5))
    profile = author.profile
    profile.display_name = "Ada Lovelace"
    with django_capture_on_commit_callbacks(execute=True):
        profile.save()
    for record in (row("story", story), row("project", project)):
        assert age(record) < dt.timedelta(minutes=1)  # harvesters asking "since" see the change
        assert "Ada Lovelace" in record.metadata


def test_an_unchanged_description_keeps_its_datestamp(chapter, django_capture_on_commit_callbacks):
    author = MembershipFactory(chapter=chapter).user
    story = StoryFactory(chapter=chapter, author=author)
    old = timezone.now() - dt.timedelta(days=5)
    Record.objects.update(datestamp=old)
    author.profile.institution = "Another library"  # not part of any record
    with django_capture_on_commit_callbacks(execute=True):
        author.profile.save()
    assert row("story", story).datestamp == old


def test_renaming_the_chapter_changes_every_publisher(
    client, chapter, django_capture_on_commit_callbacks
):
    story = StoryFactory(chapter=chapter)
    talk = make_talk(MeetingFactory(chapter=chapter))
    chapter.name = "Code4Lib New York City"
    with django_capture_on_commit_callbacks(execute=True):
        chapter.save()
    assert metadata_of(client, "story", story)["publisher"] == ["Code4Lib New York City"]
    assert metadata_of(client, "talk", talk)["publisher"] == ["Code4Lib New York City"]


def test_categories_contributors_and_meeting_changes_reach_the_record(client, chapter, member):
    story = StoryFactory(chapter=chapter, categories=["Linked data"])
    assert metadata_of(client, "story", story)["subject"] == ["Linked data"]
    project = Project.objects.create(chapter=chapter, name="Shelf", slug="shelf", summary="A tool")
    Contributor.objects.create(project=project, user=member, role="Developer")
    assert metadata_of(client, "project", project)["creator"] == [member.display_name]
    meeting = MeetingFactory(chapter=chapter, title="Autumn meeting")
    talk, report = make_talk(meeting), make_report(meeting)
    meeting.title = "Winter meeting"
    meeting.start += dt.timedelta(days=40)
    meeting.end += dt.timedelta(days=40)
    meeting.save()
    assert "Report: Winter meeting" in row("report", report).metadata
    day = meeting.start.date().isoformat()
    assert metadata_of(client, "talk", talk)["date"] == [day]


def test_rebuild_describes_bulk_loaded_content_and_withdraws_what_went(chapter):
    meeting = MeetingFactory(chapter=chapter)
    Story.objects.bulk_create(
        Story(chapter=chapter, title=f"Bulk {i}", slug=f"bulk-{i}", body="x",
              status="published", published=timezone.now())
        for i in range(5)
    )  # fmt: skip
    gone = make_talk(meeting)
    type(gone).objects.filter(pk=gone.pk).update(status="declined")  # no signal
    assert Record.objects.filter(kind="story").count() == 0
    summary = records.rebuild(chunk=2)
    assert summary["story"] == (5, 5, 0)
    assert summary["talk"] == (0, 0, 1)
    assert row("talk", gone).deleted
    assert records.rebuild() == {
        kind: (5 if kind == "story" else 0, 0, 0) for kind in records.KINDS
    }


def test_rebuild_command_shows_a_summary(chapter, capsys):
    StoryFactory(chapter=chapter)
    Record.objects.all().delete()
    call_command("oai-rebuild", "--no-progress")
    out = capsys.readouterr().out
    assert "Checked 1 records (1 story): 1 written, 0 withdrawn" in out
    assert Record.objects.filter(kind="story", deleted=False).count() == 1


def test_migrating_fills_an_empty_table(chapter):
    story = StoryFactory(chapter=chapter)
    Record.objects.all().delete()
    build_records(sender=None)
    assert not row("story", story).deleted
    Record.objects.filter(kind="story").update(metadata="kept")
    build_records(sender=None)  # live rows exist: nothing is redone
    assert row("story", story).metadata == "kept"
