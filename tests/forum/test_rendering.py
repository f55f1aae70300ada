"""Post bodies: Markdown, highlighted code, sanitizing, mentions, quotes and link cards."""

import pytest

from chapterhouse.markup import render_markdown
from forum.rendering import (
    has_link,
    mentioned_handles,
    quote,
    render_bodies,
    render_body,
)
from tests.meetings.factories import MeetingFactory


def test_fenced_code_is_highlighted_with_classes_only():
    html = str(render_body("```python\ndef hello():\n    return 1\n```"))
    assert '<code class="language-python">' in html
    assert '<span class="hl-k">def</span>' in html
    assert "style=" not in html


def test_unknown_language_is_plain_escaped_code():
    html = str(render_body("```nosuchlanguage\n<b>x</b>\n```"))
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "hl-" not in html


def test_highlight_classes_are_not_allowed_outside_forum_rendering():
    assert 'class="hl-k"' not in str(render_markdown('<span class="hl-k">x</span>'))
    # In a post they may appear on spans only, never on other tags.
    html = str(render_body('<p class="hl-k">x</p><span class="site-header hl-k">y</span>'))
    assert '<p class="hl-k">' not in html and '<span class="hl-k">y</span>' in html


@pytest.mark.parametrize(
    "attack",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "```html\n</code></pre><script>alert(1)</script>\n```",
    ],
)
def test_xss_attempts_are_neutralized(attack):
    html = str(render_body(attack)).lower()
    assert "<script" not in html and "onerror=" not in html and 'href="javascript' not in html


def test_mentions_are_slugified_display_names_outside_code():
    body = "Thanks @ana-maria-ruiz and @Bob! `@not-me`\n```\n@nor-me\n```\nmail a@b.org"
    assert mentioned_handles(body) == {"ana-maria-ruiz", "bob"}


def test_quote_is_a_markdown_blockquote_with_attribution():
    quoted = quote("Ana Ruiz", "First line\n\nSecond")
    assert quoted == "> **Ana Ruiz:**\n>\n> First line\n>\n> Second\n\n"
    assert "<blockquote>" in str(render_body(quoted))


def test_has_link():
    assert has_link("see https://example.org") and has_link("[x](/y)")
    assert not has_link("no links here")


def test_a_meeting_link_on_its_own_line_becomes_a_card(chapter, django_assert_max_num_queries):
    meeting = MeetingFactory(chapter=chapter, title="Solr night")
    other = MeetingFactory(chapter=chapter, title="Hack day")
    bodies = {
        1: f"Come along:\n\nhttp://testserver{meeting.get_absolute_url()}\n\nSee you.",
        2: f"<{other.get_absolute_url()}>",
        3: f"Inline http://testserver{meeting.get_absolute_url()} stays a plain link",
    }
    with django_assert_max_num_queries(1):  # every meeting card of the page in one query
        html = {pk: str(body) for pk, body in render_bodies(bodies).items()}
    assert 'class="link-card link-card-meeting"' in html[1] and "Solr night" in html[1]
    assert "Come along" in html[1] and "See you." in html[1]
    assert "Hack day" in html[2]
    assert "link-card" not in html[3]


def test_a_link_to_something_missing_or_elsewhere_stays_a_link(chapter):
    html = str(render_body("http://testserver/chapters/code4libnyc/meetings/999/"))
    assert (
        "link-card" not in html
        and 'href="http://testserver/chapters/code4libnyc/meetings/999/"' in html
    )
    assert "link-card" not in str(render_body("https://evil.example/chapters/x/meetings/1/"))


def test_project_and_story_cards(chapter):
    from projects.models import Project
    from stories.models import Story

    project = Project.objects.create(
        chapter=chapter, name="OCR pipeline", slug="ocr", summary="Text from scans"
    )
    story = Story.objects.create(
        chapter=chapter,
        title="Recap",
        slug="recap",
        body="x",
        status=Story.Status.PUBLISHED,
        published="2026-01-01T00:00:00Z",
    )
    html = str(render_body(f"{project.get_absolute_url()}\n\n{story.get_absolute_url()}"))
    assert "link-card-project" in html and "OCR pipeline" in html and "Text from scans" in html
    assert "link-card-story" in html and "Recap" in html
