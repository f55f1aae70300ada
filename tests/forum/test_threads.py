"""Reading and writing threads: categories, posting, quoting, editing, deleting, reading."""

import pytest

from chapterhouse import ratelimit
from forum import services
from forum.models import Category, ForumSettings, Post, PostRevision, Thread, ThreadRead
from tests.conftest import client_for
from tests.factories import FocusAreaFactory, MembershipFactory, OrganizerFactory, UserFactory
from tests.forum.factories import CategoryFactory, thread_with_posts
from tests.html import field_error, form_error, text_of
from tests.queries import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db


def forum_url(chapter, rest: str = "") -> str:
    return f"/chapters/{chapter.slug}/forum/{rest}"


def start(
    client,
    chapter,
    title="Solr relevancy tuning",
    body="How do you boost titles?",
    category="general",
):
    return client.post(
        forum_url(chapter, "new/"), {"title": title, "body": body, "category": category}
    )


def test_default_categories_are_made_on_first_visit(client, chapter):
    FocusAreaFactory(chapter=chapter, name="Discovery Systems")
    response = client.get(forum_url(chapter))
    assert response.status_code == 200
    slugs = list(Category.objects.filter(chapter=chapter).values_list("slug", flat=True))
    assert slugs == ["general", "discovery-systems", "jobs"]
    assert "Discovery Systems" in response.text
    services.ensure_default_categories(chapter)  # again: nothing doubles
    assert Category.objects.filter(chapter=chapter).count() == 3


def test_a_member_starts_a_thread_and_watches_it(member_client, member, chapter):
    services.ensure_default_categories(chapter)
    response = start(member_client, chapter)
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == thread.get_absolute_url()
    assert thread.author == member and thread.category.slug == "general"
    page = member_client.get(thread.get_absolute_url())
    assert "How do you boost titles?" in page.text
    assert "Stop watching" in page.text


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "", "body": "x"}, "title", "This field is required."),
        ({"title": "x", "body": "  "}, "body", "This field is required."),
        ({"title": "x" * 201, "body": "x"}, "title", "at most 200 characters"),
        ({"title": "x", "body": "x" * 20001}, "body", "at most 20000 characters"),
        ({"title": "x", "body": "x", "category": "nope"}, "category", "Choose one of the forum"),
    ],
)
def test_bad_thread_input_is_a_form_error_and_writes_nothing(
    member_client, chapter, data, field, message
):
    services.ensure_default_categories(chapter)
    response = member_client.post(forum_url(chapter, "new/"), {"category": "general", **data})
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert not Thread.objects.exists() and not Post.objects.exists()


def test_outsiders_cannot_post(outsider, chapter):
    services.ensure_default_categories(chapter)
    response = start(client_for(outsider), chapter)
    assert response.status_code == 403
    assert "Only members" in form_error(response)
    assert not Thread.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, chapter):
    response = client.get(forum_url(chapter, "new/"))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_reply_quote_and_locked_thread(member_client, member, organizer, chapter):
    category = CategoryFactory(chapter=chapter)
    thread = thread_with_posts(category, organizer)
    first = thread.posts.get()
    page = member_client.get(f"{thread.get_absolute_url()}?quote={first.pk}")
    assert f"&gt; **{organizer.display_name}:**\n&gt;\n&gt; Post number 0" in page.text
    response = member_client.post(
        forum_url(chapter, f"t/{thread.pk}/reply/"), {"body": "> quoted\n\nMy answer"}
    )
    reply = Post.objects.get(position=1)
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{reply.pk}")
    thread.refresh_from_db()
    assert thread.reply_count == 1 and reply.author == member
    thread.locked = True
    thread.save()
    response = member_client.post(forum_url(chapter, f"t/{thread.pk}/reply/"), {"body": "More"})
    assert response.status_code == 400
    assert "This thread is locked" in form_error(response)
    assert Post.objects.count() == 2


def test_an_empty_reply_is_a_form_error(member_client, organizer, chapter):
    thread = thread_with_posts(CategoryFactory(chapter=chapter), organizer)
    response = member_client.post(forum_url(chapter, f"t/{thread.pk}/reply/"), {"body": ""})
    assert response.status_code == 400
    assert "required" in field_error(response, "body")
    assert Post.objects.count() == 1


def test_editing_keeps_revisions_for_the_author_and_organizers(
    member_client, member, organizer, chapter
):
    thread = thread_with_posts(CategoryFactory(chapter=chapter), member)
    post = thread.posts.get()
    url = forum_url(chapter, f"p/{post.pk}/")
    response = member_client.post(url + "edit/", {"body": "Corrected text", "title": "New title"})
    assert response.status_code == 302
    post.refresh_from_db()
    thread.refresh_from_db()
    assert post.body == "Corrected text" and post.edited and thread.title == "New title"
    assert PostRevision.objects.get().body == "Post number 0"
    for client in (member_client, client_for(organizer)):
        history = client.get(url + "history/")
        assert history.status_code == 200 and "Post number 0" in history.text
    other = MembershipFactory(chapter=chapter).user
    assert client_for(other).get(url + "history/").status_code == 403
    assert client_for(other).post(url + "edit/", {"body": "Vandal"}).status_code == 403
    assert Post.objects.get().body == "Corrected text"


def test_deleting_leaves_a_placeholder_in_place(member_client, member, organizer, chapter):
    thread = thread_with_posts(CategoryFactory(chapter=chapter), organizer, replies=2)
    middle = thread.posts.get(position=1)
    middle.author = member
    middle.save()
    assert member_client.post(forum_url(chapter, f"p/{middle.pk}/delete/")).status_code == 302
    text = text_of(member_client.get(thread.get_absolute_url()).text)
    assert (
        text.index("Post number 0")
        < text.index("This post was deleted.")
        < text.index("Post number 2")
    )
    assert "Post number 1" not in text
    someone = client_for(MembershipFactory(chapter=chapter).user)
    first = thread.posts.get(position=0)
    assert someone.post(forum_url(chapter, f"p/{first.pk}/delete/")).status_code == 403


def test_unread_marker(member_client, member, organizer, chapter):
    category = CategoryFactory(chapter=chapter)
    thread = thread_with_posts(category, organizer, replies=1)
    assert "is-unread" in member_client.get(category.get_absolute_url()).text
    member_client.get(thread.get_absolute_url())
    assert ThreadRead.objects.get(user=member, thread=thread).last_read_position == 1
    assert "is-unread" not in member_client.get(category.get_absolute_url()).text
    services.reply(organizer, thread, "A new reply")
    assert "is-unread" in member_client.get(forum_url(chapter)).text


def test_members_only_forum_shows_nothing_to_others(
    client, outsider, member_client, chapter, organizer
):
    thread = thread_with_posts(CategoryFactory(chapter=chapter), organizer)
    ForumSettings.objects.create(chapter=chapter, visibility=ForumSettings.Visibility.MEMBERS)
    for path in ("", "c/general/", f"t/{thread.pk}/", f"p/{thread.posts.get().pk}/"):
        anonymous = client.get(forum_url(chapter, path))
        assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
        refused = client_for(outsider).get(forum_url(chapter, path))
        assert refused.status_code == 403 and "Members only" in refused.text
        assert thread.title not in refused.text
        assert member_client.get(forum_url(chapter, path), follow=True).status_code == 200


def test_public_forum_is_readable_by_anyone(client, organizer, chapter):
    thread = thread_with_posts(CategoryFactory(chapter=chapter), organizer)
    assert thread.title in client.get(forum_url(chapter)).text
    page = client.get(thread.get_absolute_url())
    assert page.status_code == 200 and "Log in to reply" in page.text


def test_another_chapters_thread_is_not_found_here(member_client, chapter):
    other = OrganizerFactory().chapter
    thread = thread_with_posts(CategoryFactory(chapter=other), UserFactory())
    assert member_client.get(forum_url(chapter, f"t/{thread.pk}/")).status_code == 404


def test_rate_limit_refuses_with_429_and_writes_nothing(member_client, member, chapter):
    services.ensure_default_categories(chapter)
    key, limit, window = services.rate_keys(member, "127.0.0.1")[0]
    for _ in range(limit):
        assert ratelimit.hit(key, limit, window)
    response = start(member_client, chapter)
    assert response.status_code == 429
    assert "posting too fast" in form_error(response)
    assert not Thread.objects.exists()


def test_thread_page_queries_do_not_grow_and_long_threads_paginate(member_client, member, chapter):
    thread = thread_with_posts(CategoryFactory(chapter=chapter), member, replies=9)
    url = thread.get_absolute_url()

    def add_posts():
        Post.objects.bulk_create(
            [
                Post(thread=thread, author=member, body=f"Extra {n}", position=n)
                for n in range(10, 500)
            ]
        )
        Thread.objects.filter(pk=thread.pk).update(reply_count=499)

    member_client.get(url)  # the first visit makes the forum's settings and the read marker
    assert_queries_do_not_grow(member_client, url, add_posts)
    last = member_client.get(url + "?page=10")
    assert "Extra 499" in last.text and "Extra 449" not in last.text
    assert "Page 10 of 10" in last.text
    assert member_client.get(url + "?page=banana").status_code == 200


def test_category_list_queries_do_not_grow(member_client, member, chapter):
    category = CategoryFactory(chapter=chapter)
    thread_with_posts(category, member)

    def add_threads():
        for _ in range(40):
            thread_with_posts(category, UserFactory())

    member_client.get(category.get_absolute_url())  # the first visit makes the settings
    assert_queries_do_not_grow(member_client, category.get_absolute_url(), add_threads)
    assert_queries_do_not_grow(member_client, forum_url(chapter), add_threads)


def test_a_thread_can_be_about_one_of_the_chapters_projects(member_client, chapter):
    from projects.models import Project

    services.ensure_default_categories(chapter)
    project = Project.objects.create(chapter=chapter, name="OCR", slug="ocr", summary="Scans")
    response = member_client.post(
        forum_url(chapter, "new/"),
        {"title": "OCR help", "body": "Ideas?", "category": "general", "project": "ocr"},
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and thread.project == project
    assert list(project.threads.all()) == [thread]
    assert project.get_absolute_url() in member_client.get(thread.get_absolute_url()).text
