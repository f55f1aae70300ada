"""Nobody finds what they may not read: drafts, hidden posts, closed forums, private people."""

import pytest
from django.db import transaction
from django.test import Client

from forum import services as forum
from members.models import Profile
from search.services import audiences_for
from tests.conftest import client_for
from tests.factories import ChapterFactory, MembershipFactory, UserFactory
from tests.forum.factories import CategoryFactory
from tests.search.helpers import found
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def thread(chapter, member):
    """A thread by the member, with a reply by the member and one by another member."""
    other = MembershipFactory(chapter=chapter, user__profile__display_name="Other").user
    with transaction.atomic():
        opened = forum.start_thread(
            member, CategoryFactory(chapter=chapter), "Koha upgrade", "Planning the koha move."
        )
        forum.reply(member, opened, "My koha notes on indexing.")
        forum.reply(other, opened, "Our koha went fine.")
    return opened


def bodies(client: Client, q: str) -> list[str]:
    return [hit["snippet"] for hit in client.get("/search/json/", {"q": q}).json()["results"]]


def test_audiences(chapter, member, outsider):
    other = ChapterFactory()
    assert audiences_for(Client().get("/").wsgi_request.user) == {"public"}
    assert audiences_for(member) == {"public", f"members:{chapter.pk}"}
    assert audiences_for(outsider) == {"public"}
    staff = UserFactory(is_staff=True)
    assert audiences_for(staff) == {"public", f"members:{chapter.pk}", f"members:{other.pk}"}


def test_draft_stories_are_never_found(chapter, organizer_client):
    StoryFactory(chapter=chapter, title="Secret plans", status="draft", published=None)
    assert found(organizer_client, "secret") == []
    assert found(Client(), "secret") == []


def test_a_hidden_post_is_not_found(thread, organizer, client):
    assert len(found(client, "koha")) == 3
    reply = thread.posts.get(position=2)
    forum.moderate_post(organizer, reply, "hide", "off topic")
    assert "Our <mark>koha</mark> went fine." not in bodies(client, "koha")
    assert len(found(client, "koha")) == 2
    forum.moderate_post(organizer, reply, "restore")
    assert len(found(client, "koha")) == 3


def test_a_hidden_thread_takes_its_posts_along(thread, organizer, client):
    forum.moderate_thread(organizer, thread, "hide", "spam")
    assert found(client, "koha") == []


def test_a_members_only_forum_is_found_by_members_alone(thread, chapter, organizer, member):
    forum.update_settings(organizer, chapter, "members", 2)
    assert found(Client(), "koha") == []
    assert found(client_for(UserFactory()), "koha") == []
    assert len(found(client_for(member), "koha")) == 3
    forum.update_settings(organizer, chapter, "public", 2)
    assert len(found(Client(), "koha")) == 3


def test_a_banned_members_posts_are_not_found(thread, chapter, organizer, client):
    replier = thread.posts.get(position=2).author
    forum.suspend(organizer, chapter, replier, "spam")
    assert "Our <mark>koha</mark> went fine." not in bodies(client, "koha")
    assert len(found(client, "koha")) == 2
    forum.lift_suspension(organizer, chapter, replier)
    assert len(found(client, "koha")) == 3


def test_a_banned_members_threads_are_not_found(thread, chapter, organizer, member, client):
    forum.suspend(organizer, chapter, member, "spam")
    assert bodies(client, "koha") == []


def test_member_directory_is_for_fellow_members(chapter, member, organizer_client, client):
    Profile.objects.filter(user=member).update(display_name="Ada Lovelace")
    member.profile.refresh_from_db()
    member.profile.save()
    assert found(organizer_client, "lovelace") == ["Ada Lovelace"]
    assert found(client, "lovelace") == []
    assert found(client_for(UserFactory()), "lovelace") == []
    elsewhere = MembershipFactory(chapter=ChapterFactory()).user
    assert found(client_for(elsewhere), "lovelace") == []


def test_a_private_profile_is_not_found(chapter, member, organizer_client):
    profile = member.profile
    profile.display_name = "Grace Hopper"
    profile.save()
    assert found(organizer_client, "hopper") == ["Grace Hopper"]
    profile.in_directory = False
    profile.save()
    assert found(organizer_client, "hopper") == []


def test_leaving_the_chapter_removes_the_entry(chapter, member, organizer_client):
    member.profile.display_name = "Alan Turing"
    member.profile.save()
    assert found(organizer_client, "turing") == ["Alan Turing"]
    member.memberships.all().delete()
    assert found(organizer_client, "turing") == []
