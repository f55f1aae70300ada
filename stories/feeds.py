"""Atom feeds of stories, per chapter and for the whole instance, with full content."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from chapters.models import Chapter
from stories.models import Story

FEED_SIZE = 30


class AtomWithContent(Atom1Feed):
    """Atom 1.0 with each entry's whole body in <content type="html">."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})


def tag_uri(story: Story) -> str:
    """A stable entry id (RFC 4151) that survives changes of title, slug or address."""
    host = urlsplit(settings.SITE_URL).hostname
    return f"tag:{host},{story.created:%Y-%m-%d}:story/{story.pk}"


@method_decorator(require_safe, name="__call__")
class StoriesFeed(Feed):
    feed_type = AtomWithContent

    def items(self, obj):
        stories = Story.objects.published().select_related("chapter", "author__profile")
        if obj is not None:
            stories = stories.filter(chapter=obj)
        return stories.prefetch_related("categories")[:FEED_SIZE]

    def item_title(self, story: Story) -> str:
        return story.title

    def item_description(self, story: Story) -> str:
        return story.excerpt_text()

    def item_pubdate(self, story: Story):
        return story.published

    def item_updateddate(self, story: Story):
        return max(story.updated, story.published)

    def item_author_name(self, story: Story) -> str:
        return story.author.display_name if story.author else story.chapter.name

    def item_categories(self, story: Story) -> list[str]:
        return [category.name for category in story.categories.all()]

    def item_guid(self, story: Story) -> str:
        return tag_uri(story)

    item_guid_is_permalink = False

    def item_extra_kwargs(self, story: Story) -> dict:
        return {"content_html": str(story.body_html())}


class ChapterStoriesFeed(StoriesFeed):
    def get_object(self, request, slug: str) -> Chapter:
        return get_object_or_404(Chapter, slug=slug)

    def title(self, chapter: Chapter) -> str:
        return _("%(chapter)s: stories") % {"chapter": chapter.name}

    def subtitle(self, chapter: Chapter) -> str:
        return chapter.tagline

    def link(self, chapter: Chapter) -> str:
        return reverse("stories:list", args=[chapter.slug])

    def feed_url(self, chapter: Chapter) -> str:
        return reverse("stories:feed", args=[chapter.slug])


class AllStoriesFeed(StoriesFeed):
    def get_object(self, request):
        return None

    def title(self) -> str:
        return _("%(site)s: stories from every chapter") % {"site": settings.SITE_NAME}

    def link(self) -> str:
        return reverse("chapters:list")

    def feed_url(self) -> str:
        return reverse("all_stories_feed")
