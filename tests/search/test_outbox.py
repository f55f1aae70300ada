"""The index follows every write through the outbox, and a lost worker loses nothing."""

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from meetings.models import Talk
from search import services
from search.documents import document_for_key, documents_for_keys
from search.models import PendingChange
from stories.models import Story
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.meetings.factories import MeetingFactory
from tests.projects.factories import ProjectFactory
from tests.search.helpers import found
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db(transaction=True)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_an_edited_title_is_found_by_its_new_words_only(chapter):
    story = StoryFactory(chapter=chapter, title="Hackathon recap")
    assert found(Client(), "hackathon") == ["Hackathon recap"]
    story.title = "Unconference recap"
    story.save()
    assert found(Client(), "hackathon") == []
    assert found(Client(), "unconference") == ["Unconference recap"]


def test_a_deleted_story_is_gone(chapter):
    story = StoryFactory(chapter=chapter, title="Hackathon recap")
    story.delete()
    assert found(Client(), "hackathon") == []


def test_unpublishing_removes_a_story(chapter):
    story = StoryFactory(chapter=chapter, title="Hackathon recap")
    story.status = "draft"
    story.save()
    assert found(Client(), "hackathon") == []


def test_categories_and_tags_follow(chapter):
    story = StoryFactory(chapter=chapter, title="Hackathon recap", categories=["Events"])
    assert found(Client(), "hackathon", category="Events") == ["Hackathon recap"]
    story.categories.clear()
    assert found(Client(), "hackathon", category="Events") == []
    project = ProjectFactory(chapter=chapter, name="Blacklight theme", technologies=["Ruby"])
    assert found(Client(), "ruby") == ["Blacklight theme"]
    project.technologies.clear()
    assert found(Client(), "ruby") == []


def test_talks_follow_their_acceptance_and_meetings_their_status(chapter):
    meeting = MeetingFactory(chapter=chapter, title="Spring meetup")
    talk = Talk.objects.create(meeting=meeting, title="IIIF in practice", speakers="Ana")
    assert found(Client(), "iiif") == []
    talk.status = Talk.Status.ACCEPTED
    talk.save()
    assert found(Client(), "iiif") == ["IIIF in practice"]
    meeting.status = "cancelled"
    meeting.save()
    assert found(Client(), "spring meetup") == ["Cancelled: Spring meetup"]


def test_a_rolled_back_change_leaves_no_row(chapter):
    with pytest.raises(RuntimeError), transaction.atomic():
        story = StoryFactory(chapter=chapter, title="Never happened")
        assert PendingChange.objects.filter(key=f"story:{story.pk}").exists()
        raise RuntimeError("changed my mind")
    assert not PendingChange.objects.exists()
    assert found(Client(), "happened") == []


def test_a_committed_change_is_applied_and_cleared(chapter):
    with transaction.atomic():
        story = StoryFactory(chapter=chapter, title="Committed news")
        assert PendingChange.objects.filter(key=f"story:{story.pk}").exists()
        assert found(Client(), "committed") == []
    assert not PendingChange.objects.exists()
    assert found(Client(), "committed") == ["Committed news"]


def test_one_task_per_transaction_and_rows_wait_for_the_worker(settings, chapter):
    settings.TASKS = DATABASE_TASKS
    with transaction.atomic():
        stories = [StoryFactory(chapter=chapter, title=f"Bulk {n}") for n in range(5)]
        for story in stories:
            story.save()
    assert PendingChange.objects.count() == 10
    assert DBTaskResult.objects.filter(task_path="search.tasks.sync_index").count() == 1
    assert found(Client(), "bulk") == []  # no worker ran: the rows wait, nothing is lost
    assert services.sync_all(batch_size=3) == 10
    assert not PendingChange.objects.exists()
    assert len(found(Client(), "bulk")) == 5


def test_apply_pending_handles_one_batch(settings, chapter):
    settings.TASKS = DATABASE_TASKS
    with transaction.atomic():
        for n in range(4):
            StoryFactory(chapter=chapter, title=f"Batch {n}")
    assert services.apply_pending(batch_size=3) == 3
    assert PendingChange.objects.count() == 1
    assert len(found(Client(), "batch")) == 3


def test_quiet_saves_write_no_rows(member):
    member.last_login = member.date_joined
    member.save(update_fields=["last_login"])
    assert not PendingChange.objects.exists()


def test_unknown_and_malformed_keys():
    assert document_for_key("story:999") is None
    assert document_for_key("story:abc") is None
    assert documents_for_keys(["remote:https://elsewhere.example/1", "nothing"]) == {}


def test_a_scheduled_story_goes_in_when_its_time_comes(chapter):
    later = timezone.now() + dt.timedelta(days=1)
    story = StoryFactory(chapter=chapter, title="Scheduled news", published=later)
    assert found(Client(), "scheduled") == []
    waiting = PendingChange.objects.get()
    assert (waiting.key, waiting.not_before) == (f"story:{story.pk}", later)
    assert services.sync_all() == 0  # not yet due
    earlier = timezone.now() - dt.timedelta(minutes=1)
    Story.objects.filter(pk=story.pk).update(published=earlier)
    PendingChange.objects.update(not_before=earlier)
    assert services.sync_all() == 1
    assert found(Client(), "scheduled") == ["Scheduled news"]


def test_a_scheduled_story_waits_in_the_task_queue(settings, chapter):
    settings.TASKS = DATABASE_TASKS
    later = timezone.now() + dt.timedelta(days=1)
    StoryFactory(chapter=chapter, title="Scheduled news", published=later)
    deferred = DBTaskResult.objects.filter(task_path="search.tasks.sync_index", run_after=later)
    assert deferred.count() == 1


def test_the_admin_lists_waiting_changes_read_only(settings, chapter):
    settings.TASKS = DATABASE_TASKS
    StoryFactory(chapter=chapter, title="Waiting")
    admin = client_for(UserFactory(is_staff=True, is_superuser=True))
    page = admin.get("/admin/search/pendingchange/")
    assert page.status_code == 200
    assert "story:" in page.text
    assert admin.get("/admin/search/pendingchange/add/").status_code == 403
