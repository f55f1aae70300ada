"""Flags, the moderation queue, approval of first posts with links, suspensions and bans."""

import datetime as dt

import pytest
from django.utils import timezone

from forum import services
from forum.models import Flag, ForumSettings, ModerationAction, Post, Suspension, Thread
from tests.conftest import client_for
from tests.factories import MembershipFactory, OrganizerFactory
from tests.forum.factories import CategoryFactory, thread_with_posts
from tests.html import field_error, form_error, text_of

pytestmark = pytest.mark.django_db


def url(chapter, rest=""):
    return f"/chapters/{chapter.slug}/forum/{rest}"


@pytest.fixture
def thread(chapter, member):
    return thread_with_posts(CategoryFactory(chapter=chapter), member, replies=1)


def test_flag_queue_hide_restore_with_log(
    member_client, organizer_client, organizer, chapter, thread
):
    post = thread.posts.get(position=1)
    response = member_client.post(url(chapter, f"p/{post.pk}/flag/"), {"reason": "Spam link"})
    assert response.status_code == 302
    assert member_client.post(url(chapter, f"p/{post.pk}/flag/"), {"reason": ""}).status_code == 400
    assert Flag.objects.count() == 1
    queue = organizer_client.get(url(chapter, "moderation/"))
    assert "Spam link" in queue.text and "Post number 1" in queue.text
    organizer_client.post(
        url(chapter, f"moderation/posts/{post.pk}/"), {"action": "hide", "reason": "Off topic"}
    )
    post.refresh_from_db()
    assert post.hidden and Flag.objects.get().resolved
    page = member_client.get(thread.get_absolute_url()).text
    assert "Post number 1" not in page and "hidden by the organizers" in page
    assert "Post number 1" in organizer_client.get(thread.get_absolute_url()).text
    organizer_client.post(url(chapter, f"moderation/posts/{post.pk}/"), {"action": "restore"})
    assert "Post number 1" in member_client.get(thread.get_absolute_url()).text
    log = text_of(organizer_client.get(url(chapter, "moderation/")).text)
    assert "Hidden" in log and "Off topic" in log and "Restored" in log
    assert organizer.display_name in log
    kinds = list(ModerationAction.objects.values_list("kind", "actor", "reason"))
    assert kinds == [("restore", organizer.pk, ""), ("hide", organizer.pk, "Off topic")]


def test_lock_pin_move_are_logged(organizer_client, organizer, chapter, thread, member_client):
    jobs = CategoryFactory(chapter=chapter, name="Jobs", slug="jobs")
    moderate = url(chapter, f"moderation/threads/{thread.pk}/")
    for action in ("lock", "pin"):
        assert organizer_client.post(moderate, {"action": action, "reason": "r"}).status_code == 302
    response = organizer_client.post(moderate, {"action": "move", "category": "jobs"})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.locked and thread.pinned and thread.category == jobs
    assert [a.kind for a in ModerationAction.objects.order_by("pk")] == ["lock", "pin", "move"]
    # Bad input: a move without a category, or to a category that does not exist.
    bad = organizer_client.post(moderate, {"action": "move", "category": ""})
    assert bad.status_code == 400 and "Choose the category" in field_error(bad, "category")
    bad = organizer_client.post(moderate, {"action": "move", "category": "nope"})
    assert bad.status_code == 400
    assert ModerationAction.objects.count() == 3
    # Members cannot moderate.
    assert member_client.post(moderate, {"action": "unlock"}).status_code == 403
    assert Thread.objects.get().locked


def test_organizer_of_another_chapter_cannot_moderate_here(chapter, thread):
    stranger = client_for(OrganizerFactory().user)
    assert stranger.get(url(chapter, "moderation/")).status_code == 403
    post = thread.posts.first()
    response = stranger.post(url(chapter, f"moderation/posts/{post.pk}/"), {"action": "hide"})
    assert response.status_code == 403
    assert not Post.objects.filter(hidden=True).exists()


def test_suspension_until_a_date_stops_posting(
    organizer_client, chapter, thread, member, member_client
):
    until = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = organizer_client.post(
        url(chapter, f"moderation/members/{member.pk}/"), {"until": until, "reason": "Cool off"}
    )
    assert response.status_code == 302
    refused = member_client.post(url(chapter, f"t/{thread.pk}/reply/"), {"body": "Again"})
    assert refused.status_code == 403 and "until" in form_error(refused)
    assert Post.objects.count() == 2
    assert "Post number 0" in member_client.get(thread.get_absolute_url()).text  # still shown
    assert ModerationAction.objects.get().kind == "suspend"
    organizer_client.post(url(chapter, f"moderation/members/{member.pk}/"), {"lift": "1"})
    assert (
        member_client.post(url(chapter, f"t/{thread.pk}/reply/"), {"body": "Back"}).status_code
        == 302
    )


def test_a_past_end_date_is_a_form_error(organizer_client, chapter, member):
    response = organizer_client.post(
        url(chapter, f"moderation/members/{member.pk}/"), {"until": "2001-01-01", "reason": "x"}
    )
    assert response.status_code == 400 and "after today" in response.text
    assert not Suspension.objects.exists()


def test_a_ban_hides_the_members_posts(organizer_client, chapter, thread, member, client):
    organizer_client.post(url(chapter, f"moderation/members/{member.pk}/"), {"reason": "Spammer"})
    assert Suspension.objects.get().until is None
    page = client.get(thread.get_absolute_url()).text
    assert "Post number 0" not in page and "Post number 1" not in page
    assert ModerationAction.objects.get().kind == "ban"
    assert thread.title not in client.get(url(chapter)).text  # their threads leave the lists
    assert client.get(thread.get_absolute_url()).status_code == 404
    assert organizer_client.get(thread.get_absolute_url()).status_code == 200
    with pytest.raises(services.PermissionDenied):
        services.reply(member, thread, "still here?")


def test_organizers_cannot_be_suspended(organizer_client, organizer, chapter):
    other = OrganizerFactory(chapter=chapter).user
    response = organizer_client.post(
        url(chapter, f"moderation/members/{other.pk}/"), {"reason": "x"}
    )
    assert response.status_code == 400 and "Organizers cannot be suspended" in response.text
    assert not Suspension.objects.exists()


def test_a_new_members_first_post_with_a_link_waits_for_approval(
    chapter, organizer, organizer_client, client
):
    newcomer = MembershipFactory(chapter=chapter).user
    category = CategoryFactory(chapter=chapter)
    thread = services.start_thread(newcomer, category, "Hi", "Visit https://spam.example")
    first = thread.posts.get()
    assert not first.approved
    assert thread.title not in client.get(url(chapter)).text
    assert client.get(thread.get_absolute_url()).status_code == 404
    own = client_for(newcomer).get(thread.get_absolute_url())
    assert own.status_code == 200 and "Waiting for approval" in own.text
    queue = organizer_client.get(url(chapter, "moderation/"))
    assert "https://spam.example" in queue.text
    organizer_client.post(url(chapter, f"moderation/posts/{first.pk}/"), {"action": "approve"})
    assert thread.title in client.get(url(chapter)).text
    # Without links, or once over the threshold, posts go through at once.
    assert services.reply(newcomer, thread, "No links here").approved
    assert services.reply(newcomer, thread, "Now https://example.org is fine").approved


def test_a_link_added_by_editing_waits_for_approval_too(chapter, client):
    newcomer = MembershipFactory(chapter=chapter).user
    thread = services.start_thread(newcomer, CategoryFactory(chapter=chapter), "Hi", "Hello all")
    first = thread.posts.get()
    assert first.approved
    services.edit_post(newcomer, first, "Hello all, visit https://spam.example")
    first.refresh_from_db()
    assert not first.approved
    assert client.get(thread.get_absolute_url()).status_code == 404


def test_threshold_is_per_chapter(chapter, organizer, organizer_client):
    organizer_client.post(
        url(chapter, "manage/"), {"visibility": "public", "approval_threshold": 0}
    )
    assert ForumSettings.objects.get(chapter=chapter).approval_threshold == 0
    newcomer = MembershipFactory(chapter=chapter).user
    thread = services.start_thread(
        newcomer, CategoryFactory(chapter=chapter), "Hi", "https://example.org"
    )
    assert thread.posts.get().approved


def test_a_rejected_post_stays_hidden(chapter, organizer, organizer_client, client):
    newcomer = MembershipFactory(chapter=chapter).user
    thread = thread_with_posts(CategoryFactory(chapter=chapter), organizer)
    post = services.reply(newcomer, thread, "Cheap pills https://spam.example")
    organizer_client.post(url(chapter, f"moderation/posts/{post.pk}/"), {"action": "reject"})
    post.refresh_from_db()
    assert post.hidden and not post.approved
    assert "spam.example" not in client.get(thread.get_absolute_url()).text
    assert "spam.example" not in organizer_client.get(url(chapter, "moderation/")).text


def test_bad_moderation_action_is_refused(organizer_client, chapter, thread):
    post = thread.posts.first()
    response = organizer_client.post(url(chapter, f"moderation/posts/{post.pk}/"), {"action": "x"})
    assert response.status_code == 400 and "Choose an action" in response.text
    assert not ModerationAction.objects.exists()


def test_settings_and_categories_are_for_organizers(organizer_client, member_client, chapter):
    assert member_client.get(url(chapter, "manage/")).status_code == 403
    response = organizer_client.post(
        url(chapter, "manage/categories/new/"),
        {"name": "Digital Preservation", "slug": "preservation", "description": "", "position": 3},
    )
    assert response.status_code == 302
    duplicate = organizer_client.post(
        url(chapter, "manage/categories/new/"),
        {"name": "Again", "slug": "preservation", "description": "", "position": 4},
    )
    assert duplicate.status_code == 400
    assert "already" in field_error(duplicate, "slug")
    bad = organizer_client.post(
        url(chapter, "manage/"), {"visibility": "secret", "approval_threshold": -1}
    )
    assert bad.status_code == 400
    assert (
        member_client.post(
            url(chapter, "manage/categories/new/"), {"name": "X", "slug": "x", "position": 0}
        ).status_code
        == 403
    )
