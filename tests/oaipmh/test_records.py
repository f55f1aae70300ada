"""Deleted records stay deleted, datestamps select records, and pages cost constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import Meeting, Talk
from oaipmh import records
from oaipmh.models import Record
from stories.models import Story
from tests.meetings.factories import MeetingFactory
from tests.oaipmh.helpers import (
    NS,
    error_codes,
    identifier,
    identifiers,
    make_report,
    make_talk,
    oai,
    one_of_each,
)
from tests.projects.factories import ProjectFactory
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


def status_of(client, kind, obj) -> str | None:
    return status_at(client, identifier(kind, obj))


def status_at(client, wanted: str) -> str | None:
    root = oai(client, verb="GetRecord", identifier=wanted, metadataPrefix="oai_dc")
    assert error_codes(root) == []
    return root.find(".//oai:header", NS).get("status")


def withdraw(content: dict) -> None:
    story, talk, report, project = (content[k] for k in ("story", "talk", "report", "project"))
    story.status = Story.Status.DRAFT
    story.save()
    talk.status = Talk.Status.DECLINED
    talk.save()
    report.published = False
    report.save()
    project.delete()


def test_withdrawn_records_are_deleted_records_forever(client, chapter):
    content = one_of_each(chapter)
    expected = sorted(identifier(kind, obj) for kind, obj in content.items())
    withdraw(content)
    for wanted in expected:
        assert status_at(client, wanted) == "deleted"
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    headers = root.findall(".//oai:header", NS)
    assert {h.get("status") for h in headers} == {"deleted"}
    assert root.find(".//oai:metadata", NS) is None
    assert sorted(identifiers(root)) == expected


def test_deleting_a_meeting_or_story_records_its_talks_and_itself(client, chapter):
    content = one_of_each(chapter)
    Meeting.objects.filter(pk=content["talk"].meeting_id).delete()
    content["story"].delete()
    assert set(Record.objects.filter(deleted=True).values_list("kind", flat=True)) == {
        "talk",
        "report",
        "story",
    }
    root = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="kind:talk")
    assert root.find(".//oai:header", NS).get("status") == "deleted"


def test_republished_record_is_live_again(client, chapter):
    story = one_of_each(chapter)["story"]
    story.status = Story.Status.DRAFT
    story.save()
    story.status = Story.Status.PUBLISHED
    story.save()
    assert status_of(client, "story", story) is None
    assert not Record.objects.filter(deleted=True).exists()


def test_drafts_that_were_never_public_leave_no_trace(chapter):
    draft = StoryFactory(chapter=chapter, status=Story.Status.DRAFT, published=None)
    draft.title = "Still a draft"
    draft.save()
    draft.delete()
    assert not Record.objects.filter(deleted=True).exists()


def test_from_and_until_in_seconds_and_days(client, chapter):
    content = one_of_each(chapter)
    old = timezone.now().replace(microsecond=0) - dt.timedelta(days=10)
    Story.objects.filter(pk=content["story"].pk).update(updated=old, published=old)
    records.refresh("story", [content["story"].pk])  # update() sends no signal
    stamp = old.strftime("%Y-%m-%dT%H:%M:%SZ")
    day = old.strftime("%Y-%m-%d")
    just_story = [identifier("story", content["story"])]
    base = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    assert identifiers(oai(client, **base, until=stamp)) == just_story
    assert identifiers(oai(client, **base, **{"from": stamp, "until": stamp})) == just_story
    assert identifiers(oai(client, **base, **{"from": day, "until": day})) == just_story
    after = (old + dt.timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert identifier("story", content["story"]) not in identifiers(
        oai(client, **base, **{"from": after})
    )
    assert len(identifiers(oai(client, **base, **{"from": after}))) == 3


def test_list_records_queries_do_not_grow(client, chapter, settings):
    settings.OAIPMH_PAGE_SIZE = 50
    one_of_each(chapter)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
        assert error_codes(root) == []
        return len(captured)

    before = queries()
    for _ in range(3):
        StoryFactory(chapter=chapter).delete()
        StoryFactory(chapter=chapter)
        ProjectFactory(chapter=chapter)
        make_report(MeetingFactory(chapter=chapter))
        make_talk(MeetingFactory(chapter=chapter))
    assert queries() == before


def test_a_talk_changed_later_gets_a_new_datestamp(chapter):
    meeting = MeetingFactory(chapter=chapter)
    talk = Talk.objects.create(meeting=meeting, title="Draft", speakers="Ada", status="proposed")
    Talk.objects.filter(pk=talk.pk).update(created=timezone.now() - dt.timedelta(days=30))
    talk.refresh_from_db()
    talk.status = "accepted"
    talk.save(update_fields=["status"])
    stamp = Record.objects.get(kind="talk", object_id=talk.pk).datestamp
    assert timezone.now() - stamp < dt.timedelta(minutes=1)  # accepted now, not proposed then
