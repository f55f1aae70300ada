"""Writes for stories: writing, publishing, categories, imports and old addresses."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from chapterhouse import ratelimit
from chapters.models import Chapter
from stories.frontmatter import Post
from stories.models import Category, Redirect, Story, validate_local_path

# Words the story URLs use for other pages.
RESERVED_SLUGS = {"new", "feed", "category", "year"}


def unique_slug(chapter: Chapter, text: str, exclude: Story | None = None) -> str:
    """A slug for the chapter's story, made unique with -2, -3 ... if needed."""
    base = slugify(text, allow_unicode=True)[:190] or "story"
    if base in RESERVED_SLUGS:
        base = f"{base}-story"
    stories = Story.objects.filter(chapter=chapter).exclude(pk=exclude.pk if exclude else None)
    if not stories.filter(slug=base).exists():  # the usual case, and an indexed lookup
        return base
    taken = set(stories.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def set_categories(story: Story, names: list[str], known: dict | None = None) -> None:
    """Give the story exactly these categories, creating any the chapter lacks.

    `known` caches the chapter's categories by slug across calls (an import run).
    """
    known = {} if known is None else known
    categories = []
    for name in names:
        slug = slugify(name, allow_unicode=True)[:100] or "category"
        if slug not in known:
            known[slug], _created = Category.objects.get_or_create(
                chapter=story.chapter, slug=slug, defaults={"name": name}
            )
        categories.append(known[slug])
    story.categories.set(categories)


@transaction.atomic
def save_story(story: Story, fields: dict, categories: list[str], publish: bool) -> Story:
    """Create or update a story written on the site; publishing stamps its publication time.

    Each author may start only so many stories an hour (ratelimit.RateLimited past that).
    """
    if story._state.adding and story.author_id:
        ratelimit.charge("story:account", story.author_id)
    for name, value in fields.items():
        setattr(story, name, value)
    if not story.slug:
        story.slug = unique_slug(story.chapter, story.title)
    now = timezone.now()
    story.updated = now
    if publish and story.status != Story.Status.PUBLISHED:
        story.status, story.published = Story.Status.PUBLISHED, story.published or now
    elif not publish:
        story.status = Story.Status.DRAFT
    story.full_clean(exclude=["categories"])
    story.save()
    set_categories(story, categories)
    return story


@transaction.atomic
def delete_story(story: Story) -> None:
    """Delete a story and the old addresses that led to it."""
    story.delete()


@transaction.atomic
def import_post(
    chapter: Chapter, post: Post, categories: dict | None = None
) -> tuple[Story, bool, list[str]]:
    """Create or update the story imported from `post.source`; return it, whether new, warnings."""
    story = Story.objects.filter(chapter=chapter, source=post.source).first()
    created = story is None
    if created:
        story = Story(chapter=chapter, source=post.source)
        story.slug = unique_slug(chapter, post.slug)
    story.kind, story.title = post.kind, post.title
    story.excerpt, story.body, story.body_format = post.excerpt, post.body, post.body_format
    story.created = story.updated = post.created
    story.published = None if post.draft else post.created
    story.status = Story.Status.DRAFT if post.draft else Story.Status.PUBLISHED
    # Field checks only: the unique constraints are the database's to enforce.
    story.clean_fields(exclude=["categories", "author"])
    story.save()
    set_categories(story, post.categories, categories)
    warnings = []
    warning = add_redirect(post.dated_path, story)
    if warning:
        warnings.append(warning)
    return story, created, warnings


def add_redirect(old_path: str, story: Story) -> str:
    """Make an old path lead to the story; return a warning if it already leads elsewhere."""
    validate_local_path(old_path)
    redirect, created = Redirect.objects.get_or_create(old_path=old_path, defaults={"story": story})
    if not created and redirect.story_id != story.pk:
        return _("%(path)s already leads to %(target)s; left as it was.") % {
            "path": old_path,
            "target": redirect.target,
        }
    return ""


def find_redirect(path: str) -> Redirect | None:
    """The redirect for a requested path, with or without its trailing slash."""
    candidates = {path, path.rstrip("/") or "/", path if path.endswith("/") else path + "/"}
    return (
        Redirect.objects.filter(old_path__in=candidates)
        .select_related("story__chapter")
        .order_by("pk")
        .first()
    )


def story_at(path: str) -> Story | None:
    """The story a path leads to: its address here, or an old address already known."""
    redirect = find_redirect(path)
    if redirect is not None:
        return redirect.story
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != "stories:detail":
        return None
    return Story.objects.filter(
        chapter__slug=match.kwargs["slug"], slug=match.kwargs["story"]
    ).first()


def import_redirect_row(old_paths: list[str], new_path: str) -> tuple[int, str]:
    """Point each old path at the story whose address (or old address) is `new_path`."""
    story = story_at(new_path)
    if story is None:
        raise ValidationError(_("no story has the address %(path)s") % {"path": new_path})
    added, warnings = 0, []
    for old_path in old_paths:
        if not old_path or old_path == new_path:
            continue
        warning = add_redirect(old_path, story)
        added += not warning
        if warning:
            warnings.append(warning)
    return added, " ".join(warnings)


def story_as_post(story: Story) -> Post:
    """The front-matter form of a story, for export."""
    return Post(
        source=story.source or f"{story.created:%Y-%m-%d}-{story.slug}.md",
        title=story.title,
        kind=story.kind,
        slug=story.slug,
        created=story.created,
        body=story.body,
        body_format=story.body_format,
        excerpt=story.excerpt,
        categories=[category.name for category in story.categories.all()],
        draft=story.status == Story.Status.DRAFT,
    )
