"""Story lists, a story's page and its metadata, and the chapter page's latest stories."""

import datetime as dt

import pytest
from django.utils import timezone

from stories.models import Story
from tests.conftest import client_for
from tests.factories import ChapterFactory, MembershipFactory
from tests.queries import assert_queries_do_not_grow
from tests.stories.factories import StoryFactory

pytestmark = pytest.mark.django_db


def test_list_paginates_newest_first(client, chapter):
    now = timezone.now()
    for day in range(25):
        StoryFactory(
            chapter=chapter, title=f"Story {day:02d}", published=now - dt.timedelta(days=day)
        )
    first = client.get(f"/chapters/{chapter.slug}/stories/").text
    assert "Story 00" in first and "Story 19" in first and "Story 20" not in first
    assert "Page 1 of 2" in first
    second = client.get(f"/chapters/{chapter.slug}/stories/?page=2").text
    assert "Story 24" in second and "Story 00" not in second
    assert client.get(f"/chapters/{chapter.slug}/stories/?page=abc").status_code == 200


def test_drafts_and_future_stories_are_not_listed_or_shown(client, chapter, member):
    draft = StoryFactory(
        chapter=chapter, title="Secret plan", status=Story.Status.DRAFT, published=None
    )
    future = StoryFactory(
        chapter=chapter, title="Tomorrow", published=timezone.now() + dt.timedelta(days=1)
    )
    listing = client.get(f"/chapters/{chapter.slug}/stories/").text
    assert "Secret plan" not in listing and "Tomorrow" not in listing
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404
    assert client_for(member).get(draft.get_absolute_url()).status_code == 404


def test_organizers_see_drafts(organizer_client, chapter):
    draft = StoryFactory(
        chapter=chapter, title="Secret plan", status=Story.Status.DRAFT, published=None
    )
    assert "Secret plan" in organizer_client.get(f"/chapters/{chapter.slug}/stories/").text
    assert "Draft: only you" in organizer_client.get(draft.get_absolute_url()).text


def test_by_category_and_by_year(client, chapter):
    solr = StoryFactory(
        chapter=chapter, title="Solr at NYPL", published=dt.datetime(2009, 3, 1, tzinfo=dt.UTC)
    )
    StoryFactory(
        chapter=chapter, title="Koha day", published=dt.datetime(2010, 3, 1, tzinfo=dt.UTC)
    )
    from stories.services import set_categories

    set_categories(solr, ["Search", "Solr"])
    by_category = client.get(f"/chapters/{chapter.slug}/stories/category/solr/").text
    assert "Solr at NYPL" in by_category and "Koha day" not in by_category
    by_year = client.get(f"/chapters/{chapter.slug}/stories/year/2010/").text
    assert "Koha day" in by_year and "Solr at NYPL" not in by_year
    assert client.get(f"/chapters/{chapter.slug}/stories/category/nothing/").status_code == 404


def test_story_page_has_canonical_open_graph_and_twitter_metadata(client, chapter):
    story = StoryFactory(chapter=chapter, title="Meeting at METRO", excerpt="We met & talked.")
    page = client.get(story.get_absolute_url()).text
    url = f"http://testserver/chapters/{chapter.slug}/stories/{story.slug}/"
    assert f'<link rel="canonical" href="{url}">' in page
    assert f'<meta property="og:url" content="{url}">' in page
    assert '<meta property="og:type" content="article">' in page
    assert '<meta property="og:title" content="Meeting at METRO">' in page
    assert '<meta property="og:description" content="We met &amp; talked.">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert 'type="application/atom+xml"' in page


def test_chapter_page_shows_the_latest_stories(client, chapter):
    for number in range(7):
        StoryFactory(
            chapter=chapter,
            title=f"News {number}",
            published=timezone.now() - dt.timedelta(hours=number),
        )
    StoryFactory(chapter=ChapterFactory(), title="Elsewhere")
    page = client.get(chapter.get_absolute_url()).text
    assert "News 0" in page and "News 4" in page and "News 5" not in page
    assert "Elsewhere" not in page


def test_html_excerpts_are_shown_as_text(client, chapter):
    StoryFactory(chapter=chapter, excerpt="<strong>Joshua</strong>, LibLime <!--break--> more")
    page = client.get(f"/chapters/{chapter.slug}/stories/").text
    assert "&lt;strong&gt;" not in page and "Joshua, LibLime" in page


def test_story_list_queries_do_not_grow(client, chapter):
    StoryFactory.create_batch(3, chapter=chapter, categories=["A", "B"])
    assert_queries_do_not_grow(
        client,
        f"/chapters/{chapter.slug}/stories/",
        lambda: StoryFactory.create_batch(15, chapter=chapter, categories=["A", "C"]),
    )


def test_members_only_blog_when_the_chapter_allows(chapter, member):
    client = client_for(member)
    assert client.get(f"/chapters/{chapter.slug}/stories/new/").status_code == 403
    chapter.members_can_blog = True
    chapter.save()
    assert client.get(f"/chapters/{chapter.slug}/stories/new/").status_code == 200
    outsider = client_for(MembershipFactory(chapter=ChapterFactory()).user)
    assert outsider.get(f"/chapters/{chapter.slug}/stories/new/").status_code == 403
