"""`chapterhouse reindex` rebuilds everything searchable and says what it did."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from forum import services as forum
from meetings.models import Talk
from members.models import Profile
from search import services
from search.documents import all_documents, counts
from search.engine import SearchIndex, reset_index_for_tests
from search.models import PendingChange
from tests.factories import MembershipFactory
from tests.forum.factories import CategoryFactory
from tests.meetings.factories import MeetingFactory
from tests.projects.factories import ProjectFactory
from tests.search.helpers import found
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db(transaction=True)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def site(settings, chapter, member):
    """One of each kind, plus things that must stay out; the worker never runs."""
    settings.TASKS = DATABASE_TASKS
    with transaction.atomic():
        StoryFactory(chapter=chapter, title="Zine release")
        StoryFactory(chapter=chapter, title="Zine draft", status="draft", published=None)
        meeting = MeetingFactory(chapter=chapter, title="Zine meetup")
        Talk.objects.create(meeting=meeting, title="Zine printing", status="accepted")
        Talk.objects.create(meeting=meeting, title="Zine proposal")
        ProjectFactory(chapter=chapter, name="Zine archive")
        thread = forum.start_thread(
            member, CategoryFactory(chapter=chapter), "Zine swap", "Who has zines?"
        )
        forum.reply(member, thread, "I have zines.")
        hidden = MembershipFactory(chapter=chapter).user
        Profile.objects.filter(user=hidden).update(in_directory=False)
        Profile.objects.filter(user=member).update(display_name="Zine Maker")


def test_reindex_builds_everything_and_clears_the_outbox(site, index):
    assert PendingChange.objects.exists()
    out, err = io.StringIO(), io.StringIO()
    call_command("reindex", stdout=out, stderr=err)
    summary = out.getvalue()
    assert re.match(
        r"Indexed 8 documents \(1 story, 1 meeting, 1 talk, 1 forum thread, 1 forum post, "
        r"1 project, 2 members\) in \d+\.\d s",
        summary,
    ), summary
    assert "Indexing" in err.getvalue() and "8/8" in err.getvalue()
    assert not PendingChange.objects.exists()
    assert sorted(found(Client(), "zine")) == [
        "Zine archive", "Zine meetup", "Zine printing", "Zine release", "Zine swap", "Zine swap",
    ]  # fmt: skip


def test_counts_match_what_is_indexed(site):
    assert sum(counts().values()) == len(list(all_documents()))


def test_rebuilding_replaces_what_was_there(site, index):
    services.rebuild_index()
    fresh = SearchIndex(None)
    reset_index_for_tests(fresh)
    assert found(Client(), "zine") == []
    tally = services.rebuild_index()
    assert tally["story"] == 1 and tally["member"] == 2
    assert len(found(Client(), "zine")) == 6


def test_all_documents_reads_in_a_fixed_number_of_queries(site, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        documents = list(all_documents())
    assert len(documents) == 8
