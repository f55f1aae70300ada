"""Chapters: the directory and one chapter."""

from django.http import HttpRequest
from ninja import Query, Router

from api.errors import error_responses
from api.reading import absolute, chapter_or_404, paginate
from api.schemas import ChapterDetailOut, ChapterPage, ChapterSlug, PageQuery
from chapters.models import Chapter

router = Router(tags=["chapters"])


def chapter_out(chapter: Chapter, member_count: int | None = None) -> dict:
    return {
        "slug": chapter.slug,
        "name": chapter.name,
        "tagline": chapter.tagline,
        "region": chapter.region,
        "time_zone": chapter.time_zone,
        "member_count": chapter.member_count if member_count is None else member_count,
        "url": absolute(chapter.get_absolute_url()),
    }


@router.get("/", response={200: ChapterPage, **error_responses()}, url_name="chapters")
def chapter_list(request: HttpRequest, page: Query[PageQuery]):
    """Every chapter on this site, by name."""
    chapters = Chapter.objects.with_member_count().order_by("name", "pk")
    return paginate(chapters, page, chapter_out)


@router.get(
    "/{slug}/",
    response={200: ChapterDetailOut, **error_responses(404)},
    url_name="chapter",
)
def chapter_detail(request: HttpRequest, slug: ChapterSlug):
    """One chapter, with its focus areas and links."""
    chapter = chapter_or_404(slug)
    return {
        **chapter_out(chapter, chapter.memberships.active().count()),
        "description": chapter.description,
        "members_can_blog": chapter.members_can_blog,
        "focus_areas": [{"id": area.pk, "name": area.name} for area in chapter.focus_areas.all()],
        "links": [{"label": link.label, "url": link.url} for link in chapter.links.all()],
    }
