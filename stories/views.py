"""Story pages: lists by chapter, category and year; a story; the editor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chapterhouse import ratelimit
from chapters.models import Chapter
from chapters.views import chapter_or_404, render_in_chapter_zone
from stories import metadata, services
from stories.forms import StoryForm
from stories.models import Category, Story
from stories.permissions import can_edit, drafts_for, writable_kinds

PAGE_SIZE = 20


def render_list(request, chapter: Chapter, stories, heading: str, **extra) -> HttpResponse:
    page = Paginator(
        stories.select_related("chapter", "author__profile"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    published = Story.objects.filter(chapter=chapter).published()
    context = {
        "page": page,
        "heading": heading,
        "years": published.datetimes("published", "year", order="DESC"),
        "categories": Category.objects.filter(chapter=chapter)
        .select_related("chapter")
        .annotate(count=Count("stories", filter=Q(stories__in=published)))
        .filter(count__gt=0),
        "can_write": writable_kinds(request.user, chapter) != [],
        "drafts": drafts_for(request.user, chapter),
        **extra,
    }
    return render_in_chapter_zone(request, chapter, "stories/list.html", context)


@require_GET
def story_list(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    stories = Story.objects.filter(chapter=chapter).published()
    return render_list(request, chapter, stories, _("Stories"))


@require_GET
def category_list(request: HttpRequest, slug: str, category: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    category = get_object_or_404(Category, chapter=chapter, slug=category)
    stories = category.stories.published()
    heading = _("Stories in %(category)s") % {"category": category.name}
    return render_list(request, chapter, stories, heading, category=category)


@require_GET
def year_list(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    chapter = chapter_or_404(slug)
    with timezone.override(chapter.time_zone):
        stories = Story.objects.filter(chapter=chapter, published__year=year).published()
        return render_list(
            request, chapter, stories, _("Stories of %(year)d") % {"year": year}, year=year
        )


@require_GET
def story_detail(request: HttpRequest, slug: str, story: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    story = get_object_or_404(
        Story.objects.visible_to(request.user)
        .select_related("author__profile", "chapter")
        .prefetch_related("categories"),
        chapter=chapter,
        slug=story,
    )
    context = {
        "story": story,
        "can_edit": can_edit(request.user, story),
        "citation": metadata.citation_meta(story) if story.is_published else [],
    }
    return render_in_chapter_zone(request, chapter, "stories/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def story_create(request: HttpRequest, slug: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    kinds = writable_kinds(request.user, chapter)
    if not kinds:
        raise PermissionDenied(
            _("Only organizers, and members where the chapter allows it, write here.")
        )
    story = Story(chapter=chapter, author=request.user, body_format=Story.Format.MARKDOWN)
    return edit_story(request, chapter, story, kinds)


@login_required
@require_http_methods(["GET", "POST"])
def story_edit(request: HttpRequest, slug: str, story: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    story = get_object_or_404(Story, chapter=chapter, slug=story)
    if not can_edit(request.user, story):
        raise PermissionDenied(_("Only the author and the chapter's organizers can edit this."))
    kinds = writable_kinds(request.user, chapter) or [story.kind]
    return edit_story(request, chapter, story, kinds)


def edit_story(request, chapter: Chapter, story: Story, kinds: list[str]) -> HttpResponse:
    """The editor: preview re-renders the form; save keeps a draft; publish publishes."""
    form = StoryForm(request.POST or None, instance=story, kinds=kinds)
    preview = None
    if form.is_valid():
        data = dict(form.cleaned_data)
        categories = data.pop("categories_text")
        if "preview" in request.POST:
            preview = Story(body=data["body"], body_format=story.body_format, title=data["title"])
        else:
            publish = "publish" in request.POST or (
                story.is_published and "save" not in request.POST
            )
            try:
                story = services.save_story(story, data, categories, publish=publish)
            except ratelimit.RateLimited as refusal:
                form.add_error(None, refusal.message)
                context = {"form": form, "story": story, "preview": None}
                page = render_in_chapter_zone(request, chapter, "stories/form.html", context)
                return ratelimit.mark_refused(page, refusal)
            messages.success(request, _("Published.") if story.is_published else _("Draft saved."))
            return redirect(story)
    status = 400 if form.errors else 200
    context = {"form": form, "story": story, "preview": preview}
    return render_in_chapter_zone(request, chapter, "stories/form.html", context, status=status)


@login_required
@require_POST
def story_delete(request: HttpRequest, slug: str, story: str) -> HttpResponse:
    chapter = chapter_or_404(slug)
    story = get_object_or_404(Story, chapter=chapter, slug=story)
    if not can_edit(request.user, story):
        raise PermissionDenied(_("Only the author and the chapter's organizers can delete this."))
    services.delete_story(story)
    messages.success(request, _("The story is deleted."))
    return redirect("stories:list", chapter.slug)
