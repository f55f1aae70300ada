"""Writing stories: preview, drafts, publishing, permissions and bad input."""

import pytest

from stories.models import Redirect, Story
from stories.services import add_redirect
from tests.conftest import client_for
from tests.html import field_error
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<div style="position:fixed;top:0;left:0;width:100%;height:100%">covered</div>',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example.org"><input name="password"></form>',
    '<iframe src="https://evil.example.org/"></iframe>',
]


def post_story(client, chapter, action: str, **changes):
    data = {
        "title": "First meeting",
        "kind": "story",
        "excerpt": "",
        "body": "We meet **Wednesday**.",
        "categories_text": "Meetings, METRO",
        action: "1",
        **changes,
    }
    return client.post(f"/chapters/{chapter.slug}/stories/new/", data)


def test_preview_writes_nothing(organizer_client, chapter):
    response = post_story(organizer_client, chapter, "preview")
    assert response.status_code == 200
    assert "<strong>Wednesday</strong>" in response.text
    assert not Story.objects.exists()


def test_save_a_draft_then_publish(organizer_client, organizer, chapter):
    response = post_story(organizer_client, chapter, "save")
    story = Story.objects.get()
    assert response.status_code == 302 and story.status == "draft" and story.published is None
    assert story.author == organizer
    assert sorted(story.categories.values_list("name", flat=True)) == ["METRO", "Meetings"]
    organizer_client.post(
        f"/chapters/{chapter.slug}/stories/{story.slug}/edit/",
        {"title": "First meeting", "kind": "story", "body": "Updated", "publish": "1"},
    )
    story.refresh_from_db()
    assert story.status == "published" and story.published is not None and story.body == "Updated"


@pytest.mark.parametrize("payload", XSS)
def test_rich_text_payloads_are_neutralized(organizer_client, client, chapter, payload):
    post_story(
        organizer_client, chapter, "publish", body=f"Before {payload} after", title=payload[:50]
    )
    story = Story.objects.get()
    page = client.get(story.get_absolute_url()).text
    body = page.split('<div class="prose">', 1)[1].split("</article>", 1)[0]
    lowered = body.lower()
    assert (
        "<script" not in lowered and 'href="javascript' not in lowered and "onerror" not in lowered
    )
    assert "onload" not in lowered and "<svg" not in lowered and "style=" not in lowered
    assert "<form" not in lowered and "<input" not in lowered and "<style" not in lowered
    assert 'src="https://evil.example.org' not in lowered
    assert "Before" in body and "after" in body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "required"),
        ({"title": "t" * 301}, "title", "at most 300"),
        ({"excerpt": "e" * 2001}, "excerpt", "at most 2000"),
        ({"categories_text": "x" * 101}, "categories_text", "at most 100"),
        (
            {"categories_text": ",".join(f"c{n}" for n in range(11))},
            "categories_text",
            "At most 10",
        ),
        ({"kind": "manifesto"}, "kind", "valid choice"),
    ],
)
def test_bad_story_input_is_rejected(organizer_client, chapter, changes, field, message):
    response = post_story(organizer_client, chapter, "publish", **changes)
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert not Story.objects.exists()


def test_members_write_only_blog_posts_and_edit_only_their_own(chapter, member, organizer):
    chapter.members_can_blog = True
    chapter.save()
    client = client_for(member)
    assert post_story(client, chapter, "publish", kind="page").status_code == 400
    post_story(client, chapter, "publish", kind="blog")
    story = Story.objects.get()
    assert story.kind == "blog" and story.status == "published"
    theirs = StoryFactory(chapter=chapter, author=organizer, kind="blog")
    assert client.get(f"/chapters/{chapter.slug}/stories/{theirs.slug}/edit/").status_code == 403
    assert client.post(f"/chapters/{chapter.slug}/stories/{theirs.slug}/delete/").status_code == 403
    assert client.get(f"/chapters/{chapter.slug}/stories/{story.slug}/edit/").status_code == 200


def test_reserved_words_never_become_slugs(organizer_client, chapter):
    post_story(organizer_client, chapter, "publish", title="New")
    story = Story.objects.get()
    assert story.slug == "new-story"
    assert organizer_client.get(story.get_absolute_url()).status_code == 200


def test_organizer_deletes_a_story_and_its_old_addresses(organizer_client, client, chapter):
    story = StoryFactory(chapter=chapter)
    add_redirect("/node/1", story)
    organizer_client.post(f"/chapters/{chapter.slug}/stories/{story.slug}/delete/")
    assert not Story.objects.exists() and not Redirect.objects.exists()
    assert client.get("/node/1").status_code == 404


@pytest.mark.parametrize(
    "target",
    ["//evil.example.org/", "https://evil.example.org/", "/\\evil.example.org", "evil", "/a b"],
)
def test_redirects_never_point_off_site(target, db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Redirect(old_path="/old", target_path=target).full_clean()
    with pytest.raises(ValidationError):
        Redirect(old_path=target, target_path="/fine").full_clean()


def test_admin_redirect_to_a_path(client, db):
    Redirect.objects.create(old_path="/about-us", target_path="/chapters/")
    response = client.get("/about-us")
    assert response.status_code == 301 and response.url == "/chapters/"
    assert client.get("/about-them").status_code == 404
    assert client.post("/about-us").status_code == 404  # only reads are redirected
