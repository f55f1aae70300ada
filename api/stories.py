"""Stories: published ones for everyone, drafts for their authors and the organizers.

Writing goes through the story editor's form and stories.services.save_story, and who may
write or edit is decided by stories.permissions, as on the pages.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from api.auth import TokenAuth
from api.errors import error_responses, invalid
from api.reading import absolute, chapter_or_404, paginate
from api.schemas import (
    ChapterSlug,
    PageQuery,
    StoryDetailOut,
    StoryIn,
    StoryPage,
    StoryPatch,
    StorySlug,
)
from stories import services
from stories.forms import StoryForm
from stories.models import Category, Story
from stories.permissions import can_edit, writable_kinds

router = Router(tags=["stories"])

# The API's names for the editor form's fields, where they differ.
FORM_NAMES = {"categories_text": "categories"}
CATEGORIES = Prefetch("categories", Category.objects.order_by("name"))


def stories_of(chapter_slug: str, user):
    """The chapter's stories the user may read, with what a list shows of them."""
    return (
        Story.objects.visible_to(user)
        .filter(chapter__slug=chapter_slug)
        .select_related("chapter", "author__profile")
        .prefetch_related(CATEGORIES)
    )


def story_or_404(chapter_slug: str, story_slug: str, user) -> Story:
    story = stories_of(chapter_slug, user).filter(slug=story_slug).first()
    if story is None:
        raise Http404(_("This chapter has no story with this short name that you may read."))
    return story


def story_out(story: Story) -> dict:
    return {
        "slug": story.slug,
        "chapter": story.chapter.slug,
        "kind": story.kind,
        "title": story.title,
        "excerpt": story.excerpt,
        "author": story.author.display_name if story.author else None,
        "status": story.status,
        "published": story.published,
        "updated": story.updated,
        "categories": [category.name for category in story.categories.all()],
        "url": absolute(story.get_absolute_url()),
    }


def story_detail_out(story: Story) -> dict:
    return {
        **story_out(story),
        "body": story.body,
        "body_format": story.body_format,
        "body_html": str(story.body_html()),
    }


@router.get(
    "/{slug}/stories/",
    response={200: StoryPage, **error_responses(404)},
    url_name="stories",
)
def story_list(request: HttpRequest, slug: ChapterSlug, page: Query[PageQuery]):
    """Published stories, newest first; with a token, also the drafts you may see (first)."""
    chapter_or_404(slug)
    newest_first = (F("published").desc(nulls_first=True), "-created", "-pk")
    return paginate(stories_of(slug, request.auth).order_by(*newest_first), page, story_out)


@router.get(
    "/{slug}/stories/{story_slug}/",
    response={200: StoryDetailOut, **error_responses(404)},
    url_name="story",
)
def story_detail(request: HttpRequest, slug: ChapterSlug, story_slug: StorySlug):
    """One story with its body, as written and as HTML."""
    return story_detail_out(story_or_404(slug, story_slug, request.auth))


@router.post(
    "/{slug}/stories/",
    auth=TokenAuth(),
    response={201: StoryDetailOut, **error_responses(403, 404, 429, body=True)},
)
def create_story(request: HttpRequest, slug: ChapterSlug, story: StoryIn):
    """Write a story (organizers), or a blog post (members, where the chapter allows it)."""
    chapter = chapter_or_404(slug)
    user = request.auth
    kinds = writable_kinds(user, chapter)
    if not kinds:
        raise PermissionDenied(
            _("Only organizers, and members where the chapter allows it, write here.")
        )
    new = Story(chapter=chapter, author=user, body_format=Story.Format.MARKDOWN)
    data = {
        "title": story.title,
        "kind": story.kind or kinds[0],
        "excerpt": story.excerpt,
        "body": story.body,
        "categories_text": ", ".join(story.categories),
    }
    saved = save(new, data, kinds, publish=story.publish)
    return Status(201, story_detail_out(story_or_404(slug, saved.slug, user)))


@router.patch(
    "/{slug}/stories/{story_slug}/",
    auth=TokenAuth(),
    response={200: StoryDetailOut, **error_responses(403, 404, body=True)},
)
def update_story(
    request: HttpRequest, slug: ChapterSlug, story_slug: StorySlug, changes: StoryPatch
):
    """Change a story (its author and the organizers); fields left out or null stay as they are."""
    user = request.auth
    story = story_or_404(slug, story_slug, user)
    if not can_edit(user, story):
        raise PermissionDenied(_("Only the author and the chapter's organizers can edit this."))
    kinds = writable_kinds(user, story.chapter) or [story.kind]
    data = {
        "title": story.title,
        "kind": story.kind,
        "excerpt": story.excerpt,
        "body": story.body,
        "categories_text": ", ".join(category.name for category in story.categories.all()),
    }
    given = {name: value for name, value in changes.dict().items() if value is not None}
    if "categories" in given:
        given["categories_text"] = ", ".join(given.pop("categories"))
    publish = given.pop("publish", story.is_published)
    saved = save(story, {**data, **given}, kinds, publish=publish)
    return story_detail_out(story_or_404(slug, saved.slug, user))


def save(story: Story, data: dict, kinds: list[str], publish: bool) -> Story:
    """Check the fields with the editor's form, then save as the editor does."""
    form = StoryForm(data, instance=story, kinds=kinds)
    if not form.is_valid():
        raise invalid(form, FORM_NAMES)
    fields = dict(form.cleaned_data)
    categories = fields.pop("categories_text")
    return services.save_story(story, fields, categories, publish=publish)
