"""Atom feeds, read back with feedparser."""

import datetime as dt

import feedparser
import pytest

from stories.models import Story
from tests.factories import ChapterFactory
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_chapter_feed_has_full_content_and_stable_ids(client, chapter):
    story = StoryFactory(
        chapter=chapter,
        title="Solr & Blacklight",
        excerpt="<b>Search</b> night",
        body="We tried **Blacklight**.\n\n<script>alert(1)</script>",
        categories=["Search"],
        published=dt.datetime(2009, 5, 8, 14, 0, tzinfo=dt.UTC),
    )
    StoryFactory(chapter=chapter, status=Story.Status.DRAFT, published=None, title="Draft")
    StoryFactory(chapter=ChapterFactory(), title="Elsewhere")
    feed = parse(client, f"/chapters/{chapter.slug}/stories/feed/")
    assert feed.version == "atom10"
    (entry,) = feed.entries
    assert entry.title == "Solr & Blacklight"
    assert entry.link == f"http://testserver{story.get_absolute_url()}"
    assert entry.id == f"tag:testserver,{story.created:%Y-%m-%d}:story/{story.pk}"
    (content,) = entry.content
    assert content.type == "text/html"
    assert "<strong>Blacklight</strong>" in content.value
    assert "script" not in content.value
    assert entry.summary == "Search night"
    assert [tag.term for tag in entry.tags] == ["Search"]

    story.title, story.slug = "Renamed", "renamed"
    story.save()
    assert parse(client, f"/chapters/{chapter.slug}/stories/feed/").entries[0].id == entry.id


def test_instance_feed_has_every_chapter(client, chapter):
    StoryFactory(chapter=chapter, title="Here")
    StoryFactory(chapter=ChapterFactory(), title="There")
    feed = parse(client, "/stories/feed/")
    assert {entry.title for entry in feed.entries} == {"Here", "There"}


def test_the_imported_corpus_makes_a_valid_feed(client, chapter):
    import io

    from django.core.management import call_command

    from tests.corpus import POSTS

    call_command(
        "import-posts",
        str(POSTS),
        "--chapter",
        chapter.slug,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    feed = parse(client, f"/chapters/{chapter.slug}/stories/feed/")
    assert len(feed.entries) == 30
    assert all(entry.content[0].type == "text/html" for entry in feed.entries)
    assert sum(bool(entry.content[0].value) for entry in feed.entries) >= 29


def test_unknown_chapter_feed_is_404(client, db):
    assert client.get("/chapters/nowhere/stories/feed/").status_code == 404
