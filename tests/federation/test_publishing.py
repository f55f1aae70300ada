"""Saving meetings and stories publishes them to the chapter's followers, once committed."""

import datetime as dt

import pytest
from django.db import transaction

from federation import ids
from federation.models import Activity, Delivery, Follower, RemoteActor
from meetings import services as meetings
from meetings.models import Meeting, Report
from stories import services as stories
from stories.models import Story
from tests.factories import ChapterFactory, OrganizerFactory
from tests.meetings.factories import MeetingFactory

# on_commit hooks run for real; queued delivery runs wait (nothing here is sent).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def no_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def chapter():
    chapter = ChapterFactory(slug="code4libnyc")
    actor = RemoteActor.objects.create(
        uri="https://hub.example/groups/national",
        inbox="https://hub.example/groups/national/inbox",
        shared_inbox="https://hub.example/inbox",
    )
    Follower.objects.create(chapter=chapter, actor=actor)
    return chapter


def sent(object_key: str) -> list[Activity]:
    return list(Activity.objects.filter(object_key=object_key).order_by("created"))


def new_meeting(chapter, **fields) -> Meeting:
    return meetings.publish_meeting(MeetingFactory.build(chapter=chapter, venue=None, **fields))


def test_a_new_meeting_is_created_for_followers(chapter):
    meeting = new_meeting(chapter, title="Lightning talks")

    [create] = sent(f"meeting:{meeting.pk}")
    assert create.type == "Create" and create.public
    event = create.data["object"]
    assert event["type"] == "Event" and event["name"] == "Lightning talks"
    assert event["id"] == ids.meeting_id(meeting)
    assert create.data["actor"] == ids.chapter_actor_id(chapter)
    [row] = Delivery.objects.filter(activity=create)
    assert row.inbox == "https://hub.example/inbox"


def test_a_changed_meeting_is_updated(chapter):
    meeting = new_meeting(chapter)

    meetings.update_meeting(meeting, {"title": "Hack night"})

    create, update = sent(f"meeting:{meeting.pk}")
    assert (create.type, update.type) == ("Create", "Update")
    assert update.data["object"]["name"] == "Hack night"
    assert update.data["object"]["id"] == create.data["object"]["id"]
    assert Delivery.objects.filter(activity=update).count() == 1


def test_a_cancelled_meeting_is_updated_with_its_status(chapter):
    meeting = new_meeting(chapter)

    meetings.cancel_meeting(meeting)

    *_, update = sent(f"meeting:{meeting.pk}")
    assert update.type == "Update"
    assert update.data["object"]["ical:status"] == "CANCELLED"


def test_a_deleted_meeting_is_deleted_as_a_tombstone(chapter):
    meeting = new_meeting(chapter)
    key, page = f"meeting:{meeting.pk}", ids.meeting_id(meeting)

    meeting.delete()

    *_, delete = sent(key)
    assert delete.type == "Delete"
    assert delete.data["object"]["type"] == "Tombstone"
    assert delete.data["object"]["id"] == page
    assert delete.data["object"]["formerType"] == "Event"
    assert Delivery.objects.filter(activity=delete).count() == 1


def test_a_rolled_back_change_sends_nothing(chapter):
    meeting = new_meeting(chapter)

    with pytest.raises(RuntimeError), transaction.atomic():
        meetings.update_meeting(meeting, {"title": "Never mind"})
        raise RuntimeError

    assert [activity.type for activity in sent(f"meeting:{meeting.pk}")] == ["Create"]


def test_a_chapter_without_followers_still_records_its_outbox(db):
    lonely = ChapterFactory(slug="lonely")

    meeting = new_meeting(lonely)

    assert [activity.type for activity in sent(f"meeting:{meeting.pk}")] == ["Create"]
    assert not Delivery.objects.exists()


def save_story(story: Story, publish: bool, **fields) -> Story:
    return stories.save_story(
        story, {"title": "News", "body": "Some **news**.", **fields}, [], publish
    )


def test_a_published_story_is_created_then_updated(chapter):
    story = save_story(Story(chapter=chapter), publish=True)

    save_story(story, publish=True, title="Bigger news")

    create, update = sent(f"story:{story.pk}")
    assert (create.type, update.type) == ("Create", "Update")
    assert create.data["object"]["type"] == "Article"
    assert create.data["object"]["id"] == ids.story_id(story)
    assert update.data["object"]["name"] == "Bigger news"
    assert Delivery.objects.count() == 2


def test_a_draft_sends_nothing(chapter):
    story = save_story(Story(chapter=chapter), publish=False)
    save_story(story, publish=False, title="Still drafting")

    assert sent(f"story:{story.pk}") == []
    assert not Delivery.objects.exists()


def test_unpublishing_a_story_deletes_it_and_republishing_creates_it_again(chapter):
    story = save_story(Story(chapter=chapter), publish=True)

    save_story(story, publish=False)
    save_story(story, publish=True)

    create, delete, again = sent(f"story:{story.pk}")
    assert (create.type, delete.type, again.type) == ("Create", "Delete", "Create")
    assert delete.data["object"] | {"deleted": None} == {
        "id": ids.story_id(story), "type": "Tombstone", "formerType": "Article", "deleted": None,
    }  # fmt: skip


def test_a_deleted_story_is_deleted_under_the_id_followers_know(chapter):
    story = save_story(Story(chapter=chapter), publish=True)
    key, page = f"story:{story.pk}", ids.story_id(story)

    stories.delete_story(story)

    *_, delete = sent(key)
    assert delete.type == "Delete" and delete.data["object"]["id"] == page


def test_deleting_a_draft_or_an_unpublished_story_sends_nothing_more(chapter):
    draft = save_story(Story(chapter=chapter), publish=False)
    pulled = save_story(Story(chapter=chapter, slug="pulled"), publish=True)
    save_story(pulled, publish=False)
    draft_key, pulled_key = f"story:{draft.pk}", f"story:{pulled.pk}"

    stories.delete_story(draft)
    stories.delete_story(pulled)

    assert sent(draft_key) == []
    assert [activity.type for activity in sent(pulled_key)] == ["Create", "Delete"]


def test_deleting_a_chapter_sends_nothing_for_its_meetings(chapter):
    meeting = new_meeting(chapter)
    key = f"meeting:{meeting.pk}"

    chapter.delete()

    assert not Activity.objects.filter(object_key=key).exists()


def test_fixtures_loaded_raw_are_not_published(chapter):
    from django.db.models.signals import post_save

    meeting = MeetingFactory(chapter=chapter, venue=None)
    Activity.objects.all().delete()

    post_save.send(Meeting, instance=meeting, created=False, raw=True)

    assert not Activity.objects.exists()


def test_a_meeting_in_the_past_changed_is_still_an_update(chapter):
    meeting = new_meeting(chapter)
    start = meeting.start - dt.timedelta(days=30)

    meetings.update_meeting(meeting, {"start": start, "end": start + dt.timedelta(hours=2)})

    assert [activity.type for activity in sent(f"meeting:{meeting.pk}")] == ["Create", "Update"]


# Meeting reports travel inside their meeting's Event.


def write_report(meeting, **fields):
    organizer = OrganizerFactory(chapter=meeting.chapter).user
    values = {"attendance": 20, "notes": "", "what_worked": "Name tags", "published": True}
    return meetings.save_report(organizer, meeting, values | fields)


def test_publishing_editing_and_unpublishing_a_report_update_the_event(chapter):
    meeting = new_meeting(chapter, format="hack")
    key = f"meeting:{meeting.pk}"

    write_report(meeting, notes="Pairs **worked**.")
    write_report(meeting, what_worked="Pairing newcomers with regulars")
    write_report(meeting, published=False)

    create, published, edited, unpublished = sent(key)
    assert [a.type for a in (create, published, edited, unpublished)] == ["Create"] + ["Update"] * 3
    assert "meetingReport" not in create.data["object"]
    assert create.data["object"]["meetingFormat"] == "hack"
    report = published.data["object"]["meetingReport"]
    assert report["whatWorked"] == "Name tags" and report["attendance"] == 20
    assert report["content"] == "<p>Pairs <strong>worked</strong>.</p>\n"
    assert edited.data["object"]["meetingReport"]["whatWorked"] == "Pairing newcomers with regulars"
    assert "meetingReport" not in unpublished.data["object"]
    assert unpublished.data["object"]["id"] == create.data["object"]["id"]
    assert Delivery.objects.filter(activity__in=[published, edited, unpublished]).count() == 3


def test_a_draft_report_sends_nothing(chapter):
    meeting = new_meeting(chapter)

    write_report(meeting, published=False)
    write_report(meeting, published=False, what_worked="Still drafting")

    assert [activity.type for activity in sent(f"meeting:{meeting.pk}")] == ["Create"]


def test_deleting_a_published_report_updates_the_event_and_a_draft_sends_nothing(chapter):
    published = new_meeting(chapter)
    draft = new_meeting(chapter)
    write_report(published)
    write_report(draft, published=False)

    Report.objects.filter(meeting__in=[published, draft]).delete()

    *_, update = sent(f"meeting:{published.pk}")
    assert update.type == "Update" and "meetingReport" not in update.data["object"]
    assert [activity.type for activity in sent(f"meeting:{draft.pk}")] == ["Create"]


def test_deleting_a_meeting_with_a_report_sends_only_the_delete(chapter):
    meeting = new_meeting(chapter)
    write_report(meeting)
    key = f"meeting:{meeting.pk}"

    meeting.delete()

    assert [activity.type for activity in sent(key)] == ["Create", "Update", "Delete"]


def test_a_rolled_back_report_sends_nothing(chapter):
    meeting = new_meeting(chapter)

    with pytest.raises(RuntimeError), transaction.atomic():
        write_report(meeting)
        raise RuntimeError

    assert [activity.type for activity in sent(f"meeting:{meeting.pk}")] == ["Create"]
