"""Forum mail over a real SMTP server: mentions, watching, digests, unsubscribing, replies."""

from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from forum import mail, services
from forum.models import Notification, Preference
from tests.conftest import client_for
from tests.factories import MembershipFactory
from tests.forum.factories import CategoryFactory, thread_with_posts

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def category(chapter):
    return CategoryFactory(chapter=chapter)


def new_member(chapter, name: str):
    return MembershipFactory(chapter=chapter, user__profile__display_name=name).user


def test_a_mention_notifies_the_member(smtp_server, chapter, organizer, category):
    ana = new_member(chapter, "Ana María Ruiz")
    bob = new_member(chapter, "Bob Stone")
    thread = thread_with_posts(category, organizer)
    services.reply(organizer, thread, "What do you think, @ana-maria-ruiz?")
    [message] = smtp_server.messages
    assert message["X-Envelope-To"] == ana.email
    assert message["Subject"] == f"[{chapter.name}] {thread.title}"
    assert "What do you think, @ana-maria-ruiz?" in smtp_server.body(message)
    assert "You were mentioned" in smtp_server.body(message)
    assert not smtp_server.to(bob.email)


def test_watchers_of_a_thread_and_a_category_hear_of_new_posts(
    smtp_server, chapter, organizer, member, category
):
    category_watcher = new_member(chapter, "Cat Watcher")
    services.watch(category_watcher, category=category)
    thread = services.start_thread(organizer, category, "DSpace 7", "Who has migrated?")
    assert [m["X-Envelope-To"] for m in smtp_server.messages] == [category_watcher.email]
    services.reply(member, thread, "We did, last spring.")  # the author watches: organizer hears
    assert len(smtp_server.to(organizer.email)) == 1
    assert len(smtp_server.to(category_watcher.email)) == 2
    assert not smtp_server.to(member.email)  # never about one's own post
    services.reply(organizer, thread, "How long did it take?")  # the replier now watches too
    assert len(smtp_server.to(member.email)) == 1
    services.unwatch(category_watcher, category=category)
    services.reply(member, thread, "About three months.")
    assert len(smtp_server.to(category_watcher.email)) == 3  # nothing since unwatching


def test_watch_buttons(member_client, member, chapter, organizer, category):
    thread = thread_with_posts(category, organizer)
    base = f"/chapters/{chapter.slug}/forum/"
    member_client.post(f"{base}t/{thread.pk}/watch/", {"watch": "on"})
    assert "Stop watching" in member_client.get(thread.get_absolute_url()).text
    member_client.post(f"{base}t/{thread.pk}/watch/", {"watch": "off"})
    assert "Watch this thread" in member_client.get(thread.get_absolute_url()).text
    member_client.post(f"{base}c/{category.slug}/watch/", {"watch": "on"})
    assert "Stop watching this category" in member_client.get(category.get_absolute_url()).text
    outsider = client_for(MembershipFactory().user)
    assert outsider.post(f"{base}t/{thread.pk}/watch/", {"watch": "on"}).status_code == 403


def test_digest_readers_get_one_daily_message(smtp_server, chapter, organizer, member, category):
    member_client = client_for(member)
    response = member_client.post(f"/chapters/{chapter.slug}/forum/e-mail/", {"delivery": "digest"})
    assert response.status_code == 302
    services.watch(member, category=category)
    thread = services.start_thread(organizer, category, "Blacklight and Hydra", "Thoughts?")
    services.reply(organizer, thread, "Also, Samvera naming.")
    assert not smtp_server.messages
    call_command("send-forum-digests")
    [digest] = smtp_server.messages
    body = smtp_server.body(digest)
    assert "2 new forum posts" in digest["Subject"]
    assert "Blacklight and Hydra" in body and "Samvera naming" in body
    call_command("send-forum-digests")  # nothing new: nothing sent
    assert len(smtp_server.messages) == 1
    assert not Notification.objects.filter(sent_at=None).exists()


def test_bad_delivery_choice_is_a_form_error(member_client, chapter):
    response = member_client.post(f"/chapters/{chapter.slug}/forum/e-mail/", {"delivery": "x"})
    assert response.status_code == 400
    assert not Preference.objects.exists()


def test_one_click_unsubscribe_stops_forum_mail(smtp_server, chapter, organizer, member, category):
    thread = thread_with_posts(category, organizer)
    services.watch(member, thread=thread)
    services.reply(organizer, thread, "First")
    [message] = smtp_server.to(member.email)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip().strip("<>")
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(link).path, {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    assert link in smtp_server.body(message)  # the visible link too
    services.reply(organizer, thread, "Second")
    assert len(smtp_server.to(member.email)) == 1


def test_reply_to_carries_a_verifiable_token(smtp_server, chapter, organizer, member, category):
    thread = thread_with_posts(category, organizer)
    services.watch(member, thread=thread)
    services.reply(organizer, thread, "Anyone?")
    [message] = smtp_server.to(member.email)
    local, _at, domain = message["Reply-To"].partition("@")
    assert domain == "testserver" and local.startswith("reply+")
    token = local.removeprefix("reply+")
    assert mail.read_reply_token(token) == (thread.pk, member.pk)
    assert mail.read_reply_token(token.upper()) == (thread.pk, member.pk)  # case folded in transit
    forged = f"{thread.pk}.{organizer.pk}.{token.split('.')[2]}"
    assert mail.read_reply_token(forged) is None
    assert mail.read_reply_token("nonsense") is None


def test_hidden_posts_are_not_mailed(smtp_server, chapter, organizer, member, category):
    newcomer = new_member(chapter, "New Comer")
    thread = thread_with_posts(category, organizer)
    services.watch(member, thread=thread)
    services.reply(newcomer, thread, "Buy now https://spam.example")  # waits for approval
    assert not smtp_server.messages
